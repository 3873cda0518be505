import {
  ccesMessageOf,
  cceTopicFor,
  parseCcesMessage,
  type CcesAnyPublishInput,
  type CcesEvent,
  type CcesParseResult,
} from '@hoot/events';
import { InMemoryCcesPublisher } from '@hoot/events/testing';
import {
  closeLostRooms,
  LostRoomFold,
  type CloseLostRoomsOptions,
  type RecoveryProducer,
} from './lost-rooms';

const COREMX = 'coremx-1';
const TOPIC = cceTopicFor(COREMX);

const reserve = (conferenceId: string): CcesAnyPublishInput => ({
  type: 'room.reserved',
  conferenceId,
  data: {
    roomType: 'm2m',
    creator: null,
    address: `hoot.mx://${conferenceId}@coremx-1.c1.hoot.mx`,
    public: false,
    allowed: null,
    maxParticipants: null,
  },
});
const join = (conferenceId: string, participantId: string, joinOrder: number): CcesAnyPublishInput => ({
  type: 'participant.joined',
  conferenceId,
  data: {
    participantId,
    identity: `acc-${participantId}`,
    displayName: participantId,
    role: 'viewer',
    joinOrder,
  },
});
const leave = (conferenceId: string, participantId: string): CcesAnyPublishInput => ({
  type: 'participant.left',
  conferenceId,
  data: { participantId, identity: `acc-${participantId}`, remaining: 0 },
});
const kick = (conferenceId: string, participantId: string): CcesAnyPublishInput => ({
  type: 'participant.kicked',
  conferenceId,
  data: { participantId, identity: `acc-${participantId}`, by: 'p-owner', ticketId: 'tk-1' },
});
const end = (conferenceId: string, participantIds: string[]): CcesAnyPublishInput => ({
  type: 'room.ended',
  conferenceId,
  data: { by: null, reason: 'system', participantIds },
});

/** What the previous process of `coremxId` published, as messages read back from its topic. */
async function topicOf(inputs: CcesAnyPublishInput[], coremxId = COREMX): Promise<CcesEvent[]> {
  const previous = new InMemoryCcesPublisher(coremxId);
  for (const input of inputs) await previous.publish(input);
  return previous.events;
}
const read = (events: CcesEvent[]): CcesParseResult[] =>
  events.map((e) => {
    const m = ccesMessageOf(e);
    return parseCcesMessage(Buffer.from(m.key), Buffer.from(m.value), TOPIC);
  });

function fold(results: CcesParseResult[]): LostRoomFold {
  const f = new LostRoomFold(COREMX);
  for (const r of results) f.add(r);
  return f;
}

describe('LostRoomFold', () => {
  it('keeps the rooms still open and who is still in them', async () => {
    const events = await topicOf([
      reserve('conf-a'),
      { type: 'room.started', conferenceId: 'conf-a', data: {} },
      join('conf-a', 'p-1', 1),
      join('conf-a', 'p-2', 2),
      join('conf-a', 'p-3', 3),
      leave('conf-a', 'p-2'),
      kick('conf-a', 'p-3'),
      reserve('conf-b'),
      join('conf-b', 'p-9', 1),
      reserve('conf-c'), // reserved, nobody came: still open
    ]);
    expect(fold(read(events)).openRooms()).toEqual([
      { conferenceId: 'conf-a', participantIds: ['p-1'], lastSeq: 7 },
      { conferenceId: 'conf-b', participantIds: ['p-9'], lastSeq: 2 },
      { conferenceId: 'conf-c', participantIds: [], lastSeq: 1 },
    ]);
  });

  it('forgets rooms that ended, and a room opened again is a new life', async () => {
    const events = await topicOf([
      reserve('conf-a'),
      join('conf-a', 'p-1', 1),
      end('conf-a', ['p-1']),
      reserve('conf-b'),
      join('conf-b', 'p-2', 1),
      end('conf-b', ['p-2']),
      reserve('conf-b'),
      join('conf-b', 'p-3', 1),
    ]);
    expect(fold(read(events)).openRooms()).toEqual([
      { conferenceId: 'conf-b', participantIds: ['p-3'], lastSeq: 5 },
    ]);
  });

  it('skips poison, foreign events and resends without failing', async () => {
    const own = await topicOf([reserve('conf-a'), join('conf-a', 'p-1', 1), join('conf-a', 'p-2', 2)]);
    const foreign = await topicOf([reserve('conf-x'), join('conf-x', 'p-7', 1)], 'coremx-2');
    const results = [
      ...read(own),
      parseCcesMessage(Buffer.from('conf-a'), Buffer.from('{not json'), TOPIC),
      parseCcesMessage(Buffer.from('conf-a'), Buffer.from(JSON.stringify({ ...own[2], seq: 'x' })), TOPIC),
      ...read(foreign),
      // The previous process crashed before its last two sends were acknowledged and resent them.
      ...read(own.slice(1)),
    ];
    const f = fold(results);
    expect(f.openRooms()).toEqual([{ conferenceId: 'conf-a', participantIds: ['p-1', 'p-2'], lastSeq: 3 }]);
    expect(f.skipped).toBe(4);
    expect(f.resent).toBe(2);
  });

  it('has nothing open for an empty topic', () => {
    expect(fold([]).openRooms()).toEqual([]);
  });
});

/** The producer of the restarted process: continues the seq of every conference of the previous one. */
async function restartedProducer(previous: CcesAnyPublishInput[]) {
  const producer = new InMemoryCcesPublisher(COREMX);
  for (const input of previous) await producer.publish(input);
  const before = producer.events.length;
  const flushed = jest.fn(async () => undefined);
  const published = () => producer.events.slice(before);
  return { producer: Object.assign(producer, { flushed }) as RecoveryProducer, published, flushed, before };
}

function options(
  producer: RecoveryProducer,
  topic: CcesEvent[] | (() => Promise<CcesEvent[]>),
  logs: string[] = [],
): CloseLostRoomsOptions {
  return {
    coremxId: COREMX,
    producer,
    readTopic: async (onMessage) => {
      const events = typeof topic === 'function' ? await topic() : topic;
      for (const r of read(events)) onMessage(r);
    },
    clock: {
      now: () => 0,
      setTimeout: (callback: () => void) => {
        setImmediate(callback);
        return { id: 0 };
      },
    },
    logger: {
      log: (obj, msg) => logs.push(`${msg} ${JSON.stringify(obj)}`),
      warn: (_obj, msg) => logs.push(`WARN ${msg}`),
    },
  };
}

describe('closeLostRooms', () => {
  const session = [
    reserve('conf-a'),
    join('conf-a', 'p-1', 1),
    join('conf-a', 'p-2', 2),
    leave('conf-a', 'p-1'),
    join('conf-a', 'p-3', 3),
    reserve('conf-b'),
    join('conf-b', 'p-4', 1),
    end('conf-b', ['p-4']),
    reserve('conf-c'),
  ];

  it('ends each open room once, with everyone still in it, at the next seq; nothing for rooms already ended', async () => {
    const { producer, published, flushed } = await restartedProducer(session);
    const logs: string[] = [];
    const result = await closeLostRooms(options(producer, await topicOf(session), logs));
    expect(flushed).toHaveBeenCalledTimes(1);
    expect(
      published().map(({ type, conferenceId, seq, data }) => ({ type, conferenceId, seq, data })),
    ).toEqual([
      {
        type: 'room.ended',
        conferenceId: 'conf-a',
        seq: 6,
        data: { by: null, reason: 'system', participantIds: ['p-2', 'p-3'] },
      },
      {
        type: 'room.ended',
        conferenceId: 'conf-c',
        seq: 2,
        data: { by: null, reason: 'system', participantIds: [] },
      },
    ]);
    expect(result).toEqual({ rooms: 2, participants: 2, read: 9, skipped: 0 });
    expect(logs.filter((l) => l.startsWith('closed a room'))).toHaveLength(2);
    expect(logs.some((l) => l.startsWith('lost rooms closed {"rooms":2,"participants":2'))).toBe(true);
  });

  it('waits for the journal backlog before it reads the topic', async () => {
    const { producer, published } = await restartedProducer(session);
    let sent = false;
    producer.flushed = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      sent = true;
    };
    // Until the backlog is sent, the topic lacks conf-a's last join; the read must come after it.
    const all = await topicOf(session);
    const topic = async () => (sent ? all : all.filter((e) => !(e.conferenceId === 'conf-a' && e.seq === 5)));
    await closeLostRooms(options(producer, topic));
    expect(published().find((e) => e.conferenceId === 'conf-a')?.data).toMatchObject({
      participantIds: ['p-2', 'p-3'],
    });
  });

  it('publishes nothing for an empty topic or when every room ended', async () => {
    const empty = await restartedProducer([]);
    expect(await closeLostRooms(options(empty.producer, []))).toEqual({
      rooms: 0,
      participants: 0,
      read: 0,
      skipped: 0,
    });
    expect(empty.published()).toEqual([]);
    const ended = [reserve('conf-a'), join('conf-a', 'p-1', 1), end('conf-a', ['p-1'])];
    const done = await restartedProducer(ended);
    await closeLostRooms(options(done.producer, await topicOf(ended)));
    expect(done.published()).toEqual([]);
  });

  it('retries a read that fails, logging each failure, and reads a fresh fold', async () => {
    const { producer, published } = await restartedProducer(session);
    const topic = await topicOf(session);
    let calls = 0;
    const logs: string[] = [];
    const opts = options(producer, topic, logs);
    opts.readTopic = async (onMessage) => {
      calls += 1;
      // A partial read then Kafka goes away: what was read must not count twice.
      for (const r of read(topic.slice(0, 3))) onMessage(r);
      if (calls < 3) throw new Error('kafka down');
      for (const r of read(topic.slice(3))) onMessage(r);
    };
    const result = await closeLostRooms(opts);
    expect(calls).toBe(3);
    expect(logs.filter((l) => l === 'WARN closing lost rooms: could not read the topic')).toHaveLength(2);
    expect(result.read).toBe(9);
    expect(published().map((e) => e.conferenceId)).toEqual(['conf-a', 'conf-c']);
  });
});
