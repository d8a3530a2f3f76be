// The connector token of a given tunnel is a convenience for cloudflared, not a precondition of routing: when
// Cloudflare refuses it (404, or an API token without that permission) ingress and DNS are still reconciled,
// the refusal is warned about once (never with a token in it) and shows in the stats and metrics.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { startFakeCloudflare, type FakeCloudflare, type FakeTunnel } from '../support/fake-cloudflare/index.js';
import { configIngress, desiredFor, edgeFor } from './helpers.js';

let fake: FakeCloudflare;
let tunnel: FakeTunnel;
let lines: Array<Record<string, unknown>>;
const logger = () => pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
const TOKEN_PATH = /\/cfd_tunnel\/[^/]+\/token$/;

beforeEach(async () => {
  fake = await startFakeCloudflare();
  tunnel = fake.store.addTunnel('existing');
  fake.store.addZone('example.com');
  lines = [];
});
afterEach(() => fake.close());

const cnames = () => [...fake.store.records.values()].filter((r) => r.type === 'CNAME').map((r) => r.name);
const tokenWarnings = () => lines.filter((l) => typeof l.msg === 'string' && l.msg.includes('connector token'));

describe('a tunnel whose connector token cannot be fetched', () => {
  it.each([
    [
      '404 (no such token)',
      (f: FakeCloudflare) => f.faults.serverErrors(Infinity, 404, { path: TOKEN_PATH }),
      'not_found',
    ],
    [
      '403 (API token without the permission)',
      (f: FakeCloudflare) => f.faults.authFailure(Infinity, { path: TOKEN_PATH }),
      'forbidden',
    ],
  ])(
    '%s: ingress and DNS are reconciled, one warning, a metric and the stats say why',
    async (_name, inject, reason) => {
      inject(fake);
      const tokens: string[] = [];
      const edge = edgeFor(fake, {
        tunnelId: tunnel.id,
        logger: logger(),
        onTunnelToken: async (t) => void tokens.push(t),
      });

      expect(await edge.reconcile(desiredFor(['app.example.com']))).toMatchObject({ ok: true });
      expect(await edge.reconcile(desiredFor(['app.example.com', 'api.example.com']))).toMatchObject({ ok: true });

      expect(configIngress(fake, tunnel.id).map((r) => r.hostname ?? r.service)).toEqual([
        'app.example.com',
        'api.example.com',
        'http_status:404',
      ]);
      expect(cnames().sort()).toEqual(['api.example.com', 'app.example.com']);
      expect(tokens).toEqual([]);
      expect(tokenWarnings()).toHaveLength(1);
      expect(tokenWarnings()[0]).toMatchObject({ level: 40, tunnelId: tunnel.id, reason });
      expect(JSON.stringify(lines)).not.toContain(fake.store.tokenOf(tunnel));
      // A refusal is final: asked once, not on every pass.
      expect(fake.calls.filter((c) => TOKEN_PATH.test(c.path))).toHaveLength(1);
      expect(edge.stats().tokenError).toContain(reason === 'not_found' ? '404' : '403');
      const text = await edge.metrics.registry.metrics();
      expect(text).toContain(`tunnel_gateway_cloudflare_tunnel_token_failures_total{reason="${reason}"} 1`);
      expect(text).toMatch(/^tunnel_gateway_cloudflare_tunnel_token_delivered 0$/m);
    },
  );

  it('a transient failure is retried on the next pass, which delivers the token', async () => {
    fake.faults.serverErrors(1, 503, { path: TOKEN_PATH });
    const tokens: string[] = [];
    const edge = edgeFor(fake, {
      tunnelId: tunnel.id,
      logger: logger(),
      onTunnelToken: async (t) => void tokens.push(t),
    });
    expect(await edge.reconcile(desiredFor(['app.example.com']))).toMatchObject({ ok: true });
    expect(cnames()).toEqual(['app.example.com']);
    expect(tokens).toEqual([]);
    expect(await edge.reconcile(desiredFor(['app.example.com']))).toMatchObject({ ok: true });
    expect(tokens).toEqual([fake.store.tokenOf(tunnel)]);
    expect(edge.stats().tokenError).toBeUndefined();
    expect(await edge.metrics.registry.metrics()).toMatch(/^tunnel_gateway_cloudflare_tunnel_token_delivered 1$/m);
    expect(tokenWarnings()).toHaveLength(1);
  });

  it('a token that cannot be written (the callback throws) does not block the pass either', async () => {
    const edge = edgeFor(fake, {
      tunnelId: tunnel.id,
      logger: logger(),
      onTunnelToken: async () => {
        throw new Error('EACCES: permission denied');
      },
    });
    expect(await edge.reconcile(desiredFor(['app.example.com']))).toMatchObject({ ok: true });
    expect(cnames()).toEqual(['app.example.com']);
    expect(tokenWarnings()[0]).toMatchObject({ reason: 'write' });
  });
});
