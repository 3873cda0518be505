import {
  REGISTRY_API_LIMITS,
  type Conference,
  type ConferencePage,
  type CreateConferenceInput,
} from '@hoot/contracts';
import { CONFERENCE_ID_PATTERN, ROOM_TYPES } from '@hoot/domain';
import { booleanOption, integerOption, listOption, stringOption } from '../args/arg-parser';
import type { CommandContext, CommandSpec } from '../cli.context';
import { usageError } from '../errors/cli.error';
import { renderKeyValues, renderTable, type Column } from '../output/table.renderer';

/** Bounds of the registry API contract (`settings.maxParticipants`, `limit`); checked here for a clear usage error. */
const MAX_PARTICIPANTS = REGISTRY_API_LIMITS.maxParticipants.max;
const PAGE_LIMIT_MAX = REGISTRY_API_LIMITS.pageLimit.max;

function conferenceId(ctx: CommandContext): string {
  const id = ctx.operands[0];
  if (!id) throw usageError('a conference ID is required');
  return id;
}

export function conferencePairs(c: Conference) {
  return [
    ['id', c.id],
    ['address', c.address],
    ['type', c.type],
    ['status', c.status],
    ['owner', c.owner === null ? null : nameOf(c, c.owner)],
    ['public', c.public],
    ...(c.allowed ? [['allowed', c.allowed.map((id) => nameOf(c, id)).join(', ')] as const] : []),
    ['max participants', c.maxParticipants ?? 'plan limit'],
    ['participants', c.participants],
    ['coremx', c.coremxId],
    ...(c.previousAddresses.length ? [['previous addresses', c.previousAddresses.join(', ')] as const] : []),
    ['created', c.createdAt],
    ...(c.endedAt ? [['ended', c.endedAt] as const] : []),
  ] as const;
}

/** A person as the registry named them (`usernames`), else their account id. */
function nameOf(c: Conference, id: string): string {
  const username = c.usernames?.[id];
  return username ?? id;
}

export const CONFERENCE_COLUMNS: readonly Column<Conference>[] = [
  { header: 'id', value: (c) => c.id },
  { header: 'type', value: (c) => c.type },
  { header: 'status', value: (c) => c.status },
  { header: 'participants', value: (c) => c.participants, align: 'right' },
  { header: 'coremx', value: (c) => c.coremxId },
  { header: 'created', value: (c) => c.createdAt },
  { header: 'address', value: (c) => c.address },
];

export const conferencesGroup: CommandSpec = {
  path: ['conferences'],
  summary: 'create, list, show and end conferences',
  usage: 'conferences create|list|show|end',
  operands: [],
  options: [],
};

export const conferencesCreateCommand: CommandSpec = {
  path: ['conferences', 'create'],
  summary: 'create a conference (asking again with the same --id is idempotent)',
  usage:
    'conferences create --type m2m|a2m|p2m|p2p [--id ID] [--allow USER,…] [--public] [--max-participants N]',
  operands: [],
  options: [
    {
      name: 'id',
      type: 'string',
      valueName: 'ID',
      description: 'conference id [a-z0-9][a-z0-9-]{2,63} (generated when absent)',
    },
    { name: 'type', type: 'string', valueName: 'TYPE', description: 'm2m, a2m, p2m or p2p (required)' },
    {
      name: 'allow',
      type: 'string',
      multiple: true,
      valueName: 'USER,…',
      description: 'usernames or account ids allowed to join (repeatable)',
    },
    { name: 'public', type: 'boolean', description: 'anyone signed in may join' },
    {
      name: 'max-participants',
      type: 'string',
      valueName: 'N',
      description: 'at most N participants (capped by your plan)',
    },
  ],
  examples: ['hoot conferences create --id standup --type m2m --allow bob,carol'],
  async run(ctx) {
    const type = stringOption(ctx.args, 'type');
    if (type === undefined) throw usageError('--type is required (m2m, a2m, p2m or p2p)');
    if (!(ROOM_TYPES as readonly string[]).includes(type)) {
      throw usageError(`--type must be one of ${ROOM_TYPES.join(', ')}, got '${type}'`);
    }
    const id = stringOption(ctx.args, 'id');
    if (id !== undefined && !CONFERENCE_ID_PATTERN.test(id)) {
      throw usageError(`--id must match [a-z0-9][a-z0-9-]{2,63}, got '${id}'`);
    }
    const maxParticipants = integerOption(ctx.args, 'max-participants', {
      min: REGISTRY_API_LIMITS.maxParticipants.min,
      max: MAX_PARTICIPANTS,
    });
    const input: CreateConferenceInput = {
      ...(id !== undefined ? { id } : {}),
      type: type as CreateConferenceInput['type'],
      allowed: listOption(ctx.args, 'allow'),
      ...(booleanOption(ctx.args, 'public') ? { public: true } : {}),
      ...(maxParticipants !== undefined ? { settings: { maxParticipants } } : {}),
    };
    const client = await ctx.client();
    const { conference, created } = await ctx.progress('creating…', client.createConference(input));
    if (ctx.format === 'json') {
      ctx.printJson({ created, conference });
      return;
    }
    ctx.print(`Conference ${conference.id} ${created ? 'created' : 'already exists (yours)'}.\n`);
    ctx.print(renderKeyValues(conferencePairs(conference), { color: ctx.color }));
  },
};

export const conferencesListCommand: CommandSpec = {
  path: ['conferences', 'list'],
  summary: 'list your conferences',
  usage: 'conferences list [--limit N] [--after CURSOR] [--all]',
  operands: [],
  options: [
    {
      name: 'limit',
      type: 'string',
      valueName: 'N',
      description: `page size 1–${PAGE_LIMIT_MAX} (default 20)`,
    },
    {
      name: 'after',
      type: 'string',
      valueName: 'CURSOR',
      description: 'start after this cursor (the `next` of a page)',
    },
    { name: 'all', type: 'boolean', description: 'follow every page' },
  ],
  examples: ['hoot conferences list', 'hoot conferences list --all -o json'],
  async run(ctx) {
    const limit = integerOption(ctx.args, 'limit', {
      min: REGISTRY_API_LIMITS.pageLimit.min,
      max: PAGE_LIMIT_MAX,
    });
    const all = booleanOption(ctx.args, 'all');
    const client = await ctx.client();
    let after = stringOption(ctx.args, 'after');
    const items: Conference[] = [];
    let page: ConferencePage;
    do {
      page = await ctx.progress('listing…', client.listConferences({ limit, after }));
      items.push(...page.items);
      after = page.next ?? undefined;
    } while (all && page.next);
    const next = all ? null : page.next;
    if (ctx.format === 'json') {
      ctx.printJson({ items, next });
      return;
    }
    ctx.print(renderTable(CONFERENCE_COLUMNS, items, { color: ctx.color }));
    if (next) ctx.note(`more: hoot conferences list --after ${next} (or --all)`);
  },
};

export const conferencesShowCommand: CommandSpec = {
  path: ['conferences', 'show'],
  summary: 'show one conference',
  usage: 'conferences show ID',
  operands: ['ID'],
  options: [],
  examples: ['hoot conferences show standup'],
  async run(ctx) {
    const id = conferenceId(ctx);
    const client = await ctx.client();
    const conference = await ctx.progress('loading…', client.getConference(id));
    if (ctx.format === 'json') {
      ctx.printJson(conference);
      return;
    }
    ctx.print(renderKeyValues(conferencePairs(conference), { color: ctx.color }));
  },
};

export const conferencesEndCommand: CommandSpec = {
  path: ['conferences', 'end'],
  summary: 'end a conference for everyone (owner only)',
  usage: 'conferences end ID',
  operands: ['ID'],
  options: [],
  examples: ['hoot conferences end standup'],
  async run(ctx) {
    const id = conferenceId(ctx);
    const client = await ctx.client();
    await ctx.progress('ending…', client.endConference(id));
    if (ctx.format === 'json') {
      ctx.printJson({ id, ended: true });
      return;
    }
    ctx.print(`Conference ${id} ended.\n`);
  },
};

export const joinUrlCommand: CommandSpec = {
  path: ['join-url'],
  summary: 'a join ticket for an address (or one of your conference ids): prints the web URL',
  usage: 'join-url ADDRESS|ID',
  operands: ['ADDRESS'],
  options: [],
  details:
    'ADDRESS is a hoot.mx://<conference>@<mixer> address; a bare conference id is looked up first.\n' +
    'The ticket in the URL is short-lived (open it at once). -o json prints the whole join answer.',
  examples: ['hoot join-url hoot.mx://standup@coremx-1.c1.hoot.mx', 'hoot join-url standup -o json'],
  async run(ctx) {
    const target = ctx.operands[0];
    if (!target) throw usageError('an ADDRESS (hoot.mx://…) or conference ID is required');
    const client = await ctx.client();
    const address = target.includes('://')
      ? target
      : (await ctx.progress('looking up…', client.getConference(target))).address;
    const answer = await ctx.progress('asking for a ticket…', client.join(address));
    if (ctx.format === 'json') {
      ctx.printJson(answer);
      return;
    }
    ctx.print(`${answer.webUrl}\n`);
  },
};
