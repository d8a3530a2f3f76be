// `wellKnownCACertificates: System` (a backend's `tls.ca: "system"`) trusts the proxy's default store: Node's
// bundled roots plus NODE_EXTRA_CA_CERTS. A real `proxy` process (one worker) started with a CA made here as
// its extra CA reaches a backend that CA signed; a CA config pushed over PUT /config reaches the worker too.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { caCertificateId, type ProxyConfigInput } from '../../proxy/config/schema.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { createTestCa } from '../support/test-ca.js';
import { startTlsBackend, type TlsBackend } from '../support/tls-backend.js';
import { ConfigBuilder, backend, prefix, send } from './helpers.js';

const trusted = createTestCa('extra CA');
const pinned = createTestCa('pinned CA');
let trustedBackend: TlsBackend;
let pinnedBackend: TlsBackend;
let proxy: CliProcess;
let ports: { http: number; admin: number };
const dir = mkdtempSync(join(tmpdir(), 'tgw-extra-ca-'));

beforeAll(async () => {
  trustedBackend = await startTlsBackend('trusted', trusted.issue({ dns: ['trusted.example.com'] }));
  pinnedBackend = await startTlsBackend('pinned', pinned.issue({ dns: ['pinned.example.com'] }));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, trusted.cert);
  proxy = runCli(['proxy', '--workers', '1', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0'], {
    NODE_EXTRA_CA_CERTS: caFile,
  });
  const ready = await proxy.waitForLog((l) => l.msg === 'proxy ready for config', 120_000);
  ports = ready.ports as typeof ports;
  const b = new ConfigBuilder();
  const system = { serverName: 'trusted.example.com', ca: 'system' };
  b.route(
    'system.test',
    prefix('/'),
    b.rule('httproute/default/system/0', [backend(trustedBackend, 1, { tls: system })]),
  );
  // The pinned CA is not in the default store: it must travel in the config and reach the worker.
  const id = caCertificateId(pinned.cert);
  const tls = { serverName: 'pinned.example.com', ca: id };
  b.route('pinned.test', prefix('/'), b.rule('httproute/default/pinned/0', [backend(pinnedBackend, 1, { tls })]));
  const notTrusted = { serverName: 'pinned.example.com', ca: 'system' };
  b.route(
    'untrusted.test',
    prefix('/'),
    b.rule('httproute/default/untrusted/0', [backend(pinnedBackend, 1, { tls: notTrusted })]),
  );
  const config: ProxyConfigInput = { ...b.build(1), caCertificates: [{ id, pem: pinned.cert }] };
  const res = await request(`http://127.0.0.1:${ports.admin}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  expect(res.statusCode).toBe(200);
  await res.body.dump();
}, 150_000);

afterAll(async () => {
  await proxy?.stop('SIGKILL');
  await Promise.all([trustedBackend?.close(), pinnedBackend?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS to backends in a proxy process', () => {
  it('trusts NODE_EXTRA_CA_CERTS for ca "system"', async () => {
    const res = await send(ports.http, 'system.test', '/x');
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ backend: 'trusted', sni: 'trusted.example.com' });
  });

  it('verifies with a CA bundle carried by the pushed config, in the worker', async () => {
    const res = await send(ports.http, 'pinned.test', '/y');
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ backend: 'pinned', sni: 'pinned.example.com' });
  });

  it('refuses a certificate outside the default store for ca "system" (502)', async () => {
    expect((await send(ports.http, 'untrusted.test', '/z')).status).toBe(502);
  });
});
