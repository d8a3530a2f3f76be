// What the routing table compiles a rule into, as the forwarder reads it: which backends a weighted draw can
// pick, which pools (HTTP/1.1 or HTTP/2) carry a backend's and a mirror's traffic, whether a retry, a
// timeout or session persistence applies, whether any filter has work. compiler.test.ts checks that the
// incremental compile resolves requests as this from-scratch compile does; this checks the compile itself.
import { afterEach, describe, expect, it } from '@jest/globals';
import { parseProxyConfig, type ProxyConfigInput } from '../../proxy/config/schema.js';
import { compileRule, compileTable, type CompiledRule } from '../../proxy/router/table.js';
import { UpstreamRegistry, type Upstream } from '../../proxy/forward/upstream.js';
import { DEFAULT_LIMITS } from '../../proxy/limits.js';

type RuleInput = ProxyConfigInput['rules'][number];
type BackendInput = NonNullable<RuleInput['backends']>[number];

const registries: UpstreamRegistry[] = [];
afterEach(async () => {
  for (const r of registries.splice(0)) await r.closeAll();
});

function registry(): UpstreamRegistry {
  const r = new UpstreamRegistry(DEFAULT_LIMITS);
  registries.push(r);
  return r;
}

const be = (name: string, extra: Partial<BackendInput> = {}): BackendInput => ({
  name,
  weight: 1,
  endpoints: [{ address: '127.0.0.1', port: 8080 }],
  ...extra,
});

/** One rule through the config schema (its defaults applied), compiled; `used` collects its pools. */
function compiled(rule: Partial<RuleInput>, used = new Set<Upstream>()): CompiledRule {
  const config = parseProxyConfig({
    version: 'v1',
    rules: [{ id: 'r', kind: 'http', backends: [be('a')], ...rule }],
    hosts: [],
  });
  return compileRule(config.rules[0]!, registry(), used);
}

const transportOf = (u: Upstream) => u.key.split('|')[0];
const mirror = (protocol?: 'http1' | 'h2c') => ({
  type: 'RequestMirror' as const,
  requestMirror: {
    name: 'm',
    endpoints: [{ address: '127.0.0.1', port: 9090 }],
    percent: 50,
    ...(protocol && { protocol }),
  },
});

describe('compileRule', () => {
  it('draws only among backends of positive weight, with running sums', () => {
    const rule = compiled({ backends: [be('a', { weight: 3 }), be('zero', { weight: 0 }), be('b', { weight: 2 })] });
    expect(rule.weighted.map((b) => b.name)).toEqual(['a', 'b']);
    expect(rule.cumulative).toEqual([3, 5]);
    expect(rule.totalWeight).toBe(5);
    expect(rule.backends.map((b) => b.name)).toEqual(['a', 'zero', 'b']);
  });

  it('carries HTTP/1.1 backends on h1 pools, h2c and every gRPC backend on h2 pools', () => {
    const used = new Set<Upstream>();
    const http = compiled({ backends: [be('plain'), be('h2c', { protocol: 'h2c' })] }, used);
    expect(http.grpc).toBe(false);
    expect(http.backends.map((b) => b.transport)).toEqual(['h1', 'h2']);
    expect(http.backends.map((b) => b.endpoints.map(transportOf))).toEqual([['h1'], ['h2']]);
    const grpc = compiled({ kind: 'grpc', backends: [be('g')] });
    expect(grpc.grpc).toBe(true);
    expect(grpc.backends[0]!.endpoints.map(transportOf)).toEqual(['h2']);
    expect([...used].map(transportOf).sort()).toEqual(['h1', 'h2']);
  });

  it('takes no pool for a fail-closed backend', () => {
    const used = new Set<Upstream>();
    const rule = compiled({ backends: [be('gone', { status: 503 })] }, used);
    expect(rule.backends[0]!.status).toBe(503);
    expect(rule.backends[0]!.endpoints).toEqual([]);
    expect(used.size).toBe(0);
  });

  it('mirrors on the pool their protocol names, at their percentage', () => {
    const used = new Set<Upstream>();
    const rule = compiled({ filters: [mirror(), mirror('h2c')] }, used);
    expect(rule.mirrors.map((m) => [m.name, m.percent, m.cursor])).toEqual([
      ['m', 50, 0],
      ['m', 50, 0],
    ]);
    expect(rule.mirrors.map((m) => m.endpoints.map(transportOf))).toEqual([['h1'], ['h2']]);
    expect(rule.mirrors[0]!.endpoints[0]!.port).toBe(9090);
    expect([...used].map((u) => `${transportOf(u)}:${u.port}`).sort()).toEqual(['h1:8080', 'h1:9090', 'h2:9090']);
  });

  it('retries only with at least one attempt, on the codes it names', () => {
    expect(compiled({ retry: { attempts: 2, codes: [503], backoffMs: 10 } }).retry).toEqual({
      attempts: 2,
      codes: new Set([503]),
      backoffMs: 10,
    });
    expect(compiled({ retry: { attempts: 0, codes: [503] } }).retry).toBeUndefined();
    expect(compiled({}).retry).toBeUndefined();
  });

  it('applies a timeout only when it is positive', () => {
    expect(compiled({ timeouts: { requestMs: 1500, backendRequestMs: 500 } })).toMatchObject({
      requestMs: 1500,
      backendRequestMs: 500,
    });
    const zero = compiled({ timeouts: { requestMs: 0, backendRequestMs: 0 } });
    expect([zero.requestMs, zero.backendRequestMs]).toEqual([undefined, undefined]);
  });

  it('persists sessions by cookie (Max-Age only for a permanent one with a timeout) or by lower-cased header', () => {
    const permanent = compiled({
      sessionPersistence: { type: 'Cookie', name: 'Sess', lifetime: 'Permanent', absoluteTimeoutMs: 90_500 },
    }).persistence!;
    expect(permanent).toEqual({
      type: 'Cookie',
      name: 'Sess',
      absoluteTimeoutMs: 90_500,
      cookieAttributes: '; Path=/; HttpOnly; Max-Age=90',
    });
    const session = compiled({ sessionPersistence: { type: 'Cookie', name: 'Sess', absoluteTimeoutMs: 90_500 } });
    expect(session.persistence!.cookieAttributes).toBe('; Path=/; HttpOnly');
    const forever = compiled({ sessionPersistence: { type: 'Cookie', name: 'Sess', lifetime: 'Permanent' } });
    expect(forever.persistence!.cookieAttributes).toBe('; Path=/; HttpOnly');
    const header = compiled({ sessionPersistence: { type: 'Header', name: 'X-Session' } }).persistence!;
    expect([header.name, header.absoluteTimeoutMs]).toEqual(['x-session', undefined]);
  });

  it('says whether any filter chain has work: the rule, a backend, or none', () => {
    const set = { type: 'RequestHeaderModifier' as const, requestHeaderModifier: { set: [{ name: 'x', value: '1' }] } };
    expect(compiled({}).hasFilters).toBe(false);
    expect(compiled({ filters: [set] }).hasFilters).toBe(true);
    expect(compiled({ backends: [be('plain'), be('with', { filters: [set] })] }).hasFilters).toBe(true);
  });
});

describe('compileTable', () => {
  const table = (extra: Partial<ProxyConfigInput>) =>
    compileTable(parseProxyConfig({ version: 'v1', rules: [], hosts: [], ...extra }), registry());

  it('keeps the generation, the access log switch and the Gateways of the config', () => {
    const gateways = [{ name: 'ns/gw', port: 18080, listenerPorts: [80] }];
    const t = table({ generation: 7, accessLog: true, gateways });
    expect([t.generation, t.accessLog, t.gateways]).toEqual([7, true, gateways]);
  });

  it('defaults to generation 0, no access log and no Gateways', () => {
    const t = table({});
    expect([t.generation, t.accessLog, t.gateways]).toEqual([0, false, []]);
  });
});
