// A cluster worker: one data-plane process sharing the listening ports with its siblings. It has no admin
// port; the primary validates each pushed config and hands it over prepared, and the worker only compiles
// (in slices, reusing unchanged rules) and swaps — so a push never parses or validates on a serving loop.
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from 'pino';
import { startProxy, type ProxyOptions, type RunningProxy } from '../index.js';
import type { ApplyResult } from '../config/apply.js';
import type { PreparedConfig } from '../config/prepared.js';
import { applyDelta } from './delta.js';
import { isToWorker, type FromWorker, type ToWorker } from './messages.js';

export type WorkerOptions = Omit<ProxyOptions, 'admin' | 'adminToken' | 'initialConfig'>;

/** How long a worker told to stop by anyone but its primary (or orphaned) lets requests in flight finish. */
const ORPHAN_GRACE_MS = 5_000;

export async function runProxyWorker(opts: WorkerOptions, logger: Logger): Promise<void> {
  // Constructing one registers prom-client's answer to the primary's metric requests.
  new AggregatorRegistry();
  const start = await firstStart();
  held = start.config;
  let proxy: RunningProxy;
  try {
    proxy = await startProxy({ ...opts, logger, initialConfig: start.config ?? undefined });
  } catch (err) {
    send({ t: 'tg.failed', error: (err as Error).message });
    logger.error({ err }, 'proxy worker could not start');
    process.exit(1);
  }
  AggregatorRegistry.setRegistries([proxy.metrics]);
  process.on('message', (message: unknown) => {
    if (isToWorker(message)) void handle(message, proxy, logger);
  });
  // A terminal's Ctrl-C reaches every process of the group: the primary decides when workers drain.
  process.on('SIGINT', () => undefined);
  process.once('SIGTERM', () => void exitAfter(proxy.close(ORPHAN_GRACE_MS)));
  process.once('disconnect', () => {
    logger.warn('proxy primary went away; draining');
    void exitAfter(proxy.close(ORPHAN_GRACE_MS));
  });
  send({
    t: 'tg.listening',
    ports: { http: proxy.ports.http, tls: proxy.ports.tls },
    version: proxy.current()?.version ?? null,
  });
}

/** The config this worker last applied, which deltas from the primary are made against. */
let held: PreparedConfig | null = null;

async function handle(message: ToWorker, proxy: RunningProxy, logger: Logger): Promise<void> {
  if (message.t === 'tg.config' || message.t === 'tg.delta') {
    let result: ApplyResult;
    try {
      const config = message.t === 'tg.config' ? message.config : applyDelta(held, message.delta);
      // The primary orders configs (it checked the generation, or was told to resync): take each as it comes.
      result = await proxy.applyPrepared(config, { resync: true });
      if (result.ok) held = config;
    } catch (err) {
      result = { ok: false, status: 400, error: (err as Error).message };
    }
    send({ t: 'tg.applied', id: message.id, result });
  } else if (message.t === 'tg.drain') {
    logger.info({ graceMs: message.graceMs }, 'proxy worker draining');
    await exitAfter(proxy.close(message.graceMs));
  }
}

function firstStart(): Promise<Extract<ToWorker, { t: 'tg.start' }>> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (!isToWorker(message) || message.t !== 'tg.start') return;
      process.off('message', onMessage);
      resolve(message);
    };
    process.on('message', onMessage);
    send({ t: 'tg.hello' });
  });
}

async function exitAfter(closing: Promise<void>): Promise<never> {
  await closing.catch(() => undefined);
  process.exit(0);
}

function send(message: FromWorker): void {
  if (process.connected) process.send!(message);
}
