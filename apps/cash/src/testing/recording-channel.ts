import type { ParticipantChannel } from '../rooms/room-manager';
import type { ServerMessage } from '@hoot/contracts';

/** A participant channel that keeps what it was sent (unit specs). */
export class RecordingChannel implements ParticipantChannel {
  readonly messages: ServerMessage[] = [];
  closedWith: { code: number; reason: string } | undefined;

  send(message: ServerMessage): void {
    this.messages.push(message);
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }

  ofType<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  last(): ServerMessage | undefined {
    return this.messages[this.messages.length - 1];
  }

  clear(): void {
    this.messages.length = 0;
  }
}
