// GET /debug/actors: every live actor as JSON. Mount it on an admin server (never on the tunnel-facing port).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActorInfo } from './actors.js';

export function debugActorsHandler(source: { inspect(): ActorInfo[] }) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const body = JSON.stringify({ actors: source.inspect() });
    res.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
