// Config pushes in the cluster primary: validate and prepare once, send to every listening worker, answer
// when all of them swapped it in (or died trying). Pushes run one at a time, in arrival order. A worker
// that starts, or restarts, after a push is brought up to date (catchUp). A worker that confirmed a config
// gets the next one as a delta against it (delta.ts).
import type { Logger } from 'pino';
import type { ConfigInfo } from '../admin/server.js';
import { staleGeneration, type ApplyOptions, type ApplyResult } from '../config/apply.js';
import { ConflictTracker } from '../config/conflict.js';
import { ConfigPreparer, type PreparedConfig } from '../config/prepared.js';
import { diffConfig } from './delta.js';
import type { Member, WorkerPool } from './pool.js';

interface Broadcast {
  config: PreparedConfig;
  waiting: Set<Member>;
  /** Members sent a delta: if one refuses it, it gets the whole config once. */
  sentDelta: Set<Member>;
  results: ApplyResult[];
  done(): void;
}

export class ConfigFanout {
  /** The last config every worker accepted; what a new worker starts with. */
  config: PreparedConfig | null = null;
  private info: { version: string; generation: number } | null = null;
  private readonly broadcasts = new Map<number, Broadcast>();
  private nextId = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Pushes applied and not yet answered (the one running included). */
  private queued = 0;
  /** Rules and hosts whose JSON repeats the last push are not validated again. */
  private readonly preparer = new ConfigPreparer('text');
  /**
   * For an in-process pusher that never changes a config object once passed (standalone's control plane
   * running the primary): unchanged rules are recognised by identity, neither serialized nor validated again.
   */
  private readonly sharedPreparer = new ConfigPreparer('identity');
  readonly conflicts = new ConflictTracker();

  constructor(
    private readonly pool: WorkerPool,
    private readonly onRefused: (status: number) => void,
    private readonly logger: Logger,
  ) {}

  apply(input: unknown, opts: ApplyOptions = {}, recognise: 'text' | 'identity' = 'text'): Promise<ApplyResult> {
    const preparer = recognise === 'text' ? this.preparer : this.sharedPreparer;
    const run = () => this.push(preparer, input, opts);
    // With none queued the push starts in the caller's turn: validated and sent to the workers before the
    // rest of that turn (an in-process control plane's verdicts), so the workers compile meanwhile.
    const result = this.queued === 0 ? run() : this.queue.then(run);
    this.queued++;
    this.queue = result.catch(() => undefined).then(() => void this.queued--);
    return result.then((r) => {
      this.conflicts.note(r);
      if (!r.ok) {
        this.onRefused(r.status);
        this.logger.warn({ status: r.status, error: r.error }, 'config refused');
      }
      return r;
    });
  }

  /** A worker's answer to a push (or its death: no answer). */
  settle(member: Member, id?: number, result?: ApplyResult): void {
    for (const [bid, b] of this.broadcasts) {
      if ((id !== undefined && bid !== id) || !b.waiting.has(member)) continue;
      if (result && !result.ok && b.sentDelta.delete(member)) {
        this.logger.warn(
          { pid: member.pid, error: result.error },
          'worker refused a config delta; sending the whole config',
        );
        member.prepared = null;
        this.send(member, bid, b);
        continue;
      }
      b.waiting.delete(member);
      if (result?.ok) member.prepared = b.config;
      if (result) b.results.push(result);
      if (b.waiting.size === 0) b.done();
    }
  }

  /** A worker started from the config of its fork time; a push may have landed since. */
  catchUp(member: Member): void {
    if (!this.config) return;
    if (member.version === this.config.version) member.prepared = this.config;
    else this.broadcastTo([member], this.config, () => undefined);
  }

  servedByAnyWorker(): boolean {
    const version = this.config?.version;
    return version !== undefined && [...this.pool.members].some((m) => m.listening && m.version === version);
  }

  describe(): ConfigInfo | null {
    return (
      this.info && { ...this.info, workers: [...this.pool.members].map((m) => ({ pid: m.pid, version: m.version })) }
    );
  }

  private async push(preparer: ConfigPreparer, input: unknown, opts: ApplyOptions): Promise<ApplyResult> {
    const checked = preparer.prepare(input);
    if (!checked.ok) return checked;
    const prepared = checked.prepared;
    const running = this.info;
    if (!opts.resync && running && prepared.generation !== undefined && prepared.generation < running.generation) {
      return staleGeneration(running, { version: prepared.version, generation: prepared.generation });
    }
    const refused = (await this.broadcast(prepared)).find((r) => !r.ok);
    if (refused) return refused;
    this.config = prepared;
    this.info = { version: prepared.version, generation: prepared.generation ?? running?.generation ?? 0 };
    return { ok: true, version: prepared.version };
  }

  /** Resolves with the answers of the workers listening now (one that dies gives none). */
  private broadcast(config: PreparedConfig): Promise<ApplyResult[]> {
    return new Promise((resolve) =>
      this.broadcastTo(
        [...this.pool.members].filter((m) => m.listening),
        config,
        resolve,
      ),
    );
  }

  private broadcastTo(members: Member[], config: PreparedConfig, resolve: (results: ApplyResult[]) => void): void {
    if (members.length === 0) return resolve([]);
    const id = ++this.nextId;
    const b: Broadcast = {
      config,
      waiting: new Set(members),
      sentDelta: new Set(),
      results: [],
      done: () => (this.broadcasts.delete(id), resolve(b.results)),
    };
    this.broadcasts.set(id, b);
    for (const m of members) this.send(m, id, b);
  }

  private send(member: Member, id: number, b: Broadcast): void {
    if (member.prepared === null) return this.pool.send(member, { t: 'tg.config', id, config: b.config });
    b.sentDelta.add(member);
    this.pool.send(member, { t: 'tg.delta', id, delta: diffConfig(member.prepared, b.config) });
  }
}
