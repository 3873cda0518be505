import { isIP } from 'node:net';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { ConfigError, type Env } from './load-config';

/**
 * Which forwarders' `X-Forwarded-For` a service believes: `TRUSTED_PROXIES`, a list of IP addresses or
 * CIDRs (validate it with `IsAddressOrCidr`). Empty: none, and the client address is the socket's peer.
 */

/** An IPv4/IPv6 address or CIDR (what Fastify's `trustProxy` list accepts, minus its named ranges). */
export function IsAddressOrCidr(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAddressOrCidr',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const [address, prefix, ...rest] = value.split('/');
          const family = isIP(address);
          if (!family || rest.length) return false;
          if (prefix === undefined) return true;
          return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
        },
        defaultMessage: () => 'TRUSTED_PROXIES must be IP addresses or CIDRs (comma-separated)',
      },
    },
    options,
  );
}

/** Fastify's `trustProxy` for a `TRUSTED_PROXIES` list: those addresses only, or none. */
export function trustProxyOption(trustedProxies: readonly string[]): string[] | false {
  return trustedProxies.length ? [...trustedProxies] : false;
}

/**
 * Fails when the environment still sets the old `TRUST_PROXY` (believe every forwarder): silently ignoring
 * it would turn "trust all" into "trust none" without a word.
 */
export function refuseTrustProxy(env: Env): void {
  if (env['TRUST_PROXY'] !== undefined && env['TRUST_PROXY'] !== '') {
    throw new ConfigError([
      {
        variable: 'TRUST_PROXY',
        problems: ['replaced by TRUSTED_PROXIES (the addresses or CIDRs of proxies to believe)'],
      },
    ]);
  }
}
