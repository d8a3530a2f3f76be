// The debug page's machine diagrams (loaded before app.js, whose globals it shares): each machine is drawn
// once with Mermaid (a draw takes hundreds of ms) and cached; an update only moves the highlight. Also
// what each state means, for the legend under the current state.
'use strict';

mermaid.initialize({
  startOnLoad: false,
  securityLevel: 'strict',
  theme: 'neutral',
  fontFamily: 'DejaVu Sans, Verdana, sans-serif',
  themeVariables: { fontSize: '13px' },
  // Spacing measured so that no label of the resource machines' diagrams overlaps another (browser test).
  state: { useMaxWidth: false, nodeSpacing: 80, rankSpacing: 70, padding: 10 },
});

// What a state (the last part of its path) means; "a.b" is state b inside state a.
const STATE_HELP = {
  pending: 'waiting for the translator’s first verdict',
  programming: 'accepted; waiting for every ready proxy replica to load the config carrying this spec',
  programmed: 'served by the data plane; its conditions show no problem',
  dataPlaneNotReady: 'the data plane is not ready (no ready replica, pushes or the edge failing): see why',
  conflicted: 'served, but a hostname or listener conflicts (Conflicted=True or DNSReady=False)',
  unresolvedRefs: 'served, but a reference does not resolve (ResolvedRefs=False): a missing backend answers 500',
  partiallyInvalid: 'served in part: a rule, listener or parent was refused',
  rejected: 'not accepted (Accepted=False): see the conditions',
  accepted: 'accepted by the controller',
  checking: 'asking the proxy which config it runs',
  pushing: 'sending the config to the proxy',
  inSync: 'the proxy runs the current config (re-checked every probe interval)',
  waiting: 'no config to send yet',
  backoff: 'the last attempt failed; retrying after a delay',
  unready: 'the replica is not ready',
  idle: 'nothing to do',
  syncing: 'translating the snapshot',
  settling: 'holding off more syncs for a moment',
  reconciling: 'writing ingress rules and DNS records',
  synced: 'Cloudflare matches the desired state',
  holding: 'this process leads',
  renewing: 'renewing the lease',
  writing: 'writing a status',
};

const helpFor = (state) => STATE_HELP[state.split('.').pop()] ?? '';

const diagram = { machine: null, nodes: new Map(), pending: null };
const svgCache = new Map();

const EDGE = /^(\s*)(\S+) --> (\S+) : (.+)$/;
const COMPOSITE = /^(\s*)state "([^"]+)" as (\S+) \{$/;

/**
 * The page's drawing of a machine, smaller than `tunnel-gateway machines` draws it so labels do not collide:
 * events only (no guards), no loops for events handled without a state change, no label on eventless
 * ("always") edges, the edges between two states merged into one, and edges leaving a compound state drawn
 * from an "(any … state)" node inside it (Mermaid draws them from the frame's corner, over other labels).
 */
function pageDiagram(text) {
  const edges = text
    .split('\n')
    .map((line) => EDGE.exec(line))
    .filter((e) => e && !e[4].includes('(no state change)'));
  const composites = new Set(
    text
      .split('\n')
      .map((line) => COMPOSITE.exec(line)?.[3])
      .filter(Boolean),
  );
  const from = (id) => (composites.has(id) ? `${id}__any` : id);
  const labels = new Map();
  const lines = [];
  for (const line of text.split('\n')) {
    const m = EDGE.exec(line);
    const c = COMPOSITE.exec(line);
    // The "(any state)" node, once its loops are left out, may have nothing left to show.
    if (/ as anyState$/.test(line) && !edges.some((e) => e[2] === 'anyState')) continue;
    if (!m) {
      lines.push(line);
      if (c && edges.some((e) => e[2] === c[3])) lines.push(`${c[1]}  state "(any ${c[2]} state)" as ${c[3]}__any`);
      continue;
    }
    if (m[4].includes('(no state change)')) continue;
    const key = `${m[1]}${from(m[2])} --> ${m[3]}`;
    const event = m[4].replace(/ \[[^\]]*\]/g, '').trim();
    if (!labels.has(key)) {
      labels.set(key, []);
      lines.push({ key });
    }
    if (!labels.get(key).includes(event)) labels.get(key).push(event);
  }
  const label = (events) => events.filter((e) => e !== 'always').join(', ');
  return lines
    .map((l) =>
      typeof l === 'string' ? l : label(labels.get(l.key)) ? `${l.key} : ${label(labels.get(l.key))}` : l.key,
    )
    .join('\n');
}

async function showDiagram(actor) {
  const machine = machines[actor.machine];
  const target = $('diagram');
  if (!machine) return target.replaceChildren(el('p', { class: 'hint' }, `No diagram for machine ${actor.machine}.`));
  if (diagram.machine !== actor.machine) {
    diagram.machine = actor.machine;
    diagram.nodes = new Map();
    const drawing = (diagram.pending = svgFor(actor.machine, machine));
    const svg = await drawing;
    if (diagram.pending !== drawing || !target.isConnected) return;
    target.innerHTML = svg;
    // Node ids look like "<render id>-state-<diagram id>-<n>"; clusters (compound states) carry data-id.
    for (const g of target.querySelectorAll('g[id*="-state-"], g.statediagram-cluster[data-id]')) {
      const id = g.dataset.id || /-state-(.+)-\d+$/.exec(g.id)?.[1];
      if (id && !diagram.nodes.has(id)) diagram.nodes.set(id, g);
    }
  }
  if (diagram.pending) await diagram.pending;
  highlight(actors.get(selected) ?? actor, machine);
}

async function svgFor(id, machine) {
  if (!svgCache.has(id))
    svgCache.set(
      id,
      mermaid
        .render(`m-${id}`, pageDiagram(machine.mermaid))
        .then((r) => r.svg)
        .catch((err) => `<pre>diagram error: ${err.message}</pre>`),
    );
  return svgCache.get(id);
}

/** Moves the highlight: a class on the active states' nodes, nothing redrawn. */
function highlight(actor, machine) {
  const paths = actor.activeStates ?? [];
  const ids = paths.map((p) => machine.ids?.[p]).filter(Boolean);
  const leaves = paths
    .filter((p) => !paths.some((q) => q.startsWith(`${p}.`)))
    .map((p) => machine.ids?.[p])
    .filter(Boolean);
  for (const [id, g] of diagram.nodes) {
    g.classList.toggle('current', leaves.includes(id));
    g.classList.toggle('current-parent', ids.includes(id) && !leaves.includes(id));
  }
  const box = $('diagram');
  if (box.dataset.current !== leaves.join(' ')) reveal(box, diagram.nodes.get(leaves[0]));
  box.dataset.current = leaves.join(' ');
}

/** Scrolls the diagram's own box (never the page) so the current state is in the part of it on screen. */
function reveal(box, node) {
  if (!node) return;
  const b = box.getBoundingClientRect();
  const view = { left: b.left, right: b.right, top: Math.max(b.top, 0), bottom: Math.min(b.bottom, innerHeight) };
  const n = node.getBoundingClientRect();
  if (n.left < view.left || n.right > view.right)
    box.scrollLeft += n.left - view.left - (view.right - view.left - n.width) / 2;
  if (n.top < view.top || n.bottom > view.bottom)
    box.scrollTop += n.top - view.top - (view.bottom - view.top - n.height) / 2;
}
