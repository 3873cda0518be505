import { discoverRegistries, RegistryDiscoveryError } from './discovery';
import { FakeServers, problemBody, TestClock } from './registry-fakes.fixture';
import { RegistryClient } from './registry-client';
import { SdkErrorCode } from './sdk-error-codes';

const SEED1 = 'http://seed-1';
const SEED2 = 'http://seed-2';

const roulette = {
  registries: [
    {
      registryId: 'reg-c2-1',
      cloud: 'c2',
      priority: 1,
      url: 'https://reg-c2-1.hoot.mx/',
      region: 'eu-west',
      distanceKm: 12.5,
      load: 0.2,
      liveness: 'alive',
    },
    { registryId: 'reg-c1-1', url: 'https://reg-c1-1.hoot.mx', liveness: 'suspect', extra: 'ignored' },
  ],
};

function setup() {
  const clock = new TestClock();
  const servers = new FakeServers(clock);
  return { clock, servers, options: { fetch: servers.fetch, clock } };
}

describe('discoverRegistries', () => {
  it('asks iroulette with region and position and returns the list in the server order', async () => {
    const { servers, options } = setup();
    servers.set(SEED1, { status: 200, body: roulette });
    const list = await discoverRegistries([`${SEED1}/`], {
      ...options,
      region: 'eu west',
      latitude: 48.85,
      longitude: 2.35,
    });
    expect(servers.calls.map((c) => [c.method, c.origin, c.path])).toEqual([
      ['GET', SEED1, '/v1/roulette?region=eu+west&lat=48.85&lon=2.35'],
    ]);
    expect(list).toEqual([
      {
        registryId: 'reg-c2-1',
        cloud: 'c2',
        priority: 1,
        url: 'https://reg-c2-1.hoot.mx',
        region: 'eu-west',
        distanceKm: 12.5,
        load: 0.2,
        liveness: 'alive',
      },
      {
        registryId: 'reg-c1-1',
        cloud: 'c1',
        priority: 1,
        url: 'https://reg-c1-1.hoot.mx',
        liveness: 'suspect',
      },
    ]);
    expect(new RegistryClient({ registries: list, ownCloud: 'c1', ...options }).current()).toBe('reg-c1-1');
  });

  it('sends no query when no position is given', async () => {
    const { servers, options } = setup();
    servers.set(SEED1, { status: 200, body: roulette });
    await discoverRegistries([SEED1], options);
    expect(servers.calls[0].path).toBe('/v1/roulette');
  });

  it.each([
    ['refuses the connection', 'network' as const],
    ['answers 503', { status: 503, body: problemBody(503, 'service.not-ready', 'starting') }],
    ['answers an empty list', { status: 200, body: { registries: [] } }],
    [
      'answers something else',
      { status: 200, body: '<html>hello</html>', headers: { 'content-type': 'text/html' } },
    ],
    [
      'answers a bad entry',
      { status: 200, body: { registries: [{ registryId: 'reg-c1-1', url: 'javascript:x' }] } },
    ],
    [
      'answers a duplicate entry',
      { status: 200, body: { registries: [roulette.registries[1], roulette.registries[1]] } },
    ],
  ])('moves to the next seed when the first %s', async (_name, answer) => {
    const { servers, options } = setup();
    servers.set(SEED1, answer).set(SEED2, { status: 200, body: roulette });
    const list = await discoverRegistries([SEED1, SEED2], options);
    expect(list.map((r) => r.registryId)).toEqual(['reg-c2-1', 'reg-c1-1']);
    expect(servers.calls.map((c) => c.origin)).toEqual([SEED1, SEED2]);
  });

  it('moves on when a seed does not answer in time', async () => {
    const { servers, options, clock } = setup();
    servers.set(SEED1, 'hang').set(SEED2, { status: 200, body: roulette });
    const result = discoverRegistries([SEED1, SEED2], { ...options, timeoutMs: 500 });
    await servers.waitForCalls(1);
    clock.advance(500);
    await expect(result).resolves.toHaveLength(2);
  });

  it('throws RegistryDiscoveryError listing each seed when none gives a list', async () => {
    const { servers, options } = setup();
    servers.set(SEED2, { status: 404, body: problemBody(404, 'route.not-found', 'no route') });
    const error = await discoverRegistries([SEED1, SEED2], options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryDiscoveryError);
    expect(error).toMatchObject({
      code: SdkErrorCode.DiscoveryFailed,
      attempts: [
        { registryId: SEED1, error: expect.objectContaining({ code: SdkErrorCode.RegistryNetwork }) },
        { registryId: SEED2, error: expect.objectContaining({ code: 'route.not-found', status: 404 }) },
      ],
    });
    await expect(discoverRegistries([], options)).rejects.toMatchObject({
      code: SdkErrorCode.DiscoveryFailed,
    });
  });
});
