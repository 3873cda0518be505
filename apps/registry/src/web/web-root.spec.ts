import { resolve } from 'node:path';
import { registryConfigFrom } from '../config/registry.config';
import { contentSecurityPolicy, originsOf } from './web-headers';

const base = {
  REGISTRY_ID: 'reg-c1-1',
  REGISTRY_PUBLIC_URL: 'http://127.0.0.1:3201',
  AUTH_URL: 'http://127.0.0.1:3100',
  AUTH_ISSUER: 'https://auth.hoot.test',
  REGISTRY_SERVICE_API_KEY: 'hk_0123456789abcdef_0123456789012345678901234567890123456789012',
  MONGO_URI: 'mongodb://127.0.0.1:27017/hoot_registry',
  KAFKA_BROKERS: '127.0.0.1:9092',
  WEBHOOK_SIGNING_KEY: 'webhook-signing-key-of-at-least-32-chars',
};

describe('WEB_ROOT', () => {
  it('defaults to dist/apps/web under the working directory', () => {
    expect(registryConfigFrom(base).webRoot).toBe(resolve(process.cwd(), 'dist/apps/web'));
  });

  it('takes an absolute folder as is and a relative one from the working directory', () => {
    expect(registryConfigFrom({ ...base, WEB_ROOT: '/srv/hoot/web' }).webRoot).toBe('/srv/hoot/web');
    expect(registryConfigFrom({ ...base, WEB_ROOT: 'build/web' }).webRoot).toBe(
      resolve(process.cwd(), 'build/web'),
    );
  });

  it('treats an empty value as unset (the default)', () => {
    expect(registryConfigFrom({ ...base, WEB_ROOT: '' }).webRoot).toBe(
      resolve(process.cwd(), 'dist/apps/web'),
    );
  });
});

describe('the web Content-Security-Policy', () => {
  it('lets the page reach its registries by origin, CoreMX signaling over WebSockets and packagers over HTTP(S)', () => {
    const origins = originsOf([
      'http://127.0.0.1:3201/',
      'https://reg-c2-1.hoot.mx/base/',
      'not a url',
      undefined,
      'http://127.0.0.1:3201',
    ]);
    expect(origins).toEqual(['http://127.0.0.1:3201', 'https://reg-c2-1.hoot.mx']);
    const csp = contentSecurityPolicy(origins);
    expect(csp.split('; ')).toEqual([
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      // a registry on plain HTTP (a local install): its packagers are on plain HTTP too
      "media-src 'self' blob: mediastream: https: http:",
      "connect-src 'self' http://127.0.0.1:3201 https://reg-c2-1.hoot.mx ws: wss: https: http:",
      "manifest-src 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ]);
  });

  it('keeps an HTTPS-only install on HTTPS: no plain-HTTP media or calls', () => {
    const csp = contentSecurityPolicy(originsOf(['https://reg-c1-1.hoot.mx', 'https://reg-c2-1.hoot.mx']));
    expect(csp).toContain("media-src 'self' blob: mediastream: https:;");
    expect(csp).toContain(
      "connect-src 'self' https://reg-c1-1.hoot.mx https://reg-c2-1.hoot.mx ws: wss: https:;",
    );
    expect(csp).not.toContain('http:');
  });
});
