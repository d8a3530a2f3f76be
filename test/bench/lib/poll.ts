// Polling helpers for the control-plane bench (conditions, not sleeps).
import { Agent, request } from 'node:http';

/** everyMs: the pause between checks, or a function giving it (a check whose cost varies). */
export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs: number | (() => number) = 5,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, typeof everyMs === 'number' ? everyMs : everyMs()));
  }
}

/**
 * Probes on a fixed period: a probe starts every `periodMs` (or as soon as the previous one answered, when
 * that took longer) until one succeeds; resolves with performance.now() when the successful answer arrived.
 */
export async function probeUntil(probe: () => Promise<boolean>, periodMs: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (let next = performance.now(); ;) {
    const ok = await probe();
    const answered = performance.now();
    if (ok) return answered;
    if (answered > deadline) throw new Error(`probe did not succeed within ${timeoutMs} ms`);
    next += periodMs;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else next = performance.now();
  }
}

/** Status of GET path on 127.0.0.1:port with the given Host; 0 when the connection fails. */
export function httpStatus(port: number, path: string, host: string, agent: Agent | false = false): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}
