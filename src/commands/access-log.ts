// --access-log for the commands that serve traffic (proxy, standalone): what the flag says, and the proxy's
// access-log options it becomes. Precedence (proxy/README.md "Access log"): "on" or a file forces the log on
// and "off" forces it off, whatever the GatewayClass parameter says; "config" (the default) follows it.
import { closeSync, openSync } from 'node:fs';
import { InvalidArgumentError, Option } from 'commander';
import { pino, type DestinationStream } from 'pino';
import type { AccessLogOptions } from '../../proxy/index.js';
import { stdoutDestination } from '../log.js';

export type AccessLogFlag =
  { mode: 'config' | 'off' } | { mode: 'on'; to: 'stdout' | 'stderr' } | { mode: 'on'; to: 'file'; path: string };

export function parseAccessLog(value: string): AccessLogFlag {
  const word = value.trim().toLowerCase();
  if (word === 'config') return { mode: 'config' };
  if (word === 'off' || word === 'false') return { mode: 'off' };
  if (word === 'on' || word === 'true' || word === 'stdout') return { mode: 'on', to: 'stdout' };
  if (word === 'stderr') return { mode: 'on', to: 'stderr' };
  if (value.trim() === '') throw new InvalidArgumentError('expected config, on, off, stdout, stderr or a file path');
  // Checked here, in every process that parses the flag, so a path that cannot be written stops the start.
  try {
    closeSync(openSync(value, 'a'));
  } catch (err) {
    throw new InvalidArgumentError(`cannot write the access log to "${value}": ${(err as Error).message}`);
  }
  return { mode: 'on', to: 'file', path: value };
}

export function accessLogOption(env: string): Option {
  return new Option(
    '--access-log <where>',
    'one JSON line per request: "config" follows the GatewayClass parameter accessLog (to stdout); "on"/"stdout", "stderr" or a file path force it on; "off" forces it off',
  )
    .argParser(parseAccessLog)
    .default({ mode: 'config' }, 'config')
    .env(env);
}

/** The proxy's options for the flag; a file is opened here. */
export function accessLogOptions(flag: AccessLogFlag): AccessLogOptions {
  if (flag.mode !== 'on') return { mode: flag.mode, destination: stdoutDestination() };
  if (flag.to === 'stdout') return { mode: 'on', destination: stdoutDestination() };
  if (flag.to === 'file') return { mode: 'on', destination: fileDestination(flag.path) };
  // Within PIPE_BUF, like stdout: stderr is usually a pipe the workers share.
  return { mode: 'on', destination: pino.destination({ dest: 2, sync: false, maxWrite: 4096 }) };
}

/**
 * An access-log file, appended to (each worker process writes its own lines; O_APPEND keeps every write
 * whole). Lines are written 4 KiB at a time, and at least once a second: one write per line cost more CPU
 * than formatting it (docs/performance.md). Lines still buffered at exit are written synchronously by pino.
 */
export function fileDestination(path: string): DestinationStream {
  return pino.destination({ dest: path, sync: false, append: true, minLength: 4096, periodicFlush: 1000 });
}
