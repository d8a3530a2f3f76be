// The seam between the forwarding path (proxy/server, proxy/forward) and the Gateway API filters
// (proxy/filters). Filters are compiled once per config into plain functions over these types.
import type { ProxyMirrorTarget } from './mirror.js';

/** Header list: lower-cased names, one entry per value, order kept (never re-joined with ", "). */
export type HeaderList = Array<[name: string, value: string]>;

/** The request as filters see and change it before it is forwarded. */
export interface RequestHead {
  method: string;
  /** Scheme the client used at the edge ("https" behind Cloudflare when X-Forwarded-Proto says so). */
  scheme: 'http' | 'https';
  /** Lower-cased hostname without port, trailing dot removed: what routing matched on. */
  host: string;
  /** Port the client addressed, when the Host header carried one. */
  port?: number;
  /** Path without the query: the normalised path routing matched (proxy/router/path.ts), otherwise not decoded. */
  path: string;
  /** Raw query including the leading "?", or "". */
  query: string;
  headers: HeaderList;
}

/** A response the proxy answers itself (redirect, CORS preflight, fail-closed status). */
export interface ImmediateResponse {
  status: number;
  headers: HeaderList;
  body?: string;
}

/** Per-request state shared by the request and response phases of one filter chain. */
export interface FilterContext {
  head: RequestHead;
  /** The PathPrefix value that matched, for ReplacePrefixMatch; undefined for other match types. */
  matchedPrefix?: string;
  /** Filled by onRequest for onResponse (e.g. the CORS origin to echo). */
  responseHeaders?: HeaderList;
}

export interface CompiledFilters {
  /** Changes ctx.head in place; returns a response to send instead of forwarding, or undefined. */
  onRequest(ctx: FilterContext): ImmediateResponse | undefined;
  /** Changes the backend's response headers in place before they reach the client. */
  onResponse(ctx: FilterContext, status: number, headers: HeaderList): void;
  /** Where to send a copy of the (already modified) request; fire-and-forget. */
  mirrors: ProxyMirrorTarget[];
  /** True when the chain has nothing to do, so the hot path can skip it. */
  empty: boolean;
}
