import { named, render, type K8sObject } from './chart.render';

/** The value sets every "rendered with" suite renders the chart with (names → files under `values/`). */
export const VALUE_SETS: Record<string, string[]> = {
  default: [],
  'two clouds × two registry nodes': ['two-clouds'],
  'host networking for media': ['host-network'],
  'external Kafka/MongoDB with existing secrets': ['external-infra'],
};

/** The chart rendered with each value set, rendered on first use (once per spec file) and kept. */
export const rendered = Object.defineProperties(
  {},
  Object.fromEntries(
    Object.entries(VALUE_SETS).map(([name, valueSets]) => {
      let objects: K8sObject[] | undefined;
      return [name, { enumerable: true, get: () => (objects ??= render({ valueSets })) }];
    }),
  ),
) as Record<string, K8sObject[]>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Container = any;

/**
 * Fake contents of each CoreMX pod's two packager keys (Secret coremx.packager.existingSecret), which the
 * packager and CASH containers mount: `packager-control-key-<pod>` and `packager-viewer-token-key-<pod>`.
 */
export function packagerKeys(pods: string[]): Record<string, string> {
  return Object.fromEntries(
    pods.flatMap((pod) => [
      [`packager-control-key-${pod}`, `control-${pod}-0123456789`],
      [`packager-viewer-token-key-${pod}`, `viewer-token-${pod}-0123456789abcdef0123456789`],
    ]),
  );
}

export function containersOf(template: K8sObject['spec']): Container[] {
  return [...(template.spec.initContainers ?? []), ...template.spec.containers];
}

export function configData(objects: K8sObject[], name: string): Record<string, string> {
  return named(objects, 'ConfigMap', name).data;
}

export function envOf(container: Container): Record<string, string> {
  return Object.fromEntries(
    (container.env ?? []).map((e: { name: string; value?: string }) => [e.name, e.value ?? '<ref>']),
  );
}
