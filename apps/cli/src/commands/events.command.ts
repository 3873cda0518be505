import type { CcesEvent } from '@hoot/events';
import { booleanOption, listOption, stringOption } from '../args/arg-parser';
import type { CommandSpec } from '../cli.context';
import { usageError } from '../errors/cli.error';
import { cellText } from '../output/table.renderer';

const COREMX_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const BROKER = /^[^\s:,]+:\d{1,5}$/;
/** Longest `data` summary on a line; -o json has everything. */
const DATA_MAX_CHARS = 100;

function scalar(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(scalar).join(',')}]`;
  if (typeof value === 'object') return '{…}';
  return String(value);
}

/** `key=value` pairs of an event's data, cut to a line. */
export function shortData(data: Readonly<Record<string, unknown>>): string {
  const text = Object.entries(data)
    .map(([k, v]) => `${k}=${scalar(v)}`)
    .join(' ');
  return text.length > DATA_MAX_CHARS ? `${text.slice(0, DATA_MAX_CHARS - 1)}…` : text;
}

/**
 * A chat message as people read it: `<displayName> (<participantId>): "<text>"`, or its length when the
 * CoreMX publishes no chat text. The text is untrusted: quoted, cut to a line, and (by `eventLine`) with
 * control characters shown as `?`; bidirectional overrides, which could reorder the rest of the line,
 * as well.
 */
export function chatData(data: Readonly<Record<string, unknown>>): string {
  const author = `${String(data['displayName'])} (${String(data['participantId'])})`;
  if (typeof data['text'] !== 'string')
    return `${author}: [text not published, ${String(data['length'])} characters]`;
  const room = DATA_MAX_CHARS - author.length - 4;
  const chars = [...data['text'].replace(BIDI_CONTROLS, '?')];
  const text = chars.length > room ? `${chars.slice(0, Math.max(room - 1, 0)).join('')}…` : chars.join('');
  return `${author}: "${text}"`;
}

const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line per event: time, seq, conference, type, short data. */
export function eventLine(event: CcesEvent): string {
  const data =
    event.type === 'chat.message'
      ? chatData(event.data as unknown as Record<string, unknown>)
      : shortData(event.data as Record<string, unknown>);
  return cellText(
    [event.occurredAt, `#${event.seq}`, event.conferenceId, event.type, data]
      .filter((p) => p !== '')
      .join('  '),
  );
}

export const eventsCommand: CommandSpec = {
  path: ['events'],
  summary: "read a CoreMX's event topic (hoot.coremx.<ID>.events)",
  usage: 'events --coremx ID [--follow] [--from-beginning] [--brokers HOST:PORT,…]',
  operands: [],
  options: [
    {
      name: 'coremx',
      type: 'string',
      valueName: 'ID',
      description: 'the CoreMX whose topic to read (required)',
    },
    { name: 'follow', short: 'f', type: 'boolean', description: 'keep printing new events until Ctrl-C' },
    { name: 'from-beginning', type: 'boolean', description: 'with --follow: print the stored events first' },
    {
      name: 'brokers',
      type: 'string',
      multiple: true,
      valueName: 'HOST:PORT,…',
      description: 'Kafka brokers (else $HOOT_KAFKA_BROKERS)',
    },
  ],
  details:
    'Without --follow it prints every event stored in the topic and exits. With --follow it prints\n' +
    'events as they arrive (only new ones unless --from-beginning). -o json prints one JSON envelope\n' +
    'per line. The topic is read by a throw-away consumer group (hoot-cli-<random>), so no other\n' +
    'reader is disturbed.',
  examples: [
    'hoot events --coremx coremx-1 --brokers 127.0.0.1:9092',
    'hoot events --coremx coremx-1 --follow -o json | jq .type',
  ],
  async run(ctx) {
    const coremxId = stringOption(ctx.args, 'coremx');
    if (!coremxId) throw usageError('--coremx is required');
    if (!COREMX_ID.test(coremxId))
      throw usageError(`--coremx must match [a-z0-9][a-z0-9-]{0,62}, got '${coremxId}'`);
    const brokers = listOption(ctx.args, 'brokers');
    if (brokers.length === 0 && ctx.deps.env.kafkaBrokers) {
      brokers.push(
        ...ctx.deps.env.kafkaBrokers
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
      );
    }
    if (brokers.length === 0)
      throw usageError('no Kafka brokers', 'pass --brokers HOST:PORT or set HOOT_KAFKA_BROKERS');
    const bad = brokers.find((b) => !BROKER.test(b));
    if (bad) throw usageError(`--brokers takes HOST:PORT, got '${bad}'`);
    const follow = booleanOption(ctx.args, 'follow');
    if (follow && ctx.deps.io.stderr.isTTY)
      ctx.note(`following hoot.coremx.${coremxId}.events (Ctrl-C to stop)…`);
    // Outside the cluster, `kubectl hoot` reaches brokers by their cluster names through the Kubernetes API.
    const target = ctx.kubeTarget();
    const socketFactory = target
      ? await ctx.deps.tunnel.socketFactory(target, (message) => ctx.note(message))
      : undefined;
    await ctx.deps.events.read({
      brokers,
      ...(socketFactory ? { socketFactory } : {}),
      coremxId,
      follow,
      fromBeginning: !follow || booleanOption(ctx.args, 'from-beginning'),
      signal: ctx.deps.signal,
      onEvent: (event) => ctx.print(`${ctx.format === 'json' ? JSON.stringify(event) : eventLine(event)}\n`),
      onNotice: (message) => ctx.note(message),
    });
  },
};
