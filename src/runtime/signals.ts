// SIGINT/SIGTERM: drain once, then exit, within a hard deadline whatever the drain or stdout do; a second
// signal exits at once.
import { abandonLogs, settleLogs, type Logger } from '../log.js';

/** How long a deliberate exit waits for the last log line to be written. */
const LOG_SETTLE_MS = 500;
/** Default bound on the whole shutdown (the drains themselves give in-flight requests 10 s). */
const DEFAULT_DEADLINE_MS = 20_000;

export function onShutdownSignal(logger: Logger, drain: () => Promise<void>, deadlineMs = DEFAULT_DEADLINE_MS): void {
  let draining = false;
  const handler = (signal: NodeJS.Signals) => {
    if (draining) {
      abandonLogs(logger);
      process.exit(1);
    }
    draining = true;
    logger.info({ signal, deadlineMs }, 'shutting down: draining in-flight requests');
    // Unref'd: a shutdown with nothing left to do ends on its own; this only cuts off one that hangs.
    setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown did not finish within its deadline; exiting');
      void exitAfterLogs(logger, 1);
    }, deadlineMs).unref();
    drain().then(
      () => exitAfterLogs(logger, 0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        return exitAfterLogs(logger, 1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** For ControlPlaneOptions.onFatal: a control plane whose actor system died exits, so its supervisor restarts it. */
export function exitOnFatal(logger: Logger): (err: Error) => void {
  return (err) => {
    logger.fatal({ err: err.message }, 'actor system failed; exiting for a restart');
    void exitAfterLogs(logger, 1);
  };
}

/** Exits once the last log line is written, or LOG_SETTLE_MS later whatever stdout does. */
export async function exitAfterLogs(logger: Logger, code: number): Promise<never> {
  await settleLogs(logger, LOG_SETTLE_MS);
  process.exit(code);
}
