// Helpers of every chart test program (templates/tests): tcp(), http(), until(), ok(), fail(), done().
const net = require('node:net');
const deadline = Date.now() + Number(process.env.TEST_TIMEOUT_MS);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let failures = 0;
const ok = (m) => console.log(`ok   ${m}`);
const fail = (m) => {
  failures++;
  console.log(`FAIL ${m}`);
};
const done = () => {
  console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
  process.exit(failures ? 1 : 0);
};
/** 'open' when a TCP connection is accepted, else why not ('timeout', 'ECONNREFUSED', …). */
const tcp = (host, port, ms = 3000) =>
  new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port) });
    const t = setTimeout(() => {
      s.destroy();
      resolve('timeout');
    }, ms);
    s.on('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve('open');
    });
    s.on('error', (e) => {
      clearTimeout(t);
      resolve(e.code || String(e));
    });
  });
const http = async (url, init = {}) => {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
};
/** Retries fn until it returns true (or the test's deadline): ok() or fail() with its last answer. */
const until = async (what, fn) => {
  let last;
  for (;;) {
    try {
      last = await fn();
    } catch (e) {
      last = String(e && e.cause ? e.cause : e);
    }
    if (last === true) return (ok(what), true);
    if (Date.now() > deadline)
      return (fail(`${what}: ${typeof last === 'string' ? last : JSON.stringify(last)}`), false);
    await sleep(2000);
  }
};
