import { loadKubeConfig, type ClusterDialer, type TunnelNotice } from '@hoot/k8s';
import type { KafkaSocketFactory } from '@hoot/events';
import type { FetchLike } from '@hoot/sdk';
import type { ClusterTunnel, KubeTarget } from '../cli.context';
import { fetchOver } from './fetch-over';

const describe = (n: TunnelNotice) =>
  `connecting to ${n.host}:${n.port} through the Kubernetes API (port-forward to pod ${n.target.namespace}/${n.target.pod}:${n.target.port}${
    n.target.via.startsWith('service') ? `, behind ${n.target.via}` : ''
  }): the name resolves inside the cluster only`;

/**
 * The real `ClusterTunnel`: a `ClusterDialer` of libs/k8s on the kubeconfig the registry lookup uses
 * (`--kubeconfig`, `--context`, in a pod its service account), for the namespace of `-n` or the context's.
 * A host that resolves here, or is no cluster name, is connected directly.
 */
export class KubeTunnel implements ClusterTunnel {
  private dialer?: ClusterDialer;

  private dialerFor(target: KubeTarget, notice: (message: string) => void): ClusterDialer {
    if (!this.dialer) {
      const inPod = target.inCluster && target.kubeconfig === undefined && target.context === undefined;
      const kube = loadKubeConfig(
        inPod ? { inCluster: true } : { kubeconfigPath: target.kubeconfig, context: target.context },
      );
      this.dialer = kube.clusterDialer({
        namespace: target.namespace ?? kube.namespace,
        onTunnel: (n) => notice(describe(n)),
      });
    }
    return this.dialer;
  }

  async fetchFor(
    target: KubeTarget,
    url: string,
    notice: (message: string) => void,
  ): Promise<FetchLike | undefined> {
    const host = new URL(url).hostname;
    const dialer = this.dialerFor(target, notice);
    if (!(await dialer.tunnelFor(host))) return undefined;
    return fetchOver((h, port, tls) => dialer.connect(h, port, tls));
  }

  async socketFactory(target: KubeTarget, notice: (message: string) => void): Promise<KafkaSocketFactory> {
    const dialer = this.dialerFor(target, notice);
    return ({ host, port, ssl, onConnect }) => {
      const socket = dialer.connect(host, port, ssl ? (ssl === true ? {} : ssl) : undefined);
      socket.once('connect', onConnect);
      return socket;
    };
  }
}
