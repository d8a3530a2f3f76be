// Prometheus metrics of one proxy instance (its own Registry, so several proxies can share a process).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FailureReason } from './forward/errors.js';
import type { CompiledRule } from './router/table.js';
import type { Exchange } from './server/exchange.js';

const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

interface RuleChildren {
  counts: Array<{ inc(): void } | undefined>;
  latency: { observe(v: number): void } | undefined;
}

export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'proxy_requests_total',
    help: 'Requests answered, by rule id ("none" when nothing matched) and status class',
    labelNames: ['rule', 'code'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'proxy_request_duration_seconds',
    help: 'Time from request head to response end, by rule id',
    labelNames: ['rule'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  /** Kept as a plain number and read at scrape time: two Gauge updates per request cost more than the request's metrics. */
  private inFlightCount = 0;
  readonly inFlight: Gauge = new Gauge({
    name: 'proxy_requests_in_flight',
    help: 'Requests being served',
    registers: [this.registry],
    collect: (): void => this.inFlight.set(this.inFlightCount),
  });
  private readonly backendErrors = new Counter({
    name: 'proxy_backend_errors_total',
    help: 'Failed upstream tries, by reason (timeout, connect, reset, protocol, aborted, closed, other)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly configInfo = new Gauge({
    name: 'proxy_config_info',
    help: 'The running config: 1 for its version',
    labelNames: ['version'] as const,
    registers: [this.registry],
    // Workers of one cluster: each says 1 for the version it runs (two during a swap), not their sum.
    aggregator: 'max',
  });
  private readonly generation = new Gauge({ name: 'proxy_config_generation', help: 'Generation of the running config', registers: [this.registry], aggregator: 'max' });
  private readonly swaps = new Counter({ name: 'proxy_config_swaps_total', help: 'Configs swapped in', registers: [this.registry], aggregator: 'max' });
  private readonly rejected = new Counter({
    name: 'proxy_config_rejected_total',
    help: 'Configs refused, by HTTP status (400 invalid, 409 stale)',
    labelNames: ['status'] as const,
    registers: [this.registry],
    // In a cluster the primary refuses (and counts) pushes; workers' counts would count each twice.
    aggregator: 'omit',
  });
  private readonly unmatched: RuleChildren = { counts: [], latency: undefined };

  requestStarted(): void {
    this.inFlightCount++;
  }

  /** The exchange's done listener: one finished (or torn-down) request. */
  exchangeDone(ex: Exchange): void {
    this.inFlightCount--;
    this.observe(ex.rule, ex.status === 0 ? 499 : ex.status, (performance.now() - ex.started) / 1000);
  }

  /** Records one finished request. Label children are cached on the rule, so the hot path does no lookup. */
  observe(rule: CompiledRule | undefined, status: number, seconds: number): void {
    const id = rule?.id ?? 'none';
    const children = rule ? ((rule.metrics.children as RuleChildren | undefined) ?? (rule.metrics.children = { counts: [], latency: undefined })) : this.unmatched;
    const cls = Math.min(Math.max(Math.floor(status / 100), 1), 5) - 1;
    let count = children.counts[cls];
    if (count === undefined) count = children.counts[cls] = this.requests.labels(id, CLASSES[cls]!);
    count.inc();
    let latency = children.latency;
    if (latency === undefined) latency = children.latency = this.latency.labels(id);
    latency.observe(seconds);
  }

  backendError(reason: FailureReason): void {
    this.backendErrors.inc({ reason });
  }

  configSwapped(version: string, generation: number): void {
    this.configInfo.reset();
    this.configInfo.set({ version }, 1);
    this.generation.set(generation);
    this.swaps.inc();
  }

  configRejected(status: number): void {
    this.rejected.inc({ status: String(status) });
  }
}
