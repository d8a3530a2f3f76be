// One logger for the process. Secrets never reach it: redact the fields that could carry them.
//
// Lines go to stdout asynchronously (pino's sonic-boom destination). On exit pino writes what is still
// buffered synchronously, and that write retries EPIPE forever (the reader of stdout is gone) and blocks
// on a reader that stopped reading — a process that never exits, deaf to further signals. So deliberate
// exits go through settleLogs(): wait (bounded) for the pending write, then drop the exit-time write.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

type Destination = ReturnType<typeof pino.destination>;
const destinations = new WeakMap<Logger, Destination>();

let stdout: Destination | undefined;

/**
 * The process's one stdout destination, shared by every logger that writes there (the access log too): two
 * destinations on one fd could interleave the halves of a partly written line. Writes stay within PIPE_BUF
 * (4 KiB), which a pipe takes whole, so lines of proxy workers sharing the pod's stdout never mix either.
 */
export function stdoutDestination(): Destination {
  ignoreBrokenStdout();
  stdout ??= pino.destination({ dest: 1, sync: false, maxWrite: 4096 });
  return stdout;
}

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  const destination = stdoutDestination();
  const logger = pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          'token',
          'adminToken',
          'apiToken',
          'authorization',
          '*.authorization',
          '*.token',
          'headers.authorization',
          'req.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination as DestinationStream,
  );
  destinations.set(logger, destination);
  return logger;
}

/**
 * Before a deliberate exit: waits up to `timeoutMs` for the line being written, then makes the exit-time
 * synchronous flush a no-op — lines the reader could not take by then are dropped, never waited for.
 */
export function settleLogs(logger: Logger, timeoutMs: number): Promise<void> {
  const destination = destinations.get(logger);
  if (destination === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      destination.off('drain', done);
      destination.off('error', done);
      abandonLogs(logger);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    // sonic-boom starts writing as soon as a line arrives, so "not writing" means nothing is pending.
    if ((destination as unknown as { _writing?: boolean })._writing !== true) return done();
    destination.once('drain', done);
    destination.once('error', done);
  });
}

/** For an exit that must not wait at all: whatever is not yet written is dropped. */
export function abandonLogs(logger: Logger): void {
  const destination = destinations.get(logger);
  if (destination !== undefined) destination.flushSync = noop;
}

let stdoutGuarded = false;

/** EPIPE on process.stdout (a console.log after the reader left) must not crash the process. */
function ignoreBrokenStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

function noop(): void {}

/** A logger that writes nothing (tests, library use). */
export const silentLogger: Logger = pino({ level: 'silent' });
