// deploy/install.yaml: the default kustomize overlay rendered into one file, as Gateway API implementations
// publish their installs. Tests check it equals a fresh render; `npm run render:install` (this file run as a
// script with --write) regenerates it after a change under deploy/kustomize.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KUSTOMIZE_DIR, ROOT } from './render.js';

export const INSTALL_PATH = `${ROOT}deploy/install.yaml`;
export const INSTALL_OVERLAY = 'default';

const HEADER = [
  '# cloudflare-tunnel-gateway: the controller, the proxy (with cloudflared) and the GatewayClass in one file.',
  `# Generated from deploy/kustomize/overlays/${INSTALL_OVERLAY} by \`npm run render:install\`: do not edit by hand.`,
  '# First install the Gateway API v1.6.1 standard CRDs (deploy/crds/ or upstream), then see docs/install.md.',
  '',
].join('\n');

/** What deploy/install.yaml must hold: the header, then `kubectl kustomize` of the default overlay verbatim. */
export function renderInstall(): string {
  const rendered = execFileSync('kubectl', ['kustomize', `${KUSTOMIZE_DIR}/overlays/${INSTALL_OVERLAY}`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return HEADER + rendered;
}

export function readInstall(): string {
  return readFileSync(INSTALL_PATH, 'utf8');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv.includes('--write')) {
    process.stdout.write(renderInstall());
  } else {
    writeFileSync(INSTALL_PATH, renderInstall());
    console.error(`wrote ${INSTALL_PATH}`);
  }
}
