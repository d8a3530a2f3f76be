// What the cluster primary and its workers say to each other over the IPC channel. Every message carries
// a `t` starting with "tg." so it cannot be confused with prom-client's own metric requests.
import type { ApplyResult } from '../config/apply.js';
import type { PreparedConfig } from '../config/prepared.js';
import type { ConfigDelta } from './delta.js';

export type ToWorker =
  /** The first message a worker gets: the config to load before it opens its listeners (null: none yet). */
  | { t: 'tg.start'; config: PreparedConfig | null }
  | { t: 'tg.config'; id: number; config: PreparedConfig }
  /** A config as a change to the one the worker last applied (see delta.ts). */
  | { t: 'tg.delta'; id: number; delta: ConfigDelta }
  | { t: 'tg.drain'; graceMs: number };

export type FromWorker =
  /** Sent once the worker listens for messages (a message sent before that would be lost). */
  | { t: 'tg.hello' }
  | { t: 'tg.listening'; ports: { http: number; tls?: number }; version: string | null }
  | { t: 'tg.applied'; id: number; result: ApplyResult }
  | { t: 'tg.failed'; error: string };

export function isFromWorker(message: unknown): message is FromWorker {
  const t = (message as { t?: unknown } | null)?.t;
  return t === 'tg.hello' || t === 'tg.listening' || t === 'tg.applied' || t === 'tg.failed';
}

export function isToWorker(message: unknown): message is ToWorker {
  const t = (message as { t?: unknown } | null)?.t;
  return t === 'tg.start' || t === 'tg.config' || t === 'tg.delta' || t === 'tg.drain';
}
