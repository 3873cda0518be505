import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, infraPath, ManagedProcess, workspaceRoot } from '@hoot/process';

export interface StartKubeApiserverOptions {
  /**
   * `--min-request-timeout` of kube-apiserver: the server ends each watch that asked for no timeout after
   * between this and twice this many seconds (default 1800). Small values exercise watch resumption.
   */
  minRequestTimeoutSeconds?: number;
  /** More kube-apiserver flags (`--feature-gates=…`). */
  extraArgs?: string[];
  /** How long etcd and then kube-apiserver may take to become ready (each). */
  readyTimeoutMs?: number;
  /** How long building kube-apiserver may take when it is not cached yet (about 11 min on 2 cores). */
  installTimeoutMs?: number;
}

export interface RunningKubeApiserver {
  /** A kubeconfig (context `hoot-test`, user `admin` in group system:masters, namespace `default`). */
  kubeconfigPath: string;
  /** `https://127.0.0.1:<port>` */
  server: string;
  /** Bearer token of the admin user. */
  token: string;
  /** PEM file of the CA that signed the serving certificate. */
  caFile: string;
  /** The temporary folder with certificates, keys, etcd data and the kubeconfig (removed by `stop`). */
  dir: string;
  readonly etcd: ManagedProcess;
  readonly apiserver: ManagedProcess;
  /**
   * Kills kube-apiserver (SIGTERM, SIGKILL after 1 s: every open connection and watch breaks) and starts it
   * again on the same port with the same etcd, so all objects survive. Resolves when it is ready again.
   */
  restartApiserver(): Promise<void>;
  stop(): Promise<void>;
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** A throw-away CA, a serving certificate for 127.0.0.1 signed by it, and a service-account key pair. */
async function makeCertificates(dir: string): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'];
  await run(
    'openssl',
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-subj',
      '/CN=hoot-test-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    { cwd: dir },
  );
  await run(
    'openssl',
    [
      'req',
      '-x509',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      ...ec,
      '-keyout',
      'apiserver.key',
      '-out',
      'apiserver.crt',
      '-subj',
      '/CN=kube-apiserver',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc',
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'extendedKeyUsage=serverAuth',
    ],
    { cwd: dir },
  );
  await run(
    'openssl',
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'sa.key'],
    {
      cwd: dir,
    },
  );
  await run('openssl', ['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], { cwd: dir });
}

/** GET `path` on the API server; resolves with the body when the status is 200. */
function getOk(server: string, path: string, ca: Buffer, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server}${path}`,
      { ca, headers: { authorization: `Bearer ${token}` }, timeout: 2000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(body)
            : reject(new Error(`${path}: HTTP ${res.statusCode} ${body.slice(0, 300)}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Starts a real Kubernetes API server for a test: Debian's etcd and our kube-apiserver build
 * (`scripts/infra/kubernetes.sh`, built once with the other Kubernetes binaries and cached), on free ports of 127.0.0.1, with throw-away
 * certificates (openssl), a static admin token, a service-account key pair, RBAC authorization and the
 * default admission plugins (PodSecurity included). No kubelet or controllers run: pods are API objects
 * only, namespaces get no `default` service account (create it), deleted namespaces stay Terminating.
 * Ready once `/readyz` answers ok; the kubeconfig is written by then.
 */
export async function startKubeApiserver(
  options: StartKubeApiserverOptions = {},
): Promise<RunningKubeApiserver> {
  const script = join(workspaceRoot(), 'scripts/infra/kubernetes.sh');
  const installTimeoutMs = options.installTimeoutMs ?? 30 * 60_000;
  const apiserverBin = (
    await run(script, ['path', 'kube-apiserver'], { timeoutMs: installTimeoutMs })
  ).trim();
  const etcdBin = (await run(script, ['etcd-path'], { timeoutMs: installTimeoutMs })).trim();
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;

  const dir = mkdtempSync(join(tmpdir(), 'hoot-kube-'));
  const [etcdPort, peerPort, port] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${port}`;
  const token = randomBytes(24).toString('hex');
  const caFile = join(dir, 'ca.crt');
  let etcd: ManagedProcess | undefined;
  let apiserver: ManagedProcess | undefined;

  const cleanUp = async () => {
    await apiserver?.stop(5_000); // see restartApiserver: open watches would hold it up
    await etcd?.stop(20_000);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await makeCertificates(dir);
    writeFileSync(join(dir, 'tokens.csv'), `${token},admin,hoot-test-admin,"system:masters"\n`, {
      mode: 0o600,
    });
    const ca = readFileSync(caFile);

    etcd = await ManagedProcess.start({
      name: `etcd:${etcdPort}`,
      command: etcdBin,
      args: [
        '--name',
        'hoot-test',
        '--data-dir',
        join(dir, 'etcd'),
        '--listen-client-urls',
        `http://127.0.0.1:${etcdPort}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${etcdPort}`,
        '--listen-peer-urls',
        `http://127.0.0.1:${peerPort}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${peerPort}`,
        '--initial-cluster',
        `hoot-test=http://127.0.0.1:${peerPort}`,
        '--log-level',
        'warn',
        '--logger',
        'zap',
      ],
      logFile: infraPath('test-logs', `etcd-${etcdPort}.log`),
      readyProbe: async () => {
        const res = await fetch(`http://127.0.0.1:${etcdPort}/health`);
        const body = (await res.json()) as { health?: string };
        if (body.health !== 'true') throw new Error(`etcd health: ${JSON.stringify(body)}`);
      },
      readyTimeoutMs,
    });

    const apiserverArgs = [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // The `kubernetes` Service's endpoints may not point at a loopback address: do not maintain them.
      '--endpoint-reconciler-type=none',
      `--secure-port=${port}`,
      `--tls-cert-file=${join(dir, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(dir, 'apiserver.key')}`,
      `--cert-dir=${join(dir, 'certs')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--enable-admission-plugins=PodSecurity',
      '--allow-privileged=true',
      '--profiling=false',
      ...(options.minRequestTimeoutSeconds !== undefined
        ? [`--min-request-timeout=${options.minRequestTimeoutSeconds}`]
        : []),
      ...(options.extraArgs ?? []),
    ];
    const startApiserver = () =>
      ManagedProcess.start({
        name: `kube-apiserver:${port}`,
        command: apiserverBin,
        args: apiserverArgs,
        logFile: infraPath('test-logs', `kube-apiserver-${port}.log`),
        readyProbe: () => getOk(server, '/readyz', ca, token),
        readyTimeoutMs,
      });
    apiserver = await startApiserver();

    const kubeconfigPath = join(dir, 'kubeconfig');
    // JSON is YAML: every kubeconfig reader takes it.
    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'hoot-test', cluster: { server, 'certificate-authority': caFile } }],
      users: [{ name: 'admin', user: { token } }],
      contexts: [
        { name: 'hoot-test', context: { cluster: 'hoot-test', user: 'admin', namespace: 'default' } },
      ],
      'current-context': 'hoot-test',
    };
    writeFileSync(kubeconfigPath, JSON.stringify(kubeconfig, null, 2), { mode: 0o600 });

    let stopped = false;
    return {
      kubeconfigPath,
      server,
      token,
      caFile,
      dir,
      get etcd() {
        return etcd as ManagedProcess;
      },
      get apiserver() {
        return apiserver as ManagedProcess;
      },
      async restartApiserver() {
        if (stopped) throw new Error('startKubeApiserver: already stopped');
        // kube-apiserver does not exit on SIGTERM while a watch is open (it waits for the connection to go
        // idle): a short grace, then SIGKILL, as after a crash. Every open connection breaks.
        await apiserver?.stop(1_000);
        apiserver = undefined;
        apiserver = await startApiserver();
      },
      async stop() {
        stopped = true;
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
