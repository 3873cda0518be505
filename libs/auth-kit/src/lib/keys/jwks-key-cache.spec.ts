import { FakeClock } from '@hoot/testing';
import { jwksOf, testKeyPair } from '../../testing';
import { KeysUnavailableError } from '../jwt/token-rejected.error';
import { JwksKeyCache, parseJwks } from './jwks-key-cache';
import type { Jwks } from './verification-key-source';

describe('JwksKeyCache', () => {
  const one = testKeyPair('k1');
  const two = testKeyPair('k2');

  function cacheServing(initial: Jwks) {
    const clock = new FakeClock();
    let served = initial;
    const cache = new JwksKeyCache({
      fetchJwks: async () => served,
      clock,
      refetchCooldownMs: 10_000,
      maxAgeMs: 60_000,
    });
    return { clock, cache, serve: (jwks: Jwks) => (served = jwks) };
  }

  it('fetches once and serves known keys from the cache', async () => {
    const { cache } = cacheServing(jwksOf(one));
    await expect(cache.getKey('k1')).resolves.toBeDefined();
    await expect(cache.getKey('k1')).resolves.toBeDefined();
    expect(cache.fetches).toBe(1);
  });

  it('refetches on an unknown kid to pick up a new key', async () => {
    const { cache, clock, serve } = cacheServing(jwksOf(one));
    await cache.getKey('k1');
    clock.advance(10_000);
    serve(jwksOf(one, two));
    await expect(cache.getKey('k2')).resolves.toBeDefined();
    expect(cache.fetches).toBe(2);
  });

  it('does not refetch for unknown kids within the cooldown', async () => {
    const { cache, clock } = cacheServing(jwksOf(one));
    await cache.getKey('k1');
    for (let i = 0; i < 50; i++) await expect(cache.getKey(`forged-${i}`)).resolves.toBeUndefined();
    expect(cache.fetches).toBe(1);
    clock.advance(10_000);
    await cache.getKey('forged-again');
    expect(cache.fetches).toBe(2);
  });

  it('shares one fetch between concurrent callers', async () => {
    const { cache } = cacheServing(jwksOf(one));
    await Promise.all(Array.from({ length: 10 }, () => cache.getKey('k1')));
    expect(cache.fetches).toBe(1);
  });

  it('refreshes a stale set in the background so retired keys go away', async () => {
    const { cache, clock, serve } = cacheServing(jwksOf(one, two));
    await cache.getKey('k1');
    serve(jwksOf(two));
    clock.advance(60_000);
    await cache.getKey('k2');
    await cache.refresh();
    expect(cache.knownKids()).toEqual(['k2']);
  });

  it('reports unavailable keys instead of rejecting tokens when the endpoint fails', async () => {
    const cache = new JwksKeyCache({
      fetchJwks: async () => Promise.reject(new Error('connection refused')),
      clock: new FakeClock(),
    });
    await expect(cache.getKey('k1')).rejects.toBeInstanceOf(KeysUnavailableError);
  });

  it('skips keys that are not RS256 signing keys', () => {
    const skipped: string[] = [];
    const keys = parseJwks(
      {
        keys: [
          { ...jwksOf(one).keys[0] },
          { ...jwksOf(two).keys[0], use: 'enc' },
          { kty: 'oct', kid: 'sym', k: 'c2VjcmV0' },
          { kty: 'RSA', n: 'AQAB', e: 'AQAB' },
        ],
      },
      (why) => skipped.push(why),
    );
    expect([...keys.keys()]).toEqual(['k1']);
    expect(skipped).toHaveLength(3);
  });
});
