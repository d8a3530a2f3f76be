// Step 6, first part: the config's rules and, per Gateway in scope and listener port, the attachments that
// port's host entries are built from (port-hosts.ts). Rules are numbered in the order of `routes`, oldest
// first (route-order.ts), so an added route's rules come last and every other rule keeps its index.
//
// Per change, from the last assembly: when the routes differ from the last ones in one range
// (changed-range.ts) and the rules after it keep their indices (the routes in it hold as many rules as
// before, or none come after: a route added last), everything outside the range is the last assembly's — the same rule indices, the same attachment objects — and only the
// range's routes are looked at. Anything else (the Gateways in scope changed, many routes changed, a route's
// rule count changed, which renumbers every later rule) is assembled afresh. Module state that only changes
// how fast the answer comes (test/translate/memo.test.ts).
import { changedRange, replacedRange, type ChangedRange } from '../core/changed-range.js';
import type { GatewayIR } from './gateways.js';
import type { Attachment } from './host-matches.js';
import type { RouteIR } from './routes.js';
import type { RuleInput } from './rules.js';

export interface RuleAssembly {
  rules: RuleInput[];
  /** Per Gateway in scope, per port that carries routes (in order), its attachments in rule order. */
  onPorts: Map<GatewayIR, Map<number, Attachment[]>>;
}

interface Assembled extends RuleAssembly {
  routes: readonly RouteIR[];
  scoped: readonly GatewayIR[];
  /** rulesBefore[i]: how many rules the routes before route i put in the config (one more item than routes). */
  rulesBefore: number[];
  /** Per Gateway and port, the route index of each of its attachments (ascending). */
  positions: Map<GatewayIR, Map<number, number[]>>;
}

let last: Assembled | undefined;

/** `scoped`: the Gateways whose listeners serve, each with the ports that carry routes. */
export function assembleRules(routes: readonly RouteIR[], scoped: ReadonlyMap<GatewayIR, number[]>): RuleAssembly {
  const gateways = [...scoped.keys()];
  const range =
    last && last.scoped.length === gateways.length && last.scoped.every((g, i) => g === gateways[i])
      ? changedRange(last.routes, routes)
      : undefined;
  last = (range && updated(last!, routes, range)) ?? fresh(routes, scoped);
  return last;
}

function fresh(routes: readonly RouteIR[], scoped: ReadonlyMap<GatewayIR, number[]>): Assembled {
  const onPorts = new Map<GatewayIR, Map<number, Attachment[]>>();
  const positions = new Map<GatewayIR, Map<number, number[]>>();
  for (const [g, ports] of scoped) {
    onPorts.set(g, new Map(ports.map((port) => [port, []])));
    positions.set(g, new Map(ports.map((port) => [port, []])));
  }
  const rules: RuleInput[] = [];
  const rulesBefore = [0];
  routes.forEach((route, i) => {
    const own = attachmentsOf(route, rules.length, onPorts);
    if (own) {
      for (const r of route.rules.rules) rules.push(r.rule);
      dispatch(own, i, onPorts, positions);
    }
    rulesBefore.push(rules.length);
  });
  return { routes, scoped: [...scoped.keys()], rules, rulesBefore, onPorts, positions };
}

/** The last assembly with the changed range's routes replaced; undefined when later rules would move. */
function updated(before: Assembled, routes: readonly RouteIR[], range: ChangedRange): Assembled | undefined {
  const { start, beforeEnd, nowEnd } = range;
  const middleRules: RuleInput[] = [];
  const middleBefore: number[] = [];
  const ruleStart = before.rulesBefore[start]!;
  const onPorts = new Map<GatewayIR, Map<number, Attachment[]>>();
  const positions = new Map<GatewayIR, Map<number, number[]>>();
  for (const [g, ports] of before.onPorts) {
    onPorts.set(g, new Map([...ports.keys()].map((port) => [port, []])));
    positions.set(g, new Map([...ports.keys()].map((port) => [port, []])));
  }
  for (let i = start; i < nowEnd; i++) {
    const route = routes[i]!;
    const own = attachmentsOf(route, ruleStart + middleRules.length, onPorts);
    if (own) {
      for (const r of route.rules.rules) middleRules.push(r.rule);
      dispatch(own, i, onPorts, positions);
    }
    middleBefore.push(ruleStart + middleRules.length);
  }
  // Rules after the range move by `moved`: only allowed when there are none.
  const moved = ruleStart + middleRules.length - before.rulesBefore[beforeEnd]!;
  if (moved !== 0 && before.rulesBefore[beforeEnd] !== before.rules.length) return undefined;
  const shift = nowEnd - beforeEnd;
  for (const [g, ports] of before.onPorts) {
    for (const [port, list] of ports) {
      const at = before.positions.get(g)!.get(port)!;
      const [head, tail] = [firstAtOrAfter(at, start), firstAtOrAfter(at, beforeEnd)];
      const middle = onPorts.get(g)!.get(port)!;
      onPorts.get(g)!.set(port, replacedRange(list, head, tail, middle));
      const middleAt = positions.get(g)!.get(port)!;
      positions.get(g)!.set(port, replacedRange(at, head, tail, middleAt, shift === 0 ? undefined : (p) => p + shift));
    }
  }
  return {
    routes,
    scoped: before.scoped,
    rules: replacedRange(before.rules, ruleStart, before.rulesBefore[beforeEnd]!, middleRules),
    rulesBefore: replacedRange(
      before.rulesBefore,
      start + 1,
      beforeEnd + 1,
      middleBefore,
      moved === 0 ? undefined : (n) => n + moved,
    ),
    onPorts,
    positions,
  };
}

/** The first index of `sorted` whose value is at least `value`. */
function firstAtOrAfter(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Each attachment to the list of its Gateway and port; one to a port that carries no routes serves nothing. */
function dispatch(
  own: Attachment[],
  position: number,
  onPorts: Map<GatewayIR, Map<number, Attachment[]>>,
  positions: Map<GatewayIR, Map<number, number[]>>,
): void {
  for (const a of own) {
    const list = onPorts.get(a.gateway)!.get(a.listener.port!);
    if (!list) continue;
    list.push(a);
    positions.get(a.gateway)!.get(a.listener.port!)!.push(position);
  }
}

/** Attachments as last made for a route IR, with the rule index they carry. */
const made = new WeakMap<RouteIR, { firstRule: number; attachments: Attachment[] | undefined }>();

/**
 * The served route's attachments to listeners of Gateways in scope (the keys of `onPorts`), numbered from
 * `firstRule`; undefined when no such parent accepted it (its rules are not in the config). The same objects
 * for the same route IR and first rule: an IR is reused only with the parents stage it was made with
 * (memo.ts), and the Gateways in scope are read off that stage's IRs (proxyconfig.ts), so they are the same too.
 */
function attachmentsOf(
  route: RouteIR,
  firstRule: number,
  onPorts: ReadonlyMap<GatewayIR, unknown>,
): Attachment[] | undefined {
  if (!route.served) return undefined;
  const kept = made.get(route);
  if (kept && kept.firstRule === firstRule) return kept.attachments;
  const parents = route.parents.filter((p) => p.accepted && onPorts.has(p.gateway!));
  const attachments =
    parents.length === 0
      ? undefined
      : parents.flatMap((p) =>
          p.listeners.map((l) => ({
            gateway: p.gateway!,
            listener: l.listener,
            hostnames: l.hostnames,
            route,
            firstRule,
          })),
        );
  made.set(route, { firstRule, attachments });
  return attachments;
}
