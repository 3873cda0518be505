import type { CcesEvent } from './cces-envelope';
import { CcesSeqTracker } from './cces-seq-tracker';

const TOPIC = 'hoot.coremx.coremx-1.events';
const ev = (conferenceId: string, seq: number, type = 'participant.joined') =>
  ({ conferenceId, seq, type }) as unknown as CcesEvent;

/** Checks then, when not a duplicate, delivers: what subscribeCces does with each message. */
function consume(tracker: CcesSeqTracker, event: CcesEvent, topic = TOPIC) {
  const verdict = tracker.check(topic, event);
  if (verdict.kind !== 'duplicate') tracker.delivered(topic, event);
  return verdict;
}

describe('CcesSeqTracker', () => {
  it('delivers each seq once per (topic, conference), reporting gaps', () => {
    const tracker = new CcesSeqTracker();
    expect(consume(tracker, ev('standup', 1))).toEqual({ kind: 'new' });
    expect(consume(tracker, ev('standup', 2))).toEqual({ kind: 'new' });
    expect(consume(tracker, ev('standup', 2))).toEqual({ kind: 'duplicate' });
    expect(consume(tracker, ev('standup', 1))).toEqual({ kind: 'duplicate' });
    expect(consume(tracker, ev('standup', 5))).toEqual({ kind: 'gap', expected: 3 });
    expect(consume(tracker, ev('standup', 1), 'hoot.coremx.coremx-2.events')).toEqual({ kind: 'new' });
    expect(consume(tracker, ev('retro', 1))).toEqual({ kind: 'new' });
  });

  it('remembers only live streams and the last maxEnded that ended, however many come and go', () => {
    const tracker = new CcesSeqTracker({ maxEnded: 100 });
    for (let i = 0; i < 20_000; i += 1) {
      consume(tracker, ev(`conf-${i}`, 1, 'room.reserved'));
      consume(tracker, ev(`conf-${i}`, 2, 'room.started'));
      consume(tracker, ev(`conf-${i}`, 3, 'room.ended'));
    }
    consume(tracker, ev('still-open', 1, 'room.reserved'));
    expect(tracker.size).toBe(101);
  });

  it('still drops a resend of an ended room it remembers, and takes its next life even if it starts higher', () => {
    const tracker = new CcesSeqTracker({ maxEnded: 2 });
    for (const [seq, type] of [
      [1, 'room.reserved'],
      [2, 'room.started'],
      [3, 'room.ended'],
    ] as const)
      consume(tracker, ev('standup', seq, type));
    expect(consume(tracker, ev('standup', 2, 'room.started'))).toEqual({ kind: 'duplicate' });
    expect(consume(tracker, ev('standup', 3, 'room.ended'))).toEqual({ kind: 'duplicate' });
    expect(consume(tracker, ev('standup', 9, 'room.reserved'))).toEqual({ kind: 'new' });
    expect(consume(tracker, ev('standup', 10, 'room.started'))).toEqual({ kind: 'new' });
    expect(consume(tracker, ev('standup', 12))).toEqual({ kind: 'gap', expected: 11 });
  });

  it('forgets the least recently seen live stream beyond maxLive: its next event is delivered, not dropped', () => {
    const tracker = new CcesSeqTracker({ maxLive: 2 });
    consume(tracker, ev('a', 1));
    consume(tracker, ev('b', 1));
    consume(tracker, ev('a', 2));
    consume(tracker, ev('c', 1)); // b is the least recently seen
    expect(tracker.size).toBe(2);
    expect(consume(tracker, ev('a', 2))).toEqual({ kind: 'duplicate' });
    expect(consume(tracker, ev('b', 2))).toEqual({ kind: 'new' });
  });

  it('refuses bounds that are not positive integers', () => {
    expect(() => new CcesSeqTracker({ maxEnded: 0 })).toThrow(RangeError);
    expect(() => new CcesSeqTracker({ maxLive: 1.5 })).toThrow(RangeError);
  });
});
