// The primary's set of worker processes: forks them, tracks which are listening and on which config
// version, replaces one that dies, and gives up (fatal) when workers keep dying — a crash loop is better
// handled by the pod restarting than by forking forever.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { ApplyResult } from '../config/apply.js';
import type { PreparedConfig } from '../config/prepared.js';
import { isFromWorker, type FromWorker, type ToWorker } from './messages.js';

export interface Member {
  worker: Worker;
  pid: number;
  listening: boolean;
  /** The config version this worker serves, once it said so. */
  version: string | null;
  /** The prepared config the worker confirmed applying last: what a delta to it is made against. */
  prepared: PreparedConfig | null;
}

export interface PoolEvents {
  /** A worker opened its ports (at start, or a replacement). */
  listening(member: Member): void;
  applied(member: Member, id: number, result: ApplyResult): void;
  /** A worker exited; its pending work will never be answered. */
  gone(member: Member): void;
  fatal(err: Error): void;
}

export interface Ports {
  http: number;
  tls?: number;
}

/** More unexpected worker exits than this within CRASH_WINDOW_MS is fatal. */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;

export class WorkerPool {
  readonly members = new Set<Member>();
  private crashes: number[] = [];
  /** Deaths before every worker first listened fail start() instead of being replaced. */
  private started = false;
  private stopping = false;

  constructor(
    private readonly size: number,
    /** The config a (re)started worker loads before it listens. */
    private readonly startConfig: () => PreparedConfig | null,
    private readonly events: PoolEvents,
    private readonly logger: Logger,
  ) {}

  /** Forks every worker; resolves with the shared ports once all listen. */
  async start(): Promise<Ports> {
    const forks = Array.from({ length: this.size }, () => this.fork());
    const ports = (await Promise.all(forks))[0]!;
    this.started = true;
    return ports;
  }

  send(member: Member, message: ToWorker): void {
    if (member.worker.isConnected()) member.worker.send(message);
  }

  /** Tells every worker to drain and waits for them to exit (killing stragglers after the grace). */
  async drain(graceMs: number): Promise<void> {
    this.stopping = true;
    const exits = [...this.members].map(
      (m) => new Promise<void>((resolve) => (m.worker.isDead() ? resolve() : m.worker.once('exit', () => resolve()))),
    );
    for (const m of this.members) this.send(m, { t: 'tg.drain', graceMs });
    const kill = setTimeout(() => {
      for (const m of this.members) m.worker.process.kill('SIGKILL');
    }, graceMs + 5_000);
    await Promise.all(exits);
    clearTimeout(kill);
  }

  private fork(): Promise<Ports> {
    const worker = cluster.fork();
    const member: Member = { worker, pid: worker.process.pid!, listening: false, version: null, prepared: null };
    this.members.add(member);
    return new Promise((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        if (!isFromWorker(message)) return;
        if (message.t === 'tg.listening') resolve(message.ports);
        if (message.t === 'tg.failed')
          reject(new Error(`proxy worker ${member.pid} failed to start: ${message.error}`));
        this.onMessage(member, message);
      });
      worker.once('exit', (code, signal) => {
        reject(new Error(`proxy worker ${member.pid} exited (${signal ?? code}) before it was listening`));
        this.onExit(member, code, signal);
      });
    });
  }

  private onMessage(member: Member, message: FromWorker): void {
    if (message.t === 'tg.hello') {
      this.send(member, { t: 'tg.start', config: this.startConfig() });
    } else if (message.t === 'tg.listening') {
      member.listening = true;
      member.version = message.version;
      this.events.listening(member);
    } else if (message.t === 'tg.applied') {
      if (message.result.ok) member.version = message.result.version;
      this.events.applied(member, message.id, message.result);
    }
  }

  private onExit(member: Member, code: number | null, signal: string | null): void {
    this.members.delete(member);
    this.events.gone(member);
    if (this.stopping || !this.started) return;
    this.logger.error({ pid: member.pid, code, signal }, 'proxy worker died; starting a replacement');
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    if (this.crashes.length > MAX_CRASHES) {
      this.events.fatal(new Error(`${this.crashes.length} proxy workers died within ${CRASH_WINDOW_MS / 1000} s`));
      return;
    }
    this.fork().catch((err: Error) => this.logger.error({ err }, 'replacement proxy worker did not start'));
  }
}
