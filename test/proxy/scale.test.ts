// Matching cost depends on the matched host's own list, not on how many hosts the config has.
import { describe, expect, it } from '@jest/globals';
import { parseProxyConfig } from '../../proxy/config/schema.js';
import { compileTable, type RoutingTable } from '../../proxy/router/table.js';
import { firstMatch } from '../../proxy/router/select.js';
import { RequestMatchInput } from '../../proxy/router/match.js';
import { UpstreamRegistry } from '../../proxy/forward/upstream.js';
import { DEFAULT_LIMITS } from '../../proxy/limits.js';

function tableWith(hostCount: number): RoutingTable {
  const rules = [
    {
      id: 'r',
      kind: 'http' as const,
      backends: [{ name: 'b', weight: 1, endpoints: [{ address: '127.0.0.1', port: 9 }] }],
    },
  ];
  const hosts = [];
  for (let i = 0; i < hostCount; i++) {
    hosts.push({
      hostname: i % 10 === 0 ? `*.w${i}.example.com` : `h${i}.example.com`,
      matches: [
        { match: { path: { type: 'Exact' as const, value: '/exact' } }, rule: 0 },
        { match: { path: { type: 'RegularExpression' as const, value: '/u/[0-9]+' } }, rule: 0 },
        { match: { path: { type: 'PathPrefix' as const, value: '/' } }, rule: 0 },
      ],
    });
  }
  return compileTable(
    parseProxyConfig({ version: String(hostCount), rules, hosts }),
    new UpstreamRegistry(DEFAULT_LIMITS),
  );
}

function timeLookups(table: RoutingTable, hostCount: number, n: number): number {
  const names = Array.from({ length: 64 }, (_, k) => {
    const i = (k * 7919) % hostCount;
    return i % 10 === 0 ? `x.w${i}.example.com` : `h${i}.example.com`;
  });
  const started = performance.now();
  let found = 0;
  for (let j = 0; j < n; j++) {
    const entry = table.hosts.lookup(names[j & 63]!);
    if (entry && firstMatch(entry, new RequestMatchInput('GET', '/u/123', {}, ''))) found++;
  }
  expect(found).toBe(n);
  return performance.now() - started;
}

describe('routing scale', () => {
  const small = tableWith(10);
  const large = tableWith(10_000);

  it('a host entry holds only its own matches', () => {
    expect(large.hosts.lookup('h1.example.com')!.matches).toHaveLength(3);
    expect(large.hosts.lookup('deep.x.w9990.example.com')!.matches).toHaveLength(3);
  });

  it('10k hosts route as fast as 10 (same order of magnitude, medians of interleaved runs)', () => {
    const n = 50_000;
    timeLookups(small, 10, n);
    timeLookups(large, 10_000, n);
    const smallRuns: number[] = [];
    const largeRuns: number[] = [];
    for (let round = 0; round < 7; round++) {
      smallRuns.push(timeLookups(small, 10, n));
      largeRuns.push(timeLookups(large, 10_000, n));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
    // A linear scan would be ~1000× slower; allow generous noise on a shared machine.
    expect(median(largeRuns) / median(smallRuns)).toBeLessThan(4);
  });
});
