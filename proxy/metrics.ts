// Prometheus metrics of one proxy instance (its own Registry, so several proxies can share a process).
import { Counter, Gauge, Registry } from 'prom-client';
import { RuleMetrics, UNMATCHED, type RuleMetricsOptions, type RuleStats } from './forward/rule-metrics.js';
import type { FailureReason } from './forward/errors.js';
import type { CompiledRule } from './router/table.js';
import type { Exchange } from './server/exchange.js';

export type ProxyMetricsOptions = RuleMetricsOptions;

export class ProxyMetrics {
  readonly registry = new Registry();

  constructor(options: ProxyMetricsOptions = {}) {
    this.rules = new RuleMetrics(this.registry, options);
    this.unmatched = this.rules.stats(UNMATCHED);
  }

  /** proxy_requests_total and proxy_request_duration_seconds, by rule. */
  private readonly rules: RuleMetrics;
  private readonly unmatched: RuleStats;
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
  private readonly generation = new Gauge({
    name: 'proxy_config_generation',
    help: 'Generation of the running config',
    registers: [this.registry],
    aggregator: 'max',
  });
  private readonly swaps = new Counter({
    name: 'proxy_config_swaps_total',
    help: 'Configs swapped in',
    registers: [this.registry],
    aggregator: 'max',
  });
  private readonly rejected = new Counter({
    name: 'proxy_config_rejected_total',
    help: 'Configs refused, by HTTP status (400 invalid, 409 stale)',
    labelNames: ['status'] as const,
    registers: [this.registry],
    // In a cluster the primary refuses (and counts) pushes; workers' counts would count each twice.
    aggregator: 'omit',
  });

  requestStarted(): void {
    this.inFlightCount++;
  }

  /** The exchange's done listener: one finished (or torn-down) request. */
  exchangeDone(ex: Exchange): void {
    this.inFlightCount--;
    this.observe(ex.rule, ex.status === 0 ? 499 : ex.status, (performance.now() - ex.started) / 1000);
  }

  /** Records one finished request. The rule's stats are cached on the rule, so the hot path does no lookup. */
  observe(rule: CompiledRule | undefined, status: number, seconds: number): void {
    const stats =
      rule === undefined
        ? this.unmatched
        : ((rule.metrics.stats as RuleStats | undefined) ?? (rule.metrics.stats = this.rules.stats(rule.id)));
    stats.record(status, seconds);
  }

  /** After a swap: the rule ids the new table has; the others' series go after their grace period. */
  rulesServed(ids: Iterable<string>): void {
    this.rules.retain(new Set(ids));
  }

  /** After a swap that dropped no rule id: these are new to it, or back within their grace period. */
  rulesBack(ids: readonly string[]): void {
    this.rules.back(ids);
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
