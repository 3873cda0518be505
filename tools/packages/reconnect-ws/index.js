'use strict';
// A reconnecting WebSocket with the surface kurento-client 7.2.0 uses from `reconnect-ws`
// (lib/KurentoClient.js): `reconnect(options, onConnect).connect(url, socketOptions)` returns an
// EventEmitter with `connected`, `reconnect`, `disconnect()`, and the events `connect`/`connection`
// (a transport), `reconnect` (attempt, delayMs) before every retry, `disconnect`, `backoff` and `fail`.
// The transport handed to `onConnect` is what kurento-jsonrpc's RpcBuilder accepts: `send(text)` and
// W3C-style `addEventListener('message', ({ data }) => …)`; kurento-client sets `writable = false` on it
// once the client is closed, after which `send` drops messages.
const { EventEmitter } = require('node:events');
const WebSocket = require('ws');

/** Defaults of the original reconnect-core, so timing matches what kurento-client was written against. */
const DEFAULTS = {
  initialDelay: 1000, // first retry after 1 s
  maxDelay: 30000, // never wait more than 30 s between retries
  type: 'fibonacci', // or 'exponential'
  randomisationFactor: 0, // 0..1, spreads retries of many clients
  failAfter: Infinity, // consecutive failed attempts before `fail`
};

class Transport {
  constructor(socket) {
    this.socket = socket;
    this.writable = true;
    this.listeners = new Set();
    socket.on('message', (data, isBinary) => {
      const event = { data: isBinary ? data : data.toString('utf8') };
      for (const listener of [...this.listeners]) listener(event);
    });
  }

  send(message) {
    if (!this.writable || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(message);
    return true;
  }

  addEventListener(type, listener) {
    if (type === 'message') this.listeners.add(listener);
  }

  removeEventListener(type, listener) {
    if (type === 'message') this.listeners.delete(listener);
  }

  close() {
    this.socket.close();
  }
}

function delayFor(attempt, options) {
  let base;
  if (options.type === 'exponential') {
    base = options.initialDelay * 2 ** (attempt - 1);
  } else {
    let previous = 0;
    let current = options.initialDelay;
    for (let i = 1; i < attempt; i += 1) [previous, current] = [current, previous + current];
    base = current;
  }
  const spread = 1 + Math.random() * options.randomisationFactor;
  return Math.min(Math.round(base * spread), options.maxDelay);
}

function reconnect(opts, onConnect) {
  if (typeof opts === 'function') [opts, onConnect] = [{}, opts];
  const options = { ...DEFAULTS };
  for (const [key, value] of Object.entries(opts || {})) if (value !== undefined) options[key] = value;

  const emitter = new EventEmitter();
  emitter.connected = false;
  emitter.reconnect = true;
  if (onConnect) emitter.on('connect', onConnect);

  let args = [];
  let socket;
  let timer;
  let failures = 0;

  const safeEmitError = (error) => {
    if (emitter.listenerCount('error') > 0) emitter.emit('error', error);
  };

  const scheduleRetry = (error) => {
    failures += 1;
    if (failures >= options.failAfter) {
      emitter.reconnect = false;
      emitter.emit('fail', error);
      return;
    }
    const delay = delayFor(failures, options);
    emitter.emit('backoff', failures, delay, error);
    timer = setTimeout(() => {
      timer = undefined;
      if (!emitter.reconnect) return;
      emitter.emit('reconnect', failures, delay);
      attempt();
    }, delay);
  };

  const attempt = () => {
    let opened = false;
    let lastError;
    const current = new WebSocket(...args);
    socket = current;
    current.on('error', (error) => {
      lastError = error;
      safeEmitError(error);
    });
    current.once('open', () => {
      opened = true;
      failures = 0;
      emitter.connected = true;
      const transport = new Transport(current);
      emitter._transport = transport;
      emitter.emit('connect', transport);
      emitter.emit('connection', transport);
    });
    current.once('close', () => {
      if (socket === current) socket = undefined;
      if (emitter._transport && emitter._transport.socket === current) emitter._transport.writable = false;
      if (opened) {
        emitter.connected = false;
        emitter.emit('disconnect', lastError);
      }
      if (emitter.reconnect) scheduleRetry(lastError || new Error('connection closed'));
    });
  };

  emitter.connect = emitter.listen = (...connectArgs) => {
    args = connectArgs.length > 1 && connectArgs[1] === undefined ? [connectArgs[0]] : connectArgs;
    emitter.reconnect = true;
    attempt();
    return emitter;
  };

  emitter.disconnect = () => {
    emitter.reconnect = false;
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close();
    }
    return emitter;
  };

  emitter.reset = () => {
    failures = 0;
    return emitter;
  };

  return emitter;
}

module.exports = reconnect;
module.exports.default = reconnect;
