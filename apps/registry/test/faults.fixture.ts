import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import { cceTopicFor, createKafka, readCcesTopicToEnd, type CcesEvent } from '@hoot/events';

/** Helpers of the fault suite (faults.integration-spec.ts): its clients, its seeded generator, its topic audit. */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** mulberry32: a small seeded generator, so every run acts the same way. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Client {
  name: string;
  who: 'alice' | 'bob';
  conferenceId: string;
  address: string;
  next: number;
  rng: () => number;
  socket?: WebSocket;
  signalingUrl?: string;
  inRoom: boolean;
  joinedAt: number;
  joins: number;
  stopped: boolean;
  loop?: Promise<void>;
}

export interface TopicStats {
  read: number;
  resends: number;
  duplicates: string[];
  gaps: string[];
  poison: string[];
  ghostParticipants: string[];
  openRooms: string[];
}

/** Reads every CoreMX topic from its beginning and folds it per conference. */
export async function readCoremxTopics(options: {
  brokers: string[];
  prefix: string;
  coremxIds: string[];
}): Promise<Map<string, TopicStats>> {
  const { prefix } = options;
  const kafka = createKafka({
    clientId: `${prefix}-audit`,
    brokers: options.brokers,
    logLevel: 'nothing',
  });
  const out = new Map<string, TopicStats>();
  for (const coremxId of options.coremxIds) {
    const topic = cceTopicFor(coremxId);
    const s: TopicStats = {
      read: 0,
      resends: 0,
      duplicates: [],
      gaps: [],
      poison: [],
      ghostParticipants: [],
      openRooms: [],
    };
    const byId = new Map<string, CcesEvent>();
    await readCcesTopicToEnd({
      kafka,
      topic,
      groupId: `${prefix}-audit-${randomUUID()}`,
      onMessage: (result) => {
        s.read += 1;
        if (!result.ok) s.poison.push(result.reason);
        else if (byId.has(result.event.id)) s.resends += 1;
        else byId.set(result.event.id, result.event);
      },
    });
    const streams = new Map<string, CcesEvent[]>();
    for (const e of byId.values()) {
      const list = streams.get(e.conferenceId) ?? [];
      list.push(e);
      streams.set(e.conferenceId, list);
    }
    for (const [conferenceId, events] of streams) {
      events.sort((a, b) => a.seq - b.seq);
      const present = new Set<string>();
      let open = false;
      for (let i = 0; i < events.length; i++) {
        const e = events[i];
        const prev = events[i - 1];
        if (prev && prev.seq === e.seq) s.duplicates.push(`${conferenceId}#${e.seq}`);
        else if (prev && e.seq !== prev.seq + 1 && !(prev.type === 'room.ended' && e.seq > prev.seq))
          s.gaps.push(`${conferenceId}: ${prev.seq} → ${e.seq}`);
        switch (e.type) {
          case 'room.reserved':
          case 'room.started':
            open = true;
            break;
          case 'participant.joined':
            open = true;
            present.add(e.data.participantId);
            break;
          case 'participant.left':
          case 'participant.kicked':
            present.delete(e.data.participantId);
            break;
          case 'room.ended':
            present.clear();
            open = false;
            break;
        }
      }
      if (conferenceId.startsWith('_')) continue;
      for (const p of present) s.ghostParticipants.push(`${conferenceId}/${p}`);
      if (open) s.openRooms.push(conferenceId);
    }
    out.set(topic, s);
  }
  return out;
}
