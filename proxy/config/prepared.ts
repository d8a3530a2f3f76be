// A validated config cut into one JSON text per rule and per host. It is what the cluster primary sends
// its workers (cheap to pass over IPC: strings, not a deep object graph) and what the compiler keys its
// reuse on: a rule whose text did not change since the running table is not compiled again.
import { z } from 'zod';
import {
  CONFIG_LIMITS,
  CaCertificate,
  Host,
  HostMatch,
  ProxyConfig,
  Rule,
  caRefsOf,
  type CaRef,
  type ProxyConfig as ProxyConfigT,
  type ProxyGatewayScope,
  type ProxyRule,
} from './schema.js';
import { gatewayScopeIssues } from './gateway-scopes.js';

export interface PreparedConfig {
  version: string;
  generation?: number;
  listenerPorts?: number[];
  /** The Gateways' routing scopes and data ports (ADR 0009); absent: one scope for every data port. */
  gateways?: ProxyGatewayScope[];
  accessLog?: boolean;
  /** JSON of each validated rule (defaults filled), in config order. */
  rules: string[];
  /** JSON of each validated host, in config order (rule indices refer to `rules`). */
  hosts: string[];
  /** JSON of each CA bundle ({id, pem}) the rules' backends name by id; absent: none. */
  caCertificates?: string[];
}

export type Validated = { ok: true; cfg: ProxyConfigT } | { ok: false; status: 400; error: string };

/** Validates an untrusted config; the error names the first offending path. */
export function validateConfig(input: unknown): Validated {
  const parsed = ProxyConfig.safeParse(input);
  return parsed.success ? { ok: true, cfg: parsed.data } : refusal(parsed.error.issues[0]);
}

function refusal(
  issue: { path: PropertyKey[]; message: string } | undefined,
  prefix: PropertyKey[] = [],
): { ok: false; status: 400; error: string } {
  const path = [...prefix, ...(issue?.path ?? [])];
  const where = path.length > 0 ? path.map(String).join('.') : '(root)';
  return { ok: false, status: 400, error: `invalid config at ${where}: ${issue?.message ?? 'invalid'}` };
}

const Envelope = z.object({
  version: z.string().min(1).max(128),
  generation: z.number().int().min(0).optional(),
  listenerPorts: ProxyConfig.shape.listenerPorts,
  gateways: ProxyConfig.shape.gateways,
  accessLog: z.boolean().optional(),
  rules: z.array(z.unknown()).max(CONFIG_LIMITS.rules),
  hosts: z.array(z.unknown()).max(CONFIG_LIMITS.hosts),
  caCertificates: z.array(CaCertificate).max(CONFIG_LIMITS.caCertificates).default([]),
});

/**
 * The envelope with its rules and hosts lists taken as they are, for input whose lists are arrays within the
 * limits (anything else goes through Envelope, for its exact messages): z.array(z.unknown()) copies a list
 * item by item, ~0.25 ms a push at 10,000 rules on the loop that serves requests. Items are checked one by
 * one below either way.
 */
const LeanEnvelope = Envelope.extend({ rules: z.unknown(), hosts: z.unknown() });

function envelopeOf(input: unknown) {
  const { rules, hosts } = (input ?? {}) as { rules?: unknown; hosts?: unknown };
  const lean =
    Array.isArray(rules) &&
    rules.length <= CONFIG_LIMITS.rules &&
    Array.isArray(hosts) &&
    hosts.length <= CONFIG_LIMITS.hosts;
  return (lean ? LeanEnvelope : Envelope).safeParse(input) as ReturnType<typeof Envelope.safeParse>;
}

/**
 * Validates and prepares configs, remembering what it checked: a rule or host seen in the previous config
 * is not validated or serialized again; everything else is checked exactly as validateConfig() checks it,
 * with the same messages. Two ways to recognise one:
 * - 'identity', for an in-process pusher that never changes an object once passed (standalone's control
 *   plane: a DesiredState is read-only, and the translator hands unchanged routes' rules over as the same
 *   objects);
 * - 'text', the JSON of the pushed object (the cluster primary, whose configs arrive as HTTP bodies).
 */
export class ConfigPreparer {
  private readonly byObject = new WeakMap<object, Prepared>();
  /**
   * Identity mode: the last config's rule and host lists and what each item gave. Between pushes the lists
   * share all but an item or two, so most items are found at their old position (one identity check) rather
   * than in byObject (a WeakMap lookup each: at 5,000 rules, 1.2 ms of each push on the control plane's loop).
   */
  private last?: {
    rules: readonly unknown[];
    preparedRules: Prepared[];
    hosts: readonly unknown[];
    preparedHosts: Prepared[];
  };
  private byText = new Map<string, Prepared>();
  private nextByText = new Map<string, Prepared>();

  constructor(private readonly recognise: 'identity' | 'text') {}

  prepare(input: unknown): Preparation {
    const steps = this.prepareSteps(input);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * prepare() as steps, for a caller that runs them in slices (standalone's in-process push): one host may
   * carry tens of thousands of matches, so its matches are validated MATCHES_PER_STEP at a time.
   */
  *prepareSteps(input: unknown): Generator<void, Preparation> {
    const envelope = envelopeOf(input);
    if (!envelope.success) return refusal(envelope.error.issues[0]);
    const {
      version,
      generation,
      listenerPorts,
      gateways,
      accessLog,
      rules: rawRules,
      hosts: rawHosts,
      caCertificates: cas,
    } = envelope.data;
    const scopeIssue = gatewayScopeIssues(gateways ?? [])[0];
    if (scopeIssue) return refusal(scopeIssue);
    const scopes = new Set((gateways ?? []).map((g) => g.name));
    this.nextByText = new Map();
    const caIds = new Set(cas.map((c) => c.id));
    // Sized once, not grown item by item, and no closure per rule: at 5,000 rules a push otherwise allocated
    // ~0.5 MiB (test/bench/heap-profile-cli.ts), which the collector pays for on the control plane's loop.
    const rules = new Array<string>(rawRules.length);
    const preparedRules = new Array<Prepared>(rawRules.length);
    const keptRule = this.keptAt(this.last?.rules, this.last?.preparedRules, rawRules);
    for (let i = 0; i < rawRules.length; i++) {
      const rule = keptRule(i) ?? this.prepareOne(rawRules[i], Rule);
      if ('issue' in rule) return refusal(rule.issue, ['rules', i]);
      const missing = missingCa(rule.caRefs, caIds);
      if (missing) return refusal({ path: missing.path, message: 'no caCertificates entry has this id' }, ['rules', i]);
      rules[i] = rule.text;
      preparedRules[i] = rule;
    }
    const hosts = new Array<string>(rawHosts.length);
    const preparedHosts = new Array<Prepared>(rawHosts.length);
    const keptHost = this.keptAt(this.last?.hosts, this.last?.preparedHosts, rawHosts);
    for (let i = 0; i < rawHosts.length; i++) {
      const host = keptHost(i) ?? (yield* this.prepareHost(rawHosts[i]));
      if ('issue' in host) return refusal(host.issue, ['hosts', i]);
      if (host.maxRule >= rules.length) {
        const bad = host.ruleIndices.findIndex((r) => r >= rules.length);
        return refusal({ path: ['matches', bad, 'rule'], message: 'rule index out of range' }, ['hosts', i]);
      }
      if (host.gateway !== undefined && !scopes.has(host.gateway))
        return refusal({ path: ['gateway'], message: 'no gateways entry has this name' }, ['hosts', i]);
      hosts[i] = host.text;
      preparedHosts[i] = host;
    }
    // Texts are kept for one config: what the next push most likely repeats.
    if (this.recognise === 'text') this.byText = this.nextByText;
    else this.last = { rules: rawRules, preparedRules, hosts: rawHosts, preparedHosts };
    const caCertificates = cas.map((c) => JSON.stringify(c));
    return {
      ok: true,
      prepared: {
        version,
        generation,
        ...(listenerPorts && { listenerPorts }),
        ...(gateways && { gateways }),
        accessLog,
        rules,
        hosts,
        caCertificates,
      },
    };
  }

  /**
   * Identity mode: what the item at `i` of `now` gave last time, when the very object was at the same position
   * or, past an insertion or removal, at the position as far from the end; undefined otherwise.
   */
  private keptAt(
    before: readonly unknown[] | undefined,
    prepared: Prepared[] | undefined,
    now: readonly unknown[],
  ): (i: number) => Prepared | undefined {
    if (this.recognise === 'text' || before === undefined) return () => undefined;
    const shift = before.length - now.length;
    return (i) => {
      const item = now[i];
      if (before[i] === item) return prepared![i];
      return before[i + shift] === item ? prepared![i + shift] : undefined;
    };
  }

  /** prepareOne(value, Host), validating a new host's matches in steps; the same answer and messages. */
  private *prepareHost(value: unknown): Generator<void, Prepared | { issue: z.core.$ZodIssue | undefined }> {
    // Text mode (the cluster primary) is off the serving loops and looks texts up first: checked at once.
    // So is a host object already checked (identity mode), without reading it again.
    if (this.recognise === 'text' || this.byObject.has(value as object)) return this.prepareOne(value, Host);
    const head = HostHead.safeParse(value);
    if (!head.success || head.data.matches.length <= MATCHES_PER_STEP) return this.prepareOne(value, Host);
    const matches: unknown[] = [];
    for (let i = 0; i < head.data.matches.length; i++) {
      const match = HostMatch.safeParse(head.data.matches[i]);
      if (!match.success) return { issue: within(match.error.issues[0], ['matches', i]) };
      matches.push(match.data);
      if (i % MATCHES_PER_STEP === MATCHES_PER_STEP - 1) yield;
    }
    // Validated: what is left is the usual bookkeeping, on the checked copy.
    return this.prepareOne(value, Host, { ...head.data, matches });
  }

  private prepareOne(
    value: unknown,
    schema: typeof Rule | typeof Host,
    checked?: unknown,
  ): Prepared | { issue: z.core.$ZodIssue | undefined } {
    const key =
      this.recognise === 'text'
        ? JSON.stringify(value)
        : typeof value === 'object' && value !== null
          ? value
          : undefined;
    const known =
      typeof key === 'string' ? this.byText.get(key) : key !== undefined ? this.byObject.get(key) : undefined;
    if (known !== undefined) {
      if (typeof key === 'string') this.nextByText.set(key, known);
      return known;
    }
    const parsed = checked !== undefined ? { success: true as const, data: checked } : schema.safeParse(value);
    if (!parsed.success) return { issue: parsed.error.issues[0] };
    const data = parsed.data as { matches?: Array<{ rule: number }>; gateway?: string };
    const ruleIndices = data.matches?.map((m) => m.rule) ?? [];
    const prepared = {
      text: JSON.stringify(data),
      ruleIndices,
      maxRule: ruleIndices.reduce((max, r) => Math.max(max, r), -1),
      gateway: data.gateway,
      caRefs: schema === Rule ? caRefsOf(data as ProxyRule) : [],
    };
    if (typeof key === 'string') this.nextByText.set(key, prepared);
    else if (key !== undefined) this.byObject.set(key, prepared);
    return prepared;
  }
}

type Preparation = { ok: true; prepared: PreparedConfig } | { ok: false; status: 400; error: string };

/** A host with its matches left unchecked, so they can be checked a few at a time (prepareHost). */
const HostHead = Host.extend({ matches: z.array(z.unknown()).max(CONFIG_LIMITS.matchesPerHost) });
const MATCHES_PER_STEP = 256;

/** The first CA reference no bundle of the config has. */
function missingCa(refs: CaRef[], ids: ReadonlySet<string>): CaRef | undefined {
  for (const ref of refs) if (!ids.has(ref.id)) return ref;
  return undefined;
}

function within(issue: z.core.$ZodIssue | undefined, prefix: PropertyKey[]): z.core.$ZodIssue | undefined {
  return issue && { ...issue, path: [...prefix, ...issue.path] };
}

interface Prepared {
  text: string;
  /** For a host: the rule index of each match, checked against each config's rule count. */
  ruleIndices: number[];
  /** The largest of them (-1: none): a config with more rules than that needs no look at each. */
  maxRule: number;
  /** For a host: the Gateway scope it names, checked against each config's gateways. */
  gateway?: string;
  /** For a rule: the CA bundle ids its backends and mirrors name, checked against each config's bundles. */
  caRefs: CaRef[];
}

export function prepareConfig(cfg: ProxyConfigT): PreparedConfig {
  return {
    version: cfg.version,
    generation: cfg.generation,
    ...(cfg.listenerPorts && { listenerPorts: cfg.listenerPorts }),
    ...(cfg.gateways && { gateways: cfg.gateways }),
    accessLog: cfg.accessLog,
    rules: cfg.rules.map((r) => JSON.stringify(r)),
    hosts: cfg.hosts.map((h) => JSON.stringify(h)),
    caCertificates: cfg.caCertificates.map((c) => JSON.stringify(c)),
  };
}
