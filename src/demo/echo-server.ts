// Demo backend: answers every request with a JSON description of what it received, so a user (and the
// e2e tests) can see which backend a request reached and what the proxy changed on the way.
import { createServer, type Server } from 'node:http';

export interface EchoServer {
  name: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function startEchoServer(name: string, port = 0, host = '127.0.0.1'): Promise<EchoServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({
        backend: name,
        method: req.method,
        path: req.url,
        host: req.headers.host,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name });
      res.end(body + '\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    name,
    port: actual,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
