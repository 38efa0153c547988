import { envFlag } from './local.compositor';

describe('envFlag', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
  ])('should read %p as %p', (value, flag) => {
    expect(envFlag({ EXPORT_GIF: value }, 'EXPORT_GIF')).toBe(flag);
  });

  it('should refuse anything else, naming the variable', () => {
    expect(() => envFlag({ EXPORT_WEBM: 'ture' }, 'EXPORT_WEBM')).toThrow('EXPORT_WEBM=ture: expected true or false');
  });
});
