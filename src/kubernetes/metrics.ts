// Controller metrics, read at scrape time from the components that already count (the control plane's own
// are recorded by src/runtime/metrics.ts on the same registry).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { KubernetesStatusSink } from './status-sink.js';
import type { KubernetesSource } from './informer-source.js';

export interface ControllerMetricsDeps {
  sink: KubernetesStatusSink;
  source: KubernetesSource;
  isLeader(): boolean;
  replicas(): { ready: number; notReady: number };
}

export function controllerRegistry(d: ControllerMetricsDeps, registry = new Registry()): Registry {
  collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        collect(this);
      },
    });
  gauge('tunnel_gateway_leader', '1 while this controller holds the lease', [], (g) => g.set(d.isLeader() ? 1 : 0));
  // The sink counts; exposed as a counter (reset to its totals at each scrape) so rate() applies.
  const patches: Counter<'outcome'> = new Counter({
    name: 'tunnel_gateway_status_patches_total',
    help: 'What status writes did on the API server: patched, unchanged (skipped), stale (skipped), conflict (409, retried)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const s = d.sink.stats;
      patches.reset();
      patches.inc({ outcome: 'patched' }, s.patches);
      patches.inc({ outcome: 'unchanged' }, s.skippedUnchanged);
      patches.inc({ outcome: 'stale' }, s.skippedStale);
      patches.inc({ outcome: 'conflict' }, s.conflicts);
    },
  });
  gauge('tunnel_gateway_watched_objects', 'objects held per watched kind', ['kind'], (g) => {
    for (const [kind, st] of Object.entries(d.source.stats())) g.set({ kind }, st.objects);
  });
  gauge('tunnel_gateway_proxy_replicas', 'proxy replicas discovered', ['ready'], (g) => {
    const r = d.replicas();
    g.set({ ready: 'true' }, r.ready);
    g.set({ ready: 'false' }, r.notReady);
  });
  return registry;
}
