import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CcesEvent } from '@hoot/events';
import type {
  Conference,
  CoreMxInfo,
  JoinAnswer,
  RecordingCommandAnswer,
  RecordingList,
} from '@hoot/contracts';
import type { FetchLike } from '@hoot/sdk';
import type { KafkaSocketFactory } from '@hoot/events';
import type {
  CliDeps,
  ClusterTunnel,
  EventReadOptions,
  EventSource,
  HootApi,
  KubeTarget,
  RegistryLocator,
} from '../cli.context';
import { runCli } from '../cli.runner';
import type { CliEnv } from '../config/cli.env';
import type { InputStream, OutputStream } from '../output/terminal';

/** A stream that keeps what is written. */
export class MemoryStream implements OutputStream {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** stdin with fixed content (`--password-stdin`). */
export function memoryStdin(content = '', isTTY = false): InputStream {
  return {
    isTTY,
    async *[Symbol.asyncIterator]() {
      if (content) yield Buffer.from(content);
    },
  };
}

type Call = { method: string; args: unknown[] };

export function sampleRecordingAnswer(
  overrides: Partial<RecordingCommandAnswer> = {},
): RecordingCommandAnswer {
  return {
    conferenceId: 'standup',
    recordingId: 'rec-1',
    state: 'recording',
    startedAt: '2026-11-23T10:00:00.000Z',
    startedBy: 'acc-alice',
    ...overrides,
  };
}

export function sampleRecordings(conferenceId = 'standup'): RecordingList {
  const stream = {
    participantId: 'p-1',
    stream: 'camera' as const,
    startedAt: '2026-11-23T10:00:01.000Z',
    endedAt: '2026-11-23T10:05:00.000Z',
    durationS: 298.6,
    bytes: 12_000_000,
    state: 'complete' as const,
    playbackExpiresAt: '2026-11-23T10:15:00.000Z',
  };
  const url = (r: string, s: string) =>
    `https://coremx-1.hoot.example/recordings/${conferenceId}/${r}/${s}/playlist.m3u8?token=t`;
  return {
    conferenceId,
    recordings: [
      {
        recordingId: 'rec-1',
        startedAt: '2026-11-23T10:00:00.000Z',
        startedBy: 'acc-alice',
        stoppedAt: '2026-11-23T10:05:00.000Z',
        stopReason: 'stopped',
        streams: [
          { ...stream, streamId: 's-1', playbackUrl: url('rec-1', 's-1') },
          {
            ...stream,
            streamId: 's-2',
            participantId: 'p-2',
            stream: 'screen',
            durationS: 3725,
            playbackUrl: url('rec-1', 's-2'),
          },
        ],
      },
      {
        recordingId: 'rec-2',
        startedAt: '2026-11-23T11:00:00.000Z',
        startedBy: 'acc-alice',
        streams: [],
      },
    ],
  };
}

export function sampleConference(overrides: Partial<Conference> = {}): Conference {
  return {
    id: 'standup',
    address: 'hoot.mx://standup@coremx-1.c1.hoot.mx',
    type: 'm2m',
    owner: 'acc-alice',
    public: false,
    allowed: ['acc-bob'],
    maxParticipants: null,
    status: 'reserved',
    participants: 0,
    coremxId: 'coremx-1',
    previousAddresses: [],
    createdAt: '2026-11-23T10:00:00.000Z',
    endedAt: null,
    ...overrides,
  };
}

export function sampleCoreMx(overrides: Partial<CoreMxInfo> = {}): CoreMxInfo {
  return {
    coremxId: 'coremx-1',
    address: 'coremx-1.c1.hoot.mx',
    signalingUrl: 'ws://10.0.0.5:3300/signal',
    state: 'active',
    load: 0.125,
    rooms: 2,
    participants: 5,
    capacity: 100,
    registryId: 'reg-c1-1',
    cloud: 'c1',
    version: { incarnation: 1, seq: 7 },
    silentForMs: 120,
    liveness: 'alive',
    ...overrides,
  };
}

export function sampleJoin(overrides: Partial<JoinAnswer> = {}): JoinAnswer {
  return {
    conferenceId: 'standup',
    address: 'hoot.mx://standup@coremx-1.c1.hoot.mx',
    coremxId: 'coremx-1',
    signalingUrl: 'ws://10.0.0.5:3300/signal',
    ticket: 'eyJ.ticket',
    ticketId: 'tk-1',
    expiresAt: '2026-11-23T10:02:00.000Z',
    role: 'publisher',
    webUrl: 'https://hoot.example/join/standup#ticket=eyJ.ticket&signal=ws%3A%2F%2F10.0.0.5%3A3300%2Fsignal',
    ...overrides,
  };
}

/**
 * An in-memory `HootApi`: records every call with the token it carried; answers come from `answers`
 * (a function may throw to simulate a refusal).
 */
export class FakeHootApi implements HootApi {
  readonly calls: Call[] = [];
  token: string | undefined;
  answers: { [K in keyof HootApi]?: (...args: Parameters<HootApi[K]>) => unknown } = {};

  constructor(
    readonly registryUrls: string[],
    token?: string,
  ) {
    this.token = token;
  }

  private async answer<T>(method: keyof HootApi, args: unknown[], fallback: () => T): Promise<T> {
    this.calls.push({ method, args });
    const fn = this.answers[method] as ((...a: unknown[]) => unknown) | undefined;
    return (fn ? await fn(...args) : fallback()) as T;
  }

  setToken(token: string | undefined): void {
    this.token = token;
  }
  signIn(username: string, password: string) {
    return this.answer('signIn', [username, password], () => ({
      accessToken: 'user-token',
      expiresIn: 3600,
    }));
  }
  signInWithApiKey(apiKey: string) {
    return this.answer('signInWithApiKey', [apiKey], () => ({
      accessToken: 'service-token',
      expiresIn: 900,
    }));
  }
  createConference(input: Parameters<HootApi['createConference']>[0]) {
    return this.answer('createConference', [input], () => ({
      conference: sampleConference({ id: input.id ?? 'c-generated', type: input.type }),
      created: true,
    }));
  }
  getConference(id: string) {
    return this.answer('getConference', [id], () => sampleConference({ id }));
  }
  listConferences(options?: { limit?: number; after?: string }) {
    return this.answer('listConferences', [options], () => ({ items: [sampleConference()], next: null }));
  }
  endConference(id: string) {
    return this.answer('endConference', [id], () => undefined);
  }
  join(address: string) {
    return this.answer('join', [address], () => sampleJoin({ address }));
  }
  recording(conference: string, action: 'start' | 'stop') {
    return this.answer('recording', [conference, action], () =>
      sampleRecordingAnswer(
        action === 'stop' ? { state: 'stopped', stoppedAt: '2026-11-23T10:05:00.000Z' } : {},
      ),
    );
  }
  recordings(conference: string) {
    return this.answer('recordings', [conference], () => sampleRecordings());
  }
  gcas() {
    return this.answer('gcas', [], () => ({ registryId: 'reg-c1-1', gcas: {} }));
  }
  registries() {
    return this.answer('registries', [], () => ({ registryId: 'reg-c1-1', registries: [], primaries: {} }));
  }
  coremx() {
    return this.answer('coremx', [], () => ({ registryId: 'reg-c1-1', coremx: [sampleCoreMx()] }));
  }
  serviceCoremx() {
    return this.answer('serviceCoremx', [], () => ({ registryId: 'reg-c1-1', coremx: [sampleCoreMx()] }));
  }
}

export class FakeEventSource implements EventSource {
  readonly reads: EventReadOptions[] = [];
  constructor(private readonly events: CcesEvent[] = []) {}
  async read(options: EventReadOptions): Promise<void> {
    this.reads.push(options);
    for (const event of this.events) options.onEvent(event);
  }
}

export class FakeRegistryLocator implements RegistryLocator {
  readonly targets: KubeTarget[] = [];
  constructor(private readonly urls: string[] = ['http://reg-c1-1.hoot.test:3200']) {}
  async registryUrls(target: KubeTarget, warn: (message: string) => void): Promise<string[]> {
    this.targets.push(target);
    if (this.urls.some((u) => u.includes('.svc'))) warn('in-cluster only');
    return this.urls;
  }
}

/**
 * A `ClusterTunnel` that tunnels the hosts named in `tunnelled` through `fetch` (with a notice, as the real
 * one) and everything else not at all; records what it was asked.
 */
export class FakeClusterTunnel implements ClusterTunnel {
  readonly asked: Array<{ target: KubeTarget; url: string }> = [];
  readonly factories: KubeTarget[] = [];
  constructor(
    private readonly tunnelled: readonly string[] = [],
    private readonly fetch?: FetchLike,
    private readonly fail?: Error,
  ) {}
  async fetchFor(target: KubeTarget, url: string, notice: (message: string) => void) {
    this.asked.push({ target, url });
    const host = new URL(url).hostname;
    if (!this.tunnelled.includes(host)) return undefined;
    if (this.fail) throw this.fail;
    notice(`connecting to ${host} through the Kubernetes API`);
    return this.fetch;
  }
  async socketFactory(target: KubeTarget): Promise<KafkaSocketFactory> {
    this.factories.push(target);
    return () => {
      throw new Error('no Kafka in unit specs');
    };
  }
}

export interface HarnessOptions {
  tunnel?: ClusterTunnel;
  env?: Partial<CliEnv>;
  stdin?: InputStream;
  programName?: string;
  fetch?: FetchLike;
  events?: EventSource;
  kube?: RegistryLocator;
  /** Build the client (default: a `FakeHootApi` kept in `clients`). */
  createClient?: CliDeps['createClient'];
  ttyOut?: boolean;
}

/** Runs the CLI in-process against fakes: a temp config folder, captured stdout/stderr. */
export class CliHarness {
  readonly configDir = mkdtempSync(join(tmpdir(), 'hoot-cli-spec-'));
  readonly clients: FakeHootApi[] = [];
  /** Applied to each new fake client. */
  answers: FakeHootApi['answers'] = {};
  stdout = new MemoryStream();
  stderr = new MemoryStream();
  readonly events: EventSource;
  readonly kube: RegistryLocator;

  constructor(private readonly options: HarnessOptions = {}) {
    this.events = options.events ?? new FakeEventSource();
    this.kube = options.kube ?? new FakeRegistryLocator();
  }

  get credentialsPath(): string {
    return join(this.configDir, 'credentials.json');
  }

  async run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    this.stdout = new MemoryStream(this.options.ttyOut ?? false);
    this.stderr = new MemoryStream();
    const deps: CliDeps = {
      io: { stdout: this.stdout, stderr: this.stderr, stdin: this.options.stdin ?? memoryStdin() },
      env: { configDir: this.configDir, noColor: false, inCluster: false, ...this.options.env },
      programName: this.options.programName ?? 'hoot',
      version: '9.9.9',
      createClient:
        this.options.createClient ??
        ((o) => {
          const client = new FakeHootApi(o.registryUrls, o.token);
          client.answers = this.answers;
          this.clients.push(client);
          return client;
        }),
      fetch:
        this.options.fetch ??
        (() => {
          throw new Error('no fetch in this spec');
        }),
      kube: this.kube,
      tunnel: this.options.tunnel ?? new FakeClusterTunnel(),
      events: this.events,
      signal: new AbortController().signal,
      now: () => Date.parse('2026-11-23T10:00:00.000Z'),
    };
    const code = await runCli(argv, deps);
    return { code, stdout: this.stdout.text, stderr: this.stderr.text };
  }

  /** Writes credentials as `login` would. */
  async login(registry = 'http://127.0.0.1:3201'): Promise<void> {
    const harnessStdin = this.options.stdin;
    this.options.stdin = memoryStdin('pw\n');
    const result = await this.run('login', '-u', 'alice', '--password-stdin', '--registry', registry);
    this.options.stdin = harnessStdin;
    if (result.code !== 0) throw new Error(`login failed: ${result.stderr}`);
    this.clients.length = 0;
  }
}
