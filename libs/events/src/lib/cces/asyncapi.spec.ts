import { readFileSync } from 'node:fs';
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
