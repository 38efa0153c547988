import { loadAccessConfig, parseRateLimitRule } from '../../config/access.config';
import { fieldsFromSchemaErrors } from '../common/app-exception.filter';
import { findInputProblem } from '../common/http-edges';
import { constantTimeEqual, hashSecret } from './api-keys.service';
import { presentedCredential } from './auth.guard';
import { canonicalJson } from './idempotency.interceptor';
import { principalFromClaims } from './jwt.verifier';
import { canSee, ownerFilter, ownerOf } from './ownership';
import { hitRecord } from './pg-throttler.storage';
import { ANONYMOUS, type Principal } from './principal';

const user = (clientId: string): Principal => ({ via: 'api_key', clientId, userId: 'u', roles: ['user'] });
const admin: Principal = { via: 'jwt', clientId: 'ops', userId: 'root', roles: ['admin', 'user'] };

describe('access rules', () => {
  it.each([
    ['5/min', { limit: 5, windowSeconds: 60 }],
    ['10/hour', { limit: 10, windowSeconds: 3600 }],
    ['3/10s', { limit: 3, windowSeconds: 10 }],
    ['0/min', null],
    ['five/min', null],
    ['5/day', null],
  ])('should parse the rate-limit rule %s', (raw, expected) => {
    expect(parseRateLimitRule(raw)).toEqual(expected);
  });

  it('should block a hit past the limit with the window seconds left, rounded up and at least 1', () => {
    expect(hitRecord(4, 4, 59_001)).toEqual({ totalHits: 4, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    expect(hitRecord(5, 4, 59_001)).toEqual({ totalHits: 5, timeToExpire: 60, isBlocked: true, timeToBlockExpire: 60 });
    expect(hitRecord(9, 4, 0)).toEqual({ totalHits: 9, timeToExpire: 1, isBlocked: true, timeToBlockExpire: 1 });
  });

  it('should default to auth off and rate limits on, and name every bad variable', () => {
    const problems: string[] = [];
    const c = loadAccessConfig({}, problems);
    expect(problems).toEqual([]);
    expect(c).toMatchObject({ authMode: 'off', rateLimits: { enabled: true }, corsOrigins: [], budget: { softDailyUsd: 100, hardDailyUsd: 150 } });
    expect(c.rateLimits.rules.generate).toEqual({ limit: 5, windowSeconds: 60 });
    loadAccessConfig({ AUTH_MODE: 'maybe', RATE_LIMIT_POLL: 'lots', ADMIN_API_KEY: 'short', BUDGET_SOFT_DAILY_USD: '200' }, problems);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['ADMIN_API_KEY', 'AUTH_MODE', 'BUDGET_SOFT_DAILY_USD', 'RATE_LIMIT_POLL']);
    const on: string[] = [];
    loadAccessConfig({ AUTH_MODE: 'on' }, on);
    expect(on[0]).toMatch(/AUTH_MODE=on/);
  });

  it('should hide other clients and show all to admins and to auth-off callers', () => {
    expect(ownerFilter(user('acme'))).toEqual({ clientId: 'acme' });
    expect(ownerFilter(admin)).toEqual({});
    expect(ownerFilter(ANONYMOUS)).toEqual({});
    expect(canSee(user('acme'), 'acme')).toBe(true);
    expect(canSee(user('acme'), 'globex')).toBe(false);
    expect(canSee(user('acme'), null)).toBe(false);
    expect(canSee(admin, 'globex')).toBe(true);
    expect(ownerOf(ANONYMOUS)).toEqual({ clientId: null, userId: null });
    expect(ownerOf(user('acme'))).toEqual({ clientId: 'acme', userId: 'u' });
  });

  it('should map JWT claims to a principal and refuse a token without a client', () => {
    expect(principalFromClaims({ sub: 'alice', client_id: 'acme', roles: ['admin'] }, 'client_id')).toEqual({ via: 'jwt', clientId: 'acme', userId: 'alice', roles: ['admin', 'user'] });
    expect(principalFromClaims({ sub: 'bob', tid: 'globex', scope: 'read write' }, 'tid')?.roles).toEqual(['user']);
    expect(principalFromClaims({ sub: 'eve' }, 'client_id')).toBeNull();
  });

  it('should take the credential from X-API-Key or a Bearer Authorization header only', () => {
    expect(presentedCredential({ 'x-api-key': 'k1' })).toBe('k1');
    expect(presentedCredential({ authorization: 'Bearer abc.def' })).toBe('abc.def');
    expect(presentedCredential({ authorization: 'Basic Zm9v' })).toBeNull();
    expect(presentedCredential({})).toBeNull();
  });

  it('should hash secrets with their salt and compare in constant time', () => {
    expect(hashSecret('s1', 'x')).not.toBe(hashSecret('s2', 'x'));
    expect(hashSecret('s1', 'x')).toMatch(/^[0-9a-f]{64}$/);
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });

  it('should fingerprint bodies independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it.each([
    ['a NUL', { prompt: 'a\u0000b' }, 'body.prompt'],
    ['a lone surrogate', { style: ['ok', 'x\ud800'] }, 'body.style[1]'],
    ['deep nesting', JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`), 'body'],
    ['many keys', Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`k${i}`, i])), 'body'],
  ])('should find %s in an input before any validator sees it', (_name, value, path) => {
    expect(findInputProblem(value, 'body')?.path.startsWith(path)).toBe(true);
  });

  it('should accept ordinary input, emoji included', () => {
    expect(findInputProblem({ prompt: 'Ad for ☕ and 😀', brand_guidelines: { style: 'warm' } }, 'body')).toBeNull();
  });

  it('should name each field of a route-schema error', () => {
    expect(
      fieldsFromSchemaErrors(
        [
          { instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'colour' }, message: 'must NOT have additional properties' },
          { instancePath: '/brand_guidelines/style', keyword: 'maxLength', params: {}, message: 'must NOT have more than 500 characters' },
        ],
        'body',
      ),
    ).toEqual({ colour: ['property colour should not exist'], 'brand_guidelines.style': ['brand_guidelines.style must NOT have more than 500 characters'] });
  });
});
