// HTTPRoutes as regex-heavy as the translator lets one tenant write: each route at its per-route limits
// (1,024 regexes over 16 rules × 64 matches, ≤ 16,384 RE2 instructions), every pattern distinct, spread over
// path, header and query param matches. 50 of them on one hostname are the "regex fan-out" of issue 14.
import { RE2JS } from 're2js';

export const REGEX_RULES_PER_ROUTE = 16;
export const REGEX_MATCHES_PER_RULE = 64;

/** The regex of match `m` of rule `k` of route `r` (≤ 16 RE2 instructions, so no rule is dropped). */
export function fanoutPattern(r: number, k: number, m: number): string {
  return `r${r}k${k}m${m}[0-9]+`;
}

/** One match in flow style: a path, header or query param regex, in turn. */
function matchYaml(r: number, k: number, m: number): string {
  const value = JSON.stringify(fanoutPattern(r, k, m));
  if (m % 3 === 0)
    return `{ path: { type: RegularExpression, value: ${JSON.stringify(`/${fanoutPattern(r, k, m)}`)} } }`;
  if (m % 3 === 1) return `{ headers: [{ type: RegularExpression, name: x-fanout, value: ${value} }] }`;
  return `{ queryParams: [{ type: RegularExpression, name: q, value: ${value} }] }`;
}

/** HTTPRoute `<namespace>/fanout-<r>` on Gateway default/gw for `host`, to Service `service` (port 80). */
export function fanoutRouteYaml(r: number, host: string, service: string, namespace = 'default'): string {
  const rules: string[] = [];
  for (let k = 0; k < REGEX_RULES_PER_ROUTE; k++) {
    const matches = Array.from({ length: REGEX_MATCHES_PER_RULE }, (_, m) => `      - ${matchYaml(r, k, m)}`);
    rules.push(`  - backendRefs: [{ name: ${service}, namespace: ${namespace}, port: 80 }]
    matches:
${matches.join('\n')}`);
  }
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: fanout-${r}, namespace: ${namespace} }
spec:
  parentRefs: [{ name: gw, namespace: default }]
  hostnames: [${host}]
  rules:
${rules.join('\n')}
`;
}

/** `routes` fan-out routes as one multi-document file. */
export function fanoutManifest(routes: number, host: string, service: string): string {
  return Array.from({ length: routes }, (_, r) => fanoutRouteYaml(r, host, service)).join('---\n');
}

/** The RE2 program size of the largest pattern the generator writes for `routes` routes (for a sanity check). */
export function largestFanoutProgram(routes: number): number {
  return RE2JS.compile(fanoutPattern(routes - 1, REGEX_RULES_PER_ROUTE - 1, REGEX_MATCHES_PER_RULE - 1)).programSize();
}
