import type { K8sObject } from './chart.render';

/**
 * A small NetworkPolicy evaluator (the `networking.k8s.io/v1` semantics the chart uses): a connection
 * is allowed when the destination's ingress side and the source's egress side both allow it. A side
 * that no policy selects (for that direction) allows everything; otherwise the union of the rules of
 * every selecting policy applies. Peers: `podSelector` (same namespace), `namespaceSelector` (any
 * namespace when `{}`; combined with `podSelector` both must match), `ipBlock` (only for endpoints
 * outside the cluster — we do not model pod IPs inside CIDRs).
 */
export interface Endpoint {
  name: string;
  /** Pod labels; undefined = an address outside the cluster. */
  labels?: Record<string, string>;
  namespace?: string;
  ip?: string;
}

export interface Flow {
  from: string;
  to: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

type Labels = Record<string, string>;

function matchLabels(selector: { matchLabels?: Labels } | undefined, labels: Labels): boolean {
  if (!selector) return true;
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const toInt = (a: string) => a.split('.').reduce((n, octet) => (n << 8) + Number(octet), 0) >>> 0;
  const bits = Number(bitsText);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) === (toInt(base) & mask);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function peerMatches(peer: any, endpoint: Endpoint, policyNamespace: string): boolean {
  if (peer.ipBlock) {
    if (endpoint.labels || !endpoint.ip) return false;
    const except: string[] = peer.ipBlock.except ?? [];
    return (
      ipInCidr(endpoint.ip, peer.ipBlock.cidr) && !except.some((c) => ipInCidr(endpoint.ip as string, c))
    );
  }
  if (!endpoint.labels) return false;
  const namespaceOk = peer.namespaceSelector
    ? Object.keys(peer.namespaceSelector.matchLabels ?? {}).length === 0 ||
      matchLabels(peer.namespaceSelector, { 'kubernetes.io/metadata.name': endpoint.namespace ?? '' })
    : (endpoint.namespace ?? policyNamespace) === policyNamespace;
  return namespaceOk && matchLabels(peer.podSelector, endpoint.labels);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function portMatches(ports: any[] | undefined, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some(
    (p) =>
      (p.protocol ?? 'TCP') === protocol &&
      (p.port === undefined || (p.endPort ? port >= p.port && port <= p.endPort : port === p.port)),
  );
}

function sideAllows(
  policies: K8sObject[],
  self: Endpoint,
  other: Endpoint,
  direction: 'Ingress' | 'Egress',
  port: number,
  protocol: string,
  namespace: string,
): boolean {
  if (!self.labels || (self.namespace ?? namespace) !== namespace) return true; // not governed by these policies
  const selecting = policies.filter(
    (p) => p.spec.policyTypes.includes(direction) && matchLabels(p.spec.podSelector, self.labels as Labels),
  );
  if (selecting.length === 0) return true;
  const key = direction === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = direction === 'Ingress' ? 'from' : 'to';
  return selecting.some((p) =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (p.spec[key] ?? []).some((rule: any) => {
      const peers = rule[peersKey];
      const peerOk =
        !peers || peers.length === 0 || peers.some((peer: unknown) => peerMatches(peer, other, namespace));
      return peerOk && portMatches(rule.ports, port, protocol);
    }),
  );
}

export function allows(
  policies: K8sObject[],
  namespace: string,
  from: Endpoint,
  to: Endpoint,
  port: number,
  protocol: 'TCP' | 'UDP',
): boolean {
  return (
    sideAllows(policies, to, from, 'Ingress', port, protocol, namespace) &&
    sideAllows(policies, from, to, 'Egress', port, protocol, namespace)
  );
}

/** Every allowed flow between the endpoints over the candidate ports. */
export function allowedFlows(
  policies: K8sObject[],
  namespace: string,
  endpoints: Endpoint[],
  ports: { port: number; protocol: 'TCP' | 'UDP' }[],
): Flow[] {
  const flows: Flow[] = [];
  for (const from of endpoints)
    for (const to of endpoints) {
      if (from === to) continue;
      for (const { port, protocol } of ports)
        if (allows(policies, namespace, from, to, port, protocol))
          flows.push({ from: from.name, to: to.name, port, protocol });
    }
  return flows;
}
