/**
 * The chart's deny-by-default NetworkPolicies, proved by traffic on the local cluster (issue 15, item 4): from a
 * throw-away pod in the release's namespace auth, MongoDB and Kafka are unreachable; the registry reaches auth,
 * Kafka and MongoDB; CASH reaches Kafka, the registry and auth but not MongoDB; auth reaches MongoDB and Kafka
 * but no registry. (CASH and its KMS share the CoreMX pod: that flow is localhost.)
 * A cluster with the release deployed is used as it is and left running; otherwise this spec builds the images,
 * brings the cluster up, loads them, installs the chart (scripts/cluster-install) and brings it down at the end.
 */
import { eventually } from '@hoot/testing';
import { apply, clusterProcessesRunning, kubectl, kubectlOk, netcheckPod, run, runOk } from '../src/cluster';

const NS = process.env['HOOT_NAMESPACE'] ?? 'hoot';
const RELEASE = process.env['HOOT_RELEASE'] ?? 'hoot';
const PROBE = `policy-probe-${process.pid}`;

const PORTS = { auth: 3100, registry: 3200, coremx: 3300, mongodb: 27017, kafka: 9092 } as const;
type Target = keyof typeof PORTS;

/** One Ready pod per target: the IP policies are enforced on (Services only DNAT to it). */
const ips: Partial<Record<Target, string>> = {};
const pods: Partial<Record<Target, string>> = {};

function selector(target: Target): string {
  if (target === 'mongodb' || target === 'kafka') return `app.kubernetes.io/name=${target}`;
  return `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=${target}`;
}

async function releaseDeployed(): Promise<boolean> {
  const r = await kubectl(['-n', NS, 'get', 'pods', '-l', selector('registry'), '-o', 'name'], {
    timeoutMs: 10_000,
  });
  return r.code === 0 && r.stdout.trim() !== '';
}

const NODE_CONNECT =
  "const [h,p]=process.argv.slice(1);const s=require('net').connect({host:h,port:+p,timeout:1500});" +
  "s.on('connect',()=>{console.log('open');process.exit(0)});" +
  "s.on('timeout',()=>{console.log('timeout');process.exit(1)});" +
  "s.on('error',e=>{console.log(e.code);process.exit(1)})";

/** Whether a TCP connection from `from` (a chart pod through node, or the probe through netcheck) opens. */
async function opens(from: Target | 'probe', to: Target): Promise<boolean> {
  const address = `${ips[to]}`;
  const args =
    from === 'probe'
      ? ['-n', NS, 'exec', PROBE, '--', '/netcheck', 'dial', `${address}:${PORTS[to]}`, '1500ms']
      : [
          '-n',
          NS,
          'exec',
          `${pods[from]}`,
          '-c',
          from === 'coremx' ? 'cash' : from,
          '--',
          'node',
          '-e',
          NODE_CONNECT,
          address,
          `${PORTS[to]}`,
        ];
  const r = await kubectl(args, { timeoutMs: 20_000 });
  return r.stdout.trim() === 'open';
}

describe('the chart’s NetworkPolicies, enforced (kube-router on the local cluster)', () => {
  let started = false;

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('the cluster specs need root (run npm test as root)');
    if (!(clusterProcessesRunning() && (await releaseDeployed()))) {
      started = !clusterProcessesRunning();
      await runOk('scripts/build-images.sh', [], { timeoutMs: 1_500_000 });
      await runOk('scripts/cluster-up', [], { timeoutMs: 1_500_000 });
      // Every image the build makes, as it names them (one list: the chart's `image.repositories`).
      const listed = await runOk('scripts/build-images.sh', ['--list'], { timeoutMs: 60_000 });
      const images = listed.stdout.split('\n').flatMap((line) => line.trim().split(/\s+/)[0] || []);
      await runOk('scripts/cluster-load-images', images, { timeoutMs: 900_000 });
      await runOk('scripts/cluster-install', ['--no-test'], { timeoutMs: 900_000 });
    }
    for (const target of Object.keys(PORTS) as Target[]) {
      const [name, ip] = await eventually(
        async () => {
          const out = await kubectlOk([
            '-n',
            NS,
            'get',
            'pods',
            '-l',
            selector(target),
            '--field-selector=status.phase=Running',
            '-o',
            'jsonpath={.items[0].metadata.name} {.items[0].status.podIP}',
          ]);
          const [n, i] = out.trim().split(' ');
          if (!n || !i?.startsWith('10.202.'))
            throw new Error(`no running ${target} pod with an IP yet: '${out.trim()}'`);
          return [n, i] as const;
        },
        { timeoutMs: 300_000, intervalMs: 1000, description: `a running ${target} pod` },
      );
      pods[target] = name;
      ips[target] = ip;
    }
    await apply(netcheckPod(NS, PROBE, { app: 'policy-probe' }, ['serve', ':8080']));
    await kubectlOk(['-n', NS, 'wait', '--for=condition=Ready', `pod/${PROBE}`, '--timeout=60s'], {
      timeoutMs: 70_000,
    });
  });

  afterAll(async () => {
    await kubectl(['-n', NS, 'delete', 'pod', PROBE, '--grace-period=0', '--force', '--wait=false']);
    if (started) await run('scripts/cluster-down', [], { timeoutMs: 300_000 });
  });

  it('a throw-away pod in the namespace reaches neither auth nor MongoDB nor Kafka, but the public CoreMX port', async () => {
    expect({
      coremx: await opens('probe', 'coremx'),
      auth: await opens('probe', 'auth'),
      mongodb: await opens('probe', 'mongodb'),
      kafka: await opens('probe', 'kafka'),
    }).toEqual({ coremx: true, auth: false, mongodb: false, kafka: false });
  });

  it('the registry reaches auth, Kafka and MongoDB', async () => {
    expect({
      auth: await opens('registry', 'auth'),
      kafka: await opens('registry', 'kafka'),
      mongodb: await opens('registry', 'mongodb'),
    }).toEqual({ auth: true, kafka: true, mongodb: true });
  });

  it('CASH reaches Kafka, the registry and auth, not MongoDB', async () => {
    expect({
      kafka: await opens('coremx', 'kafka'),
      registry: await opens('coremx', 'registry'),
      auth: await opens('coremx', 'auth'),
      mongodb: await opens('coremx', 'mongodb'),
    }).toEqual({ kafka: true, registry: true, auth: true, mongodb: false });
  });

  it('auth reaches MongoDB and Kafka, nothing else', async () => {
    expect({
      mongodb: await opens('auth', 'mongodb'),
      kafka: await opens('auth', 'kafka'),
      registry: await opens('auth', 'registry'),
      coremx: await opens('auth', 'coremx'),
    }).toEqual({ mongodb: true, kafka: true, registry: false, coremx: false });
  });
});
