// Proxy replicas in a cluster: the EndpointSlices of the proxy's headless Service become ReplicaEndpoints,
// each with an HTTP client for its admin port (PUT/GET /config with the admin token). Not-ready addresses
// count: a proxy pod is not ready *because* it waits for its first config (its readiness probe is /readyz),
// so ReplicaEndpoint.ready means "push to it" — every address that is not terminating.
import type { KubeConfig } from '@kubernetes/client-node';
import { Agent, request } from 'undici';
import type { PushOptions, ReplicaClient, ReplicaEndpoint } from '../core/ports.js';
import { GenerationConflictError } from '../../machines/replica.js';
import type { K8sObject } from '../core/types.js';
import { silentLogger, type Logger } from '../log.js';
import type { KubeRest } from './rest.js';
import { ResourceWatch, type Backoff } from './resource-watch.js';

export class ReplicaPushError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ReplicaPushError';
  }
}

/** PUT/GET /config on one proxy replica's admin port, with the Bearer admin token. */
export class HttpReplicaClient implements ReplicaClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly dispatcher: Agent,
    private readonly timeoutMs = 10_000,
  ) {}

  async push(
    config: Parameters<ReplicaClient['push']>[0],
    signal?: AbortSignal,
    options: PushOptions = {},
  ): Promise<{ version: string; generation: number }> {
    let body: Record<string, unknown>;
    try {
      body = await this.call(
        'PUT',
        JSON.stringify(config),
        signal,
        options.resync ? { 'x-config-resync': 'true' } : {},
      );
    } catch (err) {
      throw asGenerationConflict(err, config.generation) ?? err;
    }
    return { version: String(body.version), generation: Number(body.generation ?? config.generation) };
  }

  async current(signal?: AbortSignal): Promise<{ version: string; generation: number } | null> {
    const body = await this.call('GET', undefined, signal);
    return body.version ? { version: String(body.version), generation: Number(body.generation) } : null;
  }

  private async call(
    method: 'GET' | 'PUT',
    body: string | undefined,
    signal?: AbortSignal,
    extraHeaders: Record<string, string> = {},
  ): Promise<Record<string, unknown>> {
    const res = await request(`${this.baseUrl}/config`, {
      method,
      body,
      signal,
      dispatcher: this.dispatcher,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...extraHeaders,
      },
    });
    const text = await res.body.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      /* not JSON: reported below */
    }
    if (res.statusCode !== 200) {
      throw new ReplicaPushError(
        res.statusCode,
        `${method} ${this.baseUrl}/config: ${res.statusCode} ${String(parsed.error ?? text.slice(0, 200))}`,
        parsed,
      );
    }
    return parsed;
  }
}

/** The replica actor's GenerationConflictError, keeping the HTTP status as ReplicaPushError does. */
export class HttpGenerationConflict extends GenerationConflictError {
  readonly status = 409;
}

/** A 409 whose body names the running generation (proxy/admin/server.ts) is a generation conflict. */
function asGenerationConflict(err: unknown, wanted: number): GenerationConflictError | undefined {
  if (!(err instanceof ReplicaPushError) || err.status !== 409) return undefined;
  const running = Number((err.body.running as { generation?: unknown } | undefined)?.generation);
  return Number.isFinite(running) ? new HttpGenerationConflict(running, wanted) : undefined;
}

export interface ReplicaAddress {
  id: string;
  address: string;
  /** The pod's readiness as the EndpointSlice reports it (a nil `ready` means ready). */
  ready: boolean;
  terminating: boolean;
}

/** Addresses of a Service's EndpointSlices, one per pod (deduplicated across slices), sorted by id. */
export function replicaAddresses(slices: K8sObject[]): ReplicaAddress[] {
  const byId = new Map<string, ReplicaAddress>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    for (const ep of (slice.endpoints as EndpointEntry[] | undefined) ?? []) {
      const address = ep.addresses?.[0];
      if (!address) continue;
      const id = ep.targetRef?.name ?? address;
      const ready = ep.conditions?.ready !== false;
      const terminating = ep.conditions?.terminating === true;
      const seen = byId.get(id);
      byId.set(id, {
        id,
        address: seen?.address ?? address,
        ready: (seen?.ready ?? false) || ready,
        terminating: (seen?.terminating ?? false) || terminating,
      });
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

interface EndpointEntry {
  addresses?: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  targetRef?: { kind?: string; name?: string };
}

export interface ReplicaDiscoveryOptions {
  kubeConfig: KubeConfig;
  rest: KubeRest;
  namespace: string;
  service: string;
  adminPort: number;
  adminToken?: string;
  logger?: Logger;
  backoff?: Backoff;
  onChange(endpoints: ReplicaEndpoint[]): void;
}

export class ReplicaDiscovery {
  private readonly watch: ResourceWatch;
  private readonly agent = new Agent({ keepAliveTimeout: 30_000 });
  private readonly clients = new Map<string, HttpReplicaClient>();
  private last = '';

  constructor(private readonly o: ReplicaDiscoveryOptions) {
    const log = o.logger ?? silentLogger;
    this.watch = new ResourceWatch(
      {
        kind: 'EndpointSlice',
        group: 'discovery.k8s.io',
        version: 'v1',
        plural: 'endpointslices',
        namespaced: true,
        snapshotKey: 'endpointSlices',
        optional: false,
        namespace: o.namespace,
        selector: { label: `kubernetes.io/service-name=${o.service}` },
      },
      o.kubeConfig,
      o.rest,
      o.backoff ?? { initialMs: 200, maxMs: 10_000 },
      {
        onChange: () => this.update(),
        onListed: () => this.update(),
        onFailure: (err, consecutive, retryInMs) =>
          log.warn({ err: err.message, consecutive, retryInMs }, 'replica EndpointSlice watch failed; restarting'),
      },
    );
  }

  start(): void {
    this.watch.start();
  }

  async stop(): Promise<void> {
    await this.watch.stop();
    await this.agent.close();
  }

  endpoints(): ReplicaEndpoint[] {
    return replicaAddresses([...this.watch.objects.values()]).map((a) => ({
      id: a.id,
      ready: !a.terminating,
      client: this.clientFor(a),
    }));
  }

  /** The addresses with the pods' own readiness (for logs and /debug). */
  addresses(): ReplicaAddress[] {
    return replicaAddresses([...this.watch.objects.values()]);
  }

  private update(): void {
    const list = this.endpoints();
    // Forget clients of pods that are gone (pod IPs churn with every rollout).
    const live = new Set(list.map((e) => e.client));
    for (const [key, client] of this.clients) if (!live.has(client)) this.clients.delete(key);
    const fingerprint = JSON.stringify(list.map((e) => [e.id, e.ready, (e.client as HttpReplicaClient).baseUrl]));
    if (fingerprint === this.last) return;
    this.last = fingerprint;
    this.o.onChange(list);
  }

  private clientFor(a: ReplicaAddress): HttpReplicaClient {
    const host = a.address.includes(':') ? `[${a.address}]` : a.address;
    const baseUrl = `http://${host}:${this.o.adminPort}`;
    const key = `${a.id}|${baseUrl}`;
    let client = this.clients.get(key);
    if (!client) this.clients.set(key, (client = new HttpReplicaClient(baseUrl, this.o.adminToken, this.agent)));
    return client;
  }
}
