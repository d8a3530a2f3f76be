// Step 8b: BackendTLSPolicy status. The spec's ancestor is the Gateway: a policy gets one ancestors[] entry per
// Gateway of ours with an accepted route that forwards (or mirrors) to a Service port the policy claims. The
// policy that governs the port reports its own verdict there; one that lost the slot reports Conflicted. Other
// controllers' entries are kept; ours are removed once no route of ours uses the policy.
import type { ResourceStatus } from '../core/types.js';
import * as c from '../gatewayapi/conditions.js';
import { GATEWAY_GROUP } from '../gatewayapi/constants.js';
import { byString, record, records } from '../gatewayapi/values.js';
import type { PolicyIR, TlsSlot } from './backend-tls.js';
import { generationOf, type Context } from './context.js';
import type { GatewayIR } from './gateways.js';
import type { RouteIR } from './routes.js';
import { stampConditions } from './statuses.js';

/** PolicyStatus.ancestors holds at most 16 entries (CRD). */
const MAX_ANCESTORS = 16;

interface Use {
  gateway: GatewayIR;
  /** The policy governs some slot used through this Gateway. */
  governs?: true;
  /** A slot it lost, if it only lost through this Gateway. */
  lost?: TlsSlot;
}

export function policyStatuses(ctx: Context, routes: readonly RouteIR[]): ResourceStatus[] {
  if (ctx.backendTls.policies.length === 0) return []; // most snapshots: no route needs visiting
  const uses = usesByPolicy(ctx, routes);
  return ctx.backendTls.policies.flatMap((p) => policyStatus(ctx, p, uses.get(p)) ?? []);
}

/** Policy → Gateway key → how the policy is used through that Gateway. */
function usesByPolicy(ctx: Context, routes: readonly RouteIR[]): Map<PolicyIR, Map<string, Use>> {
  const out = new Map<PolicyIR, Map<string, Use>>();
  const note = (p: PolicyIR, gateway: GatewayIR, slot: TlsSlot, governs: boolean) => {
    const byGateway = out.get(p) ?? new Map<string, Use>();
    out.set(p, byGateway);
    const key = `${gateway.namespace}/${gateway.name}`;
    const use = byGateway.get(key) ?? { gateway };
    byGateway.set(key, governs ? { ...use, governs: true } : { ...use, lost: use.lost ?? slot });
  };
  for (const route of routes) {
    if (route.rules.tlsSlots.length === 0) continue;
    const gateways = [...new Set(route.parents.filter((p) => p.accepted).map((p) => p.gateway!))];
    for (const key of new Set(route.rules.tlsSlots)) {
      const slot = ctx.backendTls.slots.get(key);
      if (!slot) continue;
      for (const gateway of gateways) {
        note(slot.winner, gateway, slot, true);
        for (const loser of slot.losers) note(loser, gateway, slot, false);
      }
    }
  }
  return out;
}

function policyStatus(ctx: Context, p: PolicyIR, uses: Map<string, Use> | undefined): ResourceStatus | undefined {
  const ours = ctx.options.controllerName;
  const existing = records(record(p.obj.status).ancestors);
  const others = existing.filter((a) => a.controllerName !== ours);
  const list = [...(uses?.values() ?? [])].sort(
    (a, b) => byString(a.gateway.namespace, b.gateway.namespace) || byString(a.gateway.name, b.gateway.name),
  );
  if (list.length === 0 && others.length === existing.length) return undefined;
  const gen = generationOf(p.obj);
  const ancestors = list.slice(0, MAX_ANCESTORS).map((use) => {
    const ancestorRef = {
      group: GATEWAY_GROUP,
      kind: 'Gateway',
      namespace: use.gateway.namespace,
      name: use.gateway.name,
    };
    const previous = existing.find((a) => a.controllerName === ours && sameGateway(record(a.ancestorRef), ancestorRef));
    const conditions = stampConditions(conditionsFor(p, use), gen, previous?.conditions, ctx.options.now);
    return { ancestorRef, controllerName: ours, conditions };
  });
  return {
    kind: 'BackendTLSPolicy',
    namespace: p.namespace,
    name: p.name,
    status: { ancestors: [...ancestors, ...others] },
  };
}

function conditionsFor(p: PolicyIR, use: Use) {
  if (use.governs || !use.lost) return [p.accepted, p.resolvedRefs];
  const winner = use.lost.winner;
  const [service, section] = use.lost.key.split('#');
  const target = section ? `Service ${service} port ${section}` : `Service ${service}`;
  const message = `BackendTLSPolicy ${winner.namespace}/${winner.name} takes precedence on ${target} (older, or first by name)`;
  return [c.policyNotAccepted('Conflicted', message), p.resolvedRefs];
}

function sameGateway(a: Record<string, unknown>, b: { namespace: string; name: string }): boolean {
  return (
    (a.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
    (a.kind ?? 'Gateway') === 'Gateway' &&
    a.namespace === b.namespace &&
    a.name === b.name
  );
}
