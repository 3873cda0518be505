// Process machinery (ManagedProcess, freePort, workspaceRoot, newServiceKey) lives in @hoot/process, which
// `npm start` uses too; it is handed on here so specs keep one import.
export * from '@hoot/process';
export * from './lib/eventually';
export * from './lib/fake-clock';
export * from './lib/integration-env';
export * from './lib/integration-infra';
export * from './lib/kube-apiserver';
export * from './lib/local-infra';
export * from './lib/auth-service';
export * from './lib/cash-process';
export * from './lib/packager-process';
export * from './lib/registry-process';
export * from './lib/chromium';
export * from './lib/web-page';
export * from './lib/openapi-check';
export * from './lib/cash-stack';
export * from './lib/signaling-client';
export * from './lib/registry-cluster';
export * from './lib/conference-platform';
