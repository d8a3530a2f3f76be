// A validated config cut into one JSON text per rule and per host. It is what the cluster primary sends
// its workers (cheap to pass over IPC: strings, not a deep object graph) and what the compiler keys its
// reuse on: a rule whose text did not change since the running table is not compiled again.
import { ProxyConfig, type ProxyConfig as ProxyConfigT } from './schema.js';

export interface PreparedConfig {
  version: string;
  generation?: number;
  /** JSON of each validated rule (defaults filled), in config order. */
  rules: string[];
  /** JSON of each validated host, in config order (rule indices refer to `rules`). */
  hosts: string[];
}

export type Validated = { ok: true; cfg: ProxyConfigT } | { ok: false; status: 400; error: string };

/** Validates an untrusted config; the error names the first offending path. */
export function validateConfig(input: unknown): Validated {
  const parsed = ProxyConfig.safeParse(input);
  if (parsed.success) return { ok: true, cfg: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return { ok: false, status: 400, error: `invalid config at ${where}: ${issue?.message ?? 'invalid'}` };
}

export function prepareConfig(cfg: ProxyConfigT): PreparedConfig {
  return {
    version: cfg.version,
    generation: cfg.generation,
    rules: cfg.rules.map((r) => JSON.stringify(r)),
    hosts: cfg.hosts.map((h) => JSON.stringify(h)),
  };
}

/** Whether a message from another process has the shape of a PreparedConfig (its content was validated there). */
export function isPreparedConfig(value: unknown): value is PreparedConfig {
  const p = value as PreparedConfig | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.version === 'string' &&
    (p.generation === undefined || typeof p.generation === 'number') &&
    Array.isArray(p.rules) &&
    Array.isArray(p.hosts) &&
    p.rules.every((r) => typeof r === 'string') &&
    p.hosts.every((h) => typeof h === 'string')
  );
}
