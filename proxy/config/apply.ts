// Validates, compiles and swaps configs. Compiling happens before the swap, so requests keep using the
// old table until one assignment publishes the new one; requests already running keep their reference.
// Unchanged rules and hosts are reused from the running table (router/compiler.ts).
import type { Logger } from 'pino';
import type { UpstreamRegistry } from '../forward/upstream.js';
import type { ProxyMetrics } from '../metrics.js';
import { runInSlices, runToEnd, TableCompiler, type Compiled } from '../router/compiler.js';
import type { RoutingTable } from '../router/table.js';
import { ConfigPreparer, prepareConfig, validateConfig, type PreparedConfig } from './prepared.js';
import { ConflictTracker, type GenerationConflict } from './conflict.js';

export type ApplyResult =
  { ok: true; version: string } | { ok: false; status: 400 | 409; error: string; conflict?: GenerationConflict };

export interface ApplyOptions {
  /**
   * The pusher renumbers (PUT /config with `X-Config-Resync: true`): take this generation even when the
   * running one is newer. The control plane is the only writer and owns the numbering; this is how it gets
   * a replica back that was pushed a generation from the future.
   */
  resync?: boolean;
}

type Decision =
  | { kind: 'refuse'; result: ApplyResult }
  | { kind: 'same'; generation: number }
  | { kind: 'compile'; generation: number };

export class ConfigHolder {
  table: RoutingTable | undefined;
  private readonly compiler: TableCompiler;
  private readonly shared = new ConfigPreparer('identity');
  readonly conflicts = new ConflictTracker();
  /** Async applies run one at a time, in arrival order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly registry: UpstreamRegistry,
    private readonly metrics: ProxyMetrics,
    private readonly logger: Logger,
    /** Told of every table swapped in (the access log follows its `accessLog`). */
    private readonly swapped: (table: RoutingTable) => void = () => undefined,
  ) {
    this.compiler = new TableCompiler(registry);
  }

  /** Validates and swaps in at once (an embedder's direct push). */
  apply(input: unknown, opts: ApplyOptions = {}): ApplyResult {
    const validated = validateConfig(input);
    return validated.ok ? this.applyNow(prepareConfig(validated.cfg), opts) : this.report(validated);
  }

  /**
   * apply() for a pusher that never changes a config object once passed (see ConfigPreparer):
   * rules and hosts it passed before are neither validated nor serialized again.
   */
  applyShared(input: unknown, opts: ApplyOptions = {}): ApplyResult {
    const prepared = this.shared.prepare(input);
    return prepared.ok ? this.applyNow(prepared.prepared, opts) : this.report(prepared);
  }

  private applyNow(prepared: PreparedConfig, opts: ApplyOptions): ApplyResult {
    const decision = this.decide(prepared, opts);
    if (decision.kind !== 'compile') return this.report(this.settle(prepared, decision));
    let compiled: Compiled;
    try {
      compiled = runToEnd(this.compiler.compile(prepared, decision.generation));
    } catch (err) {
      return this.report(this.refuseCompile(err));
    }
    return this.report(this.publishCompiled(prepared, compiled));
  }

  /**
   * applyShared() with the compile spread over turns of the event loop (standalone's control plane): a big
   * regex config must not stop the embedded proxy from serving while it compiles.
   */
  applySharedYielding(input: unknown, opts: ApplyOptions = {}): Promise<ApplyResult> {
    return this.serialized(async () => {
      const prepared = await runInSlices(this.shared.prepareSteps(input));
      return prepared.ok ? this.applyInSlices(prepared.prepared, opts) : prepared;
    });
  }

  /**
   * The same as apply(), with validation and compile spread over turns of the event loop so traffic keeps
   * flowing (a PUT /config body is a fresh object: a fresh preparer checks all of it, big hosts in steps).
   */
  applyYielding(input: unknown, opts: ApplyOptions = {}): Promise<ApplyResult> {
    return this.serialized(async () => {
      const prepared = await runInSlices(new ConfigPreparer('identity').prepareSteps(input));
      return prepared.ok ? this.applyInSlices(prepared.prepared, opts) : prepared;
    });
  }

  /** A config validated elsewhere (the cluster primary): compiled in slices, not validated again. */
  applyPrepared(prepared: PreparedConfig, opts: ApplyOptions = {}): Promise<ApplyResult> {
    return this.serialized(() => this.applyInSlices(prepared, opts));
  }

  private async applyInSlices(prepared: PreparedConfig, opts: ApplyOptions): Promise<ApplyResult> {
    for (let attempt = 0; ; attempt++) {
      const decision = this.decide(prepared, opts);
      if (decision.kind !== 'compile') return this.settle(prepared, decision);
      const base = this.table;
      let compiled: Compiled;
      try {
        compiled = await runInSlices(this.compiler.compile(prepared, decision.generation));
      } catch (err) {
        return this.refuseCompile(err);
      }
      // A direct apply() published meanwhile: what was reused may be stale, so compile against the new table.
      if (this.table === base) return this.publishCompiled(prepared, compiled, attempt > 0);
    }
  }

  private serialized(run: () => Promise<ApplyResult>): Promise<ApplyResult> {
    const next = this.queue.then(run).then((result) => this.report(result));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private decide(prepared: PreparedConfig, opts: ApplyOptions): Decision {
    const running = this.table;
    const generation = prepared.generation ?? running?.generation ?? 0;
    if (
      !opts.resync &&
      running !== undefined &&
      prepared.generation !== undefined &&
      prepared.generation < running.generation
    ) {
      return {
        kind: 'refuse',
        result: staleGeneration(running, { version: prepared.version, generation: prepared.generation }),
      };
    }
    // Same content: nothing to compile, only the generation may move forward.
    if (running !== undefined && running.version === prepared.version) return { kind: 'same', generation };
    return { kind: 'compile', generation };
  }

  private settle(prepared: PreparedConfig, decision: Exclude<Decision, { kind: 'compile' }>): ApplyResult {
    if (decision.kind === 'refuse') return decision.result;
    const running = this.table!;
    // The version hashes accessLog too (the translator's does); a hand-made one may not, so compare it anyway.
    const accessLog = prepared.accessLog === true;
    if (decision.generation !== running.generation || accessLog !== running.accessLog)
      this.publish({ ...running, generation: decision.generation, accessLog });
    return { ok: true, version: prepared.version };
  }

  /** `retainAll`: an earlier compile of this push was dropped, and the pools it made may be used by nobody. */
  private publishCompiled(prepared: PreparedConfig, compiled: Compiled, retainAll = false): ApplyResult {
    const table = compiled.table;
    this.publish(table);
    this.compiler.commit(compiled);
    // Both are passes over everything the table holds: only when the compile says something went away.
    if (compiled.upstreamUses.vanished.length > 0 || retainAll) this.registry.retain(table.upstreams);
    if (compiled.ruleIdUses.vanished.length > 0) this.metrics.rulesServed(compiled.rules.map((r) => r.id));
    else this.metrics.rulesBack(compiled.ruleIdUses.appeared);
    this.logger.info(
      {
        version: table.version,
        generation: table.generation,
        hosts: prepared.hosts.length,
        rules: prepared.rules.length,
        reused: compiled.reused,
      },
      'config applied',
    );
    return { ok: true, version: table.version };
  }

  private refuseCompile(err: unknown): ApplyResult {
    // Pools created for the refused config are not referenced by anyone: close them.
    this.registry.retain(this.table?.upstreams ?? new Set());
    return { ok: false, status: 400, error: `config does not compile: ${(err as Error).message}` };
  }

  private report(result: ApplyResult): ApplyResult {
    this.conflicts.note(result);
    if (!result.ok) {
      this.metrics.configRejected(result.status);
      this.logger.warn({ status: result.status, error: result.error }, 'config refused');
    }
    return result;
  }

  private publish(table: RoutingTable): void {
    this.table = table;
    this.metrics.configSwapped(table.version, table.generation);
    this.swapped(table);
  }
}

/** The 409 for a push older than what runs; it names the running generation so the pusher can resync. */
export function staleGeneration(
  running: { version: string; generation: number },
  refused: { version: string; generation: number },
): ApplyResult {
  return {
    ok: false,
    status: 409,
    error: `generation ${refused.generation} is older than the running ${running.generation}`,
    conflict: { running: { version: running.version, generation: running.generation }, refused },
  };
}
