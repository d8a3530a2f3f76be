// The access log: one JSON line per finished request (field names: proxy/README.md "Access log"). Off by
// default. Whether a request is logged is decided once, when it starts (handleExchange): with the log off
// the metrics are its done listener as before and nothing of this file runs; with it on this object is,
// and it records the metrics, then writes the line through pino to an asynchronous destination.
//
// No query string and no header is ever written: both may carry secrets (tokens, cookies).
import { EventEmitter } from 'node:events';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Upstream, UpstreamTrace } from './forward/upstream.js';
import type { ProxyMetrics } from './metrics.js';
import { normalizeHost } from './router/host.js';
import { normalizePath, PathRefusal, splitAbsoluteForm } from './router/path.js';
import type { DoneListener, Exchange } from './server/exchange.js';

/** 'config': on while the running config says `accessLog: true`; 'on' / 'off': whatever it says. */
export type AccessLogMode = 'config' | 'on' | 'off';

export interface AccessLogOptions {
  mode?: AccessLogMode;
  /** Where lines go; default: an asynchronous stdout destination, made when the log first turns on. */
  destination?: DestinationStream;
}

/** What a line is made of. An Exchange is one; the WebSocket tunnel (server/upgrade.ts) builds one. */
export interface FinishedRequest {
  readonly method: string;
  readonly target: string;
  readonly authority: string | undefined;
  readonly http2: boolean;
  /** 0: no response head went out. */
  readonly status: number;
  readonly bytes: number;
  /** performance.now() at the start. */
  readonly started: number;
  readonly aborted: boolean;
  readonly rule: { readonly id: string } | undefined;
  readonly upstream: UpstreamTrace | undefined;
}

export class AccessLog implements DoneListener {
  /** Read once per request; changes only when a config is swapped in. */
  enabled: boolean;
  private readonly mode: AccessLogMode;
  private logger: Logger | undefined;

  constructor(
    private readonly metrics: ProxyMetrics,
    private readonly options: AccessLogOptions = {},
    private readonly problems: Logger = pino({ level: 'silent' }),
  ) {
    this.mode = options.mode ?? 'config';
    this.enabled = this.mode === 'on';
    if (this.enabled) this.open();
  }

  /** A config was swapped in: in 'config' mode its `accessLog` decides. */
  configured(accessLog: boolean): void {
    if (this.mode !== 'config' || accessLog === this.enabled) return;
    this.enabled = accessLog;
    if (accessLog) this.open();
    this.problems.info({ accessLog }, accessLog ? 'access log on (config)' : 'access log off (config)');
  }

  /** The done listener of a request started while the log was on. */
  exchangeDone(ex: Exchange): void {
    this.metrics.exchangeDone(ex);
    this.record(ex);
  }

  record(r: FinishedRequest): void {
    const trace = r.upstream;
    const endpoint = trace?.endpoint;
    (this.logger ?? this.open()).info(
      {
        method: r.method,
        host: normalizeHost(r.authority),
        path: loggedPath(r.target, r.http2),
        status: r.status === 0 ? 499 : r.status,
        bytes: r.bytes,
        durationMs: Math.round((performance.now() - r.started) * 1000) / 1000,
        rule: r.rule === undefined ? null : r.rule.id,
        upstream: endpoint === undefined ? null : endpointName(endpoint),
        retries: trace === undefined || trace.triesStarted === 0 ? 0 : trace.triesStarted - 1,
        protocol: r.http2 ? 'h2' : 'h1',
        aborted: r.aborted,
      },
      'access',
    );
  }

  private open(): Logger {
    if (this.logger !== undefined) return this.logger;
    const destination = this.options.destination ?? pino.destination({ dest: 1, sync: false });
    // A destination that fails (disk full, file removed with its folder) must not take the proxy down.
    if (destination instanceof EventEmitter)
      destination.on('error', (err: Error) => this.problems.error({ err: err.message }, 'access log write failed'));
    // No level, pid or hostname: "time" opens the line (pino's own time functions assume a level before it).
    this.logger = pino({ base: undefined, timestamp: isoTimeFirst, formatters: { level: () => ({}) } }, destination);
    return this.logger;
  }
}

/**
 * The path the request was routed on: normalised exactly as routing does (proxy/router/path.ts), without
 * the query. A target routing refused (400) is written as received, still without its query.
 */
export function loggedPath(target: string, http2: boolean): string {
  let path = target;
  if (path.charCodeAt(0) !== 47 /* / */) {
    const absolute = http2 ? undefined : splitAbsoluteForm(path);
    if (absolute !== undefined) path = absolute.rest;
  }
  const q = path.indexOf('?');
  if (q !== -1) path = path.slice(0, q);
  if (path.charCodeAt(0) !== 47) return path;
  const normalised = normalizePath(path);
  return normalised instanceof PathRefusal ? path : normalised;
}

let stampedMs = 0;
let stamp = '';

/** The line's time; one ISO string per millisecond, since toISOString() costs more than the rest of a line. */
function isoTimeFirst(): string {
  const now = Date.now();
  if (now !== stampedMs) {
    stampedMs = now;
    stamp = `"time":"${new Date(now).toISOString()}"`;
  }
  return stamp;
}

function endpointName(u: Upstream): string {
  return u.address.includes(':') ? `[${u.address}]:${u.port}` : `${u.address}:${u.port}`;
}
