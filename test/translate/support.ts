// The smallest world a route can be served in, shared by the translator's unit tests: our GatewayClass `c`,
// Gateway `d/g` with one HTTP listener on port 80, and the given routes.
import { DEFAULT_CONTROLLER_NAME, emptySnapshot, type K8sObject, type Snapshot } from '../../src/core/types.js';

export const TRANSLATE_OPTIONS = {
  controllerName: DEFAULT_CONTROLLER_NAME,
  now: '2026-01-01T00:00:00Z',
  proxyHttpPort: 8080,
  proxyTlsPort: 8443,
};

export function oneGatewayWorld(routes: K8sObject[]): Snapshot {
  const s = emptySnapshot();
  s.gatewayClasses.push({
    kind: 'GatewayClass',
    metadata: { name: 'c' },
    spec: { controllerName: DEFAULT_CONTROLLER_NAME },
  });
  s.gateways.push({
    kind: 'Gateway',
    metadata: { name: 'g', namespace: 'd' },
    spec: { gatewayClassName: 'c', listeners: [{ name: 'h', protocol: 'HTTP', port: 80 }] },
  });
  for (const r of routes) (r.kind === 'GRPCRoute' ? s.grpcRoutes : s.httpRoutes).push(r);
  return s;
}

/** A pattern that compiles to exactly `n` RE2 instructions ("[a-z]{k}" compiles to k + 2): the unit of the regex limits. */
export const patternOf = (n: number): string => `[a-z]{${n - 2}}`;

/** A status condition as the translator writes it (the fields the tests read). */
export type Condition = { type: string; status: string; reason: string; message: string };

/** The condition of `type` among `conditions` (the test fails on reading it when there is none). */
export const conditionOf = (conditions: Condition[], type: string): Condition =>
  conditions.find((c) => c.type === type)!;
