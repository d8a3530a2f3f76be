// A real TLS backend for BackendTLSPolicy tests, on 127.0.0.1 with an ephemeral port: HTTP/1.1 (with
// WebSocket upgrades, "<name>:<message>" echoes) or HTTP/2 negotiated by ALPN. It answers JSON naming itself,
// the path, and the SNI name and ALPN protocol the client sent, so a test sees what the proxy negotiated.
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';

export interface TlsEcho {
  backend: string;
  path: string;
  sni: string | false;
  alpn: string | false | null;
  httpVersion: string;
}

export interface TlsBackend {
  name: string;
  address: string;
  port: number;
  /** TLS handshakes the server completed. */
  handshakes(): number;
  close(): Promise<void>;
}

export async function startTlsBackend(
  name: string,
  pems: { cert: string; key: string },
  opts: { protocol?: 'http1' | 'h2' } = {},
): Promise<TlsBackend> {
  const answer = (
    req: { url?: string; httpVersion: string; socket: unknown },
    res: { writeHead(s: number, h: Record<string, string>): void; end(b: string): void },
  ) => {
    const socket = req.socket as TLSSocket;
    const echo: TlsEcho = {
      backend: name,
      path: req.url ?? '',
      sni: (socket as TLSSocket & { servername?: string | false }).servername ?? false,
      alpn: socket.alpnProtocol ?? null,
      httpVersion: req.httpVersion,
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(echo));
  };
  const server =
    opts.protocol === 'h2'
      ? http2.createSecureServer({ ...pems, allowHTTP1: false }, answer)
      : https.createServer({ ...pems, ALPNProtocols: ['http/1.1'] }, answer);
  let handshakes = 0;
  server.on('secureConnection', () => handshakes++);
  // Handshakes the client aborts (a certificate it refuses) must not surface as unhandled errors.
  server.on('tlsClientError', () => undefined);
  if (opts.protocol !== 'h2') {
    const wss = new WebSocketServer({ server: server as https.Server });
    wss.on('connection', (ws) => ws.on('message', (m: Buffer) => ws.send(`${name}:${m.toString()}`)));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    address: '127.0.0.1',
    port,
    handshakes: () => handshakes,
    close: () =>
      new Promise<void>((resolve) => {
        (server as https.Server).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
