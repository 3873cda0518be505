import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';

export const WORKSPACE_ROOT = join(__dirname, '../../..');
export const CHART_DIR = join(WORKSPACE_ROOT, 'helm/hoot');
export const VALUE_SETS_DIR = join(__dirname, '../values');
/** The Kubernetes version the chart is checked against (the test kube-apiserver is 1.37). */
export const KUBE_VERSION = '1.37.0';

/** A rendered Kubernetes object, loosely typed: specs read the fields they assert on. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [field: string]: any;
}

let helm: string | undefined;

/** The helm binary (scripts/infra/helm.sh builds it once per machine and prints its path). */
export function helmBinary(): string {
  helm ??= execFileSync(join(WORKSPACE_ROOT, 'scripts/infra/helm.sh'), ['path'], { encoding: 'utf8' }).trim();
  return helm;
}

export interface HelmRun {
  status: number;
  stdout: string;
  stderr: string;
}

export function runHelm(args: string[]): HelmRun {
  const result = spawnSync(helmBinary(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface RenderOptions {
  /** Value files under tools/helm-tests/values (names without `.yaml`). */
  valueSets?: string[];
  /** Other value files (absolute paths). */
  valueFiles?: string[];
  set?: string[];
  /** `--set-json` values (`path=<json>`). */
  setJson?: string[];
  namespace?: string;
  release?: string;
}

function templateArgs(options: RenderOptions): string[] {
  const args = ['template', options.release ?? 'hoot', CHART_DIR, '--kube-version', KUBE_VERSION];
  args.push('--namespace', options.namespace ?? 'hoot');
  for (const set of options.valueSets ?? []) args.push('-f', join(VALUE_SETS_DIR, `${set}.yaml`));
  for (const file of options.valueFiles ?? []) args.push('-f', file);
  for (const s of options.set ?? []) args.push('--set', s);
  for (const s of options.setJson ?? []) args.push('--set-json', s);
  return args;
}

/** `helm template` output as text; throws with helm's message when rendering fails. */
export function renderYaml(options: RenderOptions = {}): string {
  const run = runHelm(templateArgs(options));
  if (run.status !== 0) throw new Error(`helm template failed: ${run.stderr.trim()}`);
  return run.stdout;
}

/** `helm template` output as objects (empty documents dropped). */
export function render(options: RenderOptions = {}): K8sObject[] {
  return parseManifests(renderYaml(options));
}

/** The failure of a rendering that must fail (its stderr), or throws when it succeeds. */
export function renderFailure(options: RenderOptions): string {
  const run = runHelm(templateArgs(options));
  if (run.status === 0) throw new Error('helm template succeeded but was expected to fail');
  return run.stderr;
}

export function parseManifests(text: string): K8sObject[] {
  return (loadAll(text) as unknown[]).filter(
    (doc): doc is K8sObject => typeof doc === 'object' && doc !== null && 'kind' in doc,
  );
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function named(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found)
    throw new Error(
      `no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
    );
  return found;
}

/** Pod templates of every workload, with the workload they belong to. */
export function podTemplates(objects: K8sObject[]): { owner: K8sObject; template: K8sObject['spec'] }[] {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind))
    .map((owner) => ({ owner, template: owner.spec.template }));
}
