// Shared fixtures for the edge tests: desired states as the translator emits them, a settable clock.
import type { DnsRecord, IngressDocument, IngressRule } from '../../src/core/types.js';
import { createCloudflareEdge, type CloudflareEdgeOptions } from '../../src/cloudflare/index.js';
import type { FakeCloudflare } from '../support/fake-cloudflare/index.js';

export const HTTP_PORT = 8080;
export const TLS_PORT = 8443;

export interface Desired {
  ingress: IngressDocument;
  dns: DnsRecord[];
}

/** Hostnames → the translator's output shape (gRPC hostnames go to the TLS port). */
export function desiredFor(hosts: string[], opts: { grpc?: string[]; tunnelTarget?: string } = {}): Desired {
  const rules: IngressRule[] = hosts.map((h) =>
    opts.grpc?.includes(h)
      ? {
          hostname: h,
          service: `https://localhost:${TLS_PORT}`,
          originRequest: { http2Origin: true, noTLSVerify: true },
        }
      : { hostname: h, service: `http://localhost:${HTTP_PORT}` },
  );
  const target = opts.tunnelTarget ?? 'pending.cfargotunnel.com';
  return {
    ingress: { ingress: [...rules, { service: 'http_status:404' }] },
    dns: hosts.map((name) => ({ name, type: 'CNAME', content: target, proxied: true })),
  };
}

export class TestClock {
  constructor(public ms = Date.parse('2026-01-01T00:00:00Z')) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function edgeFor(fake: FakeCloudflare, extra: Partial<CloudflareEdgeOptions> = {}) {
  return createCloudflareEdge({
    apiToken: fake.apiToken,
    accountId: fake.accountId,
    baseURL: fake.baseURL,
    ownerId: 'test-owner',
    ...extra,
  });
}

export function configIngress(fake: FakeCloudflare, tunnelId: string): Array<Record<string, unknown>> {
  const cfg = fake.store.configs.get(tunnelId)?.config as { ingress?: Array<Record<string, unknown>> } | null;
  return cfg?.ingress ?? [];
}

export const configWrites = (fake: FakeCloudflare) => fake.writes().filter((c) => c.path.endsWith('/configurations'));
export const dnsWrites = (fake: FakeCloudflare) => fake.writes().filter((c) => c.path.includes('/dns_records'));
