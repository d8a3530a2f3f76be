// TLS to backends (a BackendTLSPolicy, translated into a backend's `tls`): the connect options every
// upstream kind uses (undici Pools, node:http2 sessions, WebSocket upgrades). The certificate is always
// verified — against the policy's CA bundle or the default trust store — and its identity checked against the
// subject alternative names the policy lists, else against the SNI name. Nothing here skips verification.
import tls, { type PeerCertificate, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { ProxyBackendTls } from '../config/schema.js';

export interface UpstreamTls {
  /** Pools are keyed by it: two backends with different TLS settings never share a connection. */
  readonly key: string;
  readonly serverName: string;
  /** Options for tls.connect (undici's `connect`, node:https, the h2 session's socket). */
  readonly connect: TlsConnectOptions;
}

export interface TlsConnectOptions {
  servername: string;
  secureContext: SecureContext;
  rejectUnauthorized: true;
  checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined;
}

/** Resolves a backend's TLS settings; `cas` maps the config's CA bundle ids to their PEM text. */
export function upstreamTls(
  settings: ProxyBackendTls | undefined,
  cas: ReadonlyMap<string, string>,
): UpstreamTls | undefined {
  if (settings === undefined) return undefined;
  const pem = settings.ca === 'system' ? undefined : cas.get(settings.ca);
  if (settings.ca !== 'system' && pem === undefined) throw new Error(`CA bundle ${settings.ca} is not in the config`);
  return new ResolvedTls(settings, pem);
}

class ResolvedTls implements UpstreamTls {
  readonly key: string;
  readonly serverName: string;
  private options: TlsConnectOptions | undefined;

  constructor(
    private readonly settings: ProxyBackendTls,
    private readonly pem: string | undefined,
  ) {
    this.key = `${settings.ca}|${settings.serverName}|${JSON.stringify(settings.subjectAltNames)}`;
    this.serverName = settings.serverName;
  }

  /** Built on first use, once per upstream: a secure context parses its CA bundle, a connection should not. */
  get connect(): TlsConnectOptions {
    return (this.options ??= {
      servername: this.settings.serverName,
      // Without `ca`: Node's default trust store (its Mozilla bundle plus NODE_EXTRA_CA_CERTS).
      secureContext: tls.createSecureContext(this.pem === undefined ? {} : { ca: this.pem }),
      rejectUnauthorized: true,
      checkServerIdentity: identityCheck(this.settings.serverName, this.settings.subjectAltNames),
    });
  }
}

type SubjectAltNames = ProxyBackendTls['subjectAltNames'];

/**
 * The certificate must name `serverName` (Node's RFC 6125 check, wildcards included) — unless the policy lists
 * subjectAltNames: then one of those must match and the server name is not used for authentication (the spec's
 * words). Hostname entries match DNS SANs as a server name would; URI entries must equal a URI SAN exactly.
 */
export function identityCheck(serverName: string, sans: SubjectAltNames) {
  return (_host: string, cert: PeerCertificate): Error | undefined => {
    if (sans.length === 0) return tls.checkServerIdentity(serverName, cert);
    const uris = uriSans(cert.subjectaltname);
    const matches = sans.some((san) =>
      san.type === 'Hostname' ? tls.checkServerIdentity(san.hostname, cert) === undefined : uris.includes(san.uri),
    );
    if (matches) return undefined;
    const wanted = sans.map((s) => (s.type === 'Hostname' ? `DNS:${s.hostname}` : `URI:${s.uri}`)).join(', ');
    const err = new Error(
      `backend certificate's subject alternative names (${cert.subjectaltname ?? 'none'}) match none of ${wanted}`,
    );
    return Object.assign(err, { code: 'ERR_TLS_CERT_ALTNAME_INVALID', reason: err.message, cert });
  };
}

/**
 * The URI entries of Node's `subjectaltname` text ("DNS:a, URI:b"). Node quotes a value holding a comma or a
 * quote as a JSON string, so such a value cannot be split or forged by its content.
 */
export function uriSans(altNames: string | undefined): string[] {
  const out: string[] = [];
  for (const m of (altNames ?? '').matchAll(/(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    if (m[1] !== 'URI') continue;
    const value = m[2]!;
    out.push(value.startsWith('"') ? (JSON.parse(value) as string) : value);
  }
  return out;
}

/** Backend name → when its last TLS failure was logged. */
const lastLogged = new Map<string, number>();
const LOG_EVERY_MS = 10_000;

/**
 * A warning naming the backend and why its TLS failed (the request gets 502, never a plaintext retry). A
 * backend whose certificate does not verify fails every request, so one line per backend every 10 s. Only the
 * error's code and message are logged: the error object carries the peer certificate.
 */
export function logTlsFailure(logger: Logger, backend: string, err: unknown, now = Date.now()): void {
  const last = lastLogged.get(backend);
  if (last !== undefined && now - last < LOG_EVERY_MS) return;
  if (lastLogged.size >= 10_000) lastLogged.clear();
  lastLogged.set(backend, now);
  type Failure = { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  const outer = err as Failure;
  // An h2 stream cancelled because its session's handshake failed carries that failure as its cause.
  const e = outer?.code === 'ERR_HTTP2_STREAM_CANCEL' && outer.cause !== undefined ? (outer.cause as Failure) : outer;
  logger.warn(
    { backend, code: e?.code, error: e?.message },
    'backend TLS failed (handshake or certificate); answered 502',
  );
}
