import type { CoreMxReport, RegistryAnswer, RegistryLink } from '../registry/registry-link.port';

/** A `RegistryLink` for unit specs: records every report and deregistration; can be made to fail. */
export class InMemoryRegistryLink implements RegistryLink {
  readonly reports: { coremxId: string; report: CoreMxReport }[] = [];
  readonly deregistrations: { coremxId: string; incarnation: number; seq: number }[] = [];
  failing = false;

  async report(coremxId: string, report: CoreMxReport): Promise<RegistryAnswer> {
    if (this.failing) throw new Error('registry unreachable (test)');
    this.reports.push({ coremxId, report });
    return { accepted: true, registryId: 'reg-test-1', url: 'memory://registry' };
  }

  async deregister(coremxId: string, version: { incarnation: number; seq: number }): Promise<RegistryAnswer> {
    if (this.failing) throw new Error('registry unreachable (test)');
    this.deregistrations.push({ coremxId, ...version });
    return { accepted: true, registryId: 'reg-test-1', url: 'memory://registry' };
  }

  last(): CoreMxReport | undefined {
    return this.reports[this.reports.length - 1]?.report;
  }
}
