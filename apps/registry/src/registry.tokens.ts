export const REGISTRY_CONFIG = Symbol('REGISTRY_CONFIG');
export const REGISTRY_NODE = Symbol('REGISTRY_NODE');
export const CONFERENCE_SERVICE = Symbol('CONFERENCE_SERVICE');
export const COREMX_BINDING = Symbol('COREMX_BINDING');
