import { COREMX_STREAM_KEY } from '@hoot/events';
import { CashErrorCode } from '../cash-error';
import { RecordingChannel } from '../testing/recording-channel';
import { roomFixture } from '../testing/room-fixture';
import { CoreMxStateService } from './coremx-state';
import { DrainCoordinator } from './drain-coordinator';

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const f = roomFixture();
  const state = new CoreMxStateService({
    highWatermark: 0.85,
    lowWatermark: 0.7,
    capacityRooms: 10,
    capacityParticipants: 100,
    retryAfterS: 3,
    counts: () => f.rooms.counts(),
    events: f.events,
  });
  const drainer = new DrainCoordinator(f.rooms, state, f.clock, undefined, 1_000);
  return { ...f, state, drainer };
}

describe('DrainCoordinator', () => {
  it('refuses new rooms, ends rooms once empty, and the rest at the deadline; then reports drained', async () => {
    const t = setup();
    await t.rooms.reserve({ id: 'empty-one', type: 'm2m' });
    const busy = new RecordingChannel();
    await t.rooms.join({ roomId: 'busy-one', identity: 'alice', ticketId: 't1' }, busy);
    const changes: string[] = [];
    t.state.onChange((s) => changes.push(s));

    let drained = false;
    void t.drainer.drain(60_000, 'test').then(() => (drained = true));
    expect(t.state.state).toBe('draining');
    expect(() => t.state.checkNewRoom()).toThrow(expect.objectContaining({ code: CashErrorCode.Draining }));
    expect(() => t.state.checkJoin(true)).not.toThrow();

    t.clock.advance(0);
    await flush();
    expect(t.rooms.has('empty-one')).toBe(false);
    expect(t.rooms.has('busy-one')).toBe(true);
    expect(drained).toBe(false);

    t.clock.advance(60_000);
    await flush();
    await flush();
    expect(t.rooms.has('busy-one')).toBe(false);
    expect(busy.ofType('room-ended')).toEqual([{ type: 'room-ended', reason: 'system' }]);
    expect(drained).toBe(true);
    expect(t.drainer.status()).toMatchObject({ draining: true, drained: true });
    expect(changes).toEqual(['draining']);
    expect(
      t.events.events
        .filter((e) => e.conferenceId === COREMX_STREAM_KEY)
        .map((e) => (e.data as { to: string }).to),
    ).toEqual(['draining', 'drained']);
  });

  it('undrain returns to active and admits new rooms again', async () => {
    const t = setup();
    void t.drainer.drain(60_000, 'test');
    t.drainer.undrain();
    expect(t.state.state).toBe('active');
    expect(() => t.state.checkNewRoom()).not.toThrow();
    t.clock.advance(120_000);
    await flush();
    expect(t.drainer.status().draining).toBe(false);
  });
});
