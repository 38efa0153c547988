import { envFlag, envReader } from './env-reader';

describe('envReader', () => {
  const read = (env: NodeJS.ProcessEnv) => {
    const problems: string[] = [];
    return { r: envReader(env, problems), problems };
  };

  it('should fall back on unset and blank variables without a problem', () => {
    const { r, problems } = read({ B: '', C: '   ' });
    expect([r.int('A', 3, 0, 9), r.num('B', 1.5, 0), r.positive('C', 2), r.bool('A', true), r.onOff('B', false), r.url('A'), r.json('C')]).toEqual([3, 1.5, 2, true, false, '', undefined]);
    expect(problems).toEqual([]);
  });

  it.each<[string, (r: ReturnType<typeof envReader>) => unknown, unknown, string]>([
    ['int out of range', (r) => r.int('X', 4, 1, 10), 4, 'X: expected an integer from 1 to 10, got "11"'],
    ['num below its minimum', (r) => r.num('X', 1, 20), 1, 'X: expected a number >= 20, got "11"'],
    ['num above its maximum', (r) => r.num('X', 1, 0, 10), 1, 'X: expected a number from 0 to 10, got "11"'],
  ])('should record %s and keep the default', (_name, f, value, problem) => {
    const { r, problems } = read({ X: '11' });
    expect(f(r)).toBe(value);
    expect(problems).toEqual([problem]);
  });

  it('should read flags, URLs and JSON, naming what is wrong', () => {
    const { r, problems } = read({ F: 'Yes', O: 'off', U: 'http://svc:8080//', J: '{"a":1}', BAD: 'ture', BU: 'ftp://x', BJ: '{', P: '0' });
    expect([r.bool('F', false), r.onOff('O', true), r.url('U'), r.json('J')]).toEqual([true, false, 'http://svc:8080', { a: 1 }]);
    expect([r.bool('BAD', false), r.url('BU'), r.json('BJ'), r.positive('P', 5)]).toEqual([false, 'ftp://x', undefined, 5]);
    expect(problems).toEqual(['BAD: expected true or false, got "ture"', 'BU: expected an http(s) URL, got "ftp://x"', 'BJ: not valid JSON', 'P: expected a number > 0, got "0"']);
  });
});

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
