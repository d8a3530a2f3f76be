// SIGTERM under load: every in-flight request finishes, then the process exits 0.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { runStandalone, type CliProcess } from '../support/cli.js';
import { gatewayYaml, routeYaml, serviceYaml } from '../support/manifests.js';
import { eventually, httpRequest } from '../support/http.js';

const manifests = (port: number) =>
  [gatewayYaml, routeYaml('slow', 'slow.test', 'slow'), serviceYaml('slow', port)].join('---\n');

describe('graceful drain', () => {
  let backend: EchoBackend;
  let dir: string;
  let app: CliProcess;
  let port: number;

  beforeAll(async () => {
    backend = await startEchoBackend('slow');
    dir = await mkdtemp(join(tmpdir(), 'tgw-drain-'));
    await writeFile(join(dir, 'all.yaml'), manifests(backend.port));
    ({ app, port } = await runStandalone(dir));
    await eventually(async () => (await httpRequest(port, { host: 'slow.test', path: '/' })).status === 200);
  });

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await backend?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finishes all 40 in-flight requests after SIGTERM and exits 0', async () => {
    const inFlight = Array.from({ length: 40 }, (_, i) =>
      httpRequest(port, { host: 'slow.test', path: `/delay/400?i=${i}` }),
    );
    await eventually(async () => backend.requests.filter((r) => r.path.startsWith('/delay/')).length >= 40, 5000, 5);
    const exited = app.stop('SIGTERM');
    const replies = await Promise.allSettled(inFlight);
    expect(replies.map((r) => (r.status === 'fulfilled' ? r.value.status : String(r.reason)))).toEqual(
      Array(40).fill(200),
    );
    expect(await exited).toBe(0);
  });
});
