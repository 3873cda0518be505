import { randomUUID } from 'node:crypto';
import { signTestToken, type TestKeyPair } from '@hoot/auth-kit/testing';
import type { CcesEvent } from '@hoot/events';
import type { KmsLiteProcess } from '@hoot/media/testing';
import { CashStack, STACK_ISSUER, type RunningCash, SignalingClient, type Inbound } from '@hoot/testing';
import { MediaStreamTrack, RTCPeerConnection, useOPUS, useVP8 } from 'werift';
import { startCashFixture, type CashFixture } from './support/cash-fixture';

/**
 * One CASH of a spec file (`startCashFixture`: auth, a registry, kms-lite, CASH, its topic read back) and the
 * helpers its tests speak through: tickets, signaling clients, werift offers, the service API, the events.
 * The helpers are bound (a spec destructures them).
 */
export class CashSpecSession {
  stack!: CashStack;
  kms!: KmsLiteProcess;
  cash!: RunningCash;
  signingKey!: TestKeyPair;
  serviceToken!: string;
  events: CcesEvent[] = [];
  anomalies: string[] = [];
  private fixture: CashFixture | undefined;
  private readonly clients: SignalingClient[] = [];
  private readonly peers: RTCPeerConnection[] = [];

  constructor(
    readonly coremxId: string,
    private readonly run: string,
  ) {}

  async start(): Promise<void> {
    this.fixture = await startCashFixture(this.coremxId, `it_${this.run}`);
    ({
      stack: this.stack,
      kms: this.kms,
      cash: this.cash,
      signingKey: this.signingKey,
      serviceToken: this.serviceToken,
      events: this.events,
      anomalies: this.anomalies,
    } = this.fixture);
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.terminate();
    for (const p of this.peers) await p.close().catch(() => undefined);
    await this.fixture?.stop();
  }

  /** A join ticket as the registry would get it issued (signed with the auth service's key). */
  readonly ticket = (
    conferenceId: string,
    identity: string,
    claims: Record<string, unknown> = {},
    options: { audience?: string; key?: TestKeyPair; ttlSeconds?: number; nowMs?: number } = {},
  ): string => {
    return signTestToken(options.key ?? this.signingKey, {
      issuer: STACK_ISSUER,
      audience: options.audience ?? `coremx:${this.coremxId}`,
      subject: identity,
      ttlSeconds: options.ttlSeconds ?? 300,
      ...(options.nowMs !== undefined ? { nowMs: options.nowMs } : {}),
      claims: { jti: randomUUID(), cid: conferenceId, name: identity, ...claims },
    });
  };

  readonly open = async (): Promise<SignalingClient> => {
    const client = await SignalingClient.open(this.cash.signalingUrl);
    this.clients.push(client);
    return client;
  };

  readonly joinAs = async (conferenceId: string, identity: string, claims: Record<string, unknown> = {}) => {
    const client = await this.open();
    const joined = await client.request({
      type: 'join',
      ticket: this.ticket(conferenceId, identity, claims),
    });
    expect(joined).toMatchObject({ type: 'joined', participantId: expect.any(String) });
    return { client, id: joined['participantId'] as string, joined };
  };

  /** A browser-like offer from werift (Opus, VP8). */
  readonly offer = async (
    kinds: ('audio' | 'video')[],
    direction: 'sendonly' | 'recvonly',
  ): Promise<string> => {
    const peer = new RTCPeerConnection({ codecs: { audio: [useOPUS()], video: [useVP8()] } });
    this.peers.push(peer);
    for (const kind of kinds)
      peer.addTransceiver(direction === 'sendonly' ? new MediaStreamTrack({ kind }) : kind, { direction });
    await peer.setLocalDescription(await peer.createOffer());
    return peer.localDescription!.sdp;
  };

  readonly api = async (
    method: string,
    path: string,
    body?: unknown,
    token: string | null = this.serviceToken,
  ) => {
    const res = await fetch(`${this.cash.url}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  readonly eventsOf = (conferenceId: string) => this.events.filter((e) => e.conferenceId === conferenceId);
  readonly typesOf = (conferenceId: string) => this.eventsOf(conferenceId).map((e) => e.type);
  readonly codes = (client: SignalingClient) => client.ofType('error').map((m: Inbound) => m.code);
}
