// A proxy replica (a real `tunnel-gateway proxy` process) killed mid-traffic and restarted on the same address
// gets its config back within 2 s, and until then answers 503 — it never routes by an empty table.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { createControlPlane, type ControlPlane } from '../../src/runtime/control-plane.js';
import { FileSource } from '../../src/sources/files.js';
import { translate } from '../../src/translate/index.js';
import { HttpReplicaClient } from '../../src/kubernetes/replicas.js';
import { DEFAULT_CONTROLLER_NAME } from '../../src/core/types.js';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { gatewayYaml, routeYaml, serviceYaml } from '../support/manifests.js';
import { eventually, httpRequest } from '../support/http.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

const manifests = (port: number) =>
  [gatewayYaml, routeYaml('app', 'app.test', 'app'), serviceYaml('app', port)].join('---\n');

describe('replica restart', () => {
  let backend: EchoBackend;
  let dir: string;
  let dataPort: number;
  let adminPort: number;
  let proxy: CliProcess;
  let controlPlane: ControlPlane;
  const agent = new Agent({ connections: 4 });

  const startReplica = async () => {
    const p = runCli(['proxy', '--listen', `127.0.0.1:${dataPort}`, '--admin', `127.0.0.1:${adminPort}`]);
    await p.waitForLog((l) => l.msg === 'proxy ready for config');
    return p;
  };

  beforeAll(async () => {
    backend = await startEchoBackend('app');
    dir = await mkdtemp(join(tmpdir(), 'tgw-restart-'));
    await writeFile(join(dir, 'all.yaml'), manifests(backend.port));
    [dataPort, adminPort] = [await freePort(), await freePort()];
    proxy = await startReplica();
    const source = new FileSource({ root: dir });
    controlPlane = createControlPlane({
      source,
      statusSink: source,
      translate: (s) =>
        translate(s, {
          controllerName: DEFAULT_CONTROLLER_NAME,
          now: new Date().toISOString(),
          proxyHttpPort: dataPort,
          proxyTlsPort: 8443,
        }),
    });
    controlPlane.setReplicas([
      { id: 'proxy-0', ready: true, client: new HttpReplicaClient(`http://127.0.0.1:${adminPort}`, undefined, agent) },
    ]);
    await controlPlane.start();
    await eventually(async () => (await httpRequest(dataPort, { host: 'app.test', path: '/' })).status === 200);
  }, 60_000);

  afterAll(async () => {
    await controlPlane?.stop();
    await proxy?.stop('SIGKILL');
    await agent.close();
    await backend?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('replays the config within 2 s of the restart, answering 503 (never 404) until then', async () => {
    let stop = false;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (!stop) {
        const reply = await httpRequest(dataPort, { host: 'app.test', path: '/' }).catch(() => undefined);
        if (reply) statuses.push(reply.status);
        else await new Promise((r) => setTimeout(r, 5));
      }
    })();
    let replayedWithin: number;
    try {
      await eventually(async () => statuses.length > 20);
      await proxy.stop('SIGKILL');
      proxy = await startReplica();
      const restarted = Date.now();
      await eventually(
        async () => (await httpRequest(dataPort, { host: 'app.test', path: '/' })).status === 200,
        5000,
        10,
      );
      replayedWithin = Date.now() - restarted;
    } finally {
      stop = true;
      await traffic;
    }
    expect(replayedWithin).toBeLessThan(2000);
    expect(new Set(statuses)).toEqual(new Set(statuses.filter((s) => s === 200 || s === 503)));
    expect(statuses).toContain(200);
  }, 60_000);
});
