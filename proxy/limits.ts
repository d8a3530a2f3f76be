// Limits that protect the proxy from slow or oversized clients. Every field has a documented default;
// embedders override a subset through ProxyOptions.limits.

export interface ProxyLimits {
  /** Largest request head (request line + headers) in bytes; past it HTTP/1.1 answers 431. */
  maxHeaderBytes: number;
  /** Longest request target (path + query); past it 414. */
  maxUrlLength: number;
  /** Largest request body in bytes; a larger Content-Length gets 413 before forwarding, a larger stream is cut. */
  maxBodyBytes: number;
  /** A client must finish sending the request head within this time (HTTP/1.1, 408 / close). */
  headersTimeoutMs: number;
  /** A client must finish sending the whole request within this time (HTTP/1.1); 0 disables. */
  requestTimeoutMs: number;
  /** Idle time before a client keep-alive connection is closed. */
  keepAliveTimeoutMs: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS announced to HTTP/2 clients. */
  maxConcurrentStreams: number;
  /** Client stream resets one HTTP/2 session may make per second (burst as many); past it GOAWAY ENHANCE_YOUR_CALM. 0 disables. */
  http2ResetsPerSecond: number;
  /** Bodies up to this size are buffered so a retry can resend them; larger ones are streamed, tried once. */
  retryBufferBytes: number;
  /** Keep-alive connections per HTTP/1.1 upstream endpoint. */
  upstreamConnections: number;
  /** Idle upstream keep-alive connections are closed after this long. */
  upstreamKeepAliveMs: number;
  /** Upstream TCP connect timeout (expiry answers 504). */
  connectTimeoutMs: number;
  /**
   * How long a backend may take to start its answer (the response head) when the route sets no timeout of its
   * own (504 after); 0 disables. Counted from the try's start, or from the end of a streamed request body.
   */
  upstreamResponseTimeoutMs: number;
  /**
   * A request body must bring at least max(1, requestBodyMinBytesPerSecond × this / 1000) bytes in every window
   * of this length while the proxy reads it (408 and the upstream request aborted otherwise); 0 disables.
   */
  requestBodyTimeoutMs: number;
  /** The minimum rate of a request body, judged per requestBodyTimeoutMs window; 0 leaves an idle timeout. */
  requestBodyMinBytesPerSecond: number;
  /**
   * Connections per HTTP/1.1 endpoint for streamed request bodies (undeclared length or over retryBufferBytes),
   * apart from upstreamConnections, so uploads can never hold the connections other requests need; 0 shares them.
   */
  upstreamUploadConnections: number;
}

export const DEFAULT_LIMITS: ProxyLimits = {
  maxHeaderBytes: 64 * 1024,
  maxUrlLength: 16 * 1024,
  maxBodyBytes: 100 * 1024 * 1024,
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 65_000,
  maxConcurrentStreams: 1000,
  http2ResetsPerSecond: 200,
  retryBufferBytes: 64 * 1024,
  upstreamConnections: 128,
  upstreamKeepAliveMs: 60_000,
  connectTimeoutMs: 10_000,
  // Under Cloudflare's 100 s wait for an origin's answer (524 after): the client still gets the proxy's 504,
  // and the backend request is cancelled, before the edge gives up (docs/adr/0007-upstream-fairness.md).
  upstreamResponseTimeoutMs: 90_000,
  // Apache's mod_reqtimeout default is 500 B/s; 10 KiB per 20 s window tolerates a 4 kbit/s uplink.
  requestBodyTimeoutMs: 20_000,
  requestBodyMinBytesPerSecond: 512,
  upstreamUploadConnections: 32,
};

export function resolveLimits(partial: Partial<ProxyLimits> | undefined): ProxyLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(partial ?? {})) {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0)
      (limits as Record<string, number>)[key] = value;
  }
  return limits;
}
