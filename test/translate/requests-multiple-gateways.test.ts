// Conformance HTTPRouteMultipleGateways as a request table: each request goes to one Gateway's address (its
// data port, as its status lists it), like the upstream test's requests to each Gateway's address. The
// shared route answers on both, PathPrefix / differs by Gateway; the expectations are the upstream test's.
import { describe, expect, it } from '@jest/globals';
import { resolve, scenarioOf, V1, V2, V3, type Req } from './request-support.js';

const SAME = 'gateway-conformance-infra/same-namespace';
const ALL = 'gateway-conformance-infra/all-namespaces';

describe('conformance-httproute-multiple-gateways', () => {
  const scenario = scenarioOf('conformance-httproute-multiple-gateways');

  it('gives each Gateway its own data port address', () => {
    const addresses = scenario.desired.statuses
      .filter((s) => s.kind === 'Gateway')
      .map((s) => (s.status.addresses as Array<{ value: string }>).at(-1)!.value);
    expect(new Set(addresses).size).toBe(2);
  });

  it.each<[Req, string | number]>([
    [{ gateway: SAME, path: '/shared' }, V1],
    [{ gateway: SAME, path: '/' }, V2],
    [{ gateway: SAME, path: '/other' }, V2],
    [{ gateway: ALL, path: '/shared' }, V1],
    [{ gateway: ALL, path: '/' }, V3],
    [{ gateway: ALL, path: '/other' }, V3],
    // The Host header never picks the Gateway: only the port the request arrived on does.
    [{ gateway: SAME, host: 'example.com:8081', path: '/' }, V2],
    [{ gateway: ALL, host: 'example.com:8081', path: '/' }, V3],
    // Each Gateway's TLS data port is in the same scope as its cleartext one.
    [{ gateway: SAME, tls: true, path: '/' }, V2],
    [{ gateway: ALL, tls: true, path: '/' }, V3],
  ])('%j → %p', (req, expected) => {
    expect(resolve(scenario, req)).toBe(expected);
  });
});
