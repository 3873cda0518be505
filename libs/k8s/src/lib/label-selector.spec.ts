import fc from 'fast-check';
import { K8sError, K8sErrorCode } from './k8s-error';
import { checkNamespace, matchesLabels, parseLabelSelector } from './label-selector';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof K8sError ? error.code : 'not a K8sError';
  }
  return undefined;
}

describe('parseLabelSelector / matchesLabels', () => {
  const labels = { app: 'cash', tier: 'media', 'hoot.mx/coremx': 'c1' };

  it.each([
    ['', true],
    ['app=cash', true],
    ['app==cash', true],
    ['app = cash', true],
    ['app=registry', false],
    ['app!=registry', true],
    ['app!=cash', false],
    ['missing!=x', true],
    ['hoot.mx/coremx', true],
    ['!hoot.mx/coremx', false],
    ['!legacy', true],
    ['app in (cash, registry)', true],
    ['app notin (cash)', false],
    ['missing notin (a)', true],
    ['missing in (a)', false],
    ['app=cash,tier in (media,db),!legacy', true],
    ['app=cash,tier=db', false],
  ])('%s matches the labels: %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each([
    'app=(',
    'a=b,,c',
    '=x',
    'a b',
    'app in (a',
    'app=has space',
    '-bad=x',
    'Bad.Prefix/x=y',
    `${'a'.repeat(64)}=x`,
  ])('refuses %p with ArgumentInvalid', (selector) => {
    expect(codeOf(() => parseLabelSelector(selector))).toBe(K8sErrorCode.ArgumentInvalid);
  });

  it('an equality selector built from any valid label matches exactly the labels that have it', () => {
    const name = fc.stringMatching(/^[a-z0-9]([-a-z0-9_.]{0,10}[a-z0-9])?$/);
    fc.assert(
      fc.property(name, name, fc.dictionary(name, name), (key, value, others) => {
        const requirements = parseLabelSelector(`${key}=${value}`);
        expect(matchesLabels(requirements, { ...others, [key]: value })).toBe(true);
        expect(matchesLabels(requirements, { ...others, [key]: `${value}x` })).toBe(false);
        const rest: Record<string, string> = { ...others };
        delete rest[key];
        expect(matchesLabels(requirements, rest)).toBe(false);
      }),
    );
  });
});

describe('checkNamespace', () => {
  it('accepts DNS-1123 labels and refuses the rest', () => {
    expect(checkNamespace('hoot-system')).toBe('hoot-system');
    for (const bad of ['', 'UPPER', 'under_score', '-lead', 'trail-', 'a'.repeat(64), 'a.b']) {
      expect(codeOf(() => checkNamespace(bad))).toBe(K8sErrorCode.ArgumentInvalid);
    }
  });
});
