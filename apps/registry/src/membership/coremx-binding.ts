import type { Identity } from '@hoot/auth-kit';
import { MembershipErrorCode, httpStatusOf } from '@hoot/contracts';
import { HootException } from '@hoot/service-kit';

/** The membership API's codes live in the one error catalogue (`@hoot/contracts`). */
export { MembershipErrorCode };

/** A CASH's service account is named after its CoreMX: `cash-<coremxId>` (auth signs the name). */
export const CASH_ACCOUNT_PREFIX = 'cash-';

/** The service account name that may advertise `coremxId`. */
export const cashAccountOf = (coremxId: string): string => `${CASH_ACCOUNT_PREFIX}${coremxId}`;

export interface CoreMxBindingOptions {
  /**
   * Service accounts still shared by several CASH (the former single `cash` account), accepted for any
   * CoreMX. A migration aid only: it re-opens what the binding closes. Empty by default.
   */
  sharedCashAccounts: readonly string[];
}

/**
 * Who may advertise (register, heartbeat, deregister) a CoreMX: only the CASH whose service credential is
 * bound to it, i.e. the service account `cash-<coremxId>` (the `username` claim of its service token,
 * signed by auth). Another CASH's key, a registry's key and the operators' `ops` key are refused with 403
 * `coremx.not-bound`; operators drain and undrain through the CASH's own service API, not here.
 */
export class CoreMxBinding {
  private readonly shared: ReadonlySet<string>;

  constructor(options: CoreMxBindingOptions) {
    this.shared = new Set(options.sharedCashAccounts);
  }

  /** Throws 403 `coremx.not-bound` unless `identity` may advertise `coremxId`. */
  assertMayAdvertise(identity: Identity, coremxId: string): void {
    const name = identity.kind === 'service' ? identity.username : undefined;
    if (name !== undefined && (name === cashAccountOf(coremxId) || this.shared.has(name))) return;
    throw new HootException(
      MembershipErrorCode.NotBound,
      httpStatusOf(MembershipErrorCode.NotBound),
      `this service credential is not bound to CoreMX ${coremxId}: only its own CASH (service account ${cashAccountOf(coremxId)}) may advertise it`,
    );
  }
}
