// Endpoints named by DNS (ExternalName Services) are resolved and connected to by the proxy itself, over
// HTTP/1.1 and h2c. `localhost` is the one name that resolves to a local test backend on every machine (the
// translator refuses it for ExternalName Services; the proxy takes any name it is given).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEchoBackend, type EchoBackend, type EchoBody } from '../support/backends.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

let proxy: RunningProxy;
let h1: EchoBackend;
let h2c: EchoBackend;

beforeAll(async () => {
  h1 = await startEchoBackend('h1');
  h2c = await startEchoBackend('h2c', { protocol: 'h2c' });
  proxy = await startTestProxy();
  const b = new ConfigBuilder();
  b.route('h1.test', prefix('/'), b.rule('by-name-h1', [backend({ ...h1, address: 'localhost' })]));
  b.route(
    'h2c.test',
    prefix('/'),
    b.rule('by-name-h2c', [backend({ ...h2c, address: 'localhost' }, 1, { protocol: 'h2c' })]),
  );
  expect(proxy.applyConfig(b.build())).toMatchObject({ ok: true });
});

afterAll(async () => {
  await proxy?.close(0);
  await Promise.all([h1?.close(), h2c?.close()]);
});

describe('endpoints named by DNS', () => {
  it.each([
    ['h1.test', 'h1'],
    ['h2c.test', 'h2c'],
  ])('%s reaches its backend through the name', async (host, name) => {
    const res = await send(proxy.ports.http, host, '/via-name');
    expect(res.status).toBe(200);
    expect(res.json<EchoBody>()).toMatchObject({ backend: name, path: '/via-name' });
  });
});
