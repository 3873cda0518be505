import { K8sError, K8sErrorCode } from './k8s-error';

/** One requirement of a label selector, as Kubernetes defines them. */
export type LabelRequirement =
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] }
  | { readonly key: string; readonly op: 'exists' | 'doesnotexist' };

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function invalid(selector: string, why: string): K8sError {
  return new K8sError(K8sErrorCode.ArgumentInvalid, `invalid label selector '${selector}': ${why}`);
}

function checkKey(selector: string, key: string): string {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (!NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix)))) {
    throw invalid(selector, `bad label key '${key}'`);
  }
  return key;
}

function checkValue(selector: string, value: string): string {
  if (value !== '' && !NAME.test(value)) throw invalid(selector, `bad label value '${value}'`);
  return value;
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i += 1) {
    const ch = selector[i];
    if (ch === '(') depth += 1;
    else if (ch === ')') depth -= 1;
    else if (ch === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
    if (depth < 0 || depth > 1) throw invalid(selector, 'unbalanced parentheses');
  }
  if (depth !== 0) throw invalid(selector, 'unbalanced parentheses');
  terms.push(selector.slice(start));
  return terms.map((t) => t.trim());
}

/**
 * Parses a Kubernetes label selector (`app=cash,tier!=db,env in (a,b),!legacy`). An empty string selects
 * everything. Throws `K8sError(ArgumentInvalid)` on anything the API server would refuse.
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  if (selector.trim() === '') return [];
  return splitTerms(selector).map((term): LabelRequirement => {
    if (term === '') throw invalid(selector, 'empty requirement');
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
    if (set) {
      const values = set[3].split(',').map((v) => checkValue(selector, v.trim()));
      return { key: checkKey(selector, set[1]), op: set[2] as 'in' | 'notin', values };
    }
    const cmp = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (cmp) {
      return {
        key: checkKey(selector, cmp[1]),
        op: cmp[2] === '!=' ? 'notin' : 'in',
        values: [checkValue(selector, cmp[3])],
      };
    }
    if (term.startsWith('!')) return { key: checkKey(selector, term.slice(1).trim()), op: 'doesnotexist' };
    return { key: checkKey(selector, term), op: 'exists' };
  });
}

/** True if the labels satisfy every requirement. */
export function matchesLabels(
  requirements: readonly LabelRequirement[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'doesnotexist':
        return !has;
      case 'in':
        return has && r.values.includes(labels[r.key]);
      case 'notin':
        return !has || !r.values.includes(labels[r.key]);
    }
  });
}

/** Throws `K8sError(ArgumentInvalid)` unless `namespace` is a valid namespace name (a DNS-1123 label). */
export function checkNamespace(namespace: string): string {
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw new K8sError(
      K8sErrorCode.ArgumentInvalid,
      `invalid namespace '${String(namespace)}': must be a DNS-1123 label`,
    );
  }
  return namespace;
}
