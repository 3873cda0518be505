import { FakeClock } from '@hoot/testing';
import { FakeMediaPort } from '../testing/fake-media.port';
import { KmsHealthMonitor, type KmsHealthEvents, type KmsRestartedEvent } from './kms-health.monitor';
import { MediaError, MediaErrorCode } from './media-error.exception';
import type { MediaHealth } from './media.port';

/** Lets pending promise callbacks run (the fake port answers asynchronously). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function setUp(port = new FakeMediaPort()) {
  const clock = new FakeClock();
  const monitor = new KmsHealthMonitor(port, { clock, intervalMs: 1_000 });
  const events: { [K in keyof KmsHealthEvents]: KmsHealthEvents[K][] } = {
    healthy: [],
    unhealthy: [],
    restarted: [],
  };
  monitor.on('healthy', (e) => events.healthy.push(e));
  monitor.on('unhealthy', (e) => events.unhealthy.push(e));
  monitor.on('restarted', (e) => events.restarted.push(e));
  return { port, clock, monitor, events };
}

describe('KmsHealthMonitor', () => {
  it('reports healthy once, then only changes of the verdict', async () => {
    const { port, monitor, events } = setUp();
    await monitor.checkNow();
    await monitor.checkNow();
    expect(monitor.state).toBe('healthy');
    expect(monitor.serverId).toBe('fake-kms-1');
    expect(events.healthy).toEqual([{ serverId: 'fake-kms-1', latencyMs: 1 }]);

    port.setAvailable(false);
    await monitor.checkNow();
    await monitor.checkNow();
    expect(monitor.state).toBe('unhealthy');
    expect(events.unhealthy).toHaveLength(1);
    expect(events.unhealthy[0].error.code).toBe(MediaErrorCode.Unavailable);

    port.setAvailable(true);
    await monitor.checkNow();
    expect(events.healthy).toHaveLength(2);
    expect(events.restarted).toEqual([]);
  });

  it('on a restart renews the port first, then tells listeners to rebuild', async () => {
    const { port, monitor, events } = setUp();
    const room = await port.createPipeline('standup');
    await monitor.checkNow();
    let generationSeenByListener = -1;
    monitor.on('restarted', () => {
      generationSeenByListener = port.generation;
    });

    port.setAvailable(false);
    await monitor.checkNow();
    port.restart();
    port.setAvailable(true);
    await monitor.checkNow();

    expect(events.restarted).toEqual<KmsRestartedEvent[]>([
      {
        previousServerId: 'fake-kms-1',
        serverId: 'fake-kms-2',
        reasons: ['identity-changed', 'session-lost', 'objects-lost'],
      },
    ]);
    expect(generationSeenByListener).toBe(1);
    expect(port.calls.filter((call) => call.operation === 'renew')).toHaveLength(1);
    expect(monitor.state).toBe('healthy');
    expect(monitor.serverId).toBe('fake-kms-2');
    await expect(port.createEndpoint(room, { kind: 'publish' })).rejects.toMatchObject({
      code: MediaErrorCode.ObjectGone,
    });
    await expect(port.createPipeline('standup')).resolves.toMatchObject({ generation: 1 });

    await monitor.checkNow();
    expect(events.restarted).toHaveLength(1);
  });

  it('treats a lost session alone as a restart (a restart within the same identity)', async () => {
    const port = new FakeMediaPort();
    const health = jest.spyOn(port, 'health');
    const { monitor, events } = setUp(port);
    await monitor.checkNow();
    health.mockResolvedValueOnce({
      status: 'up',
      serverId: 'fake-kms-1',
      latencyMs: 1,
      sessionLost: true,
      lostPipelineIds: [],
    });
    await monitor.checkNow();
    expect(events.restarted).toEqual([
      { previousServerId: 'fake-kms-1', serverId: 'fake-kms-1', reasons: ['session-lost'] },
    ]);
  });

  it('renews when the client gave up, and asks for a rebuild since the old session is abandoned', async () => {
    const { port, monitor, events } = setUp();
    await monitor.checkNow();
    port.giveUp();
    await monitor.checkNow();
    expect(events.restarted).toEqual([
      { previousServerId: 'fake-kms-1', serverId: 'fake-kms-1', reasons: ['connection-lost'] },
    ]);
    expect(monitor.state).toBe('healthy');
  });

  it('opens a first connection without asking for a rebuild', async () => {
    const port = new FakeMediaPort();
    port.giveUp();
    const { monitor, events } = setUp(port);
    await monitor.checkNow();
    expect(port.calls.map((call) => call.operation)).toEqual(['renew']);
    expect(events.restarted).toEqual([]);
    expect(events.healthy).toHaveLength(1);
  });

  it('keeps trying to renew while the server stays away and reports every reason once it succeeds', async () => {
    const { port, monitor, events } = setUp();
    await port.createPipeline('standup');
    await monitor.checkNow();
    port.restart();
    port.failNext('renew', new MediaError(MediaErrorCode.Unavailable, 'renew: down'));
    await monitor.checkNow();
    expect(monitor.state).toBe('unhealthy');
    expect(events.unhealthy).toHaveLength(1);
    expect(events.restarted).toEqual([]);

    port.failNext('renew', new MediaError(MediaErrorCode.Unavailable, 'renew: down'));
    port.giveUp();
    await monitor.checkNow();
    expect(events.unhealthy).toHaveLength(1);

    await monitor.checkNow();
    expect(events.restarted).toHaveLength(1);
    expect(events.restarted[0].reasons.sort()).toEqual(
      ['connection-lost', 'identity-changed', 'objects-lost', 'session-lost'].sort(),
    );
    expect(events.restarted[0].previousServerId).toBe('fake-kms-1');
  });

  it('still asks for a rebuild when the fresh connection fails its first probe', async () => {
    const port = new FakeMediaPort();
    const { monitor, events } = setUp(port);
    await monitor.checkNow();
    port.restart();
    const down: MediaHealth = {
      status: 'down',
      error: new MediaError(MediaErrorCode.Timeout, 'health: slow'),
      renewRequired: false,
    };
    const health = jest.spyOn(port, 'health');
    health
      .mockImplementationOnce(() => FakeMediaPort.prototype.health.call(port))
      .mockResolvedValueOnce(down);
    await monitor.checkNow();
    expect(events.restarted).toEqual([
      { previousServerId: 'fake-kms-1', serverId: undefined, reasons: ['identity-changed', 'session-lost'] },
    ]);
    expect(monitor.state).toBe('unhealthy');
    expect(monitor.serverId).toBeUndefined();
  });

  it('probes on its clock: at start, then an interval after each probe, until stopped', async () => {
    const { port, clock, monitor } = setUp();
    const health = jest.spyOn(port, 'health');
    monitor.start();
    monitor.start();
    expect(health).not.toHaveBeenCalled();
    clock.advance(0);
    await flush();
    expect(health).toHaveBeenCalledTimes(1);
    expect(monitor.state).toBe('healthy');
    clock.advance(999);
    await flush();
    expect(health).toHaveBeenCalledTimes(1);
    clock.advance(1);
    await flush();
    expect(health).toHaveBeenCalledTimes(2);
    monitor.stop();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(10_000);
    await flush();
    expect(health).toHaveBeenCalledTimes(2);
  });

  it('joins a probe in flight instead of starting a second one', async () => {
    const { port, monitor } = setUp();
    const health = jest.spyOn(port, 'health');
    await Promise.all([monitor.checkNow(), monitor.checkNow()]);
    expect(health).toHaveBeenCalledTimes(1);
  });

  it('survives a throwing listener and a port whose health() throws', async () => {
    const port = new FakeMediaPort();
    const listenerErrors: unknown[] = [];
    const monitor = new KmsHealthMonitor(port, {
      clock: new FakeClock(),
      onListenerError: (e) => listenerErrors.push(e),
    });
    monitor.on('healthy', () => {
      throw new Error('listener bug');
    });
    await monitor.checkNow();
    expect(listenerErrors).toEqual([new Error('listener bug')]);
    jest.spyOn(port, 'health').mockRejectedValueOnce(new Error('broken port'));
    await expect(monitor.checkNow()).resolves.toBeUndefined();
    expect(monitor.state).toBe('unhealthy');
  });
});
