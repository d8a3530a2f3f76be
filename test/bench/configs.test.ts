// The bench's configs must be what the proxy accepts, and the request each bench sends must hit the
// route the bench claims (the last-declared one), or the numbers would measure something else.
import { describe, expect, it } from '@jest/globals';
import { parseProxyConfig } from '../../proxy/config/schema.js';
import {
  BENCH_HOST,
  fullConfig,
  grpcRoute,
  lastHost,
  lastRoutePath,
  routesOnManyHosts,
  routesOnOneHost,
  singleRoute,
} from './lib/configs.js';

/** Segment-aware PathPrefix, as Gateway API defines it. */
const prefixMatches = (prefix: string, path: string) =>
  path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);

describe('bench configs', () => {
  it.each([
    ['single route', singleRoute(8080)],
    ['gRPC route', grpcRoute(8081)],
    ['10 path routes', routesOnOneHost(10, 8080)],
    ['10,000 path routes', routesOnOneHost(10_000, 8080)],
    ['10,000 hosts', routesOnManyHosts(10_000, 8080)],
    ['full 5,000-route config', fullConfig(5_000, 8080, 1)],
  ])('%s passes the proxy schema', (_label, config) => {
    expect(() => parseProxyConfig(config)).not.toThrow();
  });

  it.each([10, 10_000])('with %i path routes only the last-declared one matches the bench path', (n) => {
    const cfg = routesOnOneHost(n, 8080);
    const hits = cfg.hosts[0]!.matches.map(
      (m, i) => [i, prefixMatches(m.match.path!.value, lastRoutePath(n))] as const,
    ).filter(([, hit]) => hit);
    expect(hits.map(([i]) => i)).toEqual([n - 1]);
  });

  it('with many hosts the requested host is the last-declared one', () => {
    const cfg = routesOnManyHosts(500, 8080);
    expect(cfg.hosts.map((h) => h.hostname).indexOf(lastHost(500))).toBe(499);
  });

  it('two push variants differ (each push is a real change) and keep the measured host', () => {
    const [a, b] = [fullConfig(200, 8080, 1), fullConfig(200, 8080, 2)];
    expect(a.version).not.toBe(b.version);
    expect(JSON.stringify(a.hosts)).not.toBe(JSON.stringify(b.hosts));
    expect(a.hosts.at(-1)!.hostname).toBe(BENCH_HOST);
    expect(a.rules).toHaveLength(201);
  });
});
