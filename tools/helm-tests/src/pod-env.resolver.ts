import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WORKSPACE_ROOT, type K8sObject } from './chart.render';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Container = any;

/** What the downward API gives the chart's pods (the fields its templates reference). */
export interface PodFacts {
  name: string;
  namespace: string;
  podIP: string;
  hostIP: string;
}

/**
 * The environment a container of a rendered workload starts with, as the kubelet builds it: the
 * ConfigMaps of `envFrom`, then `env` in order (downward API fields from `pod`, `$(NAME)` expanded from
 * the variables defined before it). Every `*_FILE` path that points into a mounted Secret is rewritten to
 * a file under `dir` holding `secrets[key]`, the content of that Secret key; a missing key throws (the pod
 * would not start either).
 */
export function containerEnv(
  objects: K8sObject[],
  template: K8sObject['spec'],
  containerName: string,
  pod: PodFacts,
  secrets: Record<string, string>,
  dir: string,
): Record<string, string> {
  const container: Container = template.spec.containers.find((c: Container) => c.name === containerName);
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const configMap = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef.name,
    ) as K8sObject;
    Object.assign(env, configMap.data);
  }
  const fields: Record<string, string> = {
    'metadata.name': pod.name,
    'metadata.namespace': pod.namespace,
    'status.podIP': pod.podIP,
    'status.hostIP': pod.hostIP,
  };
  for (const e of container.env ?? []) {
    if (e.valueFrom) {
      const path = e.valueFrom.fieldRef?.fieldPath;
      if (!(path in fields))
        throw new Error(`${e.name}: unsupported valueFrom ${JSON.stringify(e.valueFrom)}`);
      env[e.name] = fields[path];
    } else {
      env[e.name] = String(e.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (ref, name) =>
        name in env ? env[name] : ref,
      );
    }
    if (e.name.endsWith('_FILE'))
      env[e.name] = secretFile(template, container, env[e.name], secrets, dir, env);
  }
  return env;
}

interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  subPathExpr?: string;
}

/**
 * The mount of `container` that `path` lies in: a folder mount (`path` under it) or a single file mounted
 * with `subPath`/`subPathExpr` (`path` is the mount path).
 */
export function mountOf(container: Container, path: string): VolumeMount | undefined {
  return (container.volumeMounts ?? []).find(
    (m: VolumeMount) =>
      path.startsWith(`${m.mountPath}/`) ||
      (path === m.mountPath && (m.subPath !== undefined || m.subPathExpr !== undefined)),
  );
}

function secretFile(
  template: K8sObject['spec'],
  container: Container,
  path: string,
  secrets: Record<string, string>,
  dir: string,
  env: Record<string, string>,
) {
  const mount = mountOf(container, path);
  const volume = template.spec.volumes.find((v: { name: string }) => v.name === mount?.name);
  if (!mount || !volume?.secret) throw new Error(`${path} is not in a mounted Secret`);
  // The path inside the volume; `subPathExpr` expands the container's variables as the kubelet does.
  const subPath =
    mount.subPathExpr?.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (ref, name) =>
      name in env ? env[name] : ref,
    ) ?? mount.subPath;
  const relative = [subPath, path.slice(mount.mountPath.length + 1)].filter(Boolean).join('/');
  const item = (volume.secret.items ?? []).find((i: { path: string }) => i.path === relative);
  const key = item?.key ?? relative;
  const content = secrets[key];
  if (content === undefined)
    throw new Error(`no content for key ${key} of Secret ${volume.secret.secretName}`);
  const file = join(dir, mount.name, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

export type Service = 'registry' | 'cash' | 'packager';

export type Validation =
  { name: string; ok: true; config: Record<string, unknown> } | { name: string; ok: false; problem: string };

/** Each service's own boot-time config validation (its config class) on the given environments. */
export function validateWithService(
  service: Service,
  envs: { name: string; env: Record<string, string> }[],
): Validation[] {
  const loader = {
    registry: "require('./apps/registry/src/config/registry.config').registryConfigFrom",
    cash: "require('./apps/cash/src/config/cash.config').loadCashConfig",
    packager: "require('./apps/packager/src/config/packager.config').loadPackagerConfig",
  }[service];
  const script = `
    const load = ${loader};
    const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    const out = input.map(({ name, env }) => {
      try { return { name, ok: true, config: { ...load(env) } }; }
      catch (error) { return { name, ok: false, problem: String(error.message) }; }
    });
    process.stdout.write(JSON.stringify(out));`;
  const run = spawnSync(process.execPath, ['-r', './tools/ts-node/register.js', '-e', script], {
    cwd: WORKSPACE_ROOT,
    input: JSON.stringify(envs),
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  if (run.status !== 0) throw new Error(`config validation of ${service} did not run: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
