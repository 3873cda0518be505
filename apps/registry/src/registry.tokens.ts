export const REGISTRY_CONFIG = Symbol('REGISTRY_CONFIG');
export const REGISTRY_NODE = Symbol('REGISTRY_NODE');
