import type { Duplex } from 'node:stream';
import type { DialServicePort, DialSource, EndpointSliceView } from '../lib/cluster-dialer';
import { K8sError, K8sErrorCode } from '../lib/k8s-error';
import type { PodView } from '../lib/pod-view';
import type { ServiceView } from '../lib/service-view';

type FakeService = ServiceView & { targetPorts: DialServicePort[] };

/**
 * An in-memory `DialSource`: Services, EndpointSlices and pods put in by the test; `portForward` calls
 * `forward` (e.g. a `net.connect` to a local server standing in for the pod) and records each call;
 * `forbidden` makes every call fail as RBAC would.
 */
export class FakeDialSource implements DialSource {
  readonly services = new Map<string, FakeService>();
  readonly slices = new Map<string, EndpointSliceView[]>();
  readonly pods = new Map<string, PodView>();
  readonly forwards: Array<{ namespace: string; pod: string; port: number }> = [];
  forbidden = false;

  constructor(private readonly forward: (namespace: string, pod: string, port: number) => Promise<Duplex>) {}

  addService(
    namespace: string,
    name: string,
    ports: DialServicePort[],
    extra: Partial<ServiceView> = {},
  ): this {
    this.services.set(`${namespace}/${name}`, {
      name,
      namespace,
      type: 'ClusterIP',
      ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
      ingress: [],
      labels: {},
      annotations: {},
      ...extra,
      targetPorts: ports,
    });
    return this;
  }

  addSlice(namespace: string, service: string, slice: EndpointSliceView): this {
    const key = `${namespace}/${service}`;
    this.slices.set(key, [...(this.slices.get(key) ?? []), slice]);
    return this;
  }

  addPod(namespace: string, name: string, overrides: Partial<PodView> = {}): this {
    this.pods.set(`${namespace}/${name}`, {
      name,
      namespace,
      uid: `uid-${name}`,
      labels: {},
      phase: 'Running',
      ready: true,
      deleting: false,
      resourceVersion: '1',
      ...overrides,
    });
    return this;
  }

  private check(verb: string, resource: string, namespace: string): void {
    if (this.forbidden) {
      throw new K8sError(
        K8sErrorCode.ApiForbidden,
        `${resource} is forbidden: cannot ${verb} resource "${resource}" in namespace "${namespace}"`,
        { status: 403 },
      );
    }
  }

  async getService(namespace: string, name: string) {
    this.check('get', 'services', namespace);
    return this.services.get(`${namespace}/${name}`);
  }

  async listEndpointSlices(namespace: string, service: string) {
    this.check('list', 'endpointslices', namespace);
    return this.slices.get(`${namespace}/${service}`) ?? [];
  }

  async getPod(namespace: string, name: string) {
    this.check('get', 'pods', namespace);
    return this.pods.get(`${namespace}/${name}`);
  }

  async portForward(namespace: string, pod: string, port: number) {
    this.check('create', 'pods/portforward', namespace);
    this.forwards.push({ namespace, pod, port });
    return this.forward(namespace, pod, port);
  }
}
