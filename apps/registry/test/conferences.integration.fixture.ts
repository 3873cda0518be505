import { createKafka, subscribeCces, type CcesEvent, type CcesSubscription } from '@hoot/events';
import { startKmsLite } from '@hoot/media/testing';
import { ConferencePlatform, eventually, integrationInfra, mongoUriFor, subjectOf } from '@hoot/testing';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk the JSON freely
export type Json = Record<string, any>;

/**
 * The two clouds of conferences.integration-spec.ts (auth, reg-c1-1 with two replicas, reg-c2-1, a CASH +
 * kms-lite per cloud), the users' tokens and ids, every CCES event read, and the HTTP helpers (bound: the
 * spec destructures them).
 */
export class ConferenceSpecSession {
  readonly infra = integrationInfra();
  readonly platform: ConferencePlatform;
  readonly tokens: Record<string, string> = {};
  readonly ids: Record<string, string> = {};
  readonly events: CcesEvent[] = [];
  private cces: CcesSubscription | undefined;

  constructor(
    private readonly prefix: string,
    private readonly mx1: string,
    private readonly mx2: string,
  ) {
    this.platform = new ConferencePlatform(
      {
        mongoUri: (db) => mongoUriFor(db),
        kafkaBrokers: this.infra.kafkaBrokers,
        prefix,
        startMediaServer: () => startKmsLite({ engine: 'fake' }),
      },
      [
        { registryId: 'reg-c1-1', latitude: 50, longitude: 8, env: { REHOME_INTERVAL_MS: '300' } },
        {
          registryId: 'reg-c1-1',
          replica: 'reg-c1-1-b',
          latitude: 50,
          longitude: 8,
          env: { REHOME_INTERVAL_MS: '300' },
        },
        { registryId: 'reg-c2-1', latitude: 40, longitude: -74, env: { REHOME_INTERVAL_MS: '300' } },
      ],
      [
        { coremxId: `${this.mx1}`, cloud: 'c1' },
        { coremxId: `${this.mx2}`, cloud: 'c2' },
      ],
    );
  }

  readonly call = async (
    registry: string,
    method: string,
    path: string,
    who: string | null,
    body?: unknown,
    raw?: string,
  ): Promise<{ status: number; body: Json; headers: Headers }> => {
    const res = await fetch(`${this.platform.cluster.urlOf(registry)}${path}`, {
      method,
      headers: {
        ...(who ? { authorization: `Bearer ${this.tokens[who]}` } : {}),
        ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {}, headers: res.headers };
  };
  readonly joinAt = (registry: string, who: string, address: string) =>
    this.call(registry, 'POST', '/v1/join', who, { address });

  /** Starts the platform and the topic reader; returns once both CoreMX are alive in both clouds. */
  async start(): Promise<void> {
    await this.platform.start();
    for (const user of ['alice', 'bob', 'mallory']) {
      this.tokens[user] = await this.platform.cluster.userToken(user);
      this.ids[user] = subjectOf(this.tokens[user]);
    }
    this.cces = await subscribeCces({
      kafka: createKafka({ clientId: `${this.prefix}-reader`, brokers: this.infra.kafkaBrokers }),
      groupId: `${this.prefix}-reader`,
      fromBeginning: true,
      topicRefreshMs: 500,
      onEvent: (event) => {
        this.events.push(event);
      },
    });
    // Both CoreMX are known in both clouds before anything is placed.
    for (const registry of ['reg-c1-1', 'reg-c2-1']) {
      await eventually(async () => {
        const { body } = await this.call(registry, 'GET', '/v1/coremx', 'alice');
        const seen = body['coremx'].map((c: Json) => `${c.coremxId}:${c.liveness}`).sort();
        if (seen.join() !== `${this.mx1}:alive,${this.mx2}:alive`)
          throw new Error(`${registry} sees ${seen}`);
      });
    }
  }

  async stop(): Promise<void> {
    await this.cces?.stop();
    await this.platform.stop();
  }
}

/** Bad requests and what each gets: [method, path, body, raw body, status, problem code]. */
export function badInputCases(
  cid: string,
  mx1: string,
): [string, string, unknown, string | undefined, number, string][] {
  return [
    [
      'POST',
      '/v1/conferences',
      { id: 'Bad_Id', type: 'm2m', allowed: [] },
      undefined,
      400,
      'request.invalid',
    ],
    [
      'POST',
      '/v1/conferences',
      { id: 'ok-id-1', type: 'x2y', allowed: [] },
      undefined,
      400,
      'request.invalid',
    ],
    ['POST', '/v1/conferences', { id: 'ok-id-2', type: 'm2m' }, undefined, 400, 'request.invalid'],
    [
      'POST',
      '/v1/conferences',
      { id: 'ok-id-3', type: 'm2m', allowed: [], admin: true },
      undefined,
      400,
      'request.invalid',
    ],
    [
      'POST',
      '/v1/conferences',
      { id: 'ok-id-4', type: 'm2m', allowed: ['BOB!'] },
      undefined,
      400,
      'request.invalid',
    ],
    [
      'POST',
      '/v1/conferences',
      { id: 'ok-id-5', type: 'm2m', allowed: ['nobody-here'] },
      undefined,
      400,
      'conference.unknown-identity',
    ],
    [
      'POST',
      '/v1/conferences',
      { id: 'ok-id-6', type: 'm2m', allowed: [], settings: { maxParticipants: 0 } },
      undefined,
      400,
      'request.invalid',
    ],
    [
      'POST',
      '/v1/conferences',
      { id: 'ok-id-7', type: 'm2m', allowed: [], settings: { colour: 'red' } },
      undefined,
      400,
      'request.invalid',
    ],
    ['POST', '/v1/conferences', undefined, '{"id": "ok-id-8", ', 400, 'request.malformed'],
    [
      'POST',
      '/v1/conferences',
      { id: 'ok-id-9', type: 'm2m', allowed: ['x'.repeat(2_000_000)] },
      undefined,
      413,
      'request.too-large',
    ],
    ['POST', '/v1/join', { address: `hoot.mx://${cid}` }, undefined, 400, 'conference.address-invalid'],
    [
      'POST',
      '/v1/join',
      { address: `https://${cid}@${mx1}.c1.hoot.mx` },
      undefined,
      400,
      'conference.address-invalid',
    ],
    [
      'POST',
      '/v1/join',
      { address: `hoot.mx://St@ndup@${mx1}.c1.hoot.mx` },
      undefined,
      400,
      'conference.address-invalid',
    ],
    ['POST', '/v1/join', { address: 42 }, undefined, 400, 'request.invalid'],
    [
      'POST',
      '/v1/join',
      { address: `hoot.mx://${cid}@${mx1}.c1.hoot.mx`, extra: 1 },
      undefined,
      400,
      'request.invalid',
    ],
    ['GET', '/v1/conferences/UPPER', undefined, undefined, 400, 'request.invalid'],
    ['GET', '/v1/conferences?limit=1000', undefined, undefined, 400, 'request.invalid'],
    ['DELETE', '/v1/conferences/..%2Fetc', undefined, undefined, 400, 'request.invalid'],
  ];
}
