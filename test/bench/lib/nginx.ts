// nginx (Debian's nginx-light) as the backend (`return 200`, plus a static gRPC reply) and as the
// reference proxy (upstream keep-alive). Each instance: one worker (unless asked for more), a temp prefix,
// loopback ports.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type Child } from './procs.js';
import { freePort, waitForPort } from './ports.js';

export interface NginxInstance {
  /** The master's pid (its workers are its children). */
  pid: number;
  http: number;
  grpc: number;
  stop(): Promise<void>;
}

/** An empty protobuf message in a gRPC frame: flag 0, length 0. */
export const EMPTY_GRPC_FRAME = Buffer.alloc(5);

function commonConfig(dir: string, body: string, workers = 1): string {
  return `worker_processes ${workers};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
${body}
}
`;
}

/** HTTP/1.1 `return 200`, and h2c answering any gRPC call with an empty message and grpc-status 0. */
function backendConfig(dir: string, http: number, grpc: number): string {
  return commonConfig(
    dir,
    `  server { listen 127.0.0.1:${http}; location / { return 200 "ok\\n"; } }
  server {
    listen 127.0.0.1:${grpc} http2;
    # Static files refuse POST; the 405 → URI redirect turns it into a GET of the canned reply.
    location / { error_page 405 =200 /empty.grpc; return 405; }
    location = /empty.grpc {
      internal; root ${dir}; default_type application/grpc;
      add_trailer grpc-status 0 always; add_trailer grpc-message "" always;
    }
  }`,
  );
}

function proxyConfig(dir: string, http: number, grpc: number, backend: NginxInstance, workers: number): string {
  return commonConfig(
    dir,
    `  upstream be_http { server 127.0.0.1:${backend.http}; keepalive 64; keepalive_requests 10000000; }
  upstream be_grpc { server 127.0.0.1:${backend.grpc}; keepalive 64; keepalive_requests 10000000; }
  server {
    listen 127.0.0.1:${http};
    location / { proxy_pass http://be_http; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server {
    listen 127.0.0.1:${grpc} http2;
    location / { grpc_pass grpc://be_grpc; }
  }`,
    workers,
  );
}

async function launch(
  kind: string,
  render: (dir: string, http: number, grpc: number) => string,
): Promise<NginxInstance> {
  const dir = await mkdtemp(join(tmpdir(), `bench-nginx-${kind}-`));
  const [http, grpc] = [await freePort(), await freePort()];
  await writeFile(join(dir, 'nginx.conf'), render(dir, http, grpc));
  await writeFile(join(dir, 'empty.grpc'), EMPTY_GRPC_FRAME);
  // Run as root, nginx's workers drop to `nobody`: they must be able to read the canned gRPC reply.
  await chmod(dir, 0o755);
  const { child } = await startChild('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')]);
  await Promise.all([waitForPort(http), waitForPort(grpc)]).catch(async (err) => {
    await child.stop();
    throw err;
  });
  return { pid: child.proc.pid!, http, grpc, stop: () => stopNginx(child, dir) };
}

async function stopNginx(child: Child, dir: string): Promise<void> {
  await child.stop(); // SIGTERM to the master: fast shutdown of its worker too
  await rm(dir, { recursive: true, force: true });
}

export function startNginxBackend(): Promise<NginxInstance> {
  return launch('backend', backendConfig);
}

export function startNginxProxy(backend: NginxInstance, workers = 1): Promise<NginxInstance> {
  return launch('proxy', (dir, http, grpc) => proxyConfig(dir, http, grpc, backend, workers));
}
