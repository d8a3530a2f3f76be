// The load a data-plane A/B or profile puts on a proxy: wrk on the plain forwarding path (HTTP/1.1, 32
// connections) or h2load's gRPC unary calls (4 connections × 16 streams, an empty message). Answers with
// the requests or calls served; any error fails the run.
import { runGrpcLoad } from './h2load.js';
import { runWrk } from './wrk.js';

export async function forwardLoad(
  mode: 'h1' | 'grpc',
  port: number,
  seconds: number,
  grpcBodyFile: string,
): Promise<number> {
  if (mode === 'h1') {
    const r = await runWrk(`http://127.0.0.1:${port}/bench/item?id=1`, { connections: 32, durationS: seconds });
    if (r.errors > 0) throw new Error(`${r.errors} errors on :${port}`);
    return r.requests;
  }
  const r = await runGrpcLoad(`http://127.0.0.1:${port}/bench.Echo/Unary`, {
    clients: 4,
    streamsPerClient: 16,
    durationS: seconds,
    bodyFile: grpcBodyFile,
  });
  if (r.failed + r.non2xx > 0) throw new Error(`${r.failed + r.non2xx} failed calls on :${port}`);
  return r.succeeded;
}
