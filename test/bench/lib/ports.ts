// Free loopback ports for servers that cannot bind port 0 themselves (nginx), and waiting for one to listen.
import { accepts } from '../../support/ports.js';

export { freePort } from '../../support/ports.js';

/** Polls until something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (Date.now() > deadline) throw new Error(`nothing listening on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
