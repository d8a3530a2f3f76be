// Port → Gateway selection (ADR 0009), on the proxy's own compile and routeRequest(): a connection routes
// among the host entries of the Gateway whose data port (cleartext or TLS) it arrived on; a port no Gateway
// names (the proxy's own --listen / --tls-listen) goes to the Gateway listed without ports, else to the
// unscoped entries; a config without gateways is one scope on every port. Nothing the client sends (Host
// port, headers) picks the Gateway. Invalid scopes are refused by both validators.
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigPreparer } from '../../proxy/config/prepared.js';
import { parseProxyConfig, type ProxyConfigInput } from '../../proxy/config/schema.js';
import { UpstreamRegistry } from '../../proxy/forward/upstream.js';
import { DEFAULT_LIMITS } from '../../proxy/limits.js';
import { runToEnd, TableCompiler } from '../../proxy/router/compiler.js';
import { ScopesBuilder, scopeFor } from '../../proxy/router/scopes.js';
import { compileTable, type RoutingTable } from '../../proxy/router/table.js';
import { routeRequest } from '../../proxy/server/handle.js';

const registry = new UpstreamRegistry(DEFAULT_LIMITS);
afterAll(() => registry.closeAll());

const rule = (id: string) => ({ id, kind: 'http' as const, backends: [] });
const all = { match: { path: { type: 'PathPrefix' as const, value: '/' } } };

/**
 * Gateway a on the proxy's own ports (none named) and b on 8081/8444, both with a listener on 80 serving every
 * host (b also on 8080); plus unscoped "*".
 */
function config(): ProxyConfigInput {
  return {
    version: 'v1',
    gateways: [
      { name: 'ns/a', listenerPorts: [80] },
      { name: 'ns/b', port: 8081, tlsPort: 8444, listenerPorts: [80, 8080] },
    ],
    rules: [rule('a'), rule('b'), rule('b-8080'), rule('unscoped')],
    hosts: [
      { hostname: '*', gateway: 'ns/a', ports: [80], matches: [{ ...all, rule: 0 }] },
      { hostname: '*', gateway: 'ns/b', ports: [80], matches: [{ ...all, rule: 1 }] },
      { hostname: '*', gateway: 'ns/b', ports: [8080], matches: [{ ...all, rule: 2 }] },
      { hostname: '*', matches: [{ ...all, rule: 3 }] },
    ],
  };
}

function ruleFor(
  table: RoutingTable,
  localPort: number | undefined,
  host = 'x.test',
  encrypted = false,
): string | number {
  const routed = routeRequest(
    {
      method: 'GET',
      target: '/',
      authority: host,
      headers: { host },
      rawHeaders: ['host', host],
      remoteAddress: '127.0.0.1',
      localPort,
      encrypted,
      http2: false,
    },
    table,
    DEFAULT_LIMITS,
  );
  return 'match' in routed ? routed.match.rule.id : routed.status;
}

describe.each<[string, () => RoutingTable]>([
  ['compileTable', () => compileTable(parseProxyConfig(config()), registry)],
  [
    'the prepared, reusing compiler',
    () => {
      const prepared = new ConfigPreparer('text').prepare(config());
      if (!prepared.ok) throw new Error(prepared.error);
      return runToEnd(new TableCompiler(registry).compile(prepared.prepared, 1)).table;
    },
  ],
])('%s', (_name, build) => {
  const table = build();

  it.each<[number | undefined, string, boolean, string | number]>([
    // The proxy's own ports (whatever they are) and any other port no Gateway names: the Gateway without ports.
    [8080, 'x.test', false, 'a'],
    [8443, 'x.test', true, 'a'],
    [9999, 'x.test', false, 'a'],
    [undefined, 'x.test', false, 'a'],
    [8081, 'x.test', false, 'b'],
    [8444, 'x.test', true, 'b'],
    // The Host port picks a listener port within the Gateway, never another Gateway.
    [8080, 'x.test:8081', false, 'a'],
    [8081, 'x.test:8080', false, 'b-8080'], // b has a listener on 8080
    [8080, 'x.test:8080', false, 'a'], // a has none: the port is not considered
  ])('local port %p, Host %s (TLS %p) → %p', (localPort, host, tls, expected) => {
    expect(ruleFor(table, localPort, host, tls)).toBe(expected);
  });

  it('lists the Gateways and their data ports for the listeners', () => {
    expect(table.gateways.map((g) => [g.name, g.port, g.tlsPort])).toEqual([
      ['ns/a', undefined, undefined],
      ['ns/b', 8081, 8444],
    ]);
  });
});

it('routes a port no Gateway names with the unscoped entries when no Gateway is on the own ports', () => {
  const cfg = config();
  cfg.gateways![0] = { name: 'ns/a', port: 8080, tlsPort: 8443, listenerPorts: [80] };
  const table = compileTable(parseProxyConfig(cfg), registry);
  expect(ruleFor(table, 8080)).toBe('a');
  expect(ruleFor(table, 8081)).toBe('b');
  expect(ruleFor(table, 9999)).toBe('unscoped');
  expect(ruleFor(table, undefined)).toBe('unscoped');
});

it('routes every port with one table in a config without gateways', () => {
  const { gateways: _g, ...legacy } = config();
  const table = compileTable(parseProxyConfig({ ...legacy, hosts: legacy.hosts.slice(3) }), registry);
  for (const port of [8080, 8081, 12345, undefined]) expect(ruleFor(table, port)).toBe('unscoped');
});

describe.each<[string, (c: ProxyConfigInput) => void, string]>([
  ['an unknown Gateway on a host', (c) => void (c.hosts[0]!.gateway = 'ns/zz'), 'no gateways entry has this name'],
  [
    'two Gateways on one port',
    (c) => void (c.gateways![0] = { ...c.gateways![1]!, name: 'ns/a' }),
    'port used by another entry',
  ],
  ['a TLS port that is another cleartext one', (c) => void (c.gateways![1]!.tlsPort = 8081), 'port used'],
  [
    'two Gateways on the own ports',
    (c) => void (c.gateways![1] = { name: 'ns/b', listenerPorts: [80] }),
    "a second Gateway on the proxy's own ports",
  ],
  ['a TLS port without a port', (c) => void (c.gateways![0]!.tlsPort = 9443), 'a tlsPort needs a port'],
  ['a Gateway twice', (c) => void (c.gateways![1]!.name = 'ns/a'), 'duplicate Gateway name'],
  ['port 0', (c) => void (c.gateways![1]!.port = 0), 'Too small'],
])('refuses %s', (_name, mutate, message) => {
  const bad = config();
  mutate(bad);
  it('in the schema', () => expect(() => parseProxyConfig(bad)).toThrow(message));
  it('in the preparer', () => {
    const prepared = new ConfigPreparer('identity').prepare(bad);
    expect(prepared.ok).toBe(false);
    expect(!prepared.ok && prepared.error).toContain(message.split(' ').at(-1));
  });
});

describe('ScopesBuilder', () => {
  it('drops an entry for a Gateway the config does not list (validation refuses it; the builder must not throw)', () => {
    const builder = new ScopesBuilder<string>([{ name: 'ns/a', port: 8081, listenerPorts: [] }], undefined);
    builder.add('a.com', 'ns/unlisted', undefined, 'lost');
    builder.add('a.com', 'ns/a', undefined, 'a');
    const scopes = builder.build();
    expect(scopeFor(scopes, 8081).lookup('a.com')).toBe('a');
    expect(scopeFor(scopes, 9999).lookup('a.com')).toBeUndefined();
  });
});
