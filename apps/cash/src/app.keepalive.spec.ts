import WebSocket from 'ws';
import { eventually } from '@hoot/testing';
import type { ServerMessage } from './signaling/signaling-protocol';
import { startCashTestApp, type CashTestApp } from './testing/cash-test-app';

/** Issue 17 item 2 over a real WebSocket: dead peers leave within seconds; a rejoin replaces the session. */
describe('CASH signaling keepalive and session replacement (real WebSocket, fake clock)', () => {
  let t: CashTestApp;
  let url: string;
  const sockets: WebSocket[] = [];

  beforeEach(async () => {
    t = await startCashTestApp();
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address() as { port: number };
    url = `ws://127.0.0.1:${address.port}/signal`;
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.terminate();
    await t.app.close();
  });

  async function open(options: { autoPong?: boolean } = {}) {
    const ws = new WebSocket(url, options);
    sockets.push(ws);
    const inbox: ServerMessage[] = [];
    const closed: { code?: number } = {};
    let pings = 0;
    ws.on('message', (data) => inbox.push(JSON.parse(String(data)) as ServerMessage));
    ws.on('close', (code) => (closed.code = code));
    ws.on('ping', () => (pings += 1));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return { ws, inbox, closed, pings: () => pings };
  }

  it('terminates a peer that stops answering pings: its participant leaves; a live peer stays', async () => {
    const { SIGNAL_PING_INTERVAL_MS: interval, SIGNAL_PING_MISSED_MAX: missed } = t.config;
    expect([interval, missed]).toEqual([5_000, 2]);
    const ghost = await open({ autoPong: false });
    ghost.ws.send(JSON.stringify({ type: 'join', ticket: t.ticket('pings', 'alice') }));
    await eventually(() => expect(ghost.inbox[0]?.type).toBe('joined'));
    const live = await open();
    live.ws.send(JSON.stringify({ type: 'join', ticket: t.ticket('pings', 'bob') }));
    await eventually(() => expect(live.inbox[0]?.type).toBe('joined'));

    const left = () => t.events.events.filter((e) => e.type === 'participant.left').length;
    for (let i = 1; i <= missed; i++) {
      t.clock.advance(interval);
      await eventually(() => expect([ghost.pings(), live.pings()]).toEqual([i, i]));
      // bob answered with a pong; a ping of its own behind it comes back only once CASH has read that pong.
      await new Promise((resolve) => {
        live.ws.once('pong', resolve);
        live.ws.ping();
      });
    }
    expect(left()).toBe(0);
    t.clock.advance(interval);
    await eventually(() => expect(ghost.closed.code).toBe(1006));
    await eventually(() => expect(left()).toBe(1));
    expect(t.events.events.find((e) => e.type === 'participant.left')?.data).toMatchObject({ remaining: 1 });
    t.clock.advance(interval);
    await eventually(() => expect(live.pings()).toBe(missed + 2));
    expect(live.closed.code).toBeUndefined();
  });

  it('closes the old socket of an identity that joins again (4009 SESSION_REPLACED)', async () => {
    const first = await open();
    first.ws.send(JSON.stringify({ type: 'join', ticket: t.ticket('again', 'alice') }));
    await eventually(() => expect(first.inbox[0]?.type).toBe('joined'));
    const second = await open();
    second.ws.send(JSON.stringify({ type: 'join', ticket: t.ticket('again', 'alice') }));
    await eventually(() => expect(second.inbox[0]?.type).toBe('joined'));
    await eventually(() => expect(first.closed.code).toBe(4009));
    expect(first.inbox.at(-1)).toMatchObject({ type: 'error', code: 'SESSION_REPLACED' });
    const types = t.events.events.map((e) => e.type);
    expect(types.filter((type) => type === 'participant.joined')).toHaveLength(2);
    expect(types.filter((type) => type === 'participant.left')).toHaveLength(1);
  });
});
