// Backend references (src/translate/backends.ts): which EndpointSlice addresses a Service port forwards to,
// what a proxy backend carries, and which ExternalName targets are refused (a tenant's Service must not
// become a way to the proxy's own host or to a network by address).
import { describe, expect, it } from '@jest/globals';
import { CONFIG_LIMITS } from '../../proxy/config/schema.js';
import { readyEndpoints, toBackend } from '../../src/translate/backends.js';
import { translate } from '../../src/translate/index.js';
import type { K8sObject } from '../../src/core/types.js';
import { oneGatewayWorld, TRANSLATE_OPTIONS } from './support.js';

function slice(ports: unknown[], endpoints: unknown[]): K8sObject {
  return { kind: 'EndpointSlice', metadata: { name: 's', namespace: 'd' }, ports, endpoints } as K8sObject;
}

describe('readyEndpoints', () => {
  it('takes the slice port named like the Service port, or a slice’s only port', () => {
    const named = slice(
      [
        { name: 'metrics', port: 9090 },
        { name: 'http', port: 8080 },
      ],
      [{ addresses: ['10.0.0.1'] }],
    );
    expect(readyEndpoints([named], 'http')).toEqual([{ address: '10.0.0.1', port: 8080 }]);
    expect(readyEndpoints([slice([{ name: 'other', port: 81 }], [{ addresses: ['10.0.0.2'] }])], 'http')).toEqual([
      { address: '10.0.0.2', port: 81 },
    ]);
    expect(readyEndpoints([named], 'grpc')).toEqual([]); // two ports, neither named so
  });

  it('skips ports outside 1–65535 and addresses that are not text', () => {
    for (const port of [0, 65536, -1])
      expect([port, readyEndpoints([slice([{ port }], [{ addresses: ['10.0.0.1'] }])], '')]).toEqual([port, []]);
    for (const port of [1, 65535])
      expect(readyEndpoints([slice([{ port }], [{ addresses: ['10.0.0.1'] }])], '')).toEqual([
        { address: '10.0.0.1', port },
      ]);
    expect(readyEndpoints([slice([{ port: 80 }], [{ addresses: ['', 7, null, '10.0.0.3'] }])], '')).toEqual([
      { address: '10.0.0.3', port: 80 },
    ]);
  });

  it('matches an unnamed Service port to the unnamed slice port, and reads only address lists', () => {
    const two = slice([{ port: 8080 }, { name: 'metrics', port: 9090 }], [{ addresses: ['10.0.0.1'] }]);
    expect(readyEndpoints([two], '')).toEqual([{ address: '10.0.0.1', port: 8080 }]);
    expect(readyEndpoints([slice([{ port: 80 }], [{ addresses: '10.0.0.1' }])], '')).toEqual([]);
  });

  it('keeps the first addresses in order past the per-backend limit', () => {
    const addresses = Array.from(
      { length: CONFIG_LIMITS.endpointsPerBackend + 1 },
      (_, i) => `10.${i >> 8}.${i & 255}.1`,
    );
    const kept = readyEndpoints([slice([{ port: 80 }], [{ addresses }])], '');
    // Which one is left out is decided by address order (as text), not by the order the slice lists them in.
    const first = [...addresses].sort().slice(0, CONFIG_LIMITS.endpointsPerBackend);
    expect(kept.map((e) => e.address)).toEqual(first);
    expect(readyEndpoints([slice([{ port: 80 }], [{ addresses: [...addresses].reverse() }])], '')).toEqual(kept);
  });

  it('keeps ready and unknown-readiness endpoints once each, sorted by address then port', () => {
    const endpoints = [
      { addresses: ['10.0.0.9'], conditions: { ready: true } },
      { addresses: ['10.0.0.2'] },
      { addresses: ['10.0.0.5'], conditions: { ready: false } },
      { addresses: ['10.0.0.2', '10.0.0.1'] },
    ];
    const other = slice([{ port: 70 }], [{ addresses: ['10.0.0.2'] }]);
    expect(readyEndpoints([slice([{ port: 80 }], endpoints), other], '')).toEqual([
      { address: '10.0.0.1', port: 80 },
      { address: '10.0.0.2', port: 70 },
      { address: '10.0.0.2', port: 80 },
      { address: '10.0.0.9', port: 80 },
    ]);
  });
});

describe('toBackend', () => {
  const tls = { hostname: 'b.test', caCertificates: ['ca'] } as never;
  it('carries endpoints, protocol and TLS only to a backend that may be forwarded to', () => {
    const ep = [{ address: '10.0.0.1', port: 80 }];
    expect(toBackend({ name: 'n', endpoints: ep, protocol: 'http1' }, 3)).toEqual({
      name: 'n',
      weight: 3,
      endpoints: ep,
    });
    expect(toBackend({ name: 'n', endpoints: ep, protocol: 'h2c', tls }, 1)).toEqual({
      name: 'n',
      weight: 1,
      endpoints: ep,
      protocol: 'h2c',
      tls,
    });
    expect(toBackend({ name: 'n', endpoints: ep, protocol: 'http1', status: 500, tls }, 1)).toEqual({
      name: 'n',
      weight: 1,
      status: 500,
    });
    expect(toBackend({ name: 'n', endpoints: [], protocol: 'http1', status: 503 }, 1)).toEqual({
      name: 'n',
      weight: 1,
      status: 503,
    });
  });
});

describe('resolving a backendRef', () => {
  /** The route's ResolvedRefs condition and its backend, the route naming `ref` and the cluster holding `services`. */
  function resolved(ref: Record<string, unknown>, services: K8sObject[], options = {}, kind = 'HTTPRoute') {
    const s = oneGatewayWorld([
      {
        kind,
        metadata: { name: 'r', namespace: 'd' },
        spec: { parentRefs: [{ name: 'g' }], rules: [{ backendRefs: [{ port: 80, ...ref }] }] },
      },
    ]);
    s.services.push(...services);
    const out = translate(s, { ...TRANSLATE_OPTIONS, ...options });
    const parents = out.statuses.find((x) => x.name === 'r')!.status.parents as Array<{
      conditions: Array<{ type: string; reason: string; message: string }>;
    }>;
    const refs = parents[0]!.conditions.find((c) => c.type === 'ResolvedRefs')!;
    return { reason: refs.reason, message: refs.message, backend: out.proxyConfig.rules[0]?.backends?.[0] };
  }
  const service = (name: string, spec: Record<string, unknown>): K8sObject => ({
    kind: 'Service',
    metadata: { name, namespace: 'd' },
    spec,
  });

  it('refuses a reference of another kind or group even when a Service has its name', () => {
    const svc = [service('b', { ports: [{ port: 80 }] })];
    expect(resolved({ name: 'b', kind: 'Pod' }, svc).reason).toBe('InvalidKind');
    expect(resolved({ name: 'b', group: 'example.com' }, svc).reason).toBe('InvalidKind');
    expect(resolved({ name: 'b', group: 'example.com', kind: 'Pod' }, svc).message).toBe(
      'backendRef example.com/Pod b is not a Service',
    );
    expect(resolved({ name: 'b' }, svc).reason).toBe('ResolvedRefs');
  });

  it('names what it refuses', () => {
    expect(resolved({ name: 'b', kind: 'Pod' }, []).message).toBe('backendRef core/Pod b is not a Service');
    expect(resolved({}, []).message).toBe('Service d/ not found');
  });

  it("reaches an unnamed Service port's endpoints on the slice's unnamed port, beside a named one", () => {
    const s = oneGatewayWorld([
      {
        kind: 'HTTPRoute',
        metadata: { name: 'r', namespace: 'd' },
        spec: { parentRefs: [{ name: 'g' }], rules: [{ backendRefs: [{ name: 'b', port: 80 }] }] },
      },
    ]);
    s.services.push(service('b', { ports: [{ port: 80 }] }));
    const endpoints = [{ addresses: ['10.0.0.1'], conditions: { ready: true } }];
    s.endpointSlices.push({
      ...slice([{ name: 'metrics', port: 9090 }, { port: 8080 }], endpoints),
      metadata: { name: 'b-1', namespace: 'd', labels: { 'kubernetes.io/service-name': 'b' } },
    });
    const backend = translate(s, TRANSLATE_OPTIONS).proxyConfig.rules[0]?.backends?.[0];
    expect(backend?.endpoints).toEqual([{ address: '10.0.0.1', port: 8080 }]);
  });

  it('names the missing port', () => {
    const r = resolved({ name: 'b', port: 81 }, [service('b', { ports: [{ port: 80 }] })]);
    expect(r).toMatchObject({ reason: 'BackendNotFound', message: 'Service d/b has no port 81' });
  });

  it('forwards to an ExternalName only by a DNS name that is neither an address nor this host', () => {
    const external = (externalName: string) =>
      resolved({ name: 'x' }, [service('x', { type: 'ExternalName', externalName, ports: [{ port: 80 }] })], {
        externalNameServices: true,
      });
    for (const name of ['api.v2', 'svc1', '1password.example.com', 'a.b-c.example']) {
      expect([name, external(name).reason]).toEqual([name, 'ResolvedRefs']);
      expect(external(name).backend!.endpoints).toEqual([{ address: name, port: 80 }]);
    }
    for (const [name, why] of [
      ['10.0.0.1', 'is an IP address, not a DNS name'],
      ['localhost', 'names this host'],
      ['db.localhost', 'names this host'],
      ['-a.example', 'is not a DNS name'],
      ['a-.example', 'is not a DNS name'],
      [`${'a'.repeat(64)}.example`, 'is not a DNS name'],
      ['a..example', 'is not a DNS name'],
    ])
      expect(external(name).message).toBe(`Service d/x: externalName ${JSON.stringify(name)} ${why}`);
    expect(external(`${'a'.repeat(63)}.example`).reason).toBe('ResolvedRefs');
    const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`; // 253 characters
    expect(external(longest).reason).toBe('ResolvedRefs');
    expect(external(`${longest}e`).message).toMatch(/is not a DNS name$/);
  });

  it("reads an ExternalName's referenced port for its protocol and TLS, and needs none listed", () => {
    const external = (ports: unknown[] | undefined, port = 80) =>
      resolved(
        { name: 'x', port },
        [service('x', { type: 'ExternalName', externalName: 'api.example', ...(ports && { ports }) })],
        { externalNameServices: true },
      );
    expect(external(undefined).backend).toStrictEqual({
      name: 'd/x:80',
      weight: 1,
      endpoints: [{ address: 'api.example', port: 80 }],
    });
    const two = [{ port: 80 }, { port: 81, appProtocol: 'kubernetes.io/h2c' }];
    expect(external(two, 81).backend!.protocol).toBe('h2c');
    expect(external(two, 80).backend!.protocol).toBeUndefined();
    const grpc = resolved(
      { name: 'x' },
      [service('x', { type: 'ExternalName', externalName: 'api.example', ports: [{ port: 80 }] })],
      { externalNameServices: true },
      'GRPCRoute',
    );
    expect(grpc.backend!.protocol).toBe('h2c'); // gRPC is HTTP/2 whatever the port declares
    // TLS with nothing to verify it by: refused, and never forwarded in plaintext.
    const https = external([{ port: 443, appProtocol: 'https' }], 443);
    expect(https.reason).toBe('UnsupportedProtocol');
    expect(https.backend).toStrictEqual({ name: 'd/x:443', weight: 1, status: 500 });
    const missing = resolved({ name: 'x' }, [service('x', { type: 'ExternalName', ports: [{ port: 80 }] })], {
      externalNameServices: true,
    });
    expect(missing.message).toBe('Service d/x: externalName "" is not a DNS name');
  });
});
