/**
 * The cluster the suite runs against, as the other parts of issue 15 make it: kubeconfig
 * `.infra/cluster/kubeconfig`, helm release `hoot` in namespace `hoot`, the scripts under `scripts/`.
 * Node builtins and relative imports only: the global setup loads this outside the test runtime.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (this file is tools/cluster-e2e/src/cluster.ts). */
export const ROOT = resolve(__dirname, '../../..');
/** Where the suite writes timings, metrics, screenshots and logs (git-ignored). */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'cluster');

export const KUBECONFIG = process.env['HOOT_KUBECONFIG'] ?? join(ROOT, '.infra', 'cluster', 'kubeconfig');
export const NAMESPACE = process.env['HOOT_NAMESPACE'] ?? 'hoot';
export const RELEASE = process.env['HOOT_RELEASE'] ?? 'hoot';

/** The images the cluster runs, as scripts/build-images.sh names them (HOOT_E2E_IMAGES overrides). */
export const IMAGES = (
  process.env['HOOT_E2E_IMAGES'] ??
  ['auth', 'registry', 'cash', 'kms-lite', 'packager', 'ferretdb', 'kafka']
    .map((s) => `hoot/${s}:0.1.0`)
    .join(' ')
)
  .split(/[\s,]+/)
  .filter(Boolean);

/** kubectl: HOOT_KUBECTL, else the one scripts/infra/kubernetes.sh built (.infra/kubernetes), else PATH. */
export function kubectlPath(): string {
  if (process.env['HOOT_KUBECTL']) return process.env['HOOT_KUBECTL'];
  const built = join(ROOT, '.infra', 'kubernetes', 'kubectl');
  return existsSync(built) ? built : 'kubectl';
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (never throws for a non-zero exit). */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      command,
      args,
      {
        cwd: ROOT,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** `kubectl --kubeconfig … -n hoot ARGS…` to its end. */
export function kubectl(args: string[], timeoutMs = 120_000): Promise<RunResult> {
  return run(kubectlPath(), ['--kubeconfig', KUBECONFIG, '-n', NAMESPACE, ...args], { timeoutMs });
}

/** `kubectl …` that must succeed; returns stdout. */
export async function kubectlOk(args: string[], timeoutMs = 120_000): Promise<string> {
  const result = await kubectl(args, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} → exit ${result.code}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** `kubectl get … -o json`, parsed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kubernetes objects are walked freely
export async function kubectlJson(args: string[]): Promise<any> {
  return JSON.parse(await kubectlOk([...args, '-o', 'json']));
}

/** Whether an API server answers through the kubeconfig. */
export async function clusterAnswers(): Promise<boolean> {
  if (!existsSync(KUBECONFIG)) return false;
  const result = await run(kubectlPath(), ['--kubeconfig', KUBECONFIG, 'get', '--raw', '/readyz'], {
    timeoutMs: 10_000,
  });
  return result.code === 0;
}

/** Whether the cluster answers and the helm release is deployed in the namespace. */
export async function releaseDeployed(): Promise<boolean> {
  if (!existsSync(KUBECONFIG)) return false;
  const result = await kubectl(
    ['get', 'secrets', '-l', `owner=helm,name=${RELEASE},status=deployed`, '-o', 'name'],
    15_000,
  );
  return result.code === 0 && result.stdout.trim() !== '';
}

/**
 * Waits until every running pod of the namespace is Ready (completed pods, e.g. of `helm test`, and pods
 * being deleted are left out), polling `kubectl get pods`.
 */
export async function waitAllPodsReady(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  let shown = '';
  while (Date.now() < deadline) {
    const result = await kubectl(['get', 'pods', '-o', 'json'], 20_000);
    if (result.code === 0) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pod JSON
      const pods = (JSON.parse(result.stdout).items as any[]).filter(
        (p) => !p.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase),
      );
      const notReady = pods
        .filter(
          // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pod JSON
          (p) => !(p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
        )
        .map((p) => p.metadata.name as string);
      if (pods.length > 0 && notReady.length === 0) return;
      last = pods.length === 0 ? 'no pods' : `not Ready: ${notReady.join(', ')}`;
    } else {
      last = result.stderr.trim();
    }
    if (last !== shown) say(`pods: ${last}`);
    shown = last;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  throw new Error(`pods of ${NAMESPACE} not all Ready within ${timeoutMs} ms: ${last}`);
}

/** One step of the global setup: name, command line, seconds taken, outcome. */
export interface StepTiming {
  name: string;
  command: string;
  seconds: number;
  ok: boolean;
}

/** Prints a line of progress on stderr (Jest keeps stdout for its report). */
export function say(message: string): void {
  process.stderr.write(`cluster-e2e: ${message}\n`);
}

/**
 * Runs a script of the repository, streaming its output to stderr (each line prefixed with the step) and
 * to `test-artifacts/cluster/setup-<step>.log`; resolves with its timing, rejects on a non-zero exit.
 */
export function runStep(name: string, command: string, args: string[]): Promise<StepTiming> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const logFile = join(ARTIFACTS, `setup-${name}.log`);
  writeFileSync(logFile, `$ ${command} ${args.join(' ')}\n`);
  const started = Date.now();
  say(`${name}: ${command} ${args.join(' ')}`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const tick = setInterval(
      () => say(`${name}: still running (${Math.round((Date.now() - started) / 1000)} s)`),
      30_000,
    );
    const forward = (stream: NodeJS.ReadableStream | null) => {
      let buffered = '';
      stream?.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        writeFileSync(logFile, text, { flag: 'a' });
        buffered += text;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) process.stderr.write(`  [${name}] ${line}\n`);
      });
    };
    forward(child.stdout);
    forward(child.stderr);
    child.once('error', (error) => {
      clearInterval(tick);
      reject(error);
    });
    child.once('close', (code) => {
      clearInterval(tick);
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      const timing = { name, command: [command, ...args].join(' '), seconds, ok: code === 0 };
      say(`${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${seconds} s`);
      if (code === 0) resolvePromise(timing);
      else reject(Object.assign(new Error(`${name} failed with exit ${code}: see ${logFile}`), { timing }));
    });
  });
}

/** Reads a JSON file of the artifacts folder, or `fallback`. */
export function readArtifact<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(join(ARTIFACTS, file), 'utf8')) as T;
  } catch {
    return fallback;
  }
}

/** Writes a JSON file into the artifacts folder. */
export function writeArtifact(file: string, value: unknown): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, file), `${JSON.stringify(value, null, 2)}\n`);
}
