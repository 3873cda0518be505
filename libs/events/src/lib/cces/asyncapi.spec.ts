import { readFileSync } from 'node:fs';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { join } from 'node:path';
import { CCES_SAMPLE_DATA } from '../../testing';
import { CCES_CATALOG, CCES_EVENT_TYPES } from './cces-catalog';

/** Keeps the hand-written AsyncAPI document in step with the contracts in code. */
describe('asyncapi.yaml', () => {
  const doc = readFileSync(join(__dirname, '../../../asyncapi.yaml'), 'utf8');
  const messages = doc.slice(doc.indexOf('\n  messages:\n'));

  it.each(CCES_EVENT_TYPES)('documents %s with its version and every data field', (type) => {
    const start = messages.indexOf(`      name: ${type}\n`);
    expect(start).toBeGreaterThan(0);
    const next = messages.indexOf('\n      name: ', start + 1);
    const section = messages.slice(start, next === -1 ? undefined : next);
    expect(section).toContain(`schemaVersion: { const: ${CCES_CATALOG[type].schemaVersion} }`);
    for (const field of Object.keys(CCES_SAMPLE_DATA[type]))
      expect(section).toMatch(new RegExp(`\\n {18}${field}:`));
  });

  it('lists no event type the code does not know', () => {
    const documented = [...messages.matchAll(/\n {6}name: (\S+)/g)].map((m) => m[1]).sort();
    expect(documented).toEqual([...CCES_EVENT_TYPES].sort());
  });
});

/** The same document through a real AsyncAPI parser: valid AsyncAPI 3, and its messages are our event types. */
describe('asyncapi.yaml (parsed by @asyncapi/parser)', () => {
  const source = readFileSync(join(__dirname, '../../../asyncapi.yaml'), 'utf8');

  it('is a valid AsyncAPI document: no error and no warning', async () => {
    const { document, diagnostics } = await new Parser().parse(source);
    const problems = diagnostics
      .filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning)
      .map((d) => `${d.path.join('.')}: ${d.code} ${d.message}`);
    expect(problems).toEqual([]);
    expect(document).toBeDefined();
  });

  it('declares one message per CCES event type, each with a payload schema', async () => {
    const { document } = await new Parser().parse(source);
    const messages = document?.allMessages().all() ?? [];
    expect(messages.map((m) => m.name()).sort()).toEqual([...CCES_EVENT_TYPES].sort());
    for (const message of messages) expect(message.hasPayload()).toBe(true);
  });
});
