// Reads the flags a `tunnel-gateway` subcommand really accepts from its --help (commander's format).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from './render.js';

export interface CliFlag {
  long: string;
  /** Takes a value: `--x <v>` (required) or `--x [v]` (optional). */
  takesValue: boolean;
  valueOptional: boolean;
  /** Environment variable named by commander's `(env: NAME)` note, when any. */
  env?: string;
}

export interface CliHelp {
  text: string;
  flags: Map<string, CliFlag>;
  commands: Set<string>;
}

const helpCache = new Map<string, CliHelp>();

function helpArgs(subcommand?: string): string[] {
  return ['bin/tunnel-gateway.mjs', ...(subcommand ? [subcommand] : []), '--help'];
}

/** `tunnel-gateway [subcommand] --help`, run once per subcommand (cached). */
export function cliHelp(subcommand?: string): CliHelp {
  const key = subcommand ?? '';
  let help = helpCache.get(key);
  if (!help) {
    help = parseHelp(
      execFileSync(process.execPath, helpArgs(subcommand), { cwd: ROOT, encoding: 'utf8', timeout: 60_000 }),
    );
    helpCache.set(key, help);
  }
  return help;
}

/** Runs several --help at once (each start compiles the CLI through tsx: seconds on a busy machine). */
export async function prefetchHelp(subcommands: Array<string | undefined>): Promise<void> {
  const run = promisify(execFile);
  await Promise.all(
    subcommands.map(async (sub) => {
      const { stdout } = await run(process.execPath, helpArgs(sub), { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      helpCache.set(sub ?? '', parseHelp(stdout));
    }),
  );
}

/** Parses commander help: option entries under "Options:", command names under "Commands:". */
export function parseHelp(text: string): CliHelp {
  const flags = new Map<string, CliFlag>();
  const commands = new Set<string>();
  let section = '';
  let entry = ''; // one option with its wrapped description lines joined
  const flush = () => {
    const flag = entry ? parseOptionEntry(entry) : undefined;
    if (flag) flags.set(flag.long, flag);
    entry = '';
  };
  for (const line of text.split('\n')) {
    const header = /^(\w[\w ]*):\s*$/.exec(line);
    if (header) {
      flush();
      section = header[1]!.toLowerCase();
    } else if (section.endsWith('options')) {
      // Commander wraps long descriptions (stdout is not a TTY here, so at 80 columns): a line that does
      // not start with a dash continues the option above.
      if (/^\s+-/.test(line)) {
        flush();
        entry = line;
      } else if (entry) {
        entry += ` ${line.trim()}`;
      }
    } else if (section === 'commands') {
      const command = /^\s{2}([a-z][\w-]*)/.exec(line);
      if (command) commands.add(command[1]!);
    }
  }
  flush();
  return { text, flags, commands };
}

function parseOptionEntry(line: string): CliFlag | undefined {
  const match = /^\s+(?:-\w, )?(--[a-z0-9][a-z0-9-]*)(?: (<[^>]+>|\[[^\]]+\]))?/i.exec(line);
  if (!match) return undefined;
  const env = /[(,] ?env: ([A-Z0-9_]+)\)/.exec(line)?.[1];
  return {
    long: match[1]!,
    takesValue: match[2] !== undefined,
    valueOptional: match[2]?.startsWith('[') ?? false,
    ...(env ? { env } : {}),
  };
}
