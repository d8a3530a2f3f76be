// The pure translator: the whole snapshot in, the whole desired state out. No I/O, no clock (options.now),
// no randomness, inputs never mutated, output sorted so the same snapshot always gives the same result.
// Work is remembered across calls by object identity (ADR 0010), so callers replace an object that changes
// and never edit one in place (the sources do); outputs share unchanged parts and are read-only.
// Shaped like Envoy Gateway's Translate(): a fixed list of steps, each in its own module.
//
// Choices the spec leaves open, made here (details next to the code):
// - TLS ends at Cloudflare's edge: HTTPS listeners are served as HTTP; certificateRefs are still checked.
// - A ConfigMap parametersRef (with a namespace) on a GatewayClass is accepted (its accessLog key turns the
//   proxies' access log on; a ConfigMap missing from the snapshot means no parameters); any other
//   parametersRef, and any Gateway infrastructure.parametersRef, is InvalidParameters.
// - ListenerSets are merged into their Gateway after its own listeners; a conflicted listener is Programmed=False
//   with the conflict as its reason (listener-sets.ts).
// - RegularExpression paths rank among prefixes by length (after a prefix of equal length); gRPC matches rank
//   before HTTP ones of the same hostname (precedence.ts).
// - Each Gateway has its own data ports on the proxy and its own routing scope (gateway-ports.ts, ADR 0009);
//   a hostname several Gateways publish on the tunnel goes to the oldest's ports.
// - Routes without any hostname are served under the "*" host key but get no ingress rule or DNS record;
//   DNS targets the placeholder tunnel hostname while the tunnel id is unknown (edge.ts).
// - A rule the proxy schema would refuse is dropped with UnsupportedValue rather than failing the config.
// - BackendTLSPolicy governs Service ports (backend-tls.ts); a backend under an unusable policy answers 500
//   (ResolvedRefs=False/InvalidBackendTLSPolicy), one whose port declares https or wss without a policy too
//   (UnsupportedProtocol): TLS is never skipped and never replaced by plaintext.
import type { DesiredState, Snapshot, TranslateOptions } from '../core/types.js';
import { processClasses } from './classes.js';
import { buildContext, type Context } from './context.js';
import { buildEdge } from './edge.js';
import { processGateways } from './gateways.js';
import { processListenerSets } from './listener-sets.js';
import { withDataPorts, withTunnelHostnamesTaken } from './gateway-ports.js';
import { buildProxyConfigSteps } from './proxyconfig.js';
import { processRoutesSteps } from './routes.js';
import { runSteps, type Steps } from '../core/steps.js';
import { policyStatuses } from './policy-status.js';
import { memoParentsStage, withCurrentObject, type ParentsStage } from './stage-memo.js';
import { classStatus, gatewayStatus, listenerSetStatus, routeStatusesByKind, sortByName } from './statuses.js';

export function translate(snapshot: Snapshot, options: TranslateOptions): DesiredState {
  return runSteps(translateSteps(snapshot, options));
}

/** translate() in steps (steps.ts): each bounded, so a caller can let its event loop run between them. */
export function* translateSteps(snapshot: Snapshot, options: TranslateOptions): Steps<DesiredState> {
  const ctx = buildContext(snapshot, options);
  // 1–2. Reused as the same objects while their inputs are the same instances (stage-memo.ts).
  const parents = memoParentsStage(snapshot, options, () => parentsStage(ctx, options));
  const { classes, gateways, listenerSets } = parents;
  // 3–5. Routes: attachment to listeners, backends, rules and filters, HTTP/gRPC cross-serving; attachedRoutes.
  const { routes, byAge, attached, objects } = yield* processRoutesSteps(ctx, parents);
  // 6. Proxy config: rules (oldest route first), and per listener port and host key the matches in precedence
  //    order with listener isolation. Any accepted class of ours asking for the access log turns it on: the proxies serve all of them.
  //    CA bundles of the usable BackendTLSPolicies the rules name travel with it.
  const proxyConfig = yield* buildProxyConfigSteps(byAge, gateways.values(), {
    accessLog: [...classes.values()].some((c) => c.accessLog),
    cas: ctx.backendTls.cas,
  });
  // 7. Cloudflare: ingress document and DNS records for the published hostnames.
  //    A hostname two Gateways publish goes to the older one's ports; the younger says so in its status.
  const { ingress, dns, taken } = buildEdge(routes, proxyConfig, options);
  // 8. Statuses for every object we own an opinion on, in kind, namespace and name order: each kind's list is
  //    sorted by namespace and name (the routes' come in that order already: routes.ts sorts them).
  const classStatuses = [...classes.values()].map((c) =>
    classStatus(ctx, withCurrentObject(snapshot.gatewayClasses, c)),
  );
  const gatewayStatuses = [...gateways.values()].map((g) =>
    gatewayStatus(ctx, withCurrentObject(snapshot.gateways, withTunnelHostnamesTaken(g, taken.get(g) ?? [])), attached),
  );
  const listenerSetStatuses = [...listenerSets.values()].map((s) =>
    listenerSetStatus(ctx, withCurrentObject(snapshot.listenerSets, s), attached),
  );
  const ofRoutes = routeStatusesByKind(ctx, routes, objects);
  const statuses = sortByName(classStatuses).concat(
    sortByName(gatewayStatuses),
    sortByName(listenerSetStatuses),
    ofRoutes.HTTPRoute,
    ofRoutes.GRPCRoute,
    sortByName(policyStatuses(ctx, routes)),
  );
  return { statuses, proxyConfig, ingress, dns };
}

function parentsStage(ctx: Context, options: TranslateOptions): ParentsStage {
  // 1. GatewayClasses of our controllerName: Accepted / InvalidParameters.
  const classes = processClasses(ctx);
  // 2. Gateways of those classes and their listeners (protocols, kinds, certificates, conflicts).
  //    Each gets its own data ports on the proxy (gateway-ports.ts, ADR 0009).
  // 2c. ListenerSets naming those Gateways: allowed or not, their listeners checked against the Gateway's and
  //     merged after them (listener-sets.ts); they serve on their Gateway's data ports.
  const { gateways, listenerSets } = processListenerSets(ctx, withDataPorts(processGateways(ctx, classes), options));
  return { classes, gateways, listenerSets };
}

export type { DesiredState, Snapshot, Steps, TranslateOptions };
