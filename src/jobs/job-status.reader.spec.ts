import { buildJobWhere, etagMatches, jobEtag, listEtag } from './job-status.reader';

describe('job read helpers', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['W/"7"', true],
    ['"7"', true],
    ['W/"70"', false],
    ['W/"6", W/"7"', true],
    ['  W/"6" ,"7" ', true],
    ['*', true],
    ['W/"8"', false],
  ])('should match If-None-Match %p against W/"7": %p', (header, expected) => {
    expect(etagMatches(header, jobEtag(7))).toBe(expected);
  });

  it('should build where conditions with numbered parameters, fixed first then the filter', () => {
    expect(buildJobWhere([['id', 'a']], { client_id: 'c1' })).toEqual({ sql: 'id = $1 and client_id = $2', params: ['a', 'c1'] });
    expect(buildJobWhere([])).toEqual({ sql: 'true', params: [] });
    expect(buildJobWhere([['id', ['a', 'b']]], { client_id: 'c1' })).toEqual({ sql: 'id = any($1) and client_id = $2', params: [['a', 'b'], 'c1'] });
  });

  it('should refuse a filter column that is not a plain name', () => {
    expect(() => buildJobWhere([], { 'id; drop table jobs': 'x' })).toThrow(/invalid column/);
  });

  it('should change the list ETag when a version, the total or the page changes', () => {
    const rows = [{ id: 'a', version: 1 }, { id: 'b', version: 3 }];
    const base = listEtag(2, 20, 0, rows);
    expect(listEtag(2, 20, 0, [...rows])).toBe(base);
    expect(listEtag(2, 20, 0, [{ id: 'a', version: 2 }, rows[1]])).not.toBe(base);
    expect(listEtag(3, 20, 0, rows)).not.toBe(base);
    expect(listEtag(2, 10, 0, rows)).not.toBe(base);
    expect(base).toMatch(/^W\/"[A-Za-z0-9_-]{22}"$/);
  });
});
