// A small JSON client for the Kubernetes REST API, built on the cluster, TLS and credentials of a
// client-node KubeConfig and sent with undici. We use it (not client-node's generated typed APIs) because
// those deserialize into typed models (Date objects, dropped unknown fields) and serialize Lease times with
// millisecond precision, while this adapter needs the objects exactly as the API server sends them, explicit
// patch content types (merge patch on /status) and 409 Conflict as a value it can act on.
import { Agent, request } from 'undici';
import type { KubeConfig } from '@kubernetes/client-node';
import type { RequestOptions } from 'node:https';
import type { K8sObject } from '../core/types.js';

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export const isNotFound = (e: unknown) => e instanceof KubeApiError && e.status === 404;
export const isConflict = (e: unknown) => e instanceof KubeApiError && e.status === 409;

export interface KubeList {
  metadata: { resourceVersion?: string; continue?: string };
  items: K8sObject[];
}

export const MERGE_PATCH = 'application/merge-patch+json';

/** Credentials are re-read this often: service account tokens are rotated, exec plugins hand out expiring ones. */
const CREDENTIALS_TTL_MS = 30_000;

export class KubeRest {
  private headers: Record<string, string> = {};
  private headersAt = -Infinity;

  private constructor(
    private readonly kc: KubeConfig,
    private readonly server: string,
    private readonly agent: Agent,
    private readonly credentialsTtlMs: number,
  ) {}

  static async fromKubeConfig(kc: KubeConfig, opts: { credentialsTtlMs?: number } = {}): Promise<KubeRest> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const https = await httpsOptions(kc);
    const agent = new Agent({
      connect: {
        ca: https.ca,
        cert: https.cert,
        key: https.key,
        servername: https.servername,
        rejectUnauthorized: https.rejectUnauthorized,
      },
    });
    const rest = new KubeRest(
      kc,
      cluster.server.replace(/\/$/, ''),
      agent,
      opts.credentialsTtlMs ?? CREDENTIALS_TTL_MS,
    );
    rest.setHeaders(https);
    return rest;
  }

  get<T = K8sObject>(path: string, signal?: AbortSignal): Promise<T> {
    return this.send<T>('GET', path, undefined, undefined, signal);
  }

  /** Lists every page (following `continue`) and returns the items with the list's resourceVersion. */
  async list(path: string, signal?: AbortSignal): Promise<KubeList> {
    const items: K8sObject[] = [];
    let cont = '';
    for (;;) {
      const sep = path.includes('?') ? '&' : '?';
      const page = await this.get<KubeList>(
        `${path}${sep}limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
        signal,
      );
      items.push(...(page.items ?? []));
      if (!page.metadata?.continue) return { metadata: { resourceVersion: page.metadata?.resourceVersion }, items };
      cont = page.metadata.continue;
    }
  }

  create<T = K8sObject>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.send<T>('POST', path, body, 'application/json', signal);
  }

  replace<T = K8sObject>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.send<T>('PUT', path, body, 'application/json', signal);
  }

  patch<T = K8sObject>(path: string, body: unknown, contentType = MERGE_PATCH, signal?: AbortSignal): Promise<T> {
    return this.send<T>('PATCH', path, body, contentType, signal);
  }

  delete(path: string, signal?: AbortSignal): Promise<unknown> {
    return this.send('DELETE', path, undefined, undefined, signal);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private setHeaders(opts: RequestOptions): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = String(v);
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    this.headers = headers;
    this.headersAt = Date.now();
  }

  private async send<T>(
    method: string,
    path: string,
    body: unknown,
    contentType: string | undefined,
    signal?: AbortSignal,
  ): Promise<T> {
    if (Date.now() - this.headersAt > this.credentialsTtlMs) this.setHeaders(await httpsOptions(this.kc));
    const headers = {
      ...this.headers,
      accept: 'application/json',
      ...(contentType ? { 'content-type': contentType } : {}),
    };
    const res = await request(`${this.server}${path}`, {
      method: method as 'GET',
      headers,
      dispatcher: this.agent,
      signal,
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await res.body.text();
    if (res.statusCode >= 200 && res.statusCode < 300) return (text ? JSON.parse(text) : undefined) as T;
    let status: { reason?: string; message?: string } = {};
    try {
      status = JSON.parse(text) as typeof status;
    } catch {
      /* not a Status object */
    }
    throw new KubeApiError(
      res.statusCode,
      status.reason ?? 'Unknown',
      `${method} ${path}: ${res.statusCode} ${status.message ?? text.slice(0, 200)}`,
    );
  }
}

async function httpsOptions(kc: KubeConfig): Promise<RequestOptions> {
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return opts;
}
