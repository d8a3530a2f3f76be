// HTTP/2 rapid reset with reconnect (CVE-2023-44487 shape): two raw HTTP/2 clients open streams and reset
// them at once, reconnecting whenever the proxy sends GOAWAY, while a normal client measures its own latency.
// The proxy runs as a real `proxy` process so its RSS and event loop are its own.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { eventually, httpRequest } from '../support/http.js';
import { ConfigBuilder, backend, prefix } from '../proxy/helpers.js';

const { NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM } = http2.constants;
/** The attack lasts at least this long, and until the normal client made NORMAL_REQUESTS (at most ATTACK_MAX_MS). */
const ATTACK_MIN_MS = 3000;
const ATTACK_MAX_MS = 10_000;
const NORMAL_REQUESTS = 20;
/** Bounds for the attacker's loops, whatever the proxy does. */
const MAX_SESSIONS = 400;
const MAX_STREAMS_PER_SESSION = 20_000;

/**
 * The proxy's old space is capped well below what an unbounded attack needs (without the reset budget the
 * proxy dies of heap exhaustion within the attack's first seconds), so surviving the attack is the memory
 * bound; its RSS growth is reported as well but depends on when V8 collects, which the cap also steadies.
 */
const PROXY_OLD_SPACE_MB = 64;

const rssBytes = (proxy: CliProcess) => {
  const status = proxy.child.exitCode === null ? readStatus(proxy.child.pid!) : undefined;
  if (status === undefined) throw new Error(`the proxy exited during the attack: ${proxy.stderr().slice(-400)}`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
};

const readStatus = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
};

interface AttackResult {
  sessions: number;
  resets: number;
  /** Resets sent on each session before it ended (GOAWAY or close). */
  perSession: number[];
  goawayCodes: number[];
}

/** One session: open + reset streams in batches until the server ends it, the bound or the deadline. */
function resetOneSession(port: number, over: () => boolean, result: AttackResult): Promise<void> {
  return new Promise((resolve) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    let sent = 0;
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      result.perSession.push(sent);
      session.destroy();
      resolve();
    };
    session.on('error', finish);
    session.on('close', finish);
    session.on('goaway', (code: number) => {
      result.goawayCodes.push(code);
      finish();
    });
    const batch = () => {
      if (ended) return;
      if (over() || sent >= MAX_STREAMS_PER_SESSION) return finish();
      try {
        for (let i = 0; i < 100; i++) {
          const stream = session.request({ ':path': '/delay/2000', ':authority': 'app.test' });
          stream.on('error', () => undefined);
          stream.close(NGHTTP2_CANCEL);
          sent++;
          result.resets++;
        }
      } catch {
        return finish();
      }
      setImmediate(batch);
    };
    session.once('connect', batch);
  });
}

async function attacker(port: number, over: () => boolean, result: AttackResult): Promise<void> {
  for (let i = 0; i < MAX_SESSIONS && !over(); i++) {
    result.sessions++;
    await resetOneSession(port, over, result);
  }
}

/**
 * Sequential requests of a normal client while `running()`, at most `max`; returns each latency in ms. It
 * asks another host and backend than the attackers: an HTTP/1.1 upstream request aborted after it was
 * dispatched costs its pool a connection (undici closes it), so a client sharing the attacked pool also
 * waits for that pool's reconnects — what this test measures is the proxy itself staying available.
 */
async function measureLatency(
  port: number,
  running: () => boolean,
  max = 10_000,
): Promise<{ ms: number[]; failed: number }> {
  const ms: number[] = [];
  let failed = 0;
  for (let i = 0; i < max && running(); i++) {
    const started = performance.now();
    const reply = await httpRequest(port, { host: 'other.test', path: '/ok', timeoutMs: 10_000 }).catch(
      () => undefined,
    );
    if (reply?.status === 200) ms.push(performance.now() - started);
    else failed++;
    await new Promise((r) => setTimeout(r, 10));
  }
  return { ms, failed };
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? Infinity;

describe('HTTP/2 rapid reset with reconnect', () => {
  let app: EchoBackend;
  let other: EchoBackend;
  let proxy: CliProcess;
  let ports: { http: number; admin: number };

  beforeAll(async () => {
    app = await startEchoBackend('app');
    other = await startEchoBackend('other');
    proxy = runCli(['proxy', '--workers', '0', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0'], {
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${PROXY_OLD_SPACE_MB}`.trim(),
    });
    const ready = await proxy.waitForLog((l) => l.msg === 'proxy ready for config');
    ports = ready.ports as typeof ports;
    const b = new ConfigBuilder();
    b.route('app.test', prefix('/'), b.rule('app', [backend(app)]));
    b.route('other.test', prefix('/'), b.rule('other', [backend(other)]));
    const res = await request(`http://127.0.0.1:${ports.admin}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(b.build(1)),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  }, 60_000);

  afterAll(async () => {
    await proxy?.stop('SIGKILL');
    await app?.close();
    await other?.close();
  });

  const inFlight = async () => {
    const res = await request(`http://127.0.0.1:${ports.admin}/metrics`);
    const text = await res.body.text();
    return Number(/^proxy_requests_in_flight (\d+)/m.exec(text)?.[1] ?? NaN);
  };

  it('closes each resetting session with ENHANCE_YOUR_CALM, keeps memory bounded and serves a normal client', async () => {
    const baseline = await measureLatency(ports.http, () => true, 30);
    const rssBefore = rssBytes(proxy);
    const result: AttackResult = { sessions: 0, resets: 0, perSession: [], goawayCodes: [] };
    const started = Date.now();
    let attacking = true;
    const during = measureLatency(ports.http, () => attacking, NORMAL_REQUESTS);
    const over = () => Date.now() - started >= ATTACK_MAX_MS || (Date.now() - started >= ATTACK_MIN_MS && !attacking);
    const attack = Promise.all([attacker(ports.http, over, result), attacker(ports.http, over, result)]);
    const normal = await during;
    attacking = false;
    await attack;
    // The proxy's own last words when it did not survive (a rare exit code 1 under a loaded full run, 2026-12-05).
    expect([proxy.child.exitCode, proxy.child.exitCode === null ? '' : proxy.stderr().slice(-800)]).toEqual([null, '']);
    const rssAfter = rssBytes(proxy);
    // Work started for the reset streams is cancelled: nothing stays in flight for the backend's 2 s, and
    // every attack request that reached the backend was abandoned by the proxy rather than awaited.
    await eventually(async () => (await inFlight()) === 0, 1500, 50);
    await eventually(async () => app.abandoned() === app.requests.length, 1500, 50);

    const report = {
      sessions: result.sessions,
      resets: result.resets,
      maxPerSession: Math.max(...result.perSession),
      calm: result.goawayCodes.filter((c) => c === NGHTTP2_ENHANCE_YOUR_CALM).length,
      rssBeforeMb: Math.round(rssBefore / 2 ** 20),
      rssAfterMb: Math.round(rssAfter / 2 ** 20),
      baselineP50: Math.round(percentile(baseline.ms, 0.5)),
      baselineMax: Math.round(Math.max(...baseline.ms)),
      duringN: normal.ms.length,
      duringP50: Math.round(percentile(normal.ms, 0.5)),
      duringP90: Math.round(percentile(normal.ms, 0.9)),
      duringMax: Math.round(Math.max(...normal.ms)),
      failed: normal.failed,
      upstreamStarted: app.requests.length,
    };
    console.log(`rapid reset: ${JSON.stringify(report)}`);

    // The budget (burst 200, 200/s) ends every session with ENHANCE_YOUR_CALM (each attacker's last one may
    // end by the clock first); Node alone ends them late, with INTERNAL_ERROR, or never.
    expect(report.calm).toBeGreaterThanOrEqual(report.sessions - 2);
    // Memory: the proxy lived through the attack inside its capped old space (checked above; without the
    // budget it runs out of heap), and its RSS, steadied by the cap, grew by less than 100 MiB.
    expect(rssAfter - rssBefore).toBeLessThan(100 * 2 ** 20);
    // The normal client kept being served, with latency of the same order as before (generous margins:
    // the machine is shared, and the attackers run on the same cores).
    expect(normal.failed).toBe(0);
    expect(normal.ms.length).toBe(NORMAL_REQUESTS);
    expect(report.duringP50).toBeLessThan(Math.max(10 * report.baselineP50, 500));
  }, 60_000);
});
