import { K8sError, K8sErrorCode } from './k8s-error';
import type { ServiceSource } from './kube-api.port';
import { checkNamespace, parseLabelSelector } from './label-selector';
import type { ServicePortView, ServiceView } from './service-view';

/** Annotation that overrides the URL of a Service (for Services published through an Ingress or a proxy). */
export const SERVICE_URL_ANNOTATION = 'hoot.mx/url';

export interface ServiceUrlOptions {
  /** Use this named port (required if the Service has several ports and none is named `http`/`https`). */
  portName?: string;
  /** Overrides the scheme guessed from the port (`appProtocol`, then the name `https…` or port 443). */
  scheme?: 'http' | 'https';
}

export interface ServiceUrl {
  readonly url: string;
  /** `external`: from anywhere the load balancer/annotation is reachable; `in-cluster`: through cluster DNS. */
  readonly reach: 'external' | 'in-cluster';
  readonly service: ServiceView;
}

function pickPort(service: ServiceView, portName: string | undefined): ServicePortView {
  const where = `service ${service.namespace}/${service.name}`;
  if (portName !== undefined) {
    const port = service.ports.find((p) => p.name === portName);
    if (!port) {
      const names = service.ports.map((p) => p.name ?? String(p.port)).join(', ') || 'none';
      throw new K8sError(
        K8sErrorCode.ServicePortNotFound,
        `${where} has no port named '${portName}' (ports: ${names})`,
      );
    }
    return port;
  }
  if (service.ports.length === 0)
    throw new K8sError(K8sErrorCode.ServicePortNotFound, `${where} has no ports`);
  if (service.ports.length === 1) return service.ports[0];
  const named = service.ports.find((p) => p.name === 'https') ?? service.ports.find((p) => p.name === 'http');
  if (named) return named;
  throw new K8sError(
    K8sErrorCode.ServicePortNotFound,
    `${where} has ${service.ports.length} ports and none is named http or https: pass portName`,
  );
}

function schemeOf(port: ServicePortView, forced: ServiceUrlOptions['scheme']): 'http' | 'https' {
  if (forced) return forced;
  const app = port.appProtocol?.toLowerCase();
  if (app === 'https' || app === 'http') return app;
  if (port.name?.toLowerCase().startsWith('https') || port.port === 443) return 'https';
  return 'http';
}

function hostPort(host: string, port: number, scheme: 'http' | 'https'): string {
  const h = host.includes(':') ? `[${host}]` : host; // IPv6
  const standard = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
  return standard ? h : `${h}:${port}`;
}

/**
 * The URL clients use to reach a Service: its `hoot.mx/url` annotation if set; else a LoadBalancer's first
 * ingress address; else an ExternalName's host; else the cluster DNS name `<name>.<namespace>.svc`
 * (reachable from inside the cluster only). Throws `K8sError(ServicePortNotFound)`.
 */
export function serviceUrl(service: ServiceView, options: ServiceUrlOptions = {}): ServiceUrl {
  const annotated = service.annotations[SERVICE_URL_ANNOTATION];
  if (annotated) {
    let parsed: URL;
    try {
      parsed = new URL(annotated);
    } catch {
      throw new K8sError(
        K8sErrorCode.ApiRejected,
        `service ${service.namespace}/${service.name}: annotation ${SERVICE_URL_ANNOTATION} is not a URL: '${annotated}'`,
      );
    }
    return { url: parsed.toString().replace(/\/$/, ''), reach: 'external', service };
  }
  const port = pickPort(service, options.portName);
  const scheme = schemeOf(port, options.scheme);
  const ingress =
    service.type === 'LoadBalancer' ? service.ingress.find((i) => i.ip || i.hostname) : undefined;
  if (ingress) {
    return {
      url: `${scheme}://${hostPort((ingress.ip ?? ingress.hostname) as string, port.port, scheme)}`,
      reach: 'external',
      service,
    };
  }
  if (service.type === 'ExternalName' && service.externalName) {
    return {
      url: `${scheme}://${hostPort(service.externalName, port.port, scheme)}`,
      reach: 'external',
      service,
    };
  }
  const dns = `${service.name}.${service.namespace}.svc`;
  return { url: `${scheme}://${hostPort(dns, port.port, scheme)}`, reach: 'in-cluster', service };
}

/**
 * Finds the one Service matching `labelSelector` in `namespace` and returns its URL (see `serviceUrl`).
 * Throws `K8sError`: `ArgumentInvalid` (nothing is asked of the cluster), `ServiceNotFound`,
 * `ServiceAmbiguous`, `ServicePortNotFound`, or the API errors of the source.
 */
export async function findServiceUrl(
  source: ServiceSource,
  namespace: string,
  labelSelector: string,
  options: ServiceUrlOptions = {},
): Promise<ServiceUrl> {
  checkNamespace(namespace);
  if (parseLabelSelector(labelSelector).length === 0) {
    throw new K8sError(K8sErrorCode.ArgumentInvalid, 'findServiceUrl needs a non-empty label selector');
  }
  const services = await source.listServices(namespace, labelSelector);
  if (services.length === 0) {
    throw new K8sError(
      K8sErrorCode.ServiceNotFound,
      `no service in namespace '${namespace}' matches '${labelSelector}'`,
    );
  }
  if (services.length > 1) {
    const names = services
      .map((s) => s.name)
      .sort()
      .join(', ');
    throw new K8sError(
      K8sErrorCode.ServiceAmbiguous,
      `${services.length} services in namespace '${namespace}' match '${labelSelector}': ${names}`,
    );
  }
  return serviceUrl(services[0], options);
}
