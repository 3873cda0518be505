import type { CoreMxView } from '../gcas/registry-node';
import { CashCallError, type CashClient, type ReserveRequest } from './cash.client';
import { PlacementService } from './placement.service';

const quiet = { info: () => undefined, warn: () => undefined };
const view = (id: string, over: Partial<CoreMxView> = {}): CoreMxView => ({
  coremxId: id,
  address: `${id}.c1.hoot.mx`,
  signalingUrl: `wss://${id}.c1.hoot.mx/signal`,
  state: 'active',
  load: 0.3,
  rooms: 3,
  participants: 9,
  capacity: 100,
  registryId: 'reg-c1-1',
  cloud: 'c1',
  version: { incarnation: 1, seq: 1 },
  silentForMs: 10,
  liveness: 'alive',
  ...over,
});

class RecordingCash implements CashClient {
  readonly calls: string[] = [];
  fail = new Map<string, CashCallError>();
  async reserve(apiUrl: string, _request: ReserveRequest) {
    this.calls.push(apiUrl);
    const error = this.fail.get(apiUrl);
    if (error) throw error;
    return { created: true };
  }
  async end() {}
}

const request: ReserveRequest = { id: 'standup', type: 'm2m', owner: 'acc_alice' };

describe('PlacementService', () => {
  it('spreads a burst of creations over equally loaded CoreMX before their next report (ramp-up correction)', async () => {
    const views = [view('coremx-1'), view('coremx-2'), view('coremx-3')];
    const cash = new RecordingCash();
    const placement = new PlacementService({
      source: { coremx: () => views },
      cash,
      ownCloud: 'c1',
      staleAfterMs: 15_000,
      log: quiet,
    });
    const chosen: string[] = [];
    for (let i = 0; i < 9; i++) {
      const placed = await placement.place({ ...request, id: `conf-${i}` });
      if (placed.ok) chosen.push(placed.coremx.coremxId);
    }
    expect(chosen.filter((c) => c === 'coremx-1')).toHaveLength(3);
    expect(chosen.filter((c) => c === 'coremx-2')).toHaveLength(3);
    expect(chosen.filter((c) => c === 'coremx-3')).toHaveLength(3);
    // A new report (version advanced) replaces the correction with the real load.
    views[0] = view('coremx-1', { version: { incarnation: 1, seq: 2 }, load: 0.1 });
    const next = await placement.place({ ...request, id: 'after-report' });
    expect(next.ok && next.coremx.coremxId).toBe('coremx-1');
  });

  it('derives the CASH service API from the signaling URL when the CoreMX reports none', async () => {
    const cash = new RecordingCash();
    const placement = new PlacementService({
      source: {
        coremx: () => [
          view('coremx-1'),
          view('coremx-2', { apiUrl: 'http://coremx-2.internal:3300/', load: 0.9 }),
        ],
      },
      cash,
      ownCloud: 'c1',
      staleAfterMs: 15_000,
      log: quiet,
    });
    await placement.place(request);
    expect(cash.calls).toEqual(['https://coremx-1.c1.hoot.mx']);
    await placement.place(request, ['coremx-1']);
    expect(cash.calls[1]).toBe('http://coremx-2.internal:3300');
  });

  it('never chooses a stale, draining, overloaded or down CoreMX, and says why when none is left', async () => {
    const placement = new PlacementService({
      source: {
        coremx: () => [
          view('coremx-1', { silentForMs: 20_000 }),
          view('coremx-2', { state: 'draining' }),
          view('coremx-3', { state: 'overloaded' }),
          view('coremx-4', { liveness: 'down' }),
        ],
      },
      cash: new RecordingCash(),
      ownCloud: 'c1',
      staleAfterMs: 15_000,
      log: quiet,
    });
    const placed = await placement.place(request);
    expect(placed.ok).toBe(false);
    if (placed.ok) return;
    expect(placed.rejected.map((r) => `${r.coremxId}:${r.why}`).sort()).toEqual([
      'coremx-1:stale',
      'coremx-2:draining',
      'coremx-3:overloaded',
      'coremx-4:down',
    ]);
  });

  it('passes a refusal that is not about capacity straight to the caller', async () => {
    const cash = new RecordingCash();
    cash.fail.set(
      'https://coremx-1.c1.hoot.mx',
      new CashCallError('refused', 'exists as p2p', 409, 'cash.room-exists'),
    );
    const placement = new PlacementService({
      source: { coremx: () => [view('coremx-1')] },
      cash,
      ownCloud: 'c1',
      staleAfterMs: 15_000,
      log: quiet,
    });
    await expect(placement.place(request)).rejects.toMatchObject({ code: 'cash.room-exists' });
  });

  it('with power-of-two choices draws two and takes the less loaded', async () => {
    const cash = new RecordingCash();
    // The draws pick the first two (0.8 and 0.5): the least loaded of all (coremx-3) is not among them.
    const draws = [0, 0];
    const placement = new PlacementService({
      source: {
        coremx: () => [
          view('coremx-1', { load: 0.8 }),
          view('coremx-2', { load: 0.5 }),
          view('coremx-3', { load: 0.1 }),
        ],
      },
      cash,
      ownCloud: 'c1',
      staleAfterMs: 15_000,
      strategy: 'power-of-two',
      random: () => draws.shift() ?? 0.5,
      log: quiet,
    });
    const placed = await placement.place(request);
    expect(placed.ok && placed.coremx.coremxId).toBe('coremx-2');
  });
});
