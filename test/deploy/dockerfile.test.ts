// No Docker engine runs here, so the image cannot be built in CI. These checks hold the Dockerfile to what
// the build and the manifests need: Node 22, compile → prune, what the runtime stage copies, the entry
// point, a non-root uid that matches the pods' runAsUser, and a build context that has every file it copies.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT, ofKind, render, type Container } from './support/render.js';

interface Instruction {
  op: string;
  args: string;
}

/** Instructions per stage (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Instruction[][] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Instruction[][] = [];
  for (const line of lines) {
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (!op) continue;
    if (op.toUpperCase() === 'FROM') stages.push([]);
    stages[stages.length - 1]?.push({ op: op.toUpperCase(), args: args!.trim() });
  }
  return stages;
}

const dockerfile = parseDockerfile(readFileSync(`${ROOT}deploy/Dockerfile`, 'utf8'));
const build = dockerfile[0]!;
const runtime = dockerfile[dockerfile.length - 1]!;
const ignored = readFileSync(`${ROOT}.dockerignore`, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const tsconfig = JSON.parse(readFileSync(`${ROOT}tsconfig.json`, 'utf8')) as {
  include: string[];
  compilerOptions: { outDir: string; rootDir: string };
};

const isIgnored = (path: string) => ignored.some((p) => path === p || path.startsWith(`${p}/`));
const copies = (stage: Instruction[]) =>
  stage
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const from = /--from=(\S+)/.exec(i.args)?.[1];
      const parts = i.args.replace(/--\S+/g, '').trim().split(/\s+/);
      return {
        from,
        sources: parts.slice(0, -1).map((s) => s.replace(/^\.\//, '').replace(/\/$/, '')),
        dest: parts[parts.length - 1]!,
      };
    });

function nonTsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? nonTsFiles(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [] : [`${dir}/${e.name}`],
  );
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
  );
}

/** Packages a module loads at run time (type-only imports are erased by tsc; node: builtins need nothing). */
function runtimeImports(text: string): string[] {
  const specifiers = [
    ...[...text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^;'"]*?\bfrom\s+['"]([^'"]+)['"]/g)]
      .filter((m) => !m[1])
      .map((m) => m[2]!),
    ...[...text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!),
    ...[...text.matchAll(/\b(?:import|require(?:\.resolve)?)\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!),
  ];
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !s.startsWith('/'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

describe('deploy/Dockerfile', () => {
  it('is multi-stage on Node 22', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile) expect(stage[0]!.args).toMatch(/^node:22[-.\w]*(\s+AS\s+\w+)?$/i);
  });

  it('builds with npm ci --ignore-scripts → npm run build (tsc -p tsconfig.json) → npm prune --omit=dev, in that order', () => {
    const runs = build.filter((i) => i.op === 'RUN').map((i) => i.args);
    const at = (pattern: RegExp) => runs.findIndex((r) => pattern.test(r));
    // `prepare` would build before the sources are copied: the install skips it and the build runs later.
    const steps = [at(/\bnpm ci\b.*--ignore-scripts/), at(/\bnpm run build\b/), at(/\bnpm prune --omit=dev\b/)];
    expect(steps.every((s) => s >= 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
    expect(readFileSync(`${ROOT}scripts/build.mjs`, 'utf8')).toMatch(/'-p', 'tsconfig\.json'/);
  });

  it('compiles every source folder tsconfig includes, except the tests', () => {
    const copied = new Set(copies(build).flatMap((c) => c.sources));
    const needed = tsconfig.include.filter((dir) => dir !== 'test');
    expect(needed.filter((dir) => !copied.has(dir))).toEqual([]);
    expect(copied.has('package-lock.json')).toBe(true);
  });

  it('emits the compiled CLI where bin/tunnel-gateway.mjs looks for it', () => {
    const { outDir, rootDir } = tsconfig.compilerOptions;
    expect([outDir, rootDir]).toEqual(['dist', '.']); // so src/cli.ts → dist/src/cli.js
    const bin = readFileSync(`${ROOT}bin/tunnel-gateway.mjs`, 'utf8');
    expect(bin).toMatch(/'dist',\s*'src',\s*'cli\.js'/);
  });

  it('copies the non-TypeScript files the code reads next to itself (debug page assets, …) and the Mermaid bundle into dist/', () => {
    const assets = ['src', 'machines', 'proxy'].flatMap((dir) => nonTsFiles(`${ROOT}${dir}`));
    expect(assets.length).toBeGreaterThan(0); // the step matters: such files exist
    const out = mkdtempSync(join(tmpdir(), 'tg-assets-'));
    try {
      const run = spawnSync(process.execPath, [`${ROOT}scripts/build.mjs`, '--assets-only', '--out', out], {
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      for (const file of assets) expect(existsSync(join(out, file.slice(ROOT.length)))).toBe(true);
      // What src/debug-page/routes.ts serves first, so the image needs no `mermaid` package.
      expect(readFileSync(join(out, 'src/debug-page/assets/mermaid.min.js'), 'utf8').length).toBeGreaterThan(1_000_000);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('keeps every package the shipped code imports through `npm prune --omit=dev`', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const sources = ['src', 'machines', 'proxy'].flatMap((dir) => tsFiles(`${ROOT}${dir}`));
    const imported = new Set(sources.flatMap((file) => runtimeImports(readFileSync(file, 'utf8'))));
    expect(imported.size).toBeGreaterThan(5);
    // Mermaid's bundle is copied into dist/ by the build; run from source, the debug page falls back to node_modules.
    const vendored = ['mermaid'];
    expect(vendored.filter((name) => !(name in pkg.devDependencies))).toEqual([]);
    expect([...imported].filter((name) => !(name in pkg.dependencies) && !vendored.includes(name)).sort()).toEqual([]);
  });

  it('ships no build tools: tsx, TypeScript, Mermaid, the linters and the bench-only proxies are devDependencies', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { dependencies: Record<string, string> };
    const devOnly = ['tsx', 'typescript', 'mermaid', 'eslint', 'prettier', 'http-proxy', '@fastify/reply-from'];
    expect(devOnly.filter((name) => name in pkg.dependencies)).toEqual([]);
  });

  it('ships package.json (ESM "type": "module"), production node_modules, bin and dist in the runtime stage', () => {
    const fromBuild = copies(runtime)
      .filter((c) => c.from !== undefined)
      .flatMap((c) => c.sources.map((s) => s.replace(/^\/app\//, '')));
    expect(fromBuild.sort()).toEqual(['bin', 'dist', 'node_modules', 'package.json']);
    expect((JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { type: string }).type).toBe('module');
  });

  it('runs `node bin/tunnel-gateway.mjs` as the non-root uid the pods run as', () => {
    const entrypoint = runtime.find((i) => i.op === 'ENTRYPOINT');
    expect(JSON.parse(entrypoint!.args)).toEqual(['node', 'bin/tunnel-gateway.mjs']);
    expect(existsSync(`${ROOT}bin/tunnel-gateway.mjs`)).toBe(true);
    const user = runtime.filter((i) => i.op === 'USER').pop()?.args ?? '';
    const [uid, gid] = user.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    const ours = ofKind(render('default'), 'Deployment').flatMap((d) =>
      (d.spec.template.spec.containers as Container[])
        .filter((c) => c.image.startsWith('tunnel-gateway'))
        .map((c) => c.securityContext?.runAsUser ?? d.spec.template.spec.securityContext?.runAsUser),
    );
    expect(ours.length).toBe(2);
    expect(new Set(ours)).toEqual(new Set([uid]));
  });

  it('has a build context (.dockerignore) with every file it copies and without node_modules, dist or tests', () => {
    const sources = copies(build)
      .filter((c) => c.from === undefined)
      .flatMap((c) => c.sources);
    expect(sources.filter((s) => !existsSync(`${ROOT}${s}`) || isIgnored(s))).toEqual([]);
    for (const path of ['node_modules', 'dist', 'test', '.git']) expect(isIgnored(path)).toBe(true);
  });
});
