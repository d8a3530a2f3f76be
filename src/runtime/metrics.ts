// Prometheus metrics of the control plane (standalone and controller alike): syncs and translate time, config
// pushes per replica, status writes, edge reconciles, and how many actors sit in each state. Recorded by
// wrapping the ports the actors call (translator, replica clients, status sink, edge adapter) — the machines
// stay free of I/O — and, for actors, read from the actor tracker at scrape time. Names: docs/architecture.md.
import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';
import type { EdgeAdapter, ReplicaEndpoint, StatusSink, Translator } from '../core/ports.js';
import { isStepIterator, type StepIterator } from './slices.js';

/** Translations take milliseconds to seconds (thousands of routes); pushes and writes are network calls. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface ControlPlaneMetrics {
  /** The sync actor's observer: one sync (snapshot read + translate) and how it ended. */
  sync(seconds: number, ok: boolean): void;
  translate(fn: Translator): Translator;
  replica(endpoint: ReplicaEndpoint): ReplicaEndpoint;
  statusSink(sink: StatusSink): StatusSink;
  edge(edge: EdgeAdapter): EdgeAdapter;
}

/** Registers the control plane's metrics on `registry`; `actors()` lists live actors (machine + state). */
export function createControlPlaneMetrics(
  registry: Registry,
  actors: () => Array<{ machine: string; state: string }>,
): ControlPlaneMetrics {
  const registers = [registry];
  const syncs = new Counter({
    name: 'tunnel_gateway_syncs_total',
    help: 'Syncs run (read the snapshot, translate it), by outcome (ok, error: the translator threw)',
    labelNames: ['outcome'],
    registers,
  });
  const syncSeconds = new Histogram({
    name: 'tunnel_gateway_sync_duration_seconds',
    help: 'Duration of one sync: snapshot read plus translation',
    buckets: BUCKETS,
    registers,
  });
  const translateSeconds = new Histogram({
    name: 'tunnel_gateway_translate_duration_seconds',
    help: 'Time the translator took for the whole snapshot',
    buckets: BUCKETS,
    registers,
  });
  const pushes = new Counter({
    name: 'tunnel_gateway_config_pushes_total',
    help: 'Config pushes (PUT /config) per proxy replica, by outcome (ok, error)',
    labelNames: ['replica', 'outcome'],
    registers,
  });
  const pushSeconds = new Histogram({
    name: 'tunnel_gateway_config_push_duration_seconds',
    help: 'Duration of one config push until the replica acknowledged or failed',
    labelNames: ['outcome'],
    buckets: BUCKETS,
    registers,
  });
  const statusWrites = new Counter({
    name: 'tunnel_gateway_status_writes_total',
    help: 'Status writes by resource kind and outcome (ok, error)',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  const edgeReconciles = new Counter({
    name: 'tunnel_gateway_edge_reconciles_total',
    help: 'Edge (Cloudflare ingress + DNS) reconcile passes by outcome (ok, conflicts, error)',
    labelNames: ['outcome'],
    registers,
  });
  const edgeSeconds = new Histogram({
    name: 'tunnel_gateway_edge_reconcile_duration_seconds',
    help: 'Duration of one edge reconcile pass',
    buckets: BUCKETS,
    registers,
  });
  const actorGauge: Gauge<'machine' | 'state'> = new Gauge({
    name: 'tunnel_gateway_actors',
    help: 'Live actors by machine and state',
    labelNames: ['machine', 'state'],
    registers,
    // Recounted at each scrape, from zero: a state nobody is in any more must not keep its last count.
    collect: () => countActors(actorGauge, actors()),
  });
  syncs.inc({ outcome: 'ok' }, 0);
  syncs.inc({ outcome: 'error' }, 0);

  return {
    sync(seconds, ok) {
      syncs.inc({ outcome: ok ? 'ok' : 'error' });
      syncSeconds.observe(seconds);
    },
    translate: (fn) => (snapshot) => {
      const started = performance.now();
      const observe = (ms: number) => translateSeconds.observe(ms / 1000);
      let result: ReturnType<Translator>;
      try {
        result = fn(snapshot);
      } catch (err) {
        observe(performance.now() - started);
        throw err;
      }
      if (isStepIterator(result)) return timedSteps(result, observe, performance.now() - started);
      observe(performance.now() - started);
      return result;
    },
    replica: ({ id, ready, client }) => ({
      id,
      ready,
      client: {
        push: timed(client.push.bind(client), (outcome, s) => {
          pushes.inc({ replica: id, outcome });
          pushSeconds.observe({ outcome }, s);
        }),
        current: (signal) => client.current(signal),
      },
    }),
    statusSink: (sink) => ({
      write: (status, signal) =>
        timed(sink.write.bind(sink), (outcome) => statusWrites.inc({ kind: status.kind, outcome }))(status, signal),
    }),
    edge: (edge) => ({
      resyncIntervalMs: edge.resyncIntervalMs,
      async reconcile(desired, signal) {
        const end = edgeSeconds.startTimer();
        const result = await edge.reconcile(desired, signal);
        end();
        edgeReconciles.inc({ outcome: !result.ok ? 'error' : result.conflicts?.length ? 'conflicts' : 'ok' });
        return result;
      },
    }),
  };
}

/** The ports as the actors should call them: instrumented when metrics are on, untouched otherwise. */
export function instrumentedPorts(
  m: ControlPlaneMetrics | undefined,
  ports: { translate: Translator; statusSink: StatusSink; edge?: EdgeAdapter },
) {
  return {
    translate: m ? m.translate(ports.translate) : ports.translate,
    statusSink: m ? m.statusSink(ports.statusSink) : ports.statusSink,
    edge: m && ports.edge ? m.edge(ports.edge) : ports.edge,
    replica: (e: ReplicaEndpoint) => (m ? m.replica(e) : e),
    onSync: m ? (seconds: number, ok: boolean) => m.sync(seconds, ok) : undefined,
  };
}

/**
 * Steps that add up the time spent in them (from `spentMs`) and report it in ms when they end or throw: what
 * the work cost, not the wall time of the slices with the serving in between.
 */
function timedSteps<T>(steps: StepIterator<T>, record: (ms: number) => void, spentMs: number): StepIterator<T> {
  let spent = spentMs;
  return {
    next() {
      const started = performance.now();
      try {
        const step = steps.next();
        spent += performance.now() - started;
        if (step.done) record(spent);
        return step;
      } catch (err) {
        record(spent + performance.now() - started);
        throw err;
      }
    },
  };
}

/** Wraps an async call so `record` hears its outcome and duration (seconds); errors still propagate. */
function timed<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  record: (outcome: 'ok' | 'error', seconds: number) => void,
) {
  return async (...args: A): Promise<R> => {
    const started = performance.now();
    try {
      const value = await fn(...args);
      record('ok', (performance.now() - started) / 1000);
      return value;
    } catch (err) {
      record('error', (performance.now() - started) / 1000);
      throw err;
    }
  };
}

function countActors(gauge: Gauge<'machine' | 'state'>, list: Array<{ machine: string; state: string }>): void {
  const counts = new Map<string, { machine: string; state: string; n: number }>();
  for (const { machine, state } of list) {
    const key = `${machine}\n${state}`;
    const entry = counts.get(key) ?? { machine, state, n: 0 };
    entry.n += 1;
    counts.set(key, entry);
  }
  gauge.reset();
  for (const { machine, state, n } of counts.values()) gauge.set({ machine, state }, n);
}

/** Registers `extra`'s metrics (the Cloudflare edge's) on the registry a /metrics endpoint serves; a metric
 * may sit in several registries. */
export function serveAlso(served: Registry, extra: Registry | undefined): void {
  // getMetricsAsArray() returns the metric objects themselves; its declared type is narrower.
  for (const metric of extra?.getMetricsAsArray() ?? []) served.registerMetric(metric as unknown as Metric);
}
