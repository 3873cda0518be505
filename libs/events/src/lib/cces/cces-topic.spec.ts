import { CCES_TOPIC_PATTERN, cceTopicFor, coremxIdFromTopic, deadLetterTopicFor } from './cces-topic';

describe('CCES topics', () => {
  it('names one topic per CoreMX, matched by the pattern, which gives back the CoreMX id', () => {
    const topic = cceTopicFor('coremx-1');
    expect(topic).toBe('hoot.coremx.coremx-1.events');
    expect(CCES_TOPIC_PATTERN.test(topic)).toBe(true);
    expect(coremxIdFromTopic(topic)).toBe('coremx-1');
  });

  it('refuses CoreMX ids that would make another topic name', () => {
    for (const bad of ['', 'CoreMX', 'a.b', 'x'.repeat(64), '-a', 'a b']) {
      expect(() => cceTopicFor(bad)).toThrow(RangeError);
    }
  });

  it('never matches dead-letter topics or other topics', () => {
    const dlq = deadLetterTopicFor(cceTopicFor('coremx-1'));
    expect(dlq).toBe('hoot.coremx.coremx-1.events.dlq');
    for (const other of [dlq, 'hoot.auth.revocations', 'hoot.coremx..events', 'xhoot.coremx.a.events']) {
      expect(CCES_TOPIC_PATTERN.test(other)).toBe(false);
      expect(coremxIdFromTopic(other)).toBeUndefined();
    }
    expect(CCES_TOPIC_PATTERN.flags).not.toContain('g');
  });

  it('refuses to build a dead-letter name from a non-topic', () => {
    expect(() => deadLetterTopicFor('a topic')).toThrow(RangeError);
  });
});
