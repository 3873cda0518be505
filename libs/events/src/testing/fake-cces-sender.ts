import { parseCcesMessage, type CcesEvent, type CcesMessage, type CcesSender } from '../lib/cces';

/**
 * A `CcesSender` in memory for unit specs: records what was sent (in order), can be "down" (every call
 * fails) and can hold sends until released.
 */
export class FakeCcesSender implements CcesSender {
  /** Every successful send, in order. */
  readonly delivered: { topic: string; message: CcesMessage }[] = [];
  /** Every attempt, successful or not. */
  readonly attempts: { topic: string; messages: CcesMessage[] }[] = [];
  readonly topics = new Set<string>();
  down = false;
  closed = false;
  private held: (() => void)[] | undefined;

  async ensureTopic(topic: string): Promise<void> {
    if (this.down) throw new Error('fake broker unreachable');
    this.topics.add(topic);
  }

  async send(topic: string, messages: readonly CcesMessage[]): Promise<void> {
    this.attempts.push({ topic, messages: [...messages] });
    if (this.held) await new Promise<void>((resolve) => this.held!.push(resolve));
    if (this.down) throw new Error('fake broker unreachable');
    if (!this.topics.has(topic)) throw new Error(`unknown topic ${topic}`);
    for (const message of messages) this.delivered.push({ topic, message });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Sends wait until `release` (to observe an in-flight batch). */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const resume of waiting) resume();
  }

  /** The delivered events, validated as a consumer would. */
  events(): CcesEvent[] {
    return this.delivered.map(({ topic, message }) => {
      const parsed = parseCcesMessage(message.key, message.value, topic);
      if (!parsed.ok) throw new Error(`fake sender got an invalid message: ${parsed.reason}`);
      return parsed.event;
    });
  }
}
