import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (n: number) => [...randomBytes(n)].map((b) => ALNUM[b % ALNUM.length]).join('');

/**
 * A service API key in the auth service's format (`hk_<16>_<43>`): what a locally started auth process is
 * bootstrapped with (AUTH_BOOTSTRAP_SERVICE_KEYS) and what the service that signs in with it is given.
 */
export const newServiceKey = () => `hk_${alnum(16)}_${alnum(43)}`;
