// `tunnel-gateway machines`: the diagrams are generated from the machine definitions. Each format is
// parsed back and must hold every state and every transition of every machine.
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AnyStateNode } from 'xstate';
import { MACHINES } from '../../machines/index.js';
import { machineGraph, type MachineGraph } from '../../src/debug/machine-graph.js';
import { nodeId, renderDiagram } from '../../src/debug/diagrams.js';
import { writeMachineDiagrams } from '../../src/commands/machines.js';

const run = promisify(execFile);
const entries = Object.entries(MACHINES);
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** State paths read straight from the definition, independently of machine-graph.ts. */
function definedStates(node: AnyStateNode, prefix = ''): string[] {
  return Object.entries(node.states).flatMap(([key, child]) => [
    prefix + key,
    ...definedStates(child as AnyStateNode, `${prefix}${key}.`),
  ]);
}
function definedTransitionCount(node: AnyStateNode): number {
  let n = [...node.transitions.values()].reduce((sum, list) => sum + list.length, 0) + (node.always?.length ?? 0);
  for (const child of Object.values(node.states)) n += definedTransitionCount(child as AnyStateNode);
  return n;
}
const edgesOf = (g: MachineGraph) =>
  g.transitions.flatMap((t) => (t.targets.length ? t.targets : [t.source]).map((target) => ({ t, target })));
const words = (s: string) => s.replace(/[^A-Za-z0-9.]+/g, ' ').trim();

describe('machine graph', () => {
  it.each(entries)('%s: lists every state and transition of the definition, under its name', (id, machine) => {
    const graph = machineGraph(machine);
    // The name the diagrams and the debug page give it is the machine's own id.
    expect(graph.id).toBe(id);
    expect(
      graph.states
        .map((s) => s.path)
        .filter(Boolean)
        .sort(),
    ).toEqual(definedStates(machine.root).sort());
    expect(graph.transitions).toHaveLength(definedTransitionCount(machine.root));
    expect(new Set(graph.transitions.map((t) => t.key)).size).toBe(graph.transitions.length);
  });
});

describe('diagrams', () => {
  it.each(entries)('%s as Mermaid: a node per state, an edge per transition', (_id, machine) => {
    const graph = machineGraph(machine);
    const text = renderDiagram(machine, 'mermaid');
    expect(text.split('\n')[1]).toBe('stateDiagram-v2');
    const declared = new Map([...text.matchAll(/^\s*state "([^"]+)" as (\S+)/gm)].map((m) => [m[2], m[1]]));
    for (const s of graph.states.filter((s) => s.path)) expect(declared.get(nodeId(s.path))).toBe(s.key);
    const edges = [...text.matchAll(/^\s*(\S+) --> (\S+) : (.+)$/gm)].map((m) => ({
      from: m[1],
      to: m[2],
      label: m[3]!,
    }));
    const expected = edgesOf(graph);
    expect(edges).toHaveLength(expected.length);
    for (const { t, target } of expected) {
      expect(
        edges.some(
          (e) => e.from === nodeId(t.source) && e.to === nodeId(target) && words(e.label).startsWith(words(t.label)),
        ),
      ).toBe(true);
    }
    // Initial states and final states are marked.
    for (const s of graph.states.filter((s) => s.initial)) expect(text).toContain(`[*] --> ${nodeId(s.initial!)}`);
    for (const s of graph.states.filter((s) => s.type === 'final')) expect(text).toContain(`${nodeId(s.path)} --> [*]`);
  });

  it.each(entries)('%s as DOT: a node per leaf state, an edge per transition', (_id, machine) => {
    const graph = machineGraph(machine);
    const text = renderDiagram(machine, 'dot');
    expect(text.startsWith(`digraph "${machine.id}" {`)).toBe(true);
    for (const s of graph.states.filter((s) => s.path && s.children.length === 0))
      expect(text).toMatch(new RegExp(`^\\s*${nodeId(s.path)} \\[label="${s.key}"`, 'm'));
    for (const s of graph.states.filter((s) => s.children.length > 0 && s.path))
      expect(text).toContain(`subgraph cluster_${nodeId(s.path)} {`);
    const edges = [...text.matchAll(/^\s*(\S+) -> (\S+) \[label="([^"]*)"/gm)];
    expect(edges).toHaveLength(edgesOf(graph).length);
    for (const { t } of edgesOf(graph)) expect(edges.some((e) => e[3]!.startsWith(t.label))).toBe(true);
  });

  it.each(entries)('%s as JSON: the graph itself', (_id, machine) => {
    expect(JSON.parse(renderDiagram(machine, 'json'))).toEqual(JSON.parse(JSON.stringify(machineGraph(machine))));
  });

  it('--out writes one file per machine', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'machines-'));
    dirs.push(dir);
    const files = await writeMachineDiagrams('mermaid', dir);
    expect((await readdir(dir)).sort()).toEqual(
      Object.keys(MACHINES)
        .map((id) => `${id}.mmd`)
        .sort(),
    );
    expect(files).toHaveLength(entries.length);
    expect(await readFile(join(dir, 'gateway.mmd'), 'utf8')).toBe(renderDiagram(MACHINES.gateway!, 'mermaid'));
  });

  it('the CLI prints every machine on stdout', async () => {
    const { stdout } = await run(process.execPath, ['bin/tunnel-gateway.mjs', 'machines', '--format', 'json'], {
      env: { ...process.env, TUNNEL_GATEWAY_FROM_SOURCE: '1' },
      timeout: 60_000,
    });
    const graphs = JSON.parse(stdout) as MachineGraph[];
    expect(graphs.map((g) => g.id).sort()).toEqual(entries.map(([, m]) => m.id).sort());
    for (const g of graphs) expect(g.transitions.length).toBeGreaterThan(0);
  }, 90_000);
});
