// Runs the real CLI as a child process (as a user would) and reads its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/tunnel-gateway.mjs', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  /** Every JSON log line seen so far. */
  logs: Array<Record<string, unknown>>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first log line matching, waiting up to timeoutMs. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process ends by itself (or is stopped). */
  exited: Promise<number | null>;
}

export function runCli(args: string[], env: Record<string, string> = {}, cwd?: string): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let out = '';
  let err = '';
  let partial = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line));
      } catch {
        // not a log line (e.g. the demo's banner)
      }
    }
    waiters.forEach((w) => w());
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    logs,
    stdout: () => out,
    stderr: () => err,
    waitForLog(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = logs.find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching log line within ${timeoutMs} ms; stderr: ${err.slice(-2000)}; stdout: ${out.slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        child.once('exit', () => check());
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the CLI to completion. */
export function runCliToEnd(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `standalone` on `dir` with every port ephemeral; resolves once it serves, with its data and admin ports.
 * `cwd`: the working directory of the process (default: the test's). */
export async function runStandalone(
  dir: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  cwd?: string,
): Promise<{ app: CliProcess; port: number; admin: number }> {
  const app = runCli(
    [
      'standalone',
      '--manifests',
      dir,
      '--listen',
      '127.0.0.1:0',
      '--tls-listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      ...extraArgs,
    ],
    env,
    cwd,
  );
  const serving = await app.waitForLog((l) => l.msg === 'standalone serving', timeoutMs);
  const portOf = (hostPort: unknown) => Number(String(hostPort).split(':').pop());
  return { app, port: portOf(serving.listen), admin: portOf(serving.admin) };
}

/** The flags and environment that point `standalone` at a Cloudflare API double, creating the tunnel. */
export function cloudflareArgs(
  fake: { accountId: string; baseURL: string; apiToken: string },
  tokenFile: string,
  env: Record<string, string> = {},
) {
  return {
    args: [
      '--account-id',
      fake.accountId,
      '--cloudflare-api-url',
      fake.baseURL,
      '--tunnel-id',
      'create',
      '--tunnel-token-file',
      tokenFile,
    ],
    env: { CLOUDFLARE_API_TOKEN: fake.apiToken, ...env },
  };
}
