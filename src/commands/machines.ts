// `tunnel-gateway machines`: diagrams of every state machine, generated from the machine definitions.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { DiagramFormat } from '../debug/diagrams.js';

export async function writeMachineDiagrams(format: DiagramFormat, outDir?: string): Promise<string[]> {
  // Loaded on use: every other command of the CLI (a proxy worker too) would otherwise pay for them.
  const [{ MACHINES }, { DIAGRAM_EXTENSIONS, renderDiagram }] = await Promise.all([
    import('../../machines/index.js'),
    import('../debug/diagrams.js'),
  ]);
  const rendered = Object.entries(MACHINES).map(([id, machine]) => ({ id, text: renderDiagram(machine, format) }));
  if (!outDir) {
    const body =
      format === 'json'
        ? `${JSON.stringify(
            rendered.map((r) => JSON.parse(r.text)),
            null,
            2,
          )}\n`
        : rendered.map((r) => r.text).join('\n');
    process.stdout.write(body);
    return [];
  }
  await mkdir(outDir, { recursive: true });
  const files = rendered.map((r) => join(outDir, `${r.id}.${DIAGRAM_EXTENSIONS[format]}`));
  await Promise.all(rendered.map((r, i) => writeFile(files[i]!, r.text)));
  return files;
}

export function machinesCommand(): Command {
  return new Command('machines')
    .description('Draw every state machine of the controller (generated from the machine definitions)')
    .addOption(new Option('--format <format>', 'diagram format').choices(['mermaid', 'dot', 'json']).default('mermaid'))
    .option('--out <dir>', 'write one file per machine into this folder instead of printing to stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  tunnel-gateway machines > machines.mmd\n  tunnel-gateway machines --format dot --out diagrams/',
    )
    .action(async (opts: { format: DiagramFormat; out?: string }) => {
      const files = await writeMachineDiagrams(opts.format, opts.out);
      for (const f of files) process.stderr.write(`wrote ${f}\n`);
    });
}
