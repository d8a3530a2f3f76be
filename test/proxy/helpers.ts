// Test helpers: a small config builder and an HTTP/1.1 client that talks to the proxy with a given Host.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { expect } from '@jest/globals';
import { request as undiciRequest, Agent } from 'undici';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../proxy/index.js';

type RuleInput = ProxyConfigInput['rules'][number];
type BackendInput = RuleInput['backends'] extends Array<infer B> | undefined ? B : never;
type HostInput = ProxyConfigInput['hosts'][number];
type MatchInput = HostInput['matches'][number]['match'];

export interface Addressed {
  name: string;
  address: string;
  port: number;
}

/** A weighted backend pointing at real test servers. */
export function backend(servers: Addressed | Addressed[], weight = 1, extra: Partial<BackendInput> = {}): BackendInput {
  const list = Array.isArray(servers) ? servers : [servers];
  return {
    name: extra.name ?? `default/${list[0]!.name}:80`,
    weight,
    endpoints: list.map((s) => ({ address: s.address, port: s.port })),
    ...extra,
  };
}

export class ConfigBuilder {
  private readonly rules: RuleInput[] = [];
  /** Keyed by hostname and ports: one host entry per (hostname, ports) as the translator writes them. */
  private readonly hosts = new Map<string, HostInput>();
  private ports: number[] | undefined;

  /** Adds a rule; returns its index for route(). */
  rule(id: string, backends: BackendInput[], extra: Partial<RuleInput> = {}): number {
    this.rules.push({ id, kind: 'http', backends, ...extra });
    return this.rules.length - 1;
  }

  /** Appends a match to a host's list (lists keep insertion order = precedence); no ports: every port. */
  route(hostname: string, match: MatchInput, rule: number, ports?: number[]): this {
    const key = `${hostname} ${ports?.join(',') ?? ''}`;
    const entry = this.hosts.get(key) ?? { hostname, ...(ports ? { ports } : {}), matches: [] };
    entry.matches.push({ match, rule });
    this.hosts.set(key, entry);
    return this;
  }

  /** The ports the config's listeners serve (a Host naming another port is routed as if it named none). */
  listenerPorts(ports: number[]): this {
    this.ports = ports;
    return this;
  }

  build(generation?: number): ProxyConfigInput {
    const body = {
      ...(this.ports ? { listenerPorts: this.ports } : {}),
      rules: this.rules,
      hosts: [...this.hosts.values()],
    };
    const version = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);
    return { version, ...(generation === undefined ? {} : { generation }), ...body };
  }
}

export const prefix = (value: string): MatchInput => ({ path: { type: 'PathPrefix', value } });

export async function startTestProxy(extra: Partial<ProxyOptions> = {}): Promise<RunningProxy> {
  return startProxy({ listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, ...extra });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

const agent = new Agent({ keepAliveTimeout: 10_000, connections: 32 });

export async function send(
  port: number,
  host: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {},
): Promise<Reply> {
  const res = await undiciRequest(`http://127.0.0.1:${port}${path}`, {
    method: (opts.method ?? 'GET') as 'GET',
    headers: { host, ...opts.headers },
    body: opts.body,
    signal: opts.signal,
    dispatcher: agent,
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

/** Polls until `check` returns true (no fixed sleeps in tests). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Requests the proxy holds right now (its `proxy_requests_in_flight` gauge). */
export async function inFlight(proxy: RunningProxy): Promise<number> {
  return Number(/^proxy_requests_in_flight (\d+)$/m.exec(await proxy.metrics.metrics())?.[1] ?? NaN);
}

/** How long the backend's write count must stay the same to count as stalled (a window: stalling is the absence of writes). */
const STALL_WINDOW_MS = 200;

/** The third field of a `min default max` kernel setting, or `fallback` where /proc cannot be read. */
function kernelMax(file: string, fallback: number): number {
  try {
    return Number(readFileSync(file, 'utf8').trim().split(/\s+/)[2]) || fallback;
  } catch {
    return fallback;
  }
}

/**
 * The most a stalled two-hop stream can hold without anyone buffering without bound: on each hop (backend →
 * proxy, proxy → client) a sender's and a receiver's socket buffer at the kernel's largest (autotuning may
 * grow them that far: 32 MiB of receive buffer here), plus 8 MiB for the streams' own high-water marks.
 * A bound from a fixed fraction of the body flaked once the kernel's buffers reached it.
 */
export function heldBackBound(): number {
  const rmem = kernelMax('/proc/sys/net/ipv4/tcp_rmem', 6 << 20);
  const wmem = kernelMax('/proc/sys/net/ipv4/tcp_wmem', 4 << 20);
  return 2 * (rmem + wmem) + (8 << 20);
}

/** A response body big enough that holding back shows: twice what the buffers may hold, in 64 KiB chunks. */
export function heldBackTotal(): number {
  return Math.ceil((2 * heldBackBound()) / 65_536) * 65_536;
}

/**
 * Backpressure end to end: a client that stops reading must hold the backend back (its writes stall within
 * what socket buffers hold, heldBackBound(), of a `total` twice that), and once it reads again every byte
 * arrives.
 */
export async function expectHeldBack(
  port: number,
  host: string,
  path: string,
  written: () => number,
  total: number,
): Promise<void> {
  expect(total).toBeGreaterThanOrEqual(2 * heldBackBound());
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, headers: { host } }, resolve).on('error', reject);
  });
  res.pause();
  // Let the buffers fill up, then check the backend is held back.
  let last = -1;
  await waitFor(async () => {
    const stable = written() === last;
    last = written();
    await new Promise((r) => setTimeout(r, STALL_WINDOW_MS));
    return stable && written() > 0;
  });
  expect(written()).toBeLessThanOrEqual(heldBackBound());
  let received = 0;
  res.on('data', (c: Buffer) => (received += c.length));
  res.resume();
  await new Promise((resolve) => res.once('end', resolve));
  expect(received).toBe(total);
}
