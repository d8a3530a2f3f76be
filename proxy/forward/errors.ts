// The one place where upstream failures become statuses and metric reasons.

export type FailureReason =
  'timeout' | 'connect' | 'reset' | 'protocol' | 'tls' | 'aborted' | 'closed' | 'too_large' | 'other';

/** Thrown (as an abort reason) when a per-try or whole-request deadline passes. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  constructor(readonly scope: 'request' | 'backendRequest' | 'response') {
    super(`${scope} timeout`);
  }
}

/** A client body past maxBodyBytes (or longer than it declared). */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** The client went away: nobody is left to answer. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

const CONNECT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
const RESET = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_STREAM_CANCEL',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const TIMEOUT = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const CLOSED = new Set(['UND_ERR_CLOSED', 'UND_ERR_DESTROYED', 'ERR_HTTP2_INVALID_SESSION']);
/** OpenSSL's verification results (X509_V_ERR_* names) that Node reports as error codes. */
const TLS_VERIFY = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
]);

/** A failed TLS handshake or a certificate the backend's policy does not accept. */
function isTls(code: string): boolean {
  return TLS_VERIFY.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_');
}

export function failureReason(err: unknown): FailureReason {
  if (err instanceof DeadlineError) return 'timeout';
  if (err instanceof ClientGoneError) return 'aborted';
  if ((err as Error | undefined)?.name === 'BodyTooLargeError') return 'too_large';
  const e = err as { code?: string; cause?: unknown; name?: string } | undefined;
  const code = e?.code;
  // node:http2 cancels the streams waiting on a session that failed to connect: the session's error says why.
  if (code === 'ERR_HTTP2_STREAM_CANCEL' && e?.cause !== undefined) return failureReason(e.cause);
  if (code !== undefined) {
    if (TIMEOUT.has(code)) return 'timeout';
    if (CONNECT.has(code)) return 'connect';
    if (RESET.has(code)) return 'reset';
    if (CLOSED.has(code)) return 'closed';
    if (isTls(code)) return 'tls';
    if (code.startsWith('ERR_HTTP2') || code.startsWith('HPE_') || code.startsWith('UND_ERR')) return 'protocol';
  }
  if (e?.cause !== undefined && e.cause !== err) return failureReason(e.cause);
  return 'other';
}

/** 504 for deadlines, 413 for a client body past the limit, 502 for everything else a backend can do wrong. */
export function statusForFailure(reason: FailureReason): number {
  return reason === 'timeout' ? 504 : reason === 'too_large' ? 413 : 502;
}

/** gRPC status codes for the HTTP statuses the proxy answers itself (grpc-js maps them the same way). */
export function grpcStatusFor(httpStatus: number): number {
  switch (httpStatus) {
    case 404:
      return 12; // UNIMPLEMENTED
    case 504:
      return 4; // DEADLINE_EXCEEDED
    case 502:
    case 503:
      return 14; // UNAVAILABLE
    case 413:
    case 431:
      return 8; // RESOURCE_EXHAUSTED
    default:
      return 13; // INTERNAL
  }
}
