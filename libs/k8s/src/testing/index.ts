export * from './fake-kube-api';
