/** Label of every registry Service of the chart (`helm/hoot/templates/registry/service.yaml`). */
export const REGISTRY_SERVICE_SELECTOR = 'app.kubernetes.io/component=registry';
