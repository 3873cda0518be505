import { PodWatcher, type PodSource, type PodView } from '@hoot/k8s';
import type { RegistryNode, RegistryNodeLog } from '../gcas/registry-node';

/** The CoreMX id of a pod: its `hoot.mx/coremx-id` label, else its name. */
export const coremxIdOfPod = (pod: PodView): string => pod.labels['hoot.mx/coremx-id'] ?? pod.name;

/**
 * In a cluster: watches the CoreMX pods and marks a deleted (or deleting) pod's CoreMX down at once,
 * instead of waiting for its heartbeats to stop.
 */
export function watchCoreMxPods(options: {
  source: PodSource;
  namespace: string;
  labelSelector: string;
  node: Pick<RegistryNode, 'markDown'>;
  log: RegistryNodeLog;
}): PodWatcher {
  const watcher = new PodWatcher({
    source: options.source,
    namespace: options.namespace,
    labelSelector: options.labelSelector,
    onPodChanged: (pod) => {
      if (pod.deleting) options.node.markDown(coremxIdOfPod(pod), `pod ${pod.name} is being deleted`);
    },
    onPodDeleted: (pod) => {
      options.node.markDown(coremxIdOfPod(pod), `pod ${pod.name} was deleted`);
    },
    onProblem: (problem) =>
      options.log.warn(
        { stage: problem.stage, err: String(problem.error), retryInMs: problem.retryInMs },
        'pod watch problem',
      ),
  });
  return watcher;
}
