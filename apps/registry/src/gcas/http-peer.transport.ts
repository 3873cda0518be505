import type { ServiceCredentialClient } from '@hoot/auth-kit';
import type { GossipMessage } from '@hoot/gossip';
import type { PeerTransport } from './registry-node';

/**
 * The exchange over HTTP: `POST <peer>/internal/v1/gossip` with a service token; the peer answers
 * `{messages: [...]}`, which the caller validates like any peer input.
 */
export class HttpPeerTransport implements PeerTransport {
  constructor(
    private readonly credentials: Pick<ServiceCredentialClient, 'authorization' | 'invalidate'>,
    private readonly timeoutMs: number,
    private readonly maxAnswerBytes: number,
  ) {}

  async exchange(peerUrl: string, message: GossipMessage): Promise<GossipMessage[]> {
    const response = await fetch(`${peerUrl}/internal/v1/gossip`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: await this.credentials.authorization() },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (response.status === 401) this.credentials.invalidate();
    if (!response.ok) throw new Error(`peer ${peerUrl} answered ${response.status}: ${text.slice(0, 200)}`);
    if (text.length > this.maxAnswerBytes)
      throw new Error(`peer ${peerUrl} answered more than ${this.maxAnswerBytes} bytes`);
    const body = JSON.parse(text) as { messages?: unknown };
    if (!Array.isArray(body.messages) || body.messages.length > 4)
      throw new Error(`peer ${peerUrl} answered without a messages list`);
    return body.messages as GossipMessage[];
  }
}
