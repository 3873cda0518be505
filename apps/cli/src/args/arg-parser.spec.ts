import { integerOption, listOption, parseArgs, type OptionSpec } from './arg-parser';

const GLOBAL: OptionSpec[] = [
  { name: 'registry', type: 'string', multiple: true, description: '' },
  { name: 'output', short: 'o', type: 'string', description: '' },
  { name: 'help', short: 'h', type: 'boolean', description: '' },
];
const CREATE: OptionSpec[] = [
  { name: 'type', type: 'string', description: '' },
  { name: 'public', type: 'boolean', description: '' },
  { name: 'allow', type: 'string', multiple: true, description: '' },
];
const specsFor = (positionals: readonly string[]) =>
  positionals[0] === 'conferences' && positionals[1] === 'create' ? [...GLOBAL, ...CREATE] : GLOBAL;

describe('parseArgs', () => {
  it('reads long, inline and short flags around the command words', () => {
    const parsed = parseArgs(
      [
        '--registry',
        'http://a',
        'conferences',
        'create',
        '--type=m2m',
        '-o',
        'json',
        '--public',
        '--registry=http://b',
      ],
      specsFor,
    );
    expect(parsed.positionals).toEqual(['conferences', 'create']);
    expect(parsed.options).toEqual({
      registry: ['http://a', 'http://b'],
      type: 'm2m',
      output: 'json',
      public: true,
    });
  });

  it('accepts -ovalue and ends flags at --', () => {
    const parsed = parseArgs(['-ojson', 'show', '--', '--not-a-flag'], specsFor);
    expect(parsed.options).toEqual({ output: 'json' });
    expect(parsed.positionals).toEqual(['show', '--not-a-flag']);
  });

  it('knows a command flag only after the command words', () => {
    expect(() => parseArgs(['--type', 'm2m', 'conferences', 'create'], specsFor)).toThrow(
      'unknown flag --type',
    );
  });

  it.each([
    [['--nope'], 'unknown flag --nope'],
    [['-x'], 'unknown flag -x'],
    [['-o'], '-o needs a value'],
    [['-o', 'json', '--output', 'table'], '--output given more than once'],
    [['--help=yes'], '--help takes no value'],
  ])('refuses %j as a usage error', (argv, message) => {
    expect(() => parseArgs(argv, specsFor)).toThrow(expect.objectContaining({ exitCode: 2, message }));
  });

  it('splits repeatable lists on commas and drops blanks', () => {
    const parsed = parseArgs(
      ['conferences', 'create', '--allow', 'bob, carol', '--allow', 'dave,'],
      specsFor,
    );
    expect(listOption(parsed, 'allow')).toEqual(['bob', 'carol', 'dave']);
  });

  it('checks integer bounds', () => {
    const parsed = (v: string) => ({ options: { limit: v }, positionals: [] });
    expect(integerOption(parsed('20'), 'limit', { min: 1, max: 100 })).toBe(20);
    expect(() => integerOption(parsed('0'), 'limit', { min: 1, max: 100 })).toThrow('between 1 and 100');
    expect(() => integerOption(parsed('2x'), 'limit', { min: 1, max: 100 })).toThrow('whole number');
    expect(integerOption({ options: {}, positionals: [] }, 'limit', { min: 1, max: 100 })).toBeUndefined();
  });
});
