// `tunnel-gateway demo` (what `npm start` runs): echo backends + standalone on deploy/examples.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { DEFAULT_CONTROLLER_NAME } from '../core/types.js';
import { createLogger } from '../log.js';
import { formatHostPort, hostPortOption, type HostPort } from './options.js';
import { exitOnFatal, onShutdownSignal } from '../runtime/signals.js';

// From src/commands/ (run from source) or dist/src/commands/ (the build), whichever holds the examples.
const EXAMPLES =
  ['../../deploy/examples', '../../../deploy/examples']
    .map((path) => fileURLToPath(new URL(path, import.meta.url)))
    .find((path) => existsSync(path)) ?? fileURLToPath(new URL('../../deploy/examples', import.meta.url));

export function demoCommand(): Command {
  return new Command('demo')
    .description('run the demo: echo backends for the example EndpointSlices, then standalone on the examples')
    .option('--manifests <path>', 'manifests to serve', EXAMPLES)
    .addOption(hostPortOption('--listen <host:port>', 'data plane', '127.0.0.1:8080'))
    .addOption(hostPortOption('--admin <host:port>', 'admin API and debug page', '127.0.0.1:9901'))
    .addOption(new Option('--log-level <level>', 'pino log level').default('warn').env('LOG_LEVEL'))
    .action(async (flags: { manifests: string; listen: HostPort; admin: HostPort; logLevel: string }) => {
      const logger = createLogger(flags.logLevel);
      // Loaded here, not at the top: other commands of the same CLI (a proxy worker) need none of this.
      const [{ loadManifests }, { startDemoBackends }, { runStandalone }] = await Promise.all([
        import('../sources/files.js'),
        import('../demo/backends.js'),
        import('../runtime/standalone.js'),
      ]);
      const backends = await startDemoBackends(await loadManifests(flags.manifests));
      const app = await runStandalone({
        manifests: flags.manifests,
        listen: flags.listen,
        tlsListen: { host: '127.0.0.1', port: 0 },
        admin: flags.admin,
        controllerName: DEFAULT_CONTROLLER_NAME,
        logger,
        onFatal: exitOnFatal(logger),
      });
      const proxy = formatHostPort({ host: flags.listen.host, port: app.proxy.ports.http });
      const admin = formatHostPort({ host: flags.admin.host, port: app.proxy.ports.admin ?? flags.admin.port });
      process.stdout.write(
        [
          `Demo running: ${backends.length} echo backends (${backends.map((b) => `${b.name}:${b.port}`).join(', ')}), manifests in ${flags.manifests}`,
          '',
          'Try:',
          `  curl -H 'Host: app.example.com' http://${proxy}/            # app-v1 (90%) or app-v2 (10%)`,
          `  curl -H 'Host: app.example.com' -H 'x-canary: true' http://${proxy}/   # always app-v2`,
          `  curl -H 'Host: app.example.com' http://${proxy}/api/users   # api`,
          `  curl -i -H 'Host: www.example.com' http://${proxy}/         # 301 to app.example.com`,
          `  curl -H 'Host: nope.example.com' http://${proxy}/           # 404`,
          '',
          `Status of every resource:  curl http://${admin}/status`,
          `Actors (state machines):   curl http://${admin}/debug/actors   (page: http://${admin}/debug/)`,
          `Edit ${flags.manifests}/routes.yaml and the change is served within a second. Ctrl-C stops.`,
          '',
        ].join('\n'),
      );
      onShutdownSignal(logger, async () => {
        await app.close(2000);
        await Promise.all(backends.map((b) => b.close()));
      });
    });
}
