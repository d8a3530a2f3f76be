// One resource type kept in sync with client-node's informer (list, then watch from the list's
// resourceVersion, re-list on 410 Gone). client-node stops an informer on any other error; this owner
// restarts it with exponential backoff, resuming from the last resourceVersion it saw (so a dropped watch or
// an API server restart loses nothing, and a compacted history costs one re-list whose diff is delivered).
import {
  makeInformer,
  type KubeConfig,
  type KubernetesObject,
  type KubernetesListObject,
} from '@kubernetes/client-node';
import type { K8sObject } from '../core/types.js';
import type { KubeRest } from './rest.js';
import { collectionPath, withQuery, type WatchedResource } from './resources.js';
import { TLS_KEYPAIR_ANNOTATION, TLS_KEYPAIR_VALID, tlsKeyPairProblem } from '../core/tls-keypair.js';
import { CA_CERTIFICATE_KEY as CA_KEY } from '../gatewayapi/constants.js';

export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** Server-side end of each watch (default 5–10 min, randomized as client-go does), then a plain resume. */
  watchTimeoutSeconds?: number;
}

export interface ResourceWatchCallbacks {
  onChange(type: 'upsert' | 'delete', object: K8sObject): void;
  /** Every completed list (the first one means this resource is synced). */
  onListed(): void;
  onFailure(err: Error, consecutive: number, retryInMs: number): void;
}

type Informer = ReturnType<typeof makeInformer<KubernetesObject>>;

export class ResourceWatch {
  readonly objects = new Map<string, K8sObject>();
  listed = false;
  private informer?: Informer;
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    readonly resource: WatchedResource,
    private readonly kubeConfig: KubeConfig,
    private readonly rest: KubeRest,
    private readonly backoff: Backoff,
    private readonly callbacks: ResourceWatchCallbacks,
  ) {}

  start(): void {
    const r = this.resource;
    const base = withQuery(collectionPath(r, r.namespace), {
      labelSelector: r.selector?.label,
      fieldSelector: r.selector?.field,
    });
    // client-node only asks for bookmarks when the path carries the flag. Its watch has no timeout of its own:
    // asking the server to end each watch bounds how long a silently dead connection can go unnoticed.
    const timeout = this.backoff.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const watchPath = withQuery(base, { allowWatchBookmarks: 'true', timeoutSeconds: String(timeout) });
    const informer = makeInformer<KubernetesObject>(this.kubeConfig, watchPath, () => this.list(base));
    informer.on('add', (o) => this.upsert(o));
    informer.on('update', (o) => this.upsert(o));
    informer.on('delete', (o) => this.remove(o));
    informer.on('error', (err: unknown) => this.failed(err));
    this.informer = informer;
    this.run();
  }

  /** The resourceVersion a resumed watch would start from (advanced by events and bookmarks). */
  get resourceVersion(): string {
    // ListWatch (what makeInformer returns) has it; the Informer interface does not declare it.
    const lw = this.informer as unknown as { latestResourceVersion?: () => string } | undefined;
    return lw?.latestResourceVersion?.() ?? '';
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.informer?.stop();
  }

  private run(): void {
    if (this.stopped || !this.informer) return;
    this.informer.start().catch((err: unknown) => this.failed(err));
  }

  private async list(path: string): Promise<KubernetesListObject<KubernetesObject>> {
    const list = await this.rest.list(path);
    const apiVersion = this.resource.group ? `${this.resource.group}/${this.resource.version}` : this.resource.version;
    // Items of a list carry no apiVersion/kind; watch events do. Make both look the same.
    const items = list.items.map((o) => ({ ...o, apiVersion, kind: this.resource.kind }));
    // The informer applies the list right after this promise settles; report it once that has happened.
    setImmediate(() => this.listedNow());
    return { metadata: list.metadata, items } as KubernetesListObject<KubernetesObject>;
  }

  private listedNow(): void {
    if (this.stopped) return;
    this.listed = true;
    this.failures = 0;
    this.callbacks.onListed();
  }

  private upsert(o: KubernetesObject): void {
    if (this.stopped) return;
    this.failures = 0;
    const object = this.normalise(o);
    const key = keyOf(object);
    // A ConfigMap is kept as its ca.crt alone: an update that leaves that alone changes nothing we read.
    if (this.reducesConfigMap(object) && sameCaData(this.objects.get(key), object)) return;
    this.objects.set(key, object);
    this.callbacks.onChange('upsert', object);
  }

  private remove(o: KubernetesObject): void {
    if (this.stopped) return;
    const object = this.normalise(o);
    const key = keyOf(object);
    const last = this.objects.get(key) ?? object;
    this.objects.delete(key);
    this.callbacks.onChange('delete', last);
  }

  private failed(err: unknown): void {
    if (this.stopped) return;
    this.failures += 1;
    const base = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (this.failures - 1));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.callbacks.onFailure(err instanceof Error ? err : new Error(String(err)), this.failures, delay);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.run(), delay);
  }

  private normalise(o: KubernetesObject): K8sObject {
    const apiVersion = this.resource.group ? `${this.resource.group}/${this.resource.version}` : this.resource.version;
    const object = { ...o, apiVersion, kind: this.resource.kind } as K8sObject;
    if (this.resource.kind === 'Secret') return redactSecret(object);
    return this.reducesConfigMap(object) ? caDataOnly(object) : object;
  }

  private reducesConfigMap(object: K8sObject): boolean {
    if (this.resource.kind !== 'ConfigMap') return false;
    const whole = this.resource.keepWhole;
    return !(whole && object.metadata.namespace === whole.namespace && object.metadata.name === whole.name);
  }
}

/**
 * A ConfigMap reduced to what the translator reads: its ca.crt (BackendTLSPolicy caCertificateRefs). Every
 * ConfigMap of the cluster is watched, and most hold other things (sometimes large, sometimes churning): their
 * other keys, labels and annotations are not kept, and a change to them does not cause a sync.
 */
export function caDataOnly(configMap: K8sObject): K8sObject {
  const ca = (configMap.data as Record<string, unknown> | undefined)?.[CA_KEY];
  const { name, namespace, uid, resourceVersion, creationTimestamp } = configMap.metadata;
  return {
    apiVersion: configMap.apiVersion,
    kind: configMap.kind,
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    data: typeof ca === 'string' ? { [CA_KEY]: ca } : {},
  };
}

function sameCaData(before: K8sObject | undefined, after: K8sObject): boolean {
  return (
    before !== undefined &&
    (before.data as Record<string, unknown>)[CA_KEY] === (after.data as Record<string, unknown>)[CA_KEY]
  );
}

/**
 * Keeps a Secret's keys and drops its values (the controller holds no key material); whether the values
 * form a usable TLS key pair — what the translator needs to know — is checked first and kept as an annotation.
 */
export function redactSecret(secret: K8sObject): K8sObject {
  const blank = (data: unknown) =>
    data && typeof data === 'object' ? Object.fromEntries(Object.keys(data).map((k) => [k, ''])) : undefined;
  const { data, stringData, ...rest } = secret;
  const verdict = tlsKeyPairProblem(secret) ?? TLS_KEYPAIR_VALID;
  const metadata = {
    ...rest.metadata,
    annotations: { ...rest.metadata.annotations, [TLS_KEYPAIR_ANNOTATION]: verdict },
  };
  return {
    ...rest,
    metadata,
    ...(data ? { data: blank(data) } : {}),
    ...(stringData ? { stringData: blank(stringData) } : {}),
  } as K8sObject;
}

export function keyOf(o: { metadata: { namespace?: string; name?: string } }): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}
