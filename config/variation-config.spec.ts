import { attemptWorkDir, ConfigError, jobWorkDir, loadConfig } from './app.config';

describe('variation settings', () => {
  it('reads VARIATION_FAULT_INDICES as cut indices, empty by default', () => {
    expect(loadConfig({}).variationFaultIndices).toEqual([]);
    expect(loadConfig({ VARIATION_FAULT_INDICES: ' 2, 0 ' }).variationFaultIndices).toEqual([2, 0]);
  });

  it.each(['3', 'one', '-1', '1.5'])('refuses VARIATION_FAULT_INDICES=%s naming the variable', (value) => {
    expect(() => loadConfig({ VARIATION_FAULT_INDICES: value })).toThrow(ConfigError);
    expect(() => loadConfig({ VARIATION_FAULT_INDICES: value })).toThrow(/VARIATION_FAULT_INDICES/);
  });

  it("gives cut k > 0 of a composition its own directory inside the job's, and every other attempt the job's", () => {
    const job = jobWorkDir('/a', 'j');
    expect(attemptWorkDir('/a', 'j', 'composition', 2)).toBe(`${job}/variations/2`);
    expect(attemptWorkDir('/a', 'j', 'composition', 0)).toBe(job);
    expect(attemptWorkDir('/a', 'j', 'composition', null)).toBe(job);
    expect(attemptWorkDir('/a', 'j', 'video_generation', 2)).toBe(job);
  });
});
