import { FakeClock } from '@hoot/testing';
import { IntrospectionClient, IntrospectionError } from './introspection-client';

function fakeAuth(answer: () => { status: number; body: unknown }) {
  const calls: { url: string; authorization: string; body: unknown }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({
      url,
      authorization: (init.headers as Record<string, string>)['authorization'],
      body: JSON.parse(String(init.body)),
    });
    const { status, body } = answer();
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

describe('IntrospectionClient', () => {
  const exp = Math.floor(Date.UTC(2026, 0, 1) / 1000) + 3600;

  it('sends the token with service credentials and caches the answer briefly', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const auth = fakeAuth(() => ({ status: 200, body: { active: true, claims: { exp } } }));
    const client = new IntrospectionClient({
      authUrl: 'http://auth/',
      authorization: async () => 'Bearer svc',
      clock,
      fetch: auth.fetchImpl,
      activeTtlMs: 5_000,
    });
    await expect(client.introspect('tok')).resolves.toMatchObject({ active: true });
    await client.introspect('tok');
    expect(auth.calls).toEqual([
      { url: 'http://auth/v1/introspect', authorization: 'Bearer svc', body: { token: 'tok' } },
    ]);
    clock.advance(5_000);
    await client.introspect('tok');
    expect(auth.calls).toHaveLength(2);
  });

  it('never caches past the token expiry', async () => {
    const clock = new FakeClock(exp * 1000 - 1_000);
    const auth = fakeAuth(() => ({ status: 200, body: { active: true, claims: { exp } } }));
    const client = new IntrospectionClient({
      authUrl: 'http://auth',
      authorization: async () => 'Bearer svc',
      clock,
      fetch: auth.fetchImpl,
    });
    await client.introspect('tok');
    clock.advance(1_000);
    await client.introspect('tok');
    expect(auth.calls).toHaveLength(2);
  });

  it('fails with IntrospectionError when auth refuses the service', async () => {
    const auth = fakeAuth(() => ({ status: 401, body: { code: 'auth.unauthenticated' } }));
    const client = new IntrospectionClient({
      authUrl: 'http://auth',
      authorization: async () => 'Bearer bad',
      fetch: auth.fetchImpl,
    });
    await expect(client.introspect('tok')).rejects.toBeInstanceOf(IntrospectionError);
  });
});
