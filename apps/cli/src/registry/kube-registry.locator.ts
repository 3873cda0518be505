import { K8sErrorCode, isK8sError, loadKubeConfig, serviceUrl, type ServiceUrl } from '@hoot/k8s';
import type { KubeTarget, RegistryLocator } from '../cli.context';

/** The chart's label naming the registry node of a Service (orders the URLs). */
const REGISTRY_ID_LABEL = 'hoot.mx/registry-id';

/**
 * Finds registry URLs through the Kubernetes API (libs/k8s): the one Service matching the selector
 * (`findServiceUrl`), or, since the chart makes one Service per registry node, every matching Service
 * when there are several, ordered by registry id. A URL reachable only through cluster DNS is returned
 * with a warning when not running in a pod.
 */
export class KubeRegistryLocator implements RegistryLocator {
  async registryUrls(target: KubeTarget, warn: (message: string) => void): Promise<string[]> {
    const inPod = target.inCluster && target.kubeconfig === undefined && target.context === undefined;
    const kube = loadKubeConfig(
      inPod ? { inCluster: true } : { kubeconfigPath: target.kubeconfig, context: target.context },
    );
    const namespace = target.namespace ?? kube.namespace;
    let found: ServiceUrl[];
    try {
      found = [await kube.findServiceUrl(namespace, target.selector)];
    } catch (error) {
      if (!isK8sError(error) || error.code !== K8sErrorCode.ServiceAmbiguous) throw error;
      const services = await kube.listServices(namespace, target.selector);
      found = services
        .map((service) => serviceUrl(service))
        .sort((a, b) =>
          (a.service.labels[REGISTRY_ID_LABEL] ?? a.service.name).localeCompare(
            b.service.labels[REGISTRY_ID_LABEL] ?? b.service.name,
          ),
        );
    }
    if (!inPod && found.some((f) => f.reach === 'in-cluster')) {
      warn(
        `registry Services in ${namespace} are reachable inside the cluster only (${found
          .map((f) => f.url)
          .join(', ')}): annotate them with hoot.mx/url, or port-forward and pass --registry`,
      );
    }
    return [...new Set(found.map((f) => f.url))];
  }
}
