export * from './fake-kube-api';
export * from './fake-dial-source';
