/** The registry, CoreMX servers and helpers shared by the `RoomSession` specs. */
import type { RoomView } from '@hoot/domain';
import { HootClient } from './hoot-client';
import type { JoinAnswer } from '@hoot/contracts';
import { FakeServers, problemBody, TestClock, type FakeAnswer } from './registry-fakes.fixture';
import type { RoomSession, RoomSessionEvents } from './room-session';
import {
  FakeSignalingServers,
  participant,
  roomView,
  settle,
  type FakeSocket,
} from './signaling-fakes.fixture';

export const REG = 'http://reg-c1-1';
export const SIG1 = 'ws://coremx-1/signal';
export const SIG2 = 'ws://coremx-2/signal';
export const ADDRESS = 'hoot.mx://standup@coremx-1.c1.hoot.mx';

export const alice = participant('p-1', { role: 'publisher', streams: ['audio', 'video'] });
export const bob = participant('p-2');
export const ROOM = roomView([alice, bob], { version: 3 });

export function joinAnswer(coremx: 1 | 2, ticket = `tkt-${coremx}`): JoinAnswer {
  return {
    conferenceId: 'standup',
    address: coremx === 1 ? ADDRESS : 'hoot.mx://standup@coremx-2.c1.hoot.mx',
    coremxId: `coremx-${coremx}`,
    signalingUrl: coremx === 1 ? SIG1 : SIG2,
    ticket,
    ticketId: `tid-${coremx}`,
    expiresAt: '2026-11-23T10:01:00.000Z',
    role: 'viewer',
    webUrl: 'http://web/join/standup',
  };
}

/** Records every event of a session, in order, as [name, payload]. */
export function record(session: RoomSession): [keyof RoomSessionEvents, unknown][] {
  const events: [keyof RoomSessionEvents, unknown][] = [];
  const names: (keyof RoomSessionEvents)[] = [
    'change',
    'participant-joined',
    'participant-left',
    'role-changed',
    'owner-changed',
    'hand-raised',
    'hand-lowered',
    'publish-request',
    'stream-ready',
    'stream-ended',
    'ice',
    'p2p-signal',
    'reoffer',
    'chat',
    'hls-stream',
    'hls-ended',
    'recording-started',
    'recording-stopped',
    'kicked',
    'ended',
    'reconnecting',
    'reconnected',
    'error',
    'closed',
  ];
  for (const name of names) session.on(name, (payload: unknown) => events.push([name, payload]));
  return events;
}

export const names = (events: [string, unknown][]) => events.map(([n]) => n);

export function setup() {
  const clock = new TestClock();
  const servers = new FakeServers(clock);
  const sockets = new FakeSignalingServers();
  /** What the registry answers to the next joins (then `joinDefault`). */
  const joins: FakeAnswer[] = [];
  const state = { joinDefault: { status: 200, body: joinAnswer(1) } as FakeAnswer };
  servers.set(REG, (call) => {
    if (call.method === 'POST' && call.path === '/v1/join') return joins.shift() ?? state.joinDefault;
    return { status: 404, body: problemBody(404, 'route.not-found', call.path) };
  });
  /** The room each CoreMX answers `join` with, and who the joiner becomes. */
  const coremx = new Map<string, { participantId: string; room: RoomView }>([
    [SIG1, { participantId: 'p-2', room: ROOM }],
    [
      SIG2,
      { participantId: 'p-9', room: roomView([participant('p-8'), participant('p-9')], { version: 1 }) },
    ],
  ]);
  for (const url of [SIG1, SIG2]) {
    sockets.handle(url, (socket, message) => {
      if (message.type === 'join') {
        const joined = coremx.get(url);
        socket.answer(message, { type: 'joined', ...joined });
      }
    });
  }
  const client = new HootClient({
    registryUrls: [REG],
    fetch: servers.fetch,
    clock,
    token: 'tok',
    WebSocket: sockets.WebSocket,
  });
  const joinCalls = () => servers.calls.filter((c) => c.path === '/v1/join');
  return { clock, servers, sockets, client, joins, state, coremx, joinCalls };
}

/** Answers the next message of `type` the client sends on `socket` (after it is sent). */
export async function answerNext(socket: FakeSocket, type: string, message: object): Promise<void> {
  await settle();
  const sent = socket.sentOf(type).at(-1);
  if (!sent) throw new Error(`the client sent no ${type}`);
  socket.answer(sent, message);
}
