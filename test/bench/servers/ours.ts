// Our proxy in its own process, as it runs in a pod: data port + admin port on 127.0.0.1, configs pushed
// over `PUT /config` by the harness. Prints {"http": N, "admin": N} once listening.
// BENCH_PROXY_WORKERS=N (N ≥ 1) runs it as `tunnel-gateway proxy --workers N` does (a cluster primary with
// N workers, which re-run this file); 0 runs the proxy in this one process.
// Run with `node --cpu-prof` (BENCH_CPU_PROF) to profile the hot path (every worker writes its own profile).
// BENCH_ACCESS_LOG=FILE|stdout: the access log goes there while a pushed config says `accessLog: true`.
import cluster from 'node:cluster';
import { startProxy, type AccessLogOptions } from '../../../proxy/index.js';
import { startProxyCluster } from '../../../proxy/cluster/primary.js';
import { runProxyWorker } from '../../../proxy/cluster/worker.js';
import { fileDestination } from '../../../src/commands/access-log.js';
import { silentLogger, stdoutDestination } from '../../../src/log.js';

const token = process.env.BENCH_ADMIN_TOKEN;
const workers = Number(process.env.BENCH_PROXY_WORKERS ?? 0);
const listen = { host: '127.0.0.1', port: 0 };
const admin = { host: '127.0.0.1', port: 0 };
const logFile = process.env.BENCH_ACCESS_LOG;
const accessLog: AccessLogOptions | undefined = logFile
  ? { mode: 'config', destination: logFile === 'stdout' ? stdoutDestination() : fileDestination(logFile) }
  : undefined;

if (cluster.isWorker) {
  await runProxyWorker({ listen, accessLog }, silentLogger);
} else {
  const proxy =
    workers > 0
      ? await startProxyCluster({
          workers,
          admin,
          adminToken: token,
          logger: silentLogger,
          onFatal: () => process.exit(1),
        })
      : await startProxy({ listen, admin, adminToken: token, logger: silentLogger, accessLog });
  console.log(JSON.stringify({ http: proxy.ports.http, admin: proxy.ports.admin }));
  // process.exit (not a signal death) so --cpu-prof gets to write its profile.
  const stop = () => void proxy.close(200).finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
