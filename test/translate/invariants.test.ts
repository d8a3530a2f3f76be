// Invariants every translation must keep, checked on every golden scenario (a corpus of valid, edge-case
// and malformed input): host order, rule references, ingress/DNS agreement, gRPC origins, status order and shape.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONTROLLER_NAME, type DesiredState } from '../../src/core/types.js';
import { compareHostKeys } from '../../src/gatewayapi/hostnames.js';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { translate } from '../../src/translate/index.js';
import { TRANSLATE_OPTIONS } from './support.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'testdata');
const OPTIONS = { ...TRANSLATE_OPTIONS, tunnelId: 'tun' };
const scenarios = readdirSync(DATA)
  .filter((f) => f.endsWith('.in.yaml'))
  .sort();

function run(file: string): DesiredState {
  return translate(toSnapshot(parseManifests(readFileSync(join(DATA, file), 'utf8'), file)).snapshot, OPTIONS);
}

describe.each(scenarios)('%s', (file) => {
  const result = run(file);
  const { proxyConfig: cfg, ingress, dns } = result;

  const scopes = cfg.gateways ?? [];

  it('groups host entries by Gateway, in the order of gateways, each group once', () => {
    const order = cfg.hosts.map((h) => h.gateway).filter((g, i, all) => g !== all[i - 1]);
    expect(order).toEqual(scopes.map((g) => g.name).filter((name) => order.includes(name)));
  });

  it('lists host keys of a Gateway once per listener port, exact then wildcards (longest first) then "*"', () => {
    for (const scope of scopes) {
      const own = cfg.hosts.filter((h) => h.gateway === scope.name);
      const names = own.map((h) => h.hostname);
      const keys = own.flatMap((h) => (h.ports ?? []).map((p) => `${h.hostname}:${p}`));
      expect(new Set(keys).size).toBe(keys.length);
      expect([...names].sort(compareHostKeys)).toEqual(names);
    }
  });

  it("gives every host entry a Gateway and ports, all of them that Gateway's listener ports, sorted", () => {
    // One Gateway at most names no ports (it is on the proxy's own); the others name both, all distinct and not the own.
    expect(scopes.filter((g) => g.port === undefined && g.tlsPort === undefined).length).toBeLessThanOrEqual(1);
    const named = scopes.filter((g) => g.port !== undefined);
    const dataPorts = [OPTIONS.proxyHttpPort, OPTIONS.proxyTlsPort, ...named.flatMap((g) => [g.port!, g.tlsPort!])];
    expect(new Set(dataPorts).size).toBe(dataPorts.length);
    for (const h of cfg.hosts) {
      const listenerPorts = scopes.find((g) => g.name === h.gateway)!.listenerPorts ?? [];
      expect([...listenerPorts].sort((a, b) => a - b)).toEqual(listenerPorts);
      expect(h.ports?.length).toBeGreaterThan(0);
      expect([...h.ports!].sort((a, b) => a - b)).toEqual(h.ports);
      for (const p of h.ports!) expect(listenerPorts).toContain(p);
    }
  });

  it('references existing rules only, with unique rule ids, and every rule reachable from some host', () => {
    const ids = cfg.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const used = new Set(cfg.hosts.flatMap((h) => h.matches.map((m) => m.rule)));
    for (const r of used) expect(r).toBeLessThan(cfg.rules.length);
    expect(used.size).toBe(cfg.rules.length);
  });

  it('publishes the same hostnames in ingress and DNS, ending with the 404 catch-all, never "*"', () => {
    const rules = ingress.ingress;
    expect(rules[rules.length - 1]).toEqual({ service: 'http_status:404' });
    const named = rules.slice(0, -1).map((r) => r.hostname);
    expect(dns.map((d) => d.name)).toEqual(named);
    expect(named).not.toContain('*');
    // cloudflared refuses a rule hostname with a port; it matches a request's name without its port.
    for (const name of named) expect(name).not.toContain(':');
    for (const d of dns)
      expect(d).toEqual({ name: d.name, type: 'CNAME', content: 'tun.cfargotunnel.com', proxied: true });
  });

  it("sends hostnames to their Gateway's ports: with gRPC rules to its TLS origin over HTTP/2, else one of the two", () => {
    for (const rule of ingress.ingress.slice(0, -1)) {
      const port = Number(new URL(rule.service).port);
      const owner = scopes.find((g) => g.port === port || g.tlsPort === port) ?? {
        ...scopes.find((g) => g.port === undefined)!,
        port: OPTIONS.proxyHttpPort,
        tlsPort: OPTIONS.proxyTlsPort,
      };
      const entries = cfg.hosts.filter((h) => h.gateway === owner.name && h.hostname === rule.hostname);
      expect(entries.length).toBeGreaterThan(0);
      const grpc = entries.some((h) => h.matches.some((m) => cfg.rules[m.rule]!.kind === 'grpc'));
      if (grpc) {
        expect(rule.service).toBe(`https://localhost:${owner.tlsPort}`);
        expect(rule.originRequest).toEqual({ http2Origin: true, noTLSVerify: true });
      } else if (rule.service === `https://localhost:${owner.tlsPort}`) {
        // Only where the hostname's routes on 443 differ from those on 80 (edge.ts).
        expect(rule.originRequest).toEqual({ noTLSVerify: true });
        expect(entries.some((h) => h.ports?.includes(443))).toBe(true);
      } else {
        expect(rule).toEqual({ hostname: rule.hostname, service: `http://localhost:${owner.port}` });
      }
    }
  });

  it('lists statuses by kind, then namespace, then name, each object once', () => {
    const KINDS = ['GatewayClass', 'Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'BackendTLSPolicy'];
    const keys = result.statuses.map((st) => [KINDS.indexOf(st.kind), st.namespace, st.name] as const);
    keys.forEach(([kind]) => expect(kind).toBeGreaterThanOrEqual(0));
    for (let i = 1; i < keys.length; i++) {
      const [a, b] = [keys[i - 1]!, keys[i]!];
      const before = a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])));
      expect({ before: a, after: b, ordered: before }).toEqual({ before: a, after: b, ordered: true });
    }
  });

  it('gives every condition of ours a generation and a time', () => {
    type Cond = { type: string; observedGeneration?: number; lastTransitionTime?: string };
    type Status = {
      conditions?: Cond[];
      listeners?: Array<{ conditions: Cond[] }>;
      parents?: Array<{ controllerName: string; conditions: Cond[] }>;
    };
    const ours = result.statuses.flatMap((s) => {
      const st = s.status as Status;
      return [
        ...(st.conditions ?? []),
        ...(st.listeners ?? []).flatMap((l) => l.conditions),
        ...(st.parents ?? []).filter((p) => p.controllerName === DEFAULT_CONTROLLER_NAME).flatMap((p) => p.conditions),
      ];
    });
    for (const c of ours) {
      expect(Number.isInteger(c.observedGeneration)).toBe(true);
      expect(c.lastTransitionTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
  });
});
