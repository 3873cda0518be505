import { findJsonStructureFault } from './json-structure';

const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('findJsonStructureFault', () => {
  it.each([
    ['a flat object', '{"a":1,"b":"x"}'],
    ['the same key in sibling objects', '[{"a":1},{"a":2}]'],
    ['the same key at different depths', '{"a":{"a":{"a":1}}}'],
    ['a key-like string in an array', '{"a":["a","a"]}'],
    ['a value equal to a key', '{"a":"a","b":"a"}'],
    ['brackets and quotes inside strings', '{"a":"[{\\"}]","b":"\\\\","c":"]]]]"}'],
    ['whitespace before the colon', '{ "a" : 1 , "b"\n:\t2 }'],
    ['exactly the deepest nesting', nested(64)],
    ['scalars', '"x"'],
  ])('lets %s through', (_what, text) => {
    expect(JSON.parse(text)).toBeDefined();
    expect(findJsonStructureFault(text, 64)).toBeUndefined();
  });

  it.each([
    ['one level too deep', nested(65)],
    ['10,000 levels', nested(10_000)],
    ['objects nested too deep', `${'{"a":'.repeat(65)}1${'}'.repeat(65)}`],
  ])('finds %s', (_what, text) => {
    expect(findJsonStructureFault(text, 64)).toEqual({ kind: 'too-deep', maxDepth: 64 });
  });

  it.each([
    ['a repeated key', '{"a":1,"a":2}', 'a'],
    ['a repeated key in a nested object', '{"x":{"b":1,"c":2,"b":3}}', 'b'],
    ['a key repeated after a nested object', '{"a":{"a":1},"b":0,"a":2}', 'a'],
    ['a key spelt once with an escape', '{"max":1,"\\u006dax":2}', 'max'],
    ['a repeated __proto__', '{"__proto__":1,"__proto__":2}', '__proto__'],
    ['a repeated empty key', '{"":1,"":2}', ''],
  ])('finds %s', (_what, text, key) => {
    expect(findJsonStructureFault(text, 64)).toEqual({ kind: 'duplicate-key', key });
  });

  it('reports too deep before a duplicate key', () => {
    expect(findJsonStructureFault(`{"a":1,"a":${nested(70)}}`, 64)).toEqual({
      kind: 'too-deep',
      maxDepth: 64,
    });
  });
});
