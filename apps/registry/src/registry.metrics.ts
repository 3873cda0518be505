import { Gauge, type Registry } from 'prom-client';
import type { RegistryNode } from './gcas/registry-node';

/** The node's `hoot_registry_*` gauges (gossip, GCAS, CoreMX and registries by liveness), read at scrape. */
export function registerNodeMetrics(registry: Registry, node: RegistryNode): void {
  const counter = (name: string, help: string, key: keyof RegistryNode['counters']) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(node.counters[key]);
      },
    });
  counter('hoot_registry_gossip_rounds_ok', 'Gossip rounds completed with a peer', 'roundsOk');
  counter(
    'hoot_registry_gossip_rounds_failed',
    'Gossip rounds that failed (peer down, timeout, refused)',
    'roundsFailed',
  );
  counter(
    'hoot_registry_gossip_rejected_messages',
    'Peer gossip messages rejected as invalid',
    'rejectedMessages',
  );
  counter(
    'hoot_registry_gossip_rejected_verdicts',
    'Down verdicts not accepted (not from the listing registry or primary)',
    'rejectedVerdicts',
  );
  counter('hoot_registry_coremx_declared_down', 'CoreMX this registry declared down', 'declaredDown');
  counter(
    'hoot_registry_gcas_restored_entries',
    'GCAS entries read from MongoDB at start',
    'restoredEntries',
  );
  counter(
    'hoot_registry_store_conflicts',
    'Snapshot writes lost to a sibling replica (merged next cycle)',
    'storeConflicts',
  );
  new Gauge({
    name: 'hoot_registry_coremx',
    help: 'CoreMX known, by liveness',
    labelNames: ['liveness'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of node.coremx()) this.inc({ liveness: c.liveness });
    },
  });
  new Gauge({
    name: 'hoot_registry_registries',
    help: 'Registry nodes known, by liveness',
    labelNames: ['liveness'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of node.registries()) this.inc({ liveness: r.liveness });
    },
  });
}
