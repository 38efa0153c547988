import { parseRangeHeader } from './byte-range';

describe('parseRangeHeader', () => {
  it('should serve the whole artifact without a usable header', () => {
    for (const h of [undefined, '', 'items=0-1', 'bytes=', 'bytes=-', 'bytes=5-2', 'bytes=0-1,4-5', 'bytes=abc']) {
      expect(parseRangeHeader(h, 100)).toEqual({ kind: 'whole' });
    }
  });

  it('should read closed, open and suffix ranges, clamping the end', () => {
    expect(parseRangeHeader('bytes=0-9', 100)).toEqual({ kind: 'range', range: { start: 0, end: 9 } });
    expect(parseRangeHeader('bytes=90-', 100)).toEqual({ kind: 'range', range: { start: 90, end: 99 } });
    expect(parseRangeHeader('bytes=90-1000', 100)).toEqual({ kind: 'range', range: { start: 90, end: 99 } });
    expect(parseRangeHeader('bytes=-10', 100)).toEqual({ kind: 'range', range: { start: 90, end: 99 } });
    expect(parseRangeHeader('bytes=-1000', 100)).toEqual({ kind: 'range', range: { start: 0, end: 99 } });
  });

  it('should call a start past the end, or an empty suffix, unsatisfiable', () => {
    expect(parseRangeHeader('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=100-200', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
  });
});
