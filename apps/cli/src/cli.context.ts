import type { CcesEvent, KafkaSocketFactory } from '@hoot/events';
import type { FetchLike, HootClient } from '@hoot/sdk';
import type { OptionSpec, ParsedArgs } from './args/arg-parser';
import type { CliEnv } from './config/cli.env';
import type { CredentialsStore } from './config/credentials.store';
import type { CliIo } from './output/terminal';

/** What the commands use of `HootClient` (a fake implements it in unit specs). */
export type HootApi = Pick<
  HootClient,
  | 'signIn'
  | 'signInWithApiKey'
  | 'setToken'
  | 'createConference'
  | 'getConference'
  | 'listConferences'
  | 'endConference'
  | 'join'
  | 'recording'
  | 'recordings'
  | 'gcas'
  | 'registries'
  | 'coremx'
  | 'serviceCoremx'
>;

/** Where the registry Services of a cluster are looked up (`--context`, `--namespace`, in a pod). */
export interface KubeTarget {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly inCluster: boolean;
  readonly selector: string;
}

/** Finds registry URLs through the Kubernetes API (libs/k8s). */
export interface RegistryLocator {
  registryUrls(target: KubeTarget, warn: (message: string) => void): Promise<string[]>;
}

/**
 * Reaches in-cluster addresses through the Kubernetes API (libs/k8s's cluster dialer), for `kubectl hoot`
 * outside the cluster: a cluster DNS name that does not resolve here goes through `pods/portforward`;
 * anything else is connected directly. `notice` tells the user (stderr) when a connection is tunnelled.
 */
export interface ClusterTunnel {
  /** A fetch for `url` through the API server when its host needs it; undefined: connect directly. */
  fetchFor(
    target: KubeTarget,
    url: string,
    notice: (message: string) => void,
  ): Promise<FetchLike | undefined>;
  /** A kafkajs socket factory that tunnels each broker address that needs it (bootstrap and advertised). */
  socketFactory(target: KubeTarget, notice: (message: string) => void): Promise<KafkaSocketFactory>;
}

export interface EventReadOptions {
  readonly brokers: string[];
  /** Opens the broker connections (the cluster tunnel in kube mode); else kafkajs's `net.connect`. */
  readonly socketFactory?: KafkaSocketFactory;
  readonly coremxId: string;
  /** Keep reading new events until `signal` aborts; else stop at the end of the topic. */
  readonly follow: boolean;
  /** Start at the topic's first event (always so without `follow`). */
  readonly fromBeginning: boolean;
  readonly signal: AbortSignal;
  onEvent(event: CcesEvent): void;
  /** Something to tell the user (stderr), e.g. the topic does not exist yet. */
  onNotice(message: string): void;
}

/** Reads one CoreMX's CCES topic (libs/events). */
export interface EventSource {
  read(options: EventReadOptions): Promise<void>;
}

/** Everything the CLI touches outside itself; `main.ts` wires the real ones, specs fakes. */
export interface CliDeps {
  readonly io: CliIo;
  readonly env: CliEnv;
  /** `hoot` or `kubectl-hoot` (the latter finds registries through the cluster). */
  readonly programName: string;
  readonly version: string;
  createClient(options: { registryUrls: string[]; token?: string }): HootApi;
  /** For the CASH service API (`coremx drain|undrain|status`). */
  readonly fetch: FetchLike;
  readonly kube: RegistryLocator;
  readonly tunnel: ClusterTunnel;
  readonly events: EventSource;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  readonly signal: AbortSignal;
  now(): number;
}

export type OutputFormat = 'table' | 'json';

/** What a command's `run` gets. */
export interface CommandContext {
  readonly deps: CliDeps;
  readonly args: ParsedArgs;
  /** The words after the command path. */
  readonly operands: readonly string[];
  readonly format: OutputFormat;
  readonly color: boolean;
  readonly store: CredentialsStore;
  /** Writes to stdout. */
  print(text: string): void;
  /** Writes a value as indented JSON to stdout. */
  printJson(value: unknown): void;
  /** A line on stderr. */
  note(text: string): void;
  /** A spinner on stderr (terminal only) while `work` runs. */
  progress<T>(label: string, work: Promise<T>): Promise<T>;
  /**
   * Where the cluster is, when the CLI runs against one (`kubectl-hoot`, `--context`, `--kubeconfig`, in a
   * pod); else undefined.
   */
  kubeTarget(): KubeTarget | undefined;
  /** The fetch for `url`: through the cluster tunnel when its host is a cluster-only name, else `deps.fetch`. */
  fetchFor(url: string): Promise<FetchLike>;
  /** The registry URLs to use (flags, env, cluster, or the ones stored at login). */
  registryUrls(): Promise<string[]>;
  /** A client carrying the stored token; `cli.not-logged-in` without one. */
  client(): Promise<HootApi>;
  /** A client without a token (sign-in). */
  anonymousClient(): Promise<HootApi>;
}

/** A leaf command (`conferences create`) or a group (`conferences`) whose `run` is absent. */
export interface CommandSpec {
  readonly path: readonly string[];
  readonly summary: string;
  /** After the program name: `conferences show ID`. */
  readonly usage: string;
  readonly options: readonly OptionSpec[];
  /** Operand names in order; `?` marks an optional one. */
  readonly operands: readonly string[];
  readonly examples?: readonly string[];
  /** More text for `--help`. */
  readonly details?: string;
  run?(ctx: CommandContext): Promise<void>;
}
