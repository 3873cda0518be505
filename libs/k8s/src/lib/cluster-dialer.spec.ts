import { request as httpRequest, createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { FakeDialSource } from '../testing/fake-dial-source';
import { ClusterDialer, classifyClusterHost, type EndpointSliceView } from './cluster-dialer';
import { K8sErrorCode, isK8sError } from './k8s-error';

describe('classifyClusterHost', () => {
  it.each([
    ['hoot-kafka', { kind: 'service', service: 'hoot-kafka', namespace: 'hoot' }],
    ['hoot-kafka.kafka', { kind: 'service', service: 'hoot-kafka', namespace: 'kafka' }],
    ['hoot-kafka.kafka.svc', { kind: 'service', service: 'hoot-kafka', namespace: 'kafka' }],
    ['hoot-kafka.kafka.svc.cluster.local', { kind: 'service', service: 'hoot-kafka', namespace: 'kafka' }],
    ['hoot-kafka.kafka.svc.cluster.local.', { kind: 'service', service: 'hoot-kafka', namespace: 'kafka' }],
    [
      'hoot-coremx-c2-0.hoot-coremx-c2.hoot.svc',
      { kind: 'pod', pod: 'hoot-coremx-c2-0', service: 'hoot-coremx-c2', namespace: 'hoot' },
    ],
    [
      'Kafka-0.Kafka-Headless.data.svc.cluster.local',
      { kind: 'pod', pod: 'kafka-0', service: 'kafka-headless', namespace: 'data' },
    ],
  ])('%s is a cluster name', (host, expected) => {
    expect(classifyClusterHost(host, 'hoot')).toEqual(expected);
  });

  it.each([
    '10.202.0.7',
    '::1',
    'localhost',
    'reg-c1-1.hoot.example',
    'a.b.c.d.svc',
    'under_score',
    '',
    'x.y.svc.other.domain',
  ])('%s is not', (host) => {
    expect(classifyClusterHost(host, 'hoot')).toBeUndefined();
  });

  it('knows another cluster domain', () => {
    expect(classifyClusterHost('db.data.svc.corp.internal', 'hoot', 'corp.internal')).toEqual({
      kind: 'service',
      service: 'db',
      namespace: 'data',
    });
  });
});

const slice = (
  ports: EndpointSliceView['ports'],
  endpoints: Array<{ pod?: string; ready?: boolean; terminating?: boolean }>,
): EndpointSliceView => ({
  name: 's',
  ports,
  endpoints: endpoints.map((e) => ({
    addresses: ['10.0.0.1'],
    ready: e.ready ?? true,
    terminating: e.terminating ?? false,
    ...(e.pod ? { pod: { name: e.pod, namespace: 'hoot' } } : {}),
  })),
});

const noForward = async (): Promise<Duplex> => {
  throw new Error('no port-forward in this test');
};

describe('ClusterDialer.resolve', () => {
  const dialerOn = (source: FakeDialSource) => new ClusterDialer({ source, namespace: 'hoot' });

  it('maps a Service port to its named targetPort through the EndpointSlices and picks a Ready pod', async () => {
    const source = new FakeDialSource(noForward)
      .addService('hoot', 'hoot-kafka', [
        { name: 'client', port: 9092, protocol: 'TCP', targetPort: 'kafka' },
      ])
      .addSlice(
        'hoot',
        'hoot-kafka',
        slice(
          [{ name: 'client', port: 19092, protocol: 'TCP' }],
          [
            { pod: 'hoot-kafka-2', ready: false },
            { pod: 'hoot-kafka-0', terminating: true },
            { pod: 'hoot-kafka-1' },
            {}, // no targetRef: an address we cannot port-forward to
          ],
        ),
      );
    await expect(
      dialerOn(source).resolve({ kind: 'service', service: 'hoot-kafka', namespace: 'hoot' }, 9092),
    ).resolves.toEqual({
      namespace: 'hoot',
      pod: 'hoot-kafka-1',
      port: 19092,
      via: 'service hoot/hoot-kafka',
    });
  });

  it('uses the numeric targetPort when the slice lists no ports (a Service without ports: the port asked)', async () => {
    const source = new FakeDialSource(noForward)
      .addService('hoot', 'web', [{ port: 80, protocol: 'TCP', targetPort: 8080 }])
      .addSlice('hoot', 'web', slice(null, [{ pod: 'web-1' }]))
      .addService('hoot', 'headless', [])
      .addSlice('hoot', 'headless', slice(null, [{ pod: 'h-0' }]));
    const dialer = dialerOn(source);
    expect((await dialer.resolve({ kind: 'service', service: 'web', namespace: 'hoot' }, 80)).port).toBe(
      8080,
    );
    expect(
      await dialer.resolve({ kind: 'service', service: 'headless', namespace: 'hoot' }, 7000),
    ).toMatchObject({
      pod: 'h-0',
      port: 7000,
    });
  });

  it('says when no Ready pod is behind the Service', async () => {
    const source = new FakeDialSource(noForward)
      .addService('hoot', 'hoot-kafka', [{ port: 9092, protocol: 'TCP', targetPort: 9092 }])
      .addSlice('hoot', 'hoot-kafka', slice([{ port: 9092 }], [{ pod: 'hoot-kafka-0', ready: false }]));
    await expect(
      dialerOn(source).resolve({ kind: 'service', service: 'hoot-kafka', namespace: 'hoot' }, 9092),
    ).rejects.toMatchObject({
      code: K8sErrorCode.NoReadyEndpoint,
      message: 'no Ready pod behind Service hoot/hoot-kafka port 9092',
    });
  });

  it('refuses an unknown Service, a port it does not have, and an ExternalName', async () => {
    const source = new FakeDialSource(noForward)
      .addService('hoot', 'web', [{ port: 80, protocol: 'TCP', targetPort: 8080 }])
      .addService('hoot', 'ext', [], { type: 'ExternalName', externalName: 'db.example.com' });
    const dialer = dialerOn(source);
    await expect(
      dialer.resolve({ kind: 'service', service: 'nope', namespace: 'hoot' }, 80),
    ).rejects.toMatchObject({
      code: K8sErrorCode.ServiceNotFound,
      message: 'no Service nope in namespace hoot',
    });
    await expect(
      dialer.resolve({ kind: 'service', service: 'web', namespace: 'hoot' }, 81),
    ).rejects.toMatchObject({
      code: K8sErrorCode.ServicePortNotFound,
      message: 'Service hoot/web has no TCP port 81 (ports: 80)',
    });
    await expect(
      dialer.resolve({ kind: 'service', service: 'ext', namespace: 'hoot' }, 5432),
    ).rejects.toMatchObject({
      code: K8sErrorCode.ServicePortNotFound,
    });
  });

  it('takes a pod name as it is, if the pod runs', async () => {
    const source = new FakeDialSource(noForward)
      .addPod('hoot', 'hoot-coremx-c2-0')
      .addPod('hoot', 'pending-0', { phase: 'Pending' });
    const dialer = dialerOn(source);
    const pod = (name: string) => ({ kind: 'pod' as const, pod: name, service: 'sts', namespace: 'hoot' });
    expect(await dialer.resolve(pod('hoot-coremx-c2-0'), 3300)).toEqual({
      namespace: 'hoot',
      pod: 'hoot-coremx-c2-0',
      port: 3300,
      via: 'pod hoot/hoot-coremx-c2-0',
    });
    await expect(dialer.resolve(pod('gone-0'), 3300)).rejects.toMatchObject({
      code: K8sErrorCode.PodNotFound,
    });
    await expect(dialer.resolve(pod('pending-0'), 3300)).rejects.toMatchObject({
      code: K8sErrorCode.PodNotFound,
      message: 'pod pending-0 in namespace hoot is Pending, not Running',
    });
  });
});

describe('ClusterDialer.open / connect', () => {
  let echo: ReturnType<typeof createTcpServer>;
  let echoPort: number;
  let http: Server;
  let httpPort: number;

  beforeAll(async () => {
    echo = createTcpServer((s) => s.pipe(s));
    http = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`${req.method} ${req.url} host=${req.headers.host}`);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as AddressInfo).port;
    httpPort = (http.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => echo.close(r));
    await new Promise((r) => http.close(r));
  });

  /** Stands in for the API server: a "port-forward" to a pod is a TCP connection to a local server. */
  const toLocal = (port: () => number) => (): Promise<Duplex> =>
    new Promise((resolve, reject) => {
      const s = connect(port(), '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });

  const roundTrip = (socket: Duplex, text: string) =>
    new Promise<string>((resolve, reject) => {
      let got = '';
      socket.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.length >= text.length) {
          socket.end();
          resolve(got);
        }
      });
      socket.on('error', reject);
      socket.write(text);
    });

  it('tunnels a cluster name that does not resolve here, and tells once per host:port', async () => {
    const source = new FakeDialSource(toLocal(() => echoPort)).addPod('hoot', 'hoot-coremx-c2-0');
    const notices: string[] = [];
    const dialer = new ClusterDialer({
      source,
      namespace: 'hoot',
      resolves: async () => false,
      onTunnel: (n) => notices.push(`${n.host}:${n.port} → ${n.target.via}`),
    });
    const host = 'hoot-coremx-c2-0.hoot-coremx-c2.hoot.svc';
    expect(await roundTrip(await dialer.open(host, 3300), 'ping')).toBe('ping');
    expect(await roundTrip(dialer.connect(host, 3300), 'pong')).toBe('pong');
    expect(source.forwards).toEqual([
      { namespace: 'hoot', pod: 'hoot-coremx-c2-0', port: 3300 },
      { namespace: 'hoot', pod: 'hoot-coremx-c2-0', port: 3300 },
    ]);
    expect(notices).toEqual([`${host}:3300 → pod hoot/hoot-coremx-c2-0`]);
  });

  it('connects directly when the name resolves (inside the cluster) or is no cluster name', async () => {
    const source = new FakeDialSource(noForward);
    const asked: string[] = [];
    const dialer = new ClusterDialer({
      source,
      namespace: 'hoot',
      resolves: async (h) => (asked.push(h), true),
      netConnect: (_h, p) => connect(p === 1 ? echoPort : p, '127.0.0.1'),
    });
    expect(await roundTrip(await dialer.open('hoot-kafka', 1), 'a')).toBe('a');
    expect(await roundTrip(await dialer.open('127.0.0.1', 1), 'b')).toBe('b');
    expect(asked).toEqual(['hoot-kafka']); // an IP is never looked up
    expect(source.forwards).toEqual([]);
  });

  it('carries HTTP through createConnection (what the CLI does for the CASH API)', async () => {
    const source = new FakeDialSource(toLocal(() => httpPort))
      .addService('hoot', 'cash', [{ name: 'api', port: 3300, protocol: 'TCP', targetPort: 'api' }])
      .addSlice('hoot', 'cash', slice([{ name: 'api', port: 3300 }], [{ pod: 'cash-0' }]));
    const dialer = new ClusterDialer({ source, namespace: 'hoot', resolves: async () => false });
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        {
          host: 'cash.hoot.svc',
          port: 3300,
          path: '/internal/v1/coremx/status',
          createConnection: () => dialer.connect('cash.hoot.svc', 3300) as never,
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('GET /internal/v1/coremx/status host=cash.hoot.svc:3300');
  });

  it('fails the socket with the RBAC error when the API refuses', async () => {
    const source = new FakeDialSource(noForward).addPod('hoot', 'p-0');
    source.forbidden = true;
    const dialer = new ClusterDialer({ source, namespace: 'hoot', resolves: async () => false });
    const socket = dialer.connect('p-0.sts.hoot.svc', 3300);
    const error = await new Promise<Error>((resolve) => socket.once('error', resolve));
    expect(isK8sError(error, K8sErrorCode.ApiForbidden)).toBe(true);
    expect(socket.destroyed).toBe(true);
  });
});
