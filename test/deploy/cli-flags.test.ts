// The manifests run the real CLI: every flag they pass is one `tunnel-gateway <cmd> --help` lists (with or
// without a value as the CLI expects), every env var is either expanded into an arg or read by the CLI, and
// controller and proxy run from one image tagged with the package version.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { cliHelp, prefetchHelp } from './support/cli-help.js';
import { OVERLAYS, ofKind, packageVersion, render, type Container, type K8s } from './support/render.js';

/** Container running `tunnel-gateway <subcommand>`. */
function roleContainer(objects: K8s[], subcommand: string): Container {
  const matches = ofKind(objects, 'Deployment').flatMap((d) =>
    (d.spec.template.spec.containers as Container[]).filter((c) => c.args?.[0] === subcommand),
  );
  if (matches.length !== 1) throw new Error(`expected one container running "${subcommand}", found ${matches.length}`);
  return matches[0]!;
}

beforeAll(() => prefetchHelp([undefined, 'controller', 'proxy']), 180_000);

describe.each(OVERLAYS)('overlay %s: the CLI', (overlay) => {
  const objects = render(overlay);

  it.each(['controller', 'proxy'])('runs `tunnel-gateway %s` with only flags its --help lists', (subcommand) => {
    const main = roleContainer(objects, subcommand);
    expect(cliHelp().commands.has(subcommand)).toBe(true);
    const help = cliHelp(subcommand);
    const problems: string[] = [];
    for (const arg of main.args!.slice(1)) {
      const [name, value] = arg.split(/=(.*)/s);
      const flag = help.flags.get(name!);
      if (!arg.startsWith('--')) problems.push(`${arg}: not in --flag=value form`);
      else if (!flag) problems.push(`${name}: missing from \`tunnel-gateway ${subcommand} --help\``);
      else if (value === undefined && flag.takesValue && !flag.valueOptional) problems.push(`${name}: needs a value`);
      else if (value !== undefined && !flag.takesValue) problems.push(`${name}: is a switch, given "${value}"`);
    }
    expect(problems).toEqual([]);
  });

  it.each(['controller', 'proxy'])(
    'gives `%s` every env var its args refer to, and only env vars the CLI reads',
    (subcommand) => {
      const main = roleContainer(objects, subcommand);
      const defined = new Set((main.env ?? []).map((e) => e.name));
      const referenced = new Set(main.args!.flatMap((a) => [...a.matchAll(/\$\(([A-Z0-9_]+)\)/g)].map((m) => m[1]!)));
      expect([...referenced].filter((name) => !defined.has(name))).toEqual([]);
      // An env var no arg expands must be one the CLI reads itself, as its --help says: commander's
      // "(env: NAME)" note, or the variable named in a description (e.g. "token from CLOUDFLARE_API_TOKEN").
      const help = cliHelp(subcommand);
      const readByCli = new Set([...help.flags.values()].flatMap((f) => (f.env ? [f.env] : [])));
      const unread = [...defined].filter(
        (name) => !referenced.has(name) && !readByCli.has(name) && !new RegExp(`\\b${name}\\b`).test(help.text),
      );
      expect(unread).toEqual([]);
    },
  );

  it('runs controller and proxy from the same image, tagged with the package version', () => {
    const images = ['controller', 'proxy'].map((s) => roleContainer(objects, s).image);
    expect(images[0]).toBe(images[1]);
    expect(images[0]).toMatch(new RegExp(`:${packageVersion().replace(/\./g, '\\.')}$`));
  });
});
