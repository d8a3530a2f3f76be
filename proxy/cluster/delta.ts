// A config sent to a worker as a change to the one it already runs: a rule or host text the worker holds is
// sent as its index there. A push that changes one route then crosses the IPC channel as a few numbers and
// one string instead of megabytes of JSON, which the worker would have to parse on its serving loop at once.
import type { PreparedConfig } from '../config/prepared.js';

export interface ConfigDelta {
  version: string;
  generation?: number;
  /** Sent whole: a few numbers. */
  listenerPorts?: number[];
  /** Sent whole: one small entry per Gateway. */
  gateways?: PreparedConfig['gateways'];
  accessLog?: boolean;
  /** The version of the config the receiver must hold. */
  base: string;
  /** A string is new text; a number is the index of the same text in the base. */
  rules: Array<string | number>;
  hosts: Array<string | number>;
  caCertificates?: Array<string | number>;
}

export function diffConfig(base: PreparedConfig, next: PreparedConfig): ConfigDelta {
  const delta: ConfigDelta = {
    version: next.version,
    generation: next.generation,
    ...(next.listenerPorts && { listenerPorts: next.listenerPorts }),
    ...(next.gateways && { gateways: next.gateways }),
    accessLog: next.accessLog,
    base: base.version,
    rules: diffTexts(base.rules, next.rules),
    hosts: diffTexts(base.hosts, next.hosts),
  };
  if (next.caCertificates !== undefined)
    delta.caCertificates = diffTexts(base.caCertificates ?? [], next.caCertificates);
  return delta;
}

/** Rebuilds the config; throws when `base` is not the config the delta was made against. */
export function applyDelta(base: PreparedConfig | null, delta: ConfigDelta): PreparedConfig {
  if (base === null || base.version !== delta.base)
    throw new Error(`config delta against ${delta.base}, but this worker holds ${base?.version ?? 'none'}`);
  const config: PreparedConfig = {
    version: delta.version,
    generation: delta.generation,
    ...(delta.listenerPorts && { listenerPorts: delta.listenerPorts }),
    ...(delta.gateways && { gateways: delta.gateways }),
    accessLog: delta.accessLog,
    rules: patchTexts(base.rules, delta.rules),
    hosts: patchTexts(base.hosts, delta.hosts),
  };
  if (delta.caCertificates !== undefined)
    config.caCertificates = patchTexts(base.caCertificates ?? [], delta.caCertificates);
  return config;
}

/**
 * Each text as its index in `base`: at the same place first (a change leaves most rules and hosts where they
 * were, and unchanged ones are the very same strings). Texts that differ from their place are looked up by
 * text only when there are more than a few (then some probably moved): hashing every text of a 5,000-route
 * config to find none of one changed host's text cost ~1 ms a push, ~20 ms the first time. Sending a text
 * the worker holds elsewhere is still right, only longer.
 */
function diffTexts(base: readonly string[], next: readonly string[]): Array<string | number> {
  let moved = 0;
  const out: Array<string | number> = next.map((text, i) => (base[i] === text ? i : (moved++, text)));
  if (moved <= LOOKUP_AFTER) return out;
  const index = new Map<string, number>();
  for (let j = base.length - 1; j >= 0; j--) index.set(base[j]!, j);
  return out.map((x) => (typeof x === 'string' ? (index.get(x) ?? x) : x));
}

/** Texts out of place before diffTexts looks the rest up by text. */
const LOOKUP_AFTER = 8;

function patchTexts(base: readonly string[], patch: ReadonlyArray<string | number>): string[] {
  return patch.map((item) => {
    if (typeof item === 'string') return item;
    const text = base[item];
    if (text === undefined) throw new Error(`config delta names text ${item}, past the ${base.length} held`);
    return text;
  });
}
