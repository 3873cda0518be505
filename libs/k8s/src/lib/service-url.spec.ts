import { FakeServiceSource } from '../testing';
import { K8sError, K8sErrorCode } from './k8s-error';
import { findServiceUrl, serviceUrl } from './service-url';
import { toServiceView, type RawService } from './service-view';

function service(
  raw: Partial<RawService> & { name?: string; ports?: NonNullable<RawService['spec']>['ports'] } = {},
) {
  return toServiceView({
    metadata: {
      name: raw.name ?? 'registry',
      namespace: 'hoot',
      labels: { app: 'registry' },
      ...raw.metadata,
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.10',
      ports: raw.ports ?? [{ name: 'http', port: 8080 }],
      ...raw.spec,
    },
    status: raw.status,
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof K8sError ? error.code : 'not a K8sError';
  }
  return undefined;
}

describe('serviceUrl', () => {
  it('uses cluster DNS for a ClusterIP service', () => {
    expect(serviceUrl(service())).toMatchObject({
      url: 'http://registry.hoot.svc:8080',
      reach: 'in-cluster',
    });
  });

  it('uses the first load-balancer address of a LoadBalancer service, and leaves out default ports', () => {
    const lb = service({
      spec: { type: 'LoadBalancer' },
      ports: [{ name: 'https', port: 443 }],
      status: { loadBalancer: { ingress: [{ hostname: 'reg.example.com' }, { ip: '1.2.3.4' }] } },
    });
    expect(serviceUrl(lb)).toMatchObject({ url: 'https://reg.example.com', reach: 'external' });
    const pending = service({ spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [] } } });
    expect(serviceUrl(pending).reach).toBe('in-cluster');
  });

  it('brackets IPv6 addresses and uses an ExternalName host', () => {
    const v6 = service({
      spec: { type: 'LoadBalancer' },
      status: { loadBalancer: { ingress: [{ ip: 'fd00::1' }] } },
    });
    expect(serviceUrl(v6).url).toBe('http://[fd00::1]:8080');
    const ext = service({
      spec: { type: 'ExternalName', externalName: 'registry.example.org' },
      ports: [{ port: 80 }],
    });
    expect(serviceUrl(ext)).toMatchObject({ url: 'http://registry.example.org', reach: 'external' });
  });

  it('prefers the hoot.mx/url annotation, and refuses one that is not a URL', () => {
    const annotated = service({ metadata: { annotations: { 'hoot.mx/url': 'https://reg.hoot.mx/' } } });
    expect(serviceUrl(annotated)).toMatchObject({ url: 'https://reg.hoot.mx', reach: 'external' });
    const broken = service({ metadata: { annotations: { 'hoot.mx/url': 'not a url' } } });
    expect(() => serviceUrl(broken)).toThrow(/not a URL/);
  });

  it('picks the port: named, single, http/https among several; the scheme from appProtocol, name or 443', () => {
    const multi = service({
      ports: [
        { name: 'metrics', port: 9090 },
        { name: 'https', port: 8443 },
      ],
    });
    expect(serviceUrl(multi).url).toBe('https://registry.hoot.svc:8443');
    expect(serviceUrl(multi, { portName: 'metrics' }).url).toBe('http://registry.hoot.svc:9090');
    expect(serviceUrl(multi, { portName: 'metrics', scheme: 'https' }).url).toBe(
      'https://registry.hoot.svc:9090',
    );
    const app = service({ ports: [{ name: 'api', port: 7000, appProtocol: 'https' }] });
    expect(serviceUrl(app).url).toBe('https://registry.hoot.svc:7000');
    expect(() => serviceUrl(multi, { portName: 'grpc' })).toThrow(
      /no port named 'grpc' \(ports: metrics, https\)/,
    );
    const unnamed = service({ ports: [{ port: 1 }, { port: 2 }] });
    expect(() => serviceUrl(unnamed)).toThrow(/pass portName/);
    expect(() => serviceUrl(service({ ports: [] }))).toThrow(/no ports/);
  });
});

describe('findServiceUrl', () => {
  it('finds the one matching service in the namespace', async () => {
    const source = new FakeServiceSource([
      service(),
      service({ name: 'auth', metadata: { labels: { app: 'auth' } } }),
      toServiceView({ metadata: { name: 'registry', namespace: 'other', labels: { app: 'registry' } } }),
    ]);
    await expect(findServiceUrl(source, 'hoot', 'app=registry')).resolves.toMatchObject({
      url: 'http://registry.hoot.svc:8080',
      service: { name: 'registry', namespace: 'hoot' },
    });
  });

  it('says clearly when none or several match', async () => {
    const source = new FakeServiceSource([service(), service({ name: 'registry-2' })]);
    expect(await codeOf(findServiceUrl(source, 'hoot', 'app=nothing'))).toBe(K8sErrorCode.ServiceNotFound);
    await expect(findServiceUrl(source, 'hoot', 'app=registry')).rejects.toThrow(
      "2 services in namespace 'hoot' match 'app=registry': registry, registry-2",
    );
    expect(await codeOf(findServiceUrl(source, 'hoot', 'app=registry'))).toBe(K8sErrorCode.ServiceAmbiguous);
  });

  it('refuses bad arguments without asking the API, and passes API errors through', async () => {
    const source = new FakeServiceSource([service()]);
    const listed = jest.spyOn(source, 'listServices');
    expect(await codeOf(findServiceUrl(source, 'Bad NS', 'app=x'))).toBe(K8sErrorCode.ArgumentInvalid);
    expect(await codeOf(findServiceUrl(source, 'hoot', ''))).toBe(K8sErrorCode.ArgumentInvalid);
    expect(await codeOf(findServiceUrl(source, 'hoot', 'app in ('))).toBe(K8sErrorCode.ArgumentInvalid);
    expect(listed).not.toHaveBeenCalled();
    source.failNextList(new K8sError(K8sErrorCode.ApiForbidden, 'services is forbidden'));
    expect(await codeOf(findServiceUrl(source, 'hoot', 'app=registry'))).toBe(K8sErrorCode.ApiForbidden);
  });
});
