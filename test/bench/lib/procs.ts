// Child processes of a bench run: started with a readiness line, all stopped at the end (also on Ctrl-C).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const running = new Set<ChildProcess>();

export interface Child {
  proc: ChildProcess;
  stop(): Promise<void>;
  /** The last 4,000 characters the child wrote to stderr (for an error message). */
  stderrTail(): string;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves with the first stdout line that parses as JSON (the child's "ready" message). */
  readyJson?: boolean;
  timeoutMs?: number;
  /** Hears every stdout line after the ready line (e.g. a GC trace); with readyJson only. */
  onLine?: (line: string) => void;
}

/** Starts a long-running child; with readyJson, waits for its JSON ready line and returns it. */
export async function startChild<T = unknown>(
  cmd: string,
  args: string[],
  opts: StartOptions = {},
): Promise<{ child: Child; ready: T | undefined }> {
  const proc = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const child: Child = { proc, stop: () => stopProcess(proc), stderrTail: () => stderr };
  if (!opts.readyJson) {
    proc.stdout!.resume();
    return { child, ready: undefined };
  }
  const ready = await new Promise<T>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    const timer = setTimeout(
      () => fail(new Error(`timed out waiting for ${cmd} ${args.join(' ')}`)),
      opts.timeoutMs ?? 30_000,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      void child.stop();
      reject(new Error(`${err.message}\n${stderr}`));
    };
    let readySeen = false;
    lines.on('line', (line) => {
      if (readySeen) return opts.onLine?.(line);
      try {
        const parsed = JSON.parse(line) as T;
        clearTimeout(timer);
        readySeen = true;
        resolve(parsed);
      } catch {
        /* not the ready line */
      }
    });
    proc.once('exit', (code) => fail(new Error(`${cmd} exited with ${code} before it was ready`)));
  });
  return { child, ready };
}

/** Runs a command to completion and returns its stdout (throws with stderr on failure). */
export function runToEnd(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(proc);
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.once('error', reject);
    proc.once('exit', (code) => {
      running.delete(proc);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${err.slice(-2000)}`));
    });
  });
}

function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => stopProcess(p)));
}

/** Ctrl-C or a crash must not leave nginx or servers behind. */
export function stopAllOnExit(): void {
  const hard = () => {
    for (const p of running) p.kill('SIGKILL');
  };
  process.once('exit', hard);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }
}
