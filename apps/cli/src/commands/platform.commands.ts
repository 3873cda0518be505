import type { CoreMxInfo, GcasAnswer, RegistryInfo } from '@hoot/contracts';
import { HootApiError, parseProblem, type FetchResponseLike } from '@hoot/sdk';
import { integerOption, stringOption } from '../args/arg-parser';
import type { CommandContext, CommandSpec } from '../cli.context';
import { CliError, CliErrorCode, ExitCode, usageError } from '../errors/cli.error';
import { renderKeyValues, renderTable, type Column } from '../output/table.renderer';

const percent = (load: number) => `${Math.round(load * 100)}%`;

/** One row per versioned entry of the raw GCAS: each registry's meta and each CoreMX it carries. */
export interface GcasRow {
  registryId: string;
  kind: 'registry' | 'coremx';
  key: string;
  version: string;
  candidates: number;
}

type VersionedLike = {
  version?: { incarnation?: number; seq?: number };
  candidates?: Record<string, unknown>;
};

function versionOf(v: VersionedLike | undefined): string {
  return v?.version ? `${v.version.incarnation ?? '?'}.${v.version.seq ?? '?'}` : '';
}

export function gcasRows(answer: GcasAnswer): GcasRow[] {
  const rows: GcasRow[] = [];
  for (const registryId of Object.keys(answer.gcas ?? {}).sort()) {
    const record = answer.gcas[registryId] as {
      meta?: VersionedLike;
      coremx?: Record<string, VersionedLike>;
    };
    rows.push({
      registryId,
      kind: 'registry',
      key: registryId,
      version: versionOf(record?.meta),
      candidates: Object.keys(record?.meta?.candidates ?? {}).length,
    });
    for (const coremxId of Object.keys(record?.coremx ?? {}).sort()) {
      const entry = record.coremx?.[coremxId];
      rows.push({
        registryId,
        kind: 'coremx',
        key: coremxId,
        version: versionOf(entry),
        candidates: Object.keys(entry?.candidates ?? {}).length,
      });
    }
  }
  return rows;
}

const GCAS_COLUMNS: readonly Column<GcasRow>[] = [
  { header: 'registry', value: (r) => r.registryId },
  { header: 'kind', value: (r) => r.kind },
  { header: 'key', value: (r) => r.key },
  { header: 'version', value: (r) => r.version, align: 'right' },
  { header: 'candidates', value: (r) => r.candidates, align: 'right' },
];

export const gcasCommand: CommandSpec = {
  path: ['gcas'],
  summary: 'the raw GCAS of the registry that answers (-o json for every candidate)',
  usage: 'gcas',
  operands: [],
  options: [],
  examples: ['hoot gcas', 'hoot gcas -o json'],
  async run(ctx) {
    const client = await ctx.client();
    const answer = await ctx.progress('loading…', client.gcas());
    if (ctx.format === 'json') {
      ctx.printJson(answer);
      return;
    }
    ctx.print(renderTable(GCAS_COLUMNS, gcasRows(answer), { color: ctx.color }));
  },
};

const REGISTRY_COLUMNS: readonly Column<RegistryInfo>[] = [
  { header: 'registry', value: (r) => r.registryId },
  { header: 'cloud', value: (r) => r.cloud },
  { header: 'priority', value: (r) => r.priority, align: 'right' },
  { header: 'region', value: (r) => r.region },
  { header: 'liveness', value: (r) => r.liveness },
  { header: 'primary', value: (r) => (r.primary ? 'yes' : '') },
  { header: 'load', value: (r) => percent(r.load), align: 'right' },
  { header: 'coremx', value: (r) => r.coremx, align: 'right' },
  { header: 'url', value: (r) => r.url },
];

export const registriesCommand: CommandSpec = {
  path: ['registries'],
  summary: 'every registry node: liveness, primary, load',
  usage: 'registries',
  operands: [],
  options: [],
  examples: ['hoot registries'],
  async run(ctx) {
    const client = await ctx.client();
    const answer = await ctx.progress('loading…', client.registries());
    if (ctx.format === 'json') {
      ctx.printJson(answer);
      return;
    }
    ctx.print(renderTable(REGISTRY_COLUMNS, answer.registries, { color: ctx.color }));
  },
};

const COREMX_COLUMNS: readonly Column<CoreMxInfo>[] = [
  { header: 'coremx', value: (c) => c.coremxId },
  { header: 'cloud', value: (c) => c.cloud },
  { header: 'state', value: (c) => c.state },
  { header: 'liveness', value: (c) => c.liveness },
  { header: 'load', value: (c) => percent(c.load), align: 'right' },
  { header: 'rooms', value: (c) => c.rooms, align: 'right' },
  { header: 'participants', value: (c) => c.participants, align: 'right' },
  { header: 'registry', value: (c) => c.registryId },
  { header: 'api', value: (c) => cashApiUrl(c) },
];

/** The CASH service API of a CoreMX: the `apiUrl` it reports, else its signaling URL's host over http(s). */
export function cashApiUrl(entry: { apiUrl?: string; signalingUrl: string }): string {
  if (entry.apiUrl) return entry.apiUrl.replace(/\/$/, '');
  const url = new URL(entry.signalingUrl);
  return `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}`;
}

export const coremxGroup: CommandSpec = {
  path: ['coremx'],
  summary: 'list CoreMX; status, drain and undrain one (service API key)',
  usage: 'coremx list|status|drain|undrain',
  operands: [],
  options: [],
};

export const coremxListCommand: CommandSpec = {
  path: ['coremx', 'list'],
  summary: 'every CoreMX with state, liveness and load',
  usage: 'coremx list',
  operands: [],
  options: [],
  examples: ['hoot coremx list'],
  async run(ctx) {
    const client = await ctx.client();
    const answer = await ctx.progress('loading…', client.coremx());
    if (ctx.format === 'json') {
      ctx.printJson(answer);
      return;
    }
    ctx.print(renderTable(COREMX_COLUMNS, answer.coremx, { color: ctx.color }));
  },
};

const API_KEY_OPTION = {
  name: 'api-key',
  type: 'string',
  valueName: 'KEY',
  description: 'service API key (else $HOOT_API_KEY); exchanged for a service token at the registry',
} as const;

interface CashStatus {
  coremxId?: string;
  state?: string;
  load?: number;
  mediaHealthy?: boolean;
  rooms?: number;
  participants?: number;
  drain?: unknown;
  events?: { backlog?: number };
}

/**
 * Calls the CASH service API of one CoreMX: finds its API URL in the registry's CoreMX list (user
 * token), exchanges the service API key for a service token at the registry, then sends the call.
 */
async function callCash(
  ctx: CommandContext,
  method: 'GET' | 'POST',
  action: string,
  body?: unknown,
): Promise<CashStatus> {
  const coremxId = ctx.operands[0];
  if (!coremxId) throw usageError('a CoreMX ID is required');
  const apiKey = stringOption(ctx.args, 'api-key') ?? ctx.deps.env.apiKey;
  if (!apiKey) {
    throw new CliError(
      CliErrorCode.ApiKeyMissing,
      'the CASH service API needs a service credential',
      ExitCode.Usage,
      'pass --api-key KEY or set HOOT_API_KEY',
    );
  }
  // The operator's service token does both: find the CASH at the registry, then call it (no user login).
  const service = await ctx.anonymousClient();
  const { accessToken } = await ctx.progress('signing in (service)…', service.signInWithApiKey(apiKey));
  const { coremx } = await ctx.progress('looking up…', service.serviceCoremx());
  const entry = coremx.find((c) => c.coremxId === coremxId);
  if (!entry) {
    throw new CliError(
      CliErrorCode.CoreMxNotFound,
      `no CoreMX '${coremxId}' (known: ${coremx.map((c) => c.coremxId).join(', ') || 'none'})`,
      ExitCode.Refused,
    );
  }
  const url = `${cashApiUrl(entry)}/internal/v1/coremx/${action}`;
  // Outside the cluster, `kubectl hoot` reaches a cluster-DNS API URL through the Kubernetes API.
  const fetch = await ctx.progress('connecting…', ctx.fetchFor(url));
  let response: FetchResponseLike;
  try {
    response = await ctx.progress(
      `${action}…`,
      fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${accessToken}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.any([ctx.deps.signal, AbortSignal.timeout(10_000)]),
      }),
    );
  } catch (error) {
    // The tunnel's own errors (RBAC, no Ready pod, port-forward refused) say what is wrong: keep them.
    if ((error as Error | null)?.name === 'K8sError') throw error;
    throw new CliError(
      CliErrorCode.Unreachable,
      `CASH of ${coremxId} at ${url} did not answer: ${(error as Error).message}`,
      ExitCode.Unreachable,
    );
  }
  const text = await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: parseProblem keeps the text.
  }
  if (response.status < 200 || response.status >= 300) {
    throw HootApiError.from(parseProblem({ status: response.status, headers, body: parsed }, ctx.deps.now()));
  }
  return (parsed ?? {}) as CashStatus;
}

function printStatus(ctx: CommandContext, status: CashStatus, headline: string): void {
  if (ctx.format === 'json') {
    ctx.printJson(status);
    return;
  }
  ctx.print(`${headline}\n`);
  ctx.print(
    renderKeyValues(
      [
        ['coremx', status.coremxId],
        ['state', status.state],
        ['load', typeof status.load === 'number' ? percent(status.load) : undefined],
        ['media healthy', status.mediaHealthy],
        ['rooms', status.rooms],
        ['participants', status.participants],
        ['drain', status.drain === undefined ? undefined : JSON.stringify(status.drain)],
        ['events backlog', status.events?.backlog],
      ],
      { color: ctx.color },
    ),
  );
}

export const coremxStatusCommand: CommandSpec = {
  path: ['coremx', 'status'],
  summary: "a CoreMX's own status from its CASH (service API key)",
  usage: 'coremx status ID [--api-key KEY]',
  operands: ['ID'],
  options: [API_KEY_OPTION],
  examples: ['HOOT_API_KEY=hk_… hoot coremx status coremx-1'],
  async run(ctx) {
    const status = await callCash(ctx, 'GET', 'status');
    printStatus(ctx, status, `CoreMX ${ctx.operands[0]}:`);
  },
};

export const coremxDrainCommand: CommandSpec = {
  path: ['coremx', 'drain'],
  summary: 'drain a CoreMX: no new rooms; rooms end when empty or at the deadline',
  usage: 'coremx drain ID [--deadline-ms N] [--api-key KEY]',
  operands: ['ID'],
  options: [
    {
      name: 'deadline-ms',
      type: 'string',
      valueName: 'N',
      description: 'end the remaining rooms after N ms (CASH default otherwise)',
    },
    API_KEY_OPTION,
  ],
  examples: ['hoot coremx drain coremx-1 --deadline-ms 60000 --api-key "$KEY"'],
  async run(ctx) {
    const deadlineMs = integerOption(ctx.args, 'deadline-ms', { min: 0, max: 86_400_000 });
    const status = await callCash(ctx, 'POST', 'drain', deadlineMs === undefined ? {} : { deadlineMs });
    printStatus(ctx, status, `CoreMX ${ctx.operands[0]} is draining.`);
  },
};

export const coremxUndrainCommand: CommandSpec = {
  path: ['coremx', 'undrain'],
  summary: 'take a CoreMX back into service',
  usage: 'coremx undrain ID [--api-key KEY]',
  operands: ['ID'],
  options: [API_KEY_OPTION],
  examples: ['hoot coremx undrain coremx-1 --api-key "$KEY"'],
  async run(ctx) {
    const status = await callCash(ctx, 'POST', 'undrain');
    printStatus(ctx, status, `CoreMX ${ctx.operands[0]} is back in service.`);
  },
};
