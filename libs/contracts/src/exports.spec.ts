import { exportAspectOf, exportKeyOf, isExportKey, planExports } from './exports';

describe('planExports', () => {
  it.each([
    [undefined, '9:16', []],
    [[], '9:16', []],
    [['mp4'], '9:16', []],
    [['gif'], '9:16', ['gif']],
    [['mp4:16:9', 'webm', 'gif', 'mp4'], '9:16', ['gif', 'webm', 'mp4:16:9']],
    [['mp4:9:16', 'mp4:16:9', 'mp4:1:1'], '9:16', ['mp4:16:9', 'mp4:1:1']],
    [['mp4:9:16', 'mp4:16:9', 'mp4:1:1'], '16:9', ['mp4:1:1', 'mp4:9:16']],
    [['gif', 'gif', 'webm', 'gif'], '1:1', ['gif', 'webm']],
    [['avi', 'mp4:4:3', 'gif'], '1:1', ['gif']],
  ] as const)('should plan %j for a %s job as %j', (requested, aspect, planned) => {
    expect(planExports(requested as readonly string[] | undefined, aspect)).toEqual(planned);
  });
});

describe('export keys', () => {
  it.each([
    ['gif', 'gif', null],
    ['webm', 'webm', null],
    ['mp4:16:9', '16:9', '16:9'],
    ['mp4:1:1', '1:1', '1:1'],
    ['mp4:9:16', '9:16', '9:16'],
  ] as const)('should serve %s under %s (aspect %s)', (format, key, aspect) => {
    expect(exportKeyOf(format)).toBe(key);
    expect(exportAspectOf(format)).toBe(aspect);
    expect(isExportKey(key)).toBe(true);
  });

  it('should refuse keys that are no export', () => {
    expect(isExportKey('mp4')).toBe(false);
    expect(isExportKey('4:3')).toBe(false);
    expect(isExportKey('toString')).toBe(false);
    expect(() => exportKeyOf('mp4' as never)).toThrow('export format mp4 has no export key');
  });
});
