import type { Producer } from 'kafkajs';
import { deadLetterTopicFor } from './cces-topic';

/** A message a consumer refused, with why. */
export interface DeadLetter {
  sourceTopic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null;
  value: Buffer | string | null;
  /** Stable code (a `CcesErrorCode` for CCES topics). */
  code: string;
  reason: string;
  /** The original message's headers, kept (ours win on a clash). */
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

/** Header names a dead letter carries besides the original ones. */
export const DEAD_LETTER_HEADERS = {
  code: 'dlq-code',
  reason: 'dlq-reason',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  at: 'dlq-at',
} as const;

/**
 * Publishes a refused message, byte for byte, to `deadLetterTopicFor(sourceTopic)` with the reason in its
 * headers; resolves once every in-sync replica has it (only then may the consumer commit past it).
 * The dead-letter topic must exist (`ensureTopic`); returns its name.
 */
export async function publishDeadLetter(
  producer: Producer,
  letter: DeadLetter,
  now = new Date(),
): Promise<string> {
  const topic = deadLetterTopicFor(letter.sourceTopic);
  const headers: Record<string, Buffer | string | (Buffer | string)[]> = {};
  for (const [name, value] of Object.entries(letter.headers ?? {})) {
    if (value !== undefined) headers[name] = value;
  }
  headers[DEAD_LETTER_HEADERS.code] = letter.code;
  headers[DEAD_LETTER_HEADERS.reason] = letter.reason.slice(0, 1_000);
  headers[DEAD_LETTER_HEADERS.sourceTopic] = letter.sourceTopic;
  headers[DEAD_LETTER_HEADERS.sourcePartition] = String(letter.partition);
  headers[DEAD_LETTER_HEADERS.sourceOffset] = letter.offset;
  headers[DEAD_LETTER_HEADERS.at] = now.toISOString();
  await producer.send({ topic, acks: -1, messages: [{ key: letter.key, value: letter.value, headers }] });
  return topic;
}
