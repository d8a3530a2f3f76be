// Diagrams of the machines, generated from their definitions (machine-graph.ts): Mermaid stateDiagram-v2,
// Graphviz DOT, or the graph as JSON. Never hand-drawn, so they cannot drift from the code.
import type { AnyStateMachine } from 'xstate';
import { machineGraph, type GraphState, type MachineGraph } from './machine-graph.js';

export type DiagramFormat = 'mermaid' | 'dot' | 'json';
export const DIAGRAM_EXTENSIONS: Record<DiagramFormat, string> = { mermaid: 'mmd', dot: 'dot', json: 'json' };

/** Diagram node id of a state path: "accepted.programmed" → "accepted__programmed". */
export function nodeId(path: string): string {
  // "root" is a reserved id in Mermaid's state diagrams (it breaks rendering), so the machine's own node differs.
  return path === '' ? 'anyState' : path.replace(/[^A-Za-z0-9]+/g, '__');
}

// Mermaid labels end at ":" / ";" and dislike braces and "#".
const mermaidLabel = (s: string) =>
  s
    .replace(/[:;#{}]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** Mermaid ids of every state path (what the debug page needs to highlight the active states). */
export function mermaidIds(graph: MachineGraph): Record<string, string> {
  return Object.fromEntries(graph.states.filter((s) => s.path !== '').map((s) => [s.path, nodeId(s.path)]));
}

function mermaidState(graph: MachineGraph, state: GraphState, indent: string, out: string[]): void {
  const byPath = new Map(graph.states.map((s) => [s.path, s]));
  for (const childPath of state.children) {
    const child = byPath.get(childPath)!;
    if (child.children.length === 0) {
      out.push(`${indent}state "${child.key}" as ${nodeId(child.path)}`);
      if (child.type === 'final') out.push(`${indent}${nodeId(child.path)} --> [*]`);
      continue;
    }
    out.push(`${indent}state "${child.key}" as ${nodeId(child.path)} {`);
    mermaidState(graph, child, `${indent}  `, out);
    out.push(`${indent}}`);
  }
  if (state.initial) out.push(`${indent}[*] --> ${nodeId(state.initial)}`);
}

export function toMermaid(graph: MachineGraph): string {
  const out = [`%% machine: ${graph.id}`, 'stateDiagram-v2'];
  const root = graph.states.find((s) => s.path === '')!;
  mermaidState(graph, root, '  ', out);
  // Machine-wide transitions start from a pseudo-state standing for "whatever the current state is".
  if (graph.transitions.some((t) => t.source === '')) out.push(`  state "(any state)" as ${nodeId('')}`);
  for (const t of graph.transitions) {
    // Targetless transitions (actions only) are drawn as loops, marked so.
    const targets = t.targets.length ? t.targets : [t.source];
    const label = mermaidLabel(t.targets.length ? t.label : `${t.label} (no state change)`);
    for (const target of targets) out.push(`  ${nodeId(t.source)} --> ${nodeId(target)} : ${label}`);
  }
  return `${out.join('\n')}\n`;
}

const dotString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function dotState(graph: MachineGraph, state: GraphState, indent: string, out: string[]): void {
  const byPath = new Map(graph.states.map((s) => [s.path, s]));
  for (const childPath of state.children) {
    const child = byPath.get(childPath)!;
    if (child.children.length === 0) {
      const shape = child.type === 'final' ? 'doublecircle' : 'box';
      out.push(`${indent}${nodeId(child.path)} [label=${dotString(child.key)}, shape=${shape}, style=rounded];`);
      continue;
    }
    out.push(`${indent}subgraph cluster_${nodeId(child.path)} {`, `${indent}  label=${dotString(child.key)};`);
    dotState(graph, child, `${indent}  `, out);
    out.push(`${indent}}`);
  }
  if (state.initial) {
    const start = `start_${nodeId(state.path)}`;
    out.push(`${indent}${start} [shape=point];`, `${indent}${start} -> ${nodeId(leafOf(graph, state.initial))};`);
  }
}

/** DOT edges cannot end at a cluster: point at its initial leaf and clip at the cluster border. */
function leafOf(graph: MachineGraph, path: string): string {
  const state = graph.states.find((s) => s.path === path)!;
  return state.initial ? leafOf(graph, state.initial) : path;
}

export function toDot(graph: MachineGraph): string {
  const out = [
    `digraph ${dotString(graph.id)} {`,
    '  compound=true;',
    '  rankdir=LR;',
    '  node [fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  dotState(
    graph,
    graph.states.find((s) => s.path === '')!,
    '  ',
    out,
  );
  // Machine-wide transitions start from a pseudo-node standing for "whatever the current state is".
  if (graph.transitions.some((t) => t.source === ''))
    out.push(`  ${nodeId('')} [label="(any state)", shape=plaintext];`);
  for (const t of graph.transitions) {
    const targets = t.targets.length ? t.targets : [t.source];
    for (const target of targets) {
      const attrs = [`label=${dotString(t.targets.length ? t.label : `${t.label} (no state change)`)}`];
      const leaf = target === '' ? '' : leafOf(graph, target);
      if (leaf !== target) attrs.push(`lhead=cluster_${nodeId(target)}`);
      const from = t.source === '' ? '' : leafOf(graph, t.source);
      if (from !== t.source) attrs.push(`ltail=cluster_${nodeId(t.source)}`);
      out.push(`  ${nodeId(from)} -> ${nodeId(leaf)} [${attrs.join(', ')}];`);
    }
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

export function renderDiagram(machine: AnyStateMachine, format: DiagramFormat): string {
  const graph = machineGraph(machine);
  if (format === 'mermaid') return toMermaid(graph);
  if (format === 'dot') return toDot(graph);
  return `${JSON.stringify(graph, null, 2)}\n`;
}
