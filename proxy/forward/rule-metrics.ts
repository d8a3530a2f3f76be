// Per-rule request counts and latency histogram, kept as plain numbers and turned into Prometheus values
// only when scraped. prom-client's labelled children hash their labels on every inc/observe, which cost
// more than the rest of the request's bookkeeping together; these two metric objects give the registry the
// same names, labels and values (counter / histogram, aggregated by sum across cluster workers).
import type { Metric, Registry } from 'prom-client';

const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One rule's numbers; rules of later configs with the same id share it. */
export class RuleStats {
  readonly counts = [0, 0, 0, 0, 0];
  /** Per bucket (not cumulative); the last slot is +Inf. */
  readonly buckets = new Array<number>(BUCKETS.length + 1).fill(0);
  sum = 0;
  count = 0;

  constructor(readonly rule: string) {}

  record(status: number, seconds: number): void {
    this.counts[Math.min(Math.max(Math.floor(status / 100), 1), 5) - 1]!++;
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    this.buckets[i]!++;
    this.sum += seconds;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.buckets.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

interface Value {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** The series that are never dropped: requests no rule matched. */
export const UNMATCHED = 'none';
/** Like unused upstream pools: requests still running on the old table finish (and count) meanwhile. */
export const RETIRED_RULE_MS = 30_000;

export interface RuleMetricsOptions {
  /** How long a rule the running config no longer has keeps its series. */
  retiredRuleMs?: number;
  /** Clock in ms (tests inject one). */
  now?: () => number;
}

export class RuleMetrics {
  private readonly byRule = new Map<string, RuleStats>();
  /** Rules the running config no longer has, with the time their series go. */
  private readonly leaving = new Map<string, number>();
  private readonly graceMs: number;
  private readonly now: () => number;

  constructor(registry: Registry, options: RuleMetricsOptions = {}) {
    this.graceMs = options.retiredRuleMs ?? RETIRED_RULE_MS;
    this.now = options.now ?? (() => performance.now());
    registry.registerMetric(
      this.metric(
        'proxy_requests_total',
        'Requests answered, by rule id ("none" when nothing matched) and status class',
        'counter',
        () => this.countValues(),
      ),
    );
    registry.registerMetric(
      this.metric(
        'proxy_request_duration_seconds',
        'Time from request head to response end, by rule id',
        'histogram',
        () => this.latencyValues(),
      ),
    );
  }

  /**
   * After a config swap, with the ids of the rules the new table has: the others keep their series for the
   * grace period, then lose them (a later scrape or swap sweeps them). A rule back within its grace period
   * keeps its numbers. Without this, every rule id ever served would stay in /metrics for good.
   */
  retain(live: ReadonlySet<string>): void {
    const now = this.now();
    // Expired series go first: a rule back after its grace period counts afresh, even if no scrape swept it.
    this.sweep(now);
    for (const id of this.byRule.keys()) {
      if (live.has(id) || id === UNMATCHED) this.leaving.delete(id);
      else if (!this.leaving.has(id)) this.leaving.set(id, now + this.graceMs);
    }
    this.sweep(now);
  }

  /** Ids served again (or for the first time): retain() with every other id's place unchanged. */
  back(ids: readonly string[]): void {
    const now = this.now();
    this.sweep(now);
    for (const id of ids) this.leaving.delete(id);
  }

  private sweep(now: number): void {
    for (const [id, until] of this.leaving) {
      if (until > now) continue;
      this.leaving.delete(id);
      this.byRule.delete(id);
    }
  }

  stats(rule: string): RuleStats {
    let s = this.byRule.get(rule);
    if (s === undefined) this.byRule.set(rule, (s = new RuleStats(rule)));
    return s;
  }

  private metric(name: string, help: string, type: 'counter' | 'histogram', values: () => Value[]): Metric {
    const reset = () => this.byRule.forEach((s) => s.reset());
    const get = () => ({ name, help, type, aggregator: 'sum', values: values() });
    return { name, help, type, aggregator: 'sum', get, reset } as unknown as Metric;
  }

  private countValues(): Value[] {
    this.sweep(this.now());
    const out: Value[] = [];
    for (const s of this.byRule.values()) {
      for (let c = 0; c < CLASSES.length; c++)
        if (s.counts[c]! > 0) out.push({ labels: { rule: s.rule, code: CLASSES[c]! }, value: s.counts[c]! });
    }
    return out;
  }

  private latencyValues(): Value[] {
    this.sweep(this.now());
    const out: Value[] = [];
    const bucket = 'proxy_request_duration_seconds_bucket';
    for (const s of this.byRule.values()) {
      if (s.count === 0) continue;
      let cumulative = 0;
      for (let i = 0; i < BUCKETS.length; i++) {
        cumulative += s.buckets[i]!;
        out.push({ labels: { le: BUCKETS[i]!, rule: s.rule }, value: cumulative, metricName: bucket });
      }
      out.push({ labels: { le: '+Inf', rule: s.rule }, value: s.count, metricName: bucket });
      out.push({ labels: { rule: s.rule }, value: s.sum, metricName: 'proxy_request_duration_seconds_sum' });
      out.push({ labels: { rule: s.rule }, value: s.count, metricName: 'proxy_request_duration_seconds_count' });
    }
    return out;
  }
}
