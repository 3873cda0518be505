import fc from 'fast-check';
import { normalizeRegistry, orderRegistries, parseRegistryId, type RegistryEndpoint } from './registry-order';
import { SdkErrorCode } from './sdk-error-codes';

const reg = (cloud: string, priority: number, suffix = ''): RegistryEndpoint => ({
  registryId: `reg-${cloud}${suffix}-${priority}`,
  url: `http://reg-${cloud}${suffix}-${priority}.test/`,
});

describe('parseRegistryId', () => {
  it('reads cloud and priority from reg-<cloud>-<priority>', () => {
    expect(parseRegistryId('reg-c1-2')).toEqual({ cloud: 'c1', priority: 2 });
    expect(parseRegistryId('reg-eu-west-1')).toBeUndefined();
    expect(parseRegistryId('reg-c1-0')).toBeUndefined();
    expect(parseRegistryId('registry-1')).toBeUndefined();
  });
});

describe('orderRegistries', () => {
  it('puts the own cloud first by priority, then the rest by priority', () => {
    const list = [reg('c1', 1), reg('c2', 2), reg('c1', 2), reg('c3', 1), reg('c2', 1)];
    expect(orderRegistries(list, 'c2').map((r) => r.registryId)).toEqual([
      'reg-c2-1',
      'reg-c2-2',
      'reg-c1-1',
      'reg-c3-1',
      'reg-c1-2',
    ]);
    expect(orderRegistries(list).map((r) => r.registryId)).toEqual([
      'reg-c1-1',
      'reg-c2-1',
      'reg-c3-1',
      'reg-c1-2',
      'reg-c2-2',
    ]);
  });

  it('takes explicit cloud and priority over the id and strips trailing slashes', () => {
    const [a] = orderRegistries([
      { registryId: 'eu-main', url: 'https://r.example/api//', cloud: 'eu', priority: 3 },
    ]);
    expect(a).toEqual({ registryId: 'eu-main', url: 'https://r.example/api', cloud: 'eu', priority: 3 });
  });

  it.each([
    ['a duplicate id', [reg('c1', 1), reg('c1', 1)]],
    ['an id without cloud and priority', [{ registryId: 'main', url: 'http://x' }]],
    ['a URL that is not http(s)', [{ registryId: 'reg-c1-1', url: 'ftp://x' }]],
    ['a missing URL', [{ registryId: 'reg-c1-1' } as RegistryEndpoint]],
    ['a priority below 1', [{ registryId: 'x', url: 'http://x', cloud: 'c1', priority: 0 }]],
  ])('refuses %s with sdk.registry-list-invalid', (_name, list) => {
    expect(() => orderRegistries(list)).toThrow(
      expect.objectContaining({ code: SdkErrorCode.RegistryListInvalid }),
    );
  });

  const registryArb = fc.record({
    cloud: fc.constantFrom('c1', 'c2', 'c3'),
    priority: fc.integer({ min: 1, max: 4 }),
    suffix: fc.constantFrom('', 'a', 'b'),
  });
  const listArb = fc
    .uniqueArray(registryArb, { selector: (r) => `${r.cloud}${r.suffix}-${r.priority}`, maxLength: 20 })
    .map((rs) =>
      rs.map((r) => ({ ...reg(r.cloud, r.priority, r.suffix), cloud: r.cloud, priority: r.priority })),
    );

  it('is a permutation with the own cloud first, each part by (priority, id), whatever the input order', () => {
    fc.assert(
      fc.property(
        listArb,
        fc.option(fc.constantFrom('c1', 'c2', 'c3', 'c9'), { nil: undefined }),
        (list, own) => {
          const ordered = orderRegistries(list, own);
          expect(ordered.map((r) => r.registryId).sort()).toEqual(list.map((r) => r.registryId).sort());
          const firstOther = ordered.findIndex((r) => r.cloud !== own);
          const ownPart = firstOther === -1 ? ordered : ordered.slice(0, firstOther);
          const rest = firstOther === -1 ? [] : ordered.slice(firstOther);
          expect(rest.every((r) => r.cloud !== own)).toBe(true);
          expect(ownPart.every((r) => r.cloud === own)).toBe(true);
          for (const part of [ownPart, rest]) {
            for (let i = 1; i < part.length; i++) {
              const [a, b] = [part[i - 1], part[i]];
              expect(
                a.priority < b.priority || (a.priority === b.priority && a.registryId < b.registryId),
              ).toBe(true);
            }
          }
          expect(orderRegistries([...list].reverse(), own)).toEqual(ordered);
          expect(orderRegistries(ordered, own)).toEqual(ordered);
        },
      ),
    );
  });

  it('normalizeRegistry does not change its input', () => {
    const input = { registryId: 'reg-c1-1', url: 'http://a/' };
    normalizeRegistry(input);
    expect(input).toEqual({ registryId: 'reg-c1-1', url: 'http://a/' });
  });
});
