// `standalone --workers 1` (the default): the control plane runs in the primary, a worker process serves.
// The proof that the control plane can never delay a request is made without a clock: the primary is frozen
// (SIGSTOP) and the worker still accepts new connections and answers; with `--workers 0` the same frozen
// process answers nothing (the control case, showing the check can fail). Changes still reach the worker
// through the primary, and stopping the primary stops its worker.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { runCliToEnd, runStandalone, type CliProcess } from '../support/cli.js';
import { eventually, httpRequest } from '../support/http.js';
import { gatewayYaml, routeYaml, serviceYaml } from '../support/manifests.js';

/** One GET on a connection of its own (no keep-alive pool): the listener must accept it now. */
function freshGet(port: number, host: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', agent: false, headers: { host }, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let one: EchoBackend;
let two: EchoBackend;
let dir: string;

beforeAll(async () => {
  [one, two] = await Promise.all([startEchoBackend('workers-one'), startEchoBackend('workers-two')]);
  dir = await mkdtemp(join(tmpdir(), 'tgw-workers-'));
  await writeFile(join(dir, 'gateway.yaml'), gatewayYaml);
  await writeFile(join(dir, 'services.yaml'), `${serviceYaml('one', one.port)}---\n${serviceYaml('two', two.port)}`);
  await writeFile(join(dir, 'a.yaml'), routeYaml('a', 'a.example.com', 'one'));
});

afterAll(async () => {
  await Promise.all([one?.close(), two?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('standalone with a serving worker (default)', () => {
  let app: CliProcess;
  let port: number;
  let admin: number;

  beforeAll(async () => {
    ({ app, port, admin } = await runStandalone(dir));
    await eventually(async () => (await httpRequest(port, { host: 'a.example.com' })).status === 200, 20_000);
  }, 70_000);

  afterAll(async () => {
    if (app?.child.pid && app.child.exitCode === null) process.kill(app.child.pid, 'SIGCONT');
    await app?.stop('SIGKILL');
  });

  it('serves from a process other than the one running the control plane', async () => {
    const info = (await httpRequest(admin, { path: '/config' })).json<{ workers?: Array<{ pid: number }> }>();
    expect(info.workers).toHaveLength(1);
    expect(info.workers![0]!.pid).not.toBe(app.child.pid);
  });

  it('answers new connections while the control plane process is frozen', async () => {
    process.kill(app.child.pid!, 'SIGSTOP');
    try {
      for (let i = 0; i < 5; i++) {
        const reply = await freshGet(port, 'a.example.com', 5_000);
        expect(reply.status).toBe(200);
        expect(JSON.parse(reply.body).backend).toBe('workers-one');
      }
    } finally {
      process.kill(app.child.pid!, 'SIGCONT');
    }
  }, 40_000);

  it('takes a manifest change through the primary to the worker', async () => {
    await writeFile(join(dir, 'b.yaml'), routeYaml('b', 'b.example.com', 'two'));
    const reply = await eventually(async () => {
      const r = await httpRequest(port, { host: 'b.example.com' });
      return r.status === 200 && r;
    }, 20_000);
    expect(reply.json().backend).toBe('workers-two');
  }, 30_000);

  it('stops its worker when it stops', async () => {
    const info = (await httpRequest(admin, { path: '/config' })).json<{ workers: Array<{ pid: number }> }>();
    const worker = info.workers[0]!.pid;
    expect(alive(worker)).toBe(true);
    await app.stop('SIGTERM');
    await eventually(async () => !alive(worker), 15_000);
  }, 30_000);
});

describe('standalone serving in its own process (--workers 0)', () => {
  let app: CliProcess;
  let port: number;

  beforeAll(async () => {
    ({ app, port } = await runStandalone(dir, ['--workers', '0']));
    await eventually(async () => (await httpRequest(port, { host: 'a.example.com' })).status === 200, 20_000);
  }, 70_000);

  afterAll(async () => {
    if (app?.child.pid && app.child.exitCode === null) process.kill(app.child.pid, 'SIGCONT');
    await app?.stop('SIGKILL');
  });

  it('answers nothing while its one process is frozen (the case the worker removes)', async () => {
    process.kill(app.child.pid!, 'SIGSTOP');
    try {
      await expect(freshGet(port, 'a.example.com', 1_500)).rejects.toThrow('timed out');
    } finally {
      process.kill(app.child.pid!, 'SIGCONT');
    }
    expect((await freshGet(port, 'a.example.com', 5_000)).status).toBe(200);
  }, 30_000);
});

describe('standalone --workers', () => {
  it.each(['-1', '65', 'two'])('refuses %s with a clear error, before starting anything', async (value) => {
    const { code, stderr } = await runCliToEnd(['standalone', '--manifests', dir, '--workers', value]);
    expect(code).not.toBe(0);
    expect(stderr).toContain(`expected a number of worker processes from 0 to 64, got "${value}"`);
  });
});
