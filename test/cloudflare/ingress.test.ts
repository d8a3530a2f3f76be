// Pure ingress comparison and merge rules.
import { describe, expect, it } from '@jest/globals';
import { mergeIngress, sameIngress, type RemoteRule } from '../../src/cloudflare/ingress.js';

const http = (hostname: string, port = 8080): RemoteRule => ({ hostname, service: `http://localhost:${port}` });
const grpc = (
  hostname: string,
  originRequest: Record<string, unknown> = { http2Origin: true, noTLSVerify: true },
): RemoteRule => ({ hostname, service: 'https://localhost:8443', originRequest });
const NOT_FOUND: RemoteRule = { service: 'http_status:404' };

describe('sameIngress', () => {
  it.each([
    // [why, a, b, same]
    [
      'order of hostname rules does not matter',
      [http('a.x'), http('b.x'), NOT_FOUND],
      [http('b.x'), http('a.x'), NOT_FOUND],
      true,
    ],
    ['hostnames compare case-insensitively', [http('A.x'), NOT_FOUND], [http('a.x'), NOT_FOUND], true],
    [
      'defaults and empty originRequest are ignored',
      [{ ...http('a.x'), originRequest: { noTLSVerify: false, connectTimeout: 30 } }, NOT_FOUND],
      [http('a.x'), NOT_FOUND],
      true,
    ],
    [
      'originRequest key order is ignored',
      [grpc('g.x', { noTLSVerify: true, http2Origin: true }), NOT_FOUND],
      [grpc('g.x'), NOT_FOUND],
      true,
    ],
    ['a different port is a difference', [http('a.x', 8080), NOT_FOUND], [http('a.x', 9090), NOT_FOUND], false],
    [
      'a dropped originRequest flag is a difference',
      [grpc('g.x', { http2Origin: true }), NOT_FOUND],
      [grpc('g.x'), NOT_FOUND],
      false,
    ],
    [
      'a different catch-all is a difference',
      [http('a.x'), NOT_FOUND],
      [http('a.x'), { service: 'http_status:503' }],
      false,
    ],
    ['the catch-all must be last', [NOT_FOUND, http('a.x')], [http('a.x'), NOT_FOUND], false],
    ['an extra rule is a difference', [http('a.x'), NOT_FOUND], [http('a.x'), http('b.x'), NOT_FOUND], false],
  ] as Array<[string, RemoteRule[], RemoteRule[], boolean]>)('%s', (_why, a, b, same) => {
    expect(sameIngress(a, b)).toBe(same);
    expect(sameIngress(b, a)).toBe(same);
  });
});

describe('mergeIngress', () => {
  it('puts our rules first in desired order, then kept foreign rules, then the catch-all', () => {
    const r = mergeIngress({
      current: [http('legacy.x', 81), http('gone.x'), NOT_FOUND],
      desired: [http('b.x'), http('*.x'), NOT_FOUND],
      ownedHosts: new Set(['gone.x']),
      ownTunnel: false,
    });
    expect(r.ingress).toEqual([http('b.x'), http('*.x'), http('legacy.x', 81), NOT_FOUND]);
    expect(r.removed).toEqual(['gone.x']);
    expect(r.conflicts).toEqual([expect.stringContaining('foreign ingress rule for legacy.x')]);
  });

  it('keeps a foreign rule on a wanted hostname and reports the hostname as taken', () => {
    const r = mergeIngress({
      current: [http('a.x', 81), NOT_FOUND],
      desired: [http('a.x'), NOT_FOUND],
      ownedHosts: new Set(),
      ownTunnel: false,
    });
    expect(r.ingress).toEqual([http('a.x', 81), NOT_FOUND]);
    expect(r.taken).toEqual(['a.x']);
  });

  it('adopts an identical rule without calling it a conflict', () => {
    const r = mergeIngress({
      current: [http('a.x'), NOT_FOUND],
      desired: [http('a.x'), NOT_FOUND],
      ownedHosts: new Set(),
      ownTunnel: false,
    });
    expect(r).toMatchObject({ conflicts: [], taken: [] });
  });

  it('with ownTunnel replaces everything with the desired document', () => {
    const r = mergeIngress({
      current: [http('legacy.x', 81), http('a.x', 81), NOT_FOUND],
      desired: [http('a.x'), NOT_FOUND],
      ownedHosts: new Set(),
      ownTunnel: true,
    });
    expect(r.ingress).toEqual([http('a.x'), NOT_FOUND]);
    expect(r.conflicts).toEqual([]);
  });

  it('supplies a 404 catch-all when the desired document has none', () => {
    const r = mergeIngress({ current: [], desired: [http('a.x')], ownedHosts: new Set(), ownTunnel: false });
    expect(r.ingress.at(-1)).toEqual(NOT_FOUND);
  });
});
