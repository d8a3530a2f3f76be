// Matching cost depends on the matched host's own list, not on how many hosts the config has: a host entry
// holds only its own matches. How fast 10 and 10,000 hosts route is a speed goal, measured by `npm run bench`
// (routes: "hosts, one route each", 10 vs 10,000, req/s and CPU per request within 0.95×); it was a timing
// ratio here, which a loaded machine could fail.
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

describe('routing scale', () => {
  const small = tableWith(10);
  const large = tableWith(10_000);

  it('a host entry holds only its own matches', () => {
    expect(large.hosts.lookup('h1.example.com')!.matches).toHaveLength(3);
    expect(large.hosts.lookup('deep.x.w9990.example.com')!.matches).toHaveLength(3);
  });

  it('routes every one of 10,000 hosts, exact or by wildcard, as it routes 10; an unknown host finds nothing', () => {
    for (const [table, count] of [
      [small, 10],
      [large, 10_000],
    ] as const) {
      const missed: string[] = [];
      for (let i = 0; i < count; i++) {
        const host = i % 10 === 0 ? `x.w${i}.example.com` : `h${i}.example.com`;
        const entry = table.hosts.lookup(host);
        if (!entry || !firstMatch(entry, new RequestMatchInput('GET', '/u/123', {}, ''))) missed.push(host);
      }
      expect(missed).toEqual([]);
      expect(table.hosts.lookup(`h${count + 1}.example.com`)).toBeUndefined();
    }
  });
});
