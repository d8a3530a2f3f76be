// runStandalone with fixed data ports does not wait for its data plane (worker processes take ~1 s to load)
// before translating: routes are accepted while the proxy still starts, and the first push reaches the proxy
// once it listens. A data plane whose start the test holds, then the real one.
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startDataPlane } from '../../src/runtime/data-plane.js';
import { runStandalone } from '../../src/runtime/standalone.js';
import { DEFAULT_CONTROLLER_NAME } from '../../src/core/types.js';
import { startEchoServer, type EchoServer } from '../../src/demo/echo-server.js';
import { gatewayYaml, routeYaml, serviceYaml } from '../support/manifests.js';
import { eventually, httpRequest } from '../support/http.js';
import { freePort } from '../support/ports.js';

interface Transition {
  actor?: string;
  to?: string;
  msg?: string;
}

describe('standalone start', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function folder(echo: EchoServer): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'tgw-start-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(
      join(dir, 'all.yaml'),
      [gatewayYaml, routeYaml('r1', 'a.test'), serviceYaml('svc', echo.port)].join('---\n'),
    );
    return dir;
  }

  it('accepts routes while the data plane starts, then pushes to it and serves', async () => {
    const echo = await startEchoServer('svc');
    cleanups.push(() => echo.close());
    const transitions: Transition[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void transitions.push(JSON.parse(line)) });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const port = await freePort();
    const starting = runStandalone({
      manifests: await folder(echo),
      listen: { host: '127.0.0.1', port },
      admin: { host: '127.0.0.1', port: 0 },
      controllerName: DEFAULT_CONTROLLER_NAME,
      logger,
      startDataPlane: async (options) => {
        await held;
        return startDataPlane(options);
      },
    });
    // Whatever the test finds, the held start is let go and what it started is closed.
    cleanups.push(async () => {
      release();
      await (await starting.catch(() => undefined))?.close(0);
    });
    const statesOf = (actor: string) =>
      transitions.filter((t) => t.msg === 'actor transition' && t.actor?.includes(actor)).map((t) => t.to);
    await eventually(async () => statesOf('r1').includes('accepted.programming'));
    // Waiting for the data plane is neither a failure nor "no ready replica": the replica is still reading
    // what the proxy runs, the route waits to be programmed, nothing backed off.
    expect(statesOf('replica').at(-1)).toBe('checking');
    expect(statesOf('r1')).not.toContain('accepted.degraded.dataPlaneNotReady');
    expect(transitions.filter((t) => t.msg?.includes('backing off'))).toEqual([]);
    release();
    await starting;
    await eventually(async () => statesOf('r1').includes('accepted.programmed'));
    await eventually(async () => (await httpRequest(port, { host: 'a.test', path: '/' })).status === 200);
    expect((await httpRequest(port, { host: 'a.test', path: '/' })).json().backend).toBe('svc');
  });

  it('fails the start when the data plane cannot start', async () => {
    const echo = await startEchoServer('svc');
    cleanups.push(() => echo.close());
    const start = runStandalone({
      manifests: await folder(echo),
      listen: { host: '127.0.0.1', port: await freePort() },
      admin: { host: '127.0.0.1', port: 0 },
      controllerName: DEFAULT_CONTROLLER_NAME,
      startDataPlane: async () => {
        await new Promise((r) => setTimeout(r, 50));
        throw new Error('port taken');
      },
    });
    await expect(start).rejects.toThrow('port taken');
  });
});
