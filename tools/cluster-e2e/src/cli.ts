/**
 * The operators' view: the real `kubectl hoot` (kubectl finds the plugin `kubectl-hoot` on PATH, a link to
 * apps/cli/bin/kubectl-hoot.js) against the cluster, with the suite's kubeconfig and namespace given after
 * the plugin name (kubectl does not pass its own flags to plugins). The plugin finds the registries through
 * the release's Services. Names that only cluster DNS resolves (the CASH API URLs `<pod>.<sts>.hoot.svc:3300`,
 * Kafka's `hoot-kafka:9092` and the address it advertises) are reached by the plugin itself through the
 * Kubernetes API (pods/portforward), as an operator's laptop would: no preload, no host mapping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KUBECONFIG, NAMESPACE, ROOT, kubectlPath, run, type RunResult } from './cluster';

export class KubectlHoot {
  private readonly dir = mkdtempSync(join(tmpdir(), 'hoot-cluster-e2e-'));
  apiKey: string | undefined;

  constructor() {
    symlinkSync(join(ROOT, 'apps/cli/bin/kubectl-hoot.js'), join(this.dir, 'kubectl-hoot'));
  }

  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (
        !k.startsWith('HOOT_') &&
        !k.startsWith('KUBERNETES_') &&
        k !== 'KUBECONFIG' &&
        k !== 'NODE_OPTIONS'
      )
        env[k] = v;
    }
    return {
      ...env,
      PATH: `${this.dir}${delimiter}${process.env['PATH'] ?? ''}`,
      HOOT_CONFIG_DIR: join(this.dir, 'config'),
      NO_COLOR: '1',
      KUBECONFIG,
      ...(this.apiKey ? { HOOT_API_KEY: this.apiKey } : {}),
    };
  }

  private argv(args: string[]): string[] {
    return ['hoot', ...args, '--kubeconfig', KUBECONFIG, '-n', NAMESPACE];
  }

  /** `kubectl hoot ARGS…` to its end. */
  run(args: string[], input?: string, timeoutMs = 120_000): Promise<RunResult> {
    return run(kubectlPath(), this.argv(args), { env: this.env(), input, timeoutMs });
  }

  /** `kubectl hoot ARGS…` that must exit 0; its stdout. */
  async ok(args: string[], input?: string): Promise<string> {
    const result = await this.run(args, input);
    if (result.code !== 0) {
      throw new Error(`kubectl hoot ${args.join(' ')} → exit ${result.code}: ${result.stderr.trim()}`);
    }
    return result.stdout;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI JSON is walked freely
  async json(args: string[]): Promise<any> {
    return JSON.parse(await this.ok([...args, '-o', 'json']));
  }

  /** A long-running `kubectl hoot ARGS…` (e.g. `events --follow`). */
  spawn(args: string[]): ChildProcess {
    return spawn(kubectlPath(), this.argv(args), {
      cwd: ROOT,
      env: this.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
