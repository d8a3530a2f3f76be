#!/usr/bin/env node
// Runs the CLI from the compiled build in dist/ (`npm ci` builds it, see scripts/build.mjs; the image ships
// only dist/), else straight from the TypeScript sources through tsx. In a clone, dist/ is used only while it
// is current: when any source file is newer than the last successful build (dist/.built), the sources run
// instead, so an edit is never hidden behind a stale build. TUNNEL_GATEWAY_FROM_SOURCE=1 forces the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src', 'cli.js');

/** Why dist/ must not run, or undefined when it is current. */
function staleBuild() {
  if (!existsSync(built)) return 'no build';
  // The image (and any install without sources) has only dist/: nothing to compare with.
  if (!existsSync(join(root, 'src'))) return undefined;
  let builtAt;
  try {
    builtAt = statSync(join(root, 'dist', '.built')).mtimeMs;
  } catch {
    return 'the last build did not finish';
  }
  if (statSync(join(root, 'tsconfig.json')).mtimeMs > builtAt) return 'tsconfig.json changed';
  for (const dir of ['src', 'machines', 'proxy']) {
    // Folders too: adding, renaming or deleting a file changes its folder's mtime.
    if (statSync(join(root, dir)).mtimeMs > builtAt) return `${dir}/ changed`;
    for (const name of readdirSync(join(root, dir), { recursive: true })) {
      if (statSync(join(root, dir, name)).mtimeMs > builtAt) return `${dir}/${name} changed`;
    }
  }
  return undefined;
}

const stale = process.env.TUNNEL_GATEWAY_FROM_SOURCE === '1' ? 'TUNNEL_GATEWAY_FROM_SOURCE=1' : staleBuild();
if (stale === undefined) {
  await import(pathToFileURL(built).href);
} else {
  if (stale !== 'no build' && !stale.startsWith('TUNNEL') && process.stderr.isTTY) {
    process.stderr.write(
      `tunnel-gateway: running from source, dist/ is out of date (${stale}); \`npm run build\` makes it current\n`,
    );
  }
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(
      `tunnel-gateway: cannot run: dist/ is not usable (${stale}) and tsx is not installed; run \`npm ci\` (which builds)\n`,
    );
    process.exit(1);
  }
  register();
  await import(pathToFileURL(join(root, 'src', 'cli.ts')).href);
}
