// Proxy configs (the PUT /config body) for the benches, built as data.
import type { ProxyConfigInput } from '../../../proxy/config/schema.js';

export const BENCH_HOST = 'bench.local';

type RuleInput = ProxyConfigInput['rules'][number];
type HostInput = ProxyConfigInput['hosts'][number];

function rule(id: string, port: number, kind: 'http' | 'grpc' = 'http'): RuleInput {
  return {
    id,
    kind,
    backends: [
      {
        name: `bench/backend:${port}`,
        weight: 1,
        endpoints: [{ address: '127.0.0.1', port }],
        protocol: kind === 'grpc' ? 'h2c' : 'http1',
      },
    ],
  };
}

/** Every host and path to one backend: the plain forwarding path. */
export function singleRoute(backendPort: number, version = 'single'): ProxyConfigInput {
  return {
    version,
    rules: [rule('HTTPRoute/bench/all/0', backendPort)],
    hosts: [{ hostname: '*', matches: [{ match: { path: { type: 'PathPrefix', value: '/' } }, rule: 0 }] }],
  };
}

/** gRPC rule for the Echo service, h2c to the backend. */
export function grpcRoute(grpcPort: number): ProxyConfigInput {
  return {
    version: 'grpc',
    rules: [rule('GRPCRoute/bench/echo/0', grpcPort, 'grpc')],
    hosts: [
      {
        hostname: '*',
        matches: [{ match: { path: { type: 'PathPrefix', value: '/bench.Echo' }, method: 'POST' }, rule: 0 }],
      },
    ],
  };
}

/**
 * `count` routes on one host, each its own rule with a PathPrefix `/route-<i>`, in precedence order;
 * only the last one matches `lastRoutePath(count)`, so a router that scans pays for every route.
 */
export function routesOnOneHost(count: number, backendPort: number, version = `routes-${count}`): ProxyConfigInput {
  const rules: RuleInput[] = [];
  const matches: HostInput['matches'] = [];
  for (let i = 0; i < count; i++) {
    rules.push(rule(`HTTPRoute/bench/r${i}/0`, backendPort));
    matches.push({ match: { path: { type: 'PathPrefix', value: `/route-${i}` } }, rule: i });
  }
  return { version, rules, hosts: [{ hostname: BENCH_HOST, matches }] };
}

export const lastRoutePath = (count: number) => `/route-${count - 1}/item`;

/** `count` hosts with one route each; the last-declared host is the one requested. */
export function routesOnManyHosts(count: number, backendPort: number, version = `hosts-${count}`): ProxyConfigInput {
  const rules: RuleInput[] = [];
  const hosts: HostInput[] = [];
  for (let i = 0; i < count; i++) {
    rules.push(rule(`HTTPRoute/bench/h${i}/0`, backendPort));
    hosts.push({
      hostname: `h${i}.${BENCH_HOST}`,
      matches: [{ match: { path: { type: 'PathPrefix', value: '/' } }, rule: i }],
    });
  }
  return { version, rules, hosts };
}

export const lastHost = (count: number) => `h${count - 1}.${BENCH_HOST}`;

/**
 * A "full" config as the translator would push it: `count` routes spread over hosts of 100 paths
 * each, every rule with a header modifier; `variant` changes one path so each push is a real change.
 */
export function fullConfig(count: number, backendPort: number, variant: number): ProxyConfigInput {
  const perHost = 100;
  const rules: RuleInput[] = [];
  const hosts: HostInput[] = [];
  for (let i = 0; i < count; i++) {
    const r = rule(`HTTPRoute/bench/full${i}/0`, backendPort);
    r.filters = [
      { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-route', value: String(i) }] } },
    ];
    rules.push(r);
    const hostIndex = Math.floor(i / perHost);
    if (hosts.length === hostIndex) hosts.push({ hostname: `app${hostIndex}.${BENCH_HOST}`, matches: [] });
    const path = i === count - 1 ? `/v${variant}/changing` : `/svc-${i}`;
    hosts[hostIndex]!.matches.push({ match: { path: { type: 'PathPrefix', value: path } }, rule: i });
  }
  // The measured traffic: a catch-all on the bench host.
  rules.push(rule('HTTPRoute/bench/measured/0', backendPort));
  hosts.push({
    hostname: BENCH_HOST,
    matches: [{ match: { path: { type: 'PathPrefix', value: '/' } }, rule: rules.length - 1 }],
  });
  return { version: `full-${count}-${variant}`, rules, hosts };
}
