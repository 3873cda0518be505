// Preloaded into `kubectl hoot` (NODE_OPTIONS=--require …) by the cluster suite: connections to
// host:port pairs named in HOOT_E2E_CONNECT_MAP (JSON {"hoot-kafka:9092":"127.0.0.1:41234"}) go to the
// mapped address instead. Kafka advertises its listener as the Service name (hoot-kafka:9092), which a
// host cannot resolve; the suite port-forwards the Service and maps that name onto the forward, so the
// real CLI reads the real topics from the host. Test-only: nothing in the product loads this.
'use strict';
const net = require('node:net');

const map = JSON.parse(process.env.HOOT_E2E_CONNECT_MAP || '{}');
const original = net.connect;

function mapped(host, port) {
  const target = map[`${host}:${port}`];
  if (!target) return undefined;
  const i = target.lastIndexOf(':');
  return { host: target.slice(0, i), port: Number(target.slice(i + 1)) };
}

net.connect = net.createConnection = function connect(...args) {
  const [first] = args;
  if (first && typeof first === 'object' && !Array.isArray(first)) {
    const to = mapped(first.host, first.port);
    if (to) args[0] = { ...first, ...to };
  } else if (typeof first === 'number' || typeof first === 'string') {
    const to = mapped(typeof args[1] === 'string' ? args[1] : 'localhost', first);
    if (to) {
      args[0] = to.port;
      args[1] = to.host;
    }
  }
  return original.apply(this, args);
};
