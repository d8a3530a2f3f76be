// The shutdown handler of every command (src/runtime/signals.ts), in a child process of its own: a drain
// that never finishes is cut off by the hard deadline, and the process exits 1 saying so.
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const src = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url));

/** Runs `script` (ESM, TypeScript imports through tsx); resolves with its exit code and stdout, or null code past `withinMs`. */
function run(script: string, withinMs: number): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: null, stdout });
    }, withinMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

describe('onShutdownSignal', () => {
  it('exits 1 at its deadline when the drain never finishes', async () => {
    const script = `
      import { onShutdownSignal } from ${JSON.stringify(src('runtime/signals.ts'))};
      import { createLogger } from ${JSON.stringify(src('log.ts'))};
      const logger = createLogger('info');
      setInterval(() => undefined, 1000); // something that would keep the process alive forever
      onShutdownSignal(logger, () => new Promise(() => undefined), 300);
      process.kill(process.pid, 'SIGTERM');
    `;
    const { code, stdout } = await run(script, 15_000);
    expect(code).toBe(1);
    expect(stdout).toContain('shutdown did not finish within its deadline');
  }, 20_000);
});
