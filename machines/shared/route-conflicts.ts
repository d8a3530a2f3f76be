// Pure: which of the edge's hostname conflicts concern which route actor. A route publishes the hostnames
// whose proxy host entries point at its rules (rule ids are "<kind>/<namespace>/<name>/<index>", lower-case
// kind); each route actor is told its own conflicts, and only when they (or our Gateways) changed.
import type { HostnameConflict } from '../../src/core/ports.js';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import type { ResourceEvent } from './resource.js';
import { statusFingerprint } from './status.js';
import { keyedEntries, keyedKeys } from './keyed.js';
import type { CoordinatorContext } from './coordinator-types.js';
import type { Plan, Send } from './coordinator-plan.js';

const ROUTE_KINDS: Record<string, string> = { httproute: 'HTTPRoute', grpcroute: 'GRPCRoute' };

/** Resource key ("HTTPRoute/ns/name") → hostnames the config publishes for that route. */
export function hostnamesByRoute(config: ProxyConfigInput | undefined): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (!config) return out;
  const routeOfRule = config.rules.map((r) => {
    // Stryker disable next-line StringLiteral: split() always yields a first item; the default is the type checker's
    const [kind = '', ns, name] = r.id.split('/');
    return ROUTE_KINDS[kind] ? `${ROUTE_KINDS[kind]}/${ns}/${name}` : undefined;
  });
  for (const host of config.hosts) {
    for (const m of host.matches) {
      const key = routeOfRule[m.rule];
      if (!key) continue;
      const names = out.get(key) ?? new Set<string>();
      names.add(host.hostname.toLowerCase());
      out.set(key, names);
    }
  }
  return out;
}

const isRouteKey = (key: string) => key.startsWith('HTTPRoute/') || key.startsWith('GRPCRoute/');

/** Tells each route actor the conflicts on its hostnames when they differ from what it was last told. */
export function planConflicts(ctx: CoordinatorContext): Plan {
  // Nothing to say and nothing said before (the usual case): no need to map hostnames to routes.
  if (ctx.edgeConflicts.length === 0 && Object.values(ctx.routeConflicts).every((told) => told === '')) {
    return { context: { routeConflicts: {} }, spawns: [], sends: [] };
  }
  const hostnames = hostnamesByRoute(ctx.config);
  // Our parents: Gateways, and the ListenerSets attached to them (routes may name either).
  const gateways = keyedKeys(ctx.resources)
    .filter((k) => k.startsWith('Gateway/') || k.startsWith('ListenerSet/'))
    .sort();
  const told: Record<string, string> = {};
  const sends: Send[] = [];
  for (const [key, id] of keyedEntries(ctx.resources)) {
    if (!isRouteKey(key)) continue;
    const mine = hostnames.get(key) ?? new Set<string>();
    const conflicts: HostnameConflict[] = ctx.edgeConflicts.filter((c) => mine.has(c.hostname.toLowerCase()));
    // Our Gateways matter only while there is something to say.
    const fingerprint = conflicts.length ? statusFingerprint({ conflicts, gateways }) : '';
    told[key] = fingerprint;
    if (fingerprint === (ctx.routeConflicts[key] ?? '')) continue;
    sends.push({
      to: id,
      event: { type: 'edge.conflicts', conflicts, gateways } satisfies ResourceEvent,
      toResource: true,
    });
  }
  return { context: { routeConflicts: told }, spawns: [], sends };
}
