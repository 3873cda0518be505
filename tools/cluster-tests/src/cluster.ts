/**
 * The one-node cluster of scripts/cluster-up as the specs see it: its scripts, kubeconfig, kubectl, and the
 * netcheck image cluster-up imports (serve / connect / resolve; scripts/infra/cluster/netcheck).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');
export const CLUSTER_DIR = join(ROOT, '.infra', 'cluster');
export const KUBECONFIG = join(CLUSTER_DIR, 'kubeconfig');
export const NETCHECK_IMAGE = 'hoot.local/netcheck:1.0';
export const NODE_NAME = 'hoot-node';
export const NODE_IP = '10.201.0.1';
export const POD_CIDR_PREFIX = '10.202.';
export const KUBERNETES_SERVICE_IP = '10.203.0.1';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a program to its end; never throws for a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((done) => {
    const child = execFile(
      command,
      args,
      { cwd: ROOT, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Runs a program that must succeed; returns its result. */
export async function runOk(
  command: string,
  args: string[],
  options: { timeoutMs?: number; input?: string } = {},
) {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} → exit ${result.code}\n${result.stderr.trim()}\n${result.stdout.trim()}`,
    );
  }
  return result;
}

export function kubectlPath(): string {
  const built = join(ROOT, '.infra', 'kubernetes', 'kubectl');
  return existsSync(built) ? built : 'kubectl';
}

export function kubectl(args: string[], options: { timeoutMs?: number; input?: string } = {}) {
  return run(kubectlPath(), ['--kubeconfig', KUBECONFIG, ...args], options);
}

export async function kubectlOk(args: string[], options: { timeoutMs?: number; input?: string } = {}) {
  const result = await runOk(kubectlPath(), ['--kubeconfig', KUBECONFIG, ...args], options);
  return result.stdout;
}

/** kubectl apply of a manifest given as objects. */
export async function apply(...objects: object[]): Promise<void> {
  const input = objects.map((o) => JSON.stringify(o)).join('\n---\n');
  await kubectlOk(['apply', '-f', '-'], { input });
}

/** True when a pid file of a cluster component names a live process. */
export function clusterProcessesRunning(): boolean {
  const runDir = join(CLUSTER_DIR, 'run');
  if (!existsSync(runDir)) return false;
  return readdirSync(runDir)
    .filter((f) => f.endsWith('.pid'))
    .some((f) => {
      const pid = Number(readFileSync(join(runDir, f), 'utf8').trim());
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
}

/** A pod running netcheck under PodSecurity `restricted`. */
export function netcheckPod(namespace: string, name: string, labels: Record<string, string>, args: string[]) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      terminationGracePeriodSeconds: 0,
      securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'netcheck',
          image: NETCHECK_IMAGE,
          imagePullPolicy: 'Never',
          args,
          ports: [{ containerPort: 8080 }],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
    },
  };
}

/** `netcheck connect HOST:PORT` inside a pod: resolves true when it got the server's answer. */
export async function connectsFrom(
  namespace: string,
  pod: string,
  target: string,
): Promise<{ ok: boolean; out: string }> {
  const r = await kubectl(['-n', namespace, 'exec', pod, '--', '/netcheck', 'connect', target, '1500ms'], {
    timeoutMs: 20_000,
  });
  return { ok: r.code === 0 && r.stdout.startsWith('netcheck '), out: (r.stdout + r.stderr).trim() };
}
