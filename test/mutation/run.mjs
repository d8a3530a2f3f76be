// `node test/mutation/run.mjs <router|machines|translate> [file.ts ...]`: Stryker over one folder, one source
// file per run (each keeps its own incremental result, so an interrupted folder resumes where it stopped and
// an unchanged file costs only its start-up), then the folder's score from every file's report (summary.mjs).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { summarise } from './summary.mjs';

const FOLDERS = { router: 'proxy/router', machines: 'machines', translate: 'src/translate' };
const [name, ...only] = process.argv.slice(2);
const root = FOLDERS[name];
if (root === undefined) throw new Error(`usage: run.mjs <${Object.keys(FOLDERS).join('|')}> [file.ts ...]`);

const sources = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
const files = only.length > 0 ? only : sources(root).sort();
for (const file of files) {
  console.log(`\n=== ${file} (${new Date().toISOString()})`);
  const run = spawnSync('npx', ['stryker', 'run', `test/mutation/${name}.config.mjs`], {
    stdio: 'inherit',
    env: { ...process.env, MUTATE_FILE: file },
  });
  if (run.status !== 0) process.exitCode = 1;
}
console.log(summarise(name));
