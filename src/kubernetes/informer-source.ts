// SnapshotSource over the Kubernetes API: one ResourceWatch (client-node informer) per kind the translator
// reads. onSynced fires once every served kind has been listed. A kind whose CRD is not installed is
// reported once and looked for again at a slow interval, so installing the CRD later just works.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ResourceEvent, SnapshotSource } from '../core/ports.js';
import { emptySnapshot, type Snapshot } from '../core/types.js';
import { silentLogger, type Logger } from '../log.js';
import type { KubeRest } from './rest.js';
import { DiscoveryPass } from './discovery.js';
import { ResourceWatch, type Backoff } from './resource-watch.js';
import { watchedResources, type WatchedResource } from './resources.js';

type Handlers = Parameters<SnapshotSource['start']>[0];

export interface KubernetesSourceOptions {
  kubeConfig: KubeConfig;
  rest: KubeRest;
  logger?: Logger;
  backoff?: Backoff;
  /** How often kinds that were not served are looked for again. */
  rediscoverMs?: number;
  /** Report a kind's watch failures through onError after this many in a row (each time it is reached). */
  failuresBeforeReport?: number;
  /** Watch this GatewayClass parameters ConfigMap too (the translator reads accessLog from it). */
  paramsConfigMap?: { namespace: string; name: string };
}

export class KubernetesSource implements SnapshotSource {
  private readonly watches = new Map<string, ResourceWatch>();
  private readonly missing = new Set<string>();
  private handlers?: Handlers;
  private synced = false;
  /** Until discovery has answered once, nothing may count as synced (an empty snapshot is not the truth). */
  private discovered = false;
  private rediscoverTimer?: NodeJS.Timeout;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly options: KubernetesSourceOptions) {
    this.log = options.logger ?? silentLogger;
  }

  async start(handlers: Handlers): Promise<void> {
    this.handlers = handlers;
    this.stopped = false;
    this.synced = false;
    this.discovered = false;
    this.missing.clear();
    await this.rediscover();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.rediscoverTimer);
    await Promise.all([...this.watches.values()].map((w) => w.stop()));
    this.watches.clear();
  }

  snapshot(): Snapshot {
    const snap = emptySnapshot();
    for (const w of this.watches.values()) snap[w.resource.snapshotKey].push(...w.objects.values());
    return snap;
  }

  /** Per kind: listed yet, objects held, resume resourceVersion, failures in a row (for /debug and tests). */
  stats(): Record<string, { listed: boolean; objects: number; resourceVersion: string; failures: number }> {
    return Object.fromEntries(
      [...this.watches.entries()].map(([kind, w]) => [
        kind,
        {
          listed: w.listed,
          objects: w.objects.size,
          resourceVersion: w.resourceVersion,
          failures: w.consecutiveFailures,
        },
      ]),
    );
  }

  /** Kinds not served by the API server (for /debug and tests). */
  missingKinds(): string[] {
    return [...this.missing].sort();
  }

  private async discover(): Promise<void> {
    const pass = new DiscoveryPass(this.options.rest);
    const grantVersion = (await pass.serves('gateway.networking.k8s.io', 'v1', 'referencegrants')) ? 'v1' : 'v1beta1';
    const kinds = watchedResources({
      referenceGrantVersion: grantVersion,
      paramsConfigMap: this.options.paramsConfigMap,
    });
    for (const r of kinds) {
      if (this.watches.has(r.kind)) continue;
      if (await pass.serves(r.group, r.version, r.plural)) {
        this.missing.delete(r.kind);
        this.watch(r);
      } else if (!this.missing.has(r.kind)) {
        this.missing.add(r.kind);
        this.log.warn(
          { kind: r.kind, group: r.group, version: r.version },
          'resource is not served by the API server (CRD not installed?)',
        );
        this.handlers?.onError(
          new Error(
            `${r.kind} (${r.group || 'core'}/${r.version}) is not served by the API server; is its CRD installed?`,
          ),
        );
      }
    }
    this.discovered = true;
    this.checkSynced();
    if (this.missing.size > 0) this.scheduleRediscover(this.options.rediscoverMs ?? 30_000);
  }

  private async rediscover(): Promise<void> {
    try {
      await this.discover();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn({ err: message }, 'discovery failed; will retry');
      this.handlers?.onError(new Error(`API discovery failed: ${message}`));
      this.scheduleRediscover(Math.min(this.options.backoff?.maxMs ?? 5_000, 5_000));
    }
  }

  private scheduleRediscover(ms: number): void {
    clearTimeout(this.rediscoverTimer);
    if (!this.stopped) this.rediscoverTimer = setTimeout(() => void this.rediscover(), ms);
  }

  private watch(r: WatchedResource): void {
    const threshold = this.options.failuresBeforeReport ?? 5;
    const w = new ResourceWatch(
      r,
      this.options.kubeConfig,
      this.options.rest,
      this.options.backoff ?? { initialMs: 200, maxMs: 10_000 },
      {
        onChange: (type, object) => this.emit({ type, kind: r.kind, object }),
        onListed: () => this.checkSynced(),
        onFailure: (err, consecutive, retryInMs) => {
          this.log.warn({ kind: r.kind, err: err.message, consecutive, retryInMs }, 'watch failed; restarting');
          if (consecutive % threshold === 0)
            this.handlers?.onError(new Error(`${r.kind} watch failed ${consecutive} times in a row: ${err.message}`));
        },
      },
    );
    this.watches.set(r.kind, w);
    w.start();
  }

  private emit(e: ResourceEvent): void {
    if (!this.stopped) this.handlers?.onEvent(e);
  }

  private checkSynced(): void {
    if (this.synced || this.stopped || !this.handlers || !this.discovered) return;
    if ([...this.watches.values()].every((w) => w.listed)) {
      this.synced = true;
      this.handlers.onSynced();
    }
  }
}
