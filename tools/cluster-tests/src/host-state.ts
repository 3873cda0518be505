/**
 * What a one-node cluster can leave on the machine, as sets of strings: processes, iptables chains and the
 * rules of every table (IPv4 and IPv6), ipsets, network namespaces, network links, mounts and cgroups.
 * Docker's own objects are left out (another engineer's dockerd may start or stop while a spec runs), and so
 * are processes unrelated to a cluster (the machine is shared): `leftovers(before, after)` names what is new.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './cluster';

export type HostState = Record<string, Set<string>>;

const CLUSTER_PROCESS =
  /(^|\/)(etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kube-proxy|kube-router|coredns|netcheck|pause|containerd|containerd-shim[-\w]*)$/;
const DOCKER = /docker|DOCKER|^br-[0-9a-f]{12}/;

async function lines(command: string, args: string[]): Promise<string[]> {
  const r = await run(command, args, { timeoutMs: 30_000 });
  if (r.code !== 0 && r.stdout === '') return [];
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Cluster-related processes: their executable's name or a command line naming .infra/cluster. */
function processes(): Set<string> {
  const out = new Set<string>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
      continue; // gone meanwhile
    }
    if (!cmdline) continue;
    const exe = cmdline.split(' ')[0] ?? '';
    // docker's own containerd and its shims (namespace moby, docker's socket) are not ours
    if (/\/run\/docker|moby/.test(cmdline)) continue;
    // clients someone else runs against the cluster (kubectl, ctr, helm) are not something it leaves behind
    if (/(^|\/)(ctr|kubectl|helm)$/.test(exe)) continue;
    if (CLUSTER_PROCESS.test(exe) || cmdline.includes('.infra/cluster')) out.add(`${pid} ${cmdline}`);
  }
  return out;
}

/** iptables rules and chains of every table; `docker: true` gives Docker's own instead of everything else. */
async function iptables(binary: 'iptables' | 'ip6tables', docker = false): Promise<Set<string>> {
  const out = new Set<string>();
  for (const table of ['filter', 'nat', 'mangle', 'raw']) {
    for (const line of await lines(binary, ['-t', table, '-S'])) {
      if (DOCKER.test(line) !== docker) continue;
      if (line.startsWith('-P ')) continue; // policies: dockerd flips FORWARD to DROP
      out.add(`${binary} ${table} ${line}`);
    }
  }
  return out;
}

/** The running dockerd's pid, or '' (Docker's rules are comparable only while the same dockerd runs). */
function dockerdPid(): string {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (/(^|\/)dockerd$/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? ''))
        return pid;
    } catch {
      // gone meanwhile
    }
  }
  return '';
}

function mounts(): Set<string> {
  const out = new Set<string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const point = line.split(' ')[4];
    if (point && !DOCKER.test(point)) out.add(point);
  }
  return out;
}

/** cgroup directories down to depth 3 on every hierarchy (kubepods/burstable/pod…). */
function cgroups(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string, depth: number) => {
    if (depth > 3) return;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e);
      try {
        if (!statSync(p).isDirectory()) continue;
      } catch {
        continue;
      }
      if (DOCKER.test(e)) continue;
      out.add(p);
      walk(p, depth + 1);
    }
  };
  walk('/sys/fs/cgroup', 0);
  return out;
}

export async function snapshot(): Promise<HostState> {
  const links = (await lines('ip', ['-o', 'link', 'show'])).map((l) => l.replace(/^\d+:\s*/, ''));
  return {
    processes: processes(),
    iptables: new Set([...(await iptables('iptables')), ...(await iptables('ip6tables'))]),
    ipsets: new Set(await lines('ipset', ['list', '-n'])),
    netns: new Set((await lines('ip', ['netns', 'list'])).map((l) => l.split(' ')[0] ?? l)),
    links: new Set(
      links.filter((l) => !DOCKER.test(l)).map((l) => (l.split(':')[0] ?? l).split('@')[0] ?? l),
    ),
    mounts: mounts(),
    cgroups: cgroups(),
  };
}

/** Docker's own iptables rules, tagged with the dockerd that made them. */
export async function dockerState(): Promise<{ dockerd: string; rules: Set<string> }> {
  return {
    dockerd: dockerdPid(),
    rules: new Set([...(await iptables('iptables', true)), ...(await iptables('ip6tables', true))]),
  };
}

/** What `after` has that `before` had not, per kind (empty kinds left out). */
export function leftovers(before: HostState, after: HostState): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [kind, items] of Object.entries(after)) {
    const added = [...items].filter((i) => !before[kind]?.has(i));
    if (added.length > 0) out[kind] = added.sort();
  }
  return out;
}

/** What `before` had that `after` has not, for the kinds a cluster must never take away from the machine. */
export function removed(
  before: HostState,
  after: HostState,
  kinds = ['iptables', 'ipsets', 'links', 'netns'],
) {
  const out: Record<string, string[]> = {};
  for (const kind of kinds) {
    const gone = [...(before[kind] ?? [])].filter((i) => !after[kind]?.has(i));
    if (gone.length > 0) out[kind] = gone.sort();
  }
  return out;
}
