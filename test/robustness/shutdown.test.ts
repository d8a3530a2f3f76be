// Shutdown finishes within its deadline whatever stdout does: the process reading the logs may be gone
// (a closed pipe: every write fails with EPIPE), and a second signal exits at once. Real `proxy` processes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { httpRequest } from '../support/http.js';
import { ConfigBuilder, backend, prefix } from '../proxy/helpers.js';

const DRAIN_MS = 1000;
/** Slack for a loaded machine on top of the drain deadline: process exit, not a drain. */
const EXIT_SLACK_MS = 4000;

/** Resolves with the exit code and how long after `since` the process ended, or null past `withinMs`. */
function exitWithin(
  proc: CliProcess,
  since: number,
  withinMs: number,
): Promise<{ code: number | null; afterMs: number } | null> {
  return Promise.race([
    proc.exited.then((code) => ({ code, afterMs: Date.now() - since })),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), withinMs).unref()),
  ]);
}

describe('shutdown with a closed stdout', () => {
  let app: EchoBackend;
  const started: CliProcess[] = [];

  beforeAll(async () => {
    app = await startEchoBackend('app');
  });

  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop('SIGKILL')));
    await app?.close();
  });

  /** A `proxy` serving app.test, debug-logging (so draining writes to stdout), its stdout reader gone. */
  async function proxyWithoutReader(): Promise<{ proc: CliProcess; port: number }> {
    const proc = runCli([
      'proxy',
      '--workers',
      '0',
      '--listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      '--drain-ms',
      String(DRAIN_MS),
      '--log-level',
      'debug',
    ]);
    started.push(proc);
    const ready = await proc.waitForLog((l) => l.msg === 'proxy ready for config');
    const ports = ready.ports as { http: number; admin: number };
    const b = new ConfigBuilder();
    b.route('app.test', prefix('/'), b.rule('app', [backend(app)]));
    const res = await request(`http://127.0.0.1:${ports.admin}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(b.build(1)),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    // The reader goes away: from now on every write to the child's stdout fails with EPIPE.
    proc.child.stdout!.destroy();
    return { proc, port: ports.http };
  }

  // The logger's exit flush used to retry EPIPE forever when a log line was still being written at exit:
  // a race, so several processes try it at once.
  it('exits within the drain deadline after SIGTERM, with nothing in flight', async () => {
    const procs = await Promise.all(Array.from({ length: 4 }, () => proxyWithoutReader()));
    const at = Date.now();
    for (const { proc } of procs) proc.child.kill('SIGTERM');
    const exits = await Promise.all(procs.map(({ proc }) => exitWithin(proc, at, DRAIN_MS + EXIT_SLACK_MS)));
    expect(exits.map((e) => e?.code)).toEqual([0, 0, 0, 0]);
  }, 60_000);

  it('exits within the drain deadline after SIGTERM, a request still in flight', async () => {
    const { proc, port } = await proxyWithoutReader();
    // In flight past the deadline: the drain must give up on it rather than wait.
    const slow = httpRequest(port, { host: 'app.test', path: '/delay/20000', timeoutMs: 30_000 }).catch(
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, 200));
    const at = Date.now();
    proc.child.kill('SIGTERM');
    const exit = await exitWithin(proc, at, DRAIN_MS + EXIT_SLACK_MS);
    await slow;
    expect(exit).not.toBeNull();
  }, 30_000);

  it('exits at once on a second SIGTERM right after the first', async () => {
    const procs = await Promise.all(Array.from({ length: 2 }, () => proxyWithoutReader()));
    for (const { proc } of procs) proc.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const at = Date.now();
    for (const { proc } of procs) proc.child.kill('SIGTERM');
    const exits = await Promise.all(procs.map(({ proc }) => exitWithin(proc, at, 1500)));
    expect(exits.every((e) => e !== null)).toBe(true);
  }, 60_000);

  it('exits at once on a second SIGTERM while draining', async () => {
    const { proc, port } = await proxyWithoutReader();
    const slow = httpRequest(port, { host: 'app.test', path: '/delay/20000', timeoutMs: 30_000 }).catch(
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, 200));
    proc.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const at = Date.now();
    proc.child.kill('SIGTERM');
    // Well within the drain deadline: the second signal does not wait for the drain.
    const exit = await exitWithin(proc, at, DRAIN_MS / 2 + 500);
    await slow;
    expect(exit).not.toBeNull();
    expect(exit!.code).not.toBe(0);
  }, 30_000);
});
