// `tunnel-gateway render`: what the controller would do with a folder of manifests, as JSON on stdout.
import { Command, Option } from 'commander';
import { DEFAULT_CONTROLLER_NAME } from '../core/types.js';
import { envFlag, parsePort } from './options.js';

export function renderCommand(): Command {
  return new Command('render')
    .description('print the desired state (statuses, proxy config, tunnel ingress, DNS) for a set of manifests')
    .requiredOption('--manifests <path>', 'file or folder of YAML/JSON manifests (read recursively)')
    .addOption(
      new Option('--controller-name <name>', 'GatewayClass controllerName to own')
        .default(DEFAULT_CONTROLLER_NAME)
        .env('CONTROLLER_NAME'),
    )
    .addOption(
      new Option('--tunnel-id <id>', 'Cloudflare tunnel id (Gateway addresses, DNS targets)').env(
        'CLOUDFLARE_TUNNEL_ID',
      ),
    )
    .option('--proxy-port <port>', 'proxy HTTP port cloudflared sends plain traffic to', parsePort, 8080)
    .option('--proxy-tls-port <port>', 'proxy loopback TLS port cloudflared sends gRPC traffic to', parsePort, 8443)
    .addOption(
      new Option(
        '--external-name-services',
        'forward to type: ExternalName Services (off: a Service writer could point routes at any name the proxy reaches; see docs/security.md)',
      ),
    )
    .action(
      async (opts: {
        manifests: string;
        controllerName: string;
        tunnelId?: string;
        proxyPort: number;
        proxyTlsPort: number;
        externalNameServices?: boolean;
      }) => {
        // Loaded here, not at the top, so `--help` and the other commands do not pay for the translator.
        const [{ loadManifests }, { toSnapshot, ManifestError }, { translate }] = await Promise.all([
          import('../sources/files.js'),
          import('../sources/manifests.js'),
          import('../translate/index.js'),
        ]);
        let objects;
        try {
          objects = await loadManifests(opts.manifests);
        } catch (err) {
          const message = err instanceof ManifestError ? err.message : `${opts.manifests}: ${(err as Error).message}`;
          process.stderr.write(`tunnel-gateway render: ${message}\n`);
          process.exit(2);
        }
        const { snapshot, ignored } = toSnapshot(objects);
        if (ignored.length) {
          const names = ignored.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
          process.stderr.write(`tunnel-gateway render: not read by the translator: ${names}\n`);
        }
        const desired = translate(snapshot, {
          controllerName: opts.controllerName,
          now: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          tunnelId: opts.tunnelId,
          proxyHttpPort: opts.proxyPort,
          proxyTlsPort: opts.proxyTlsPort,
          externalNameServices: opts.externalNameServices ?? envFlag('EXTERNAL_NAME_SERVICES'),
        });
        process.stdout.write(JSON.stringify(desired, null, 2) + '\n');
      },
    );
}
