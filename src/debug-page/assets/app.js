// The live actor page. Plain browser JavaScript, no build step; Mermaid is served by the admin server
// itself, so the page works offline. A token (when the admin API needs one) is read from the URL fragment
// (#token=…), which browsers never send to servers or write to logs, and sent as a Bearer header.
// Updates are batched per animation frame and patch the page in place (no scroll jumps); a machine's
// diagram is drawn once and only its highlight moves (a Mermaid draw takes hundreds of ms).
'use strict';

const token = new URLSearchParams(location.hash.slice(1)).get('token');
const authHeaders = token ? { authorization: `Bearer ${token}` } : {};
const KIND_ORDER = [
  'GatewayClass',
  'Gateway',
  'ListenerSet',
  'HTTPRoute',
  'GRPCRoute',
  'coordinator',
  'replica',
  'edge',
  'statusWriter',
  'leader',
];
const RESOURCE_KINDS = new Set(['GatewayClass', 'Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute']);
const actors = new Map();
let machines = {};
let selected = null;
const changed = new Set();
let structural = true;
let frameQueued = false;
const rows = new Map();
let shownTransitions = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const child of children.flat())
    if (child !== null && child !== undefined)
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function select(id) {
  selected = id;
  shownTransitions = null;
  for (const [rid, row] of rows) row.button.classList.toggle('selected', rid === id);
  buildDetail();
  updateDetail();
}

function buildDetail() {
  const actor = actors.get(selected);
  if (!actor)
    return $('detail').replaceChildren(
      el('p', { class: 'hint' }, selected ? `${selected} is gone.` : 'Select an actor.'),
    );
  const card = (title, cls, ...body) => el('section', { class: `card ${cls}` }, el('h3', {}, title), ...body);
  $('detail').replaceChildren(
    el(
      'div',
      { class: 'main' },
      el('h2', { id: 'actor-name' }, actor.name),
      el(
        'div',
        { class: 'sub' },
        `${actor.kind} · machine ${actor.machine} · state `,
        el('strong', { id: 'current-state' }),
        el('span', { id: 'health', class: 'health' }),
      ),
      el('p', { id: 'state-help', class: 'hint' }),
      el('p', { id: 'why', class: 'why-line' }),
      card(
        'Status conditions',
        'conditions',
        el(
          'table',
          {},
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['where', 'type', 'status', 'reason', 'message'].map((h) => el('th', {}, h)),
            ),
          ),
          el('tbody', { id: 'conditions' }),
        ),
      ),
      card(
        'State machine',
        'machine',
        el(
          'p',
          { class: 'hint' },
          'Highlighted: the current state (framed: the states that contain it). Arrows: the events that move it; `tunnel-gateway machines` draws every guard and in-place event.',
        ),
        el('div', { class: 'diagram', id: 'diagram' }),
      ),
    ),
    el(
      'aside',
      { class: 'side' },
      card(
        'Recent transitions',
        'transitions',
        el(
          'table',
          {},
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['time', 'from → to, on event'].map((h) => el('th', {}, h)),
            ),
          ),
          el('tbody', { id: 'transitions' }),
        ),
      ),
      card('Last syncs', 'syncs', el('table', {}, el('tbody', { id: 'syncs' }))),
      card('Context', 'context', el('pre', { id: 'context' })),
    ),
  );
  diagram.machine = null;
}

function updateDetail() {
  const actor = actors.get(selected);
  if (!actor) return buildDetail();
  if (!$('current-state')) buildDetail();
  $('current-state').textContent = actor.state;
  $('health').textContent = actor.health ?? 'ok';
  $('health').className = `health ${actor.health ?? 'ok'}`;
  $('state-help').textContent = helpFor(actor.state) && `${actor.state.split('.').pop()}: ${helpFor(actor.state)}`;
  $('why').textContent = actor.why ? `why: ${actor.why}` : '';
  const conditions = actor.conditions ?? [];
  fillTable(
    $('conditions'),
    conditions.map((c) => [c.scope || 'object', c.type, c.status, c.reason, c.message ?? '']),
  );
  conditions.forEach((c, i) => ($('conditions').rows[i].cells[2].className = c.status));
  $('conditions').closest('.card').hidden = !(actor.conditions ?? []).length;
  updateTransitions(actor);
  const syncs = actor.syncs ?? [];
  $('syncs').closest('.card').hidden = !syncs.length;
  fillTable(
    $('syncs'),
    [...syncs]
      .reverse()
      .map((s) => [
        time(s.at),
        `${s.durationMs} ms`,
        `${s.changes} changes`,
        s.pushed ? 'pushed' : `skipped${s.reason ? `: ${s.reason}` : ''}`,
      ]),
  );
  $('context').textContent = JSON.stringify(actor.context ?? {}, null, 2);
  showDiagram(actor);
}

const time = (at) => new Date(at).toLocaleTimeString([], { hour12: false });

function updateTransitions(actor) {
  const list = actor.transitions ?? [];
  // A folded heartbeat keeps its key (when it began): a new count is not a new transition to flash.
  const keys = list.map((t) => `${t.cycle?.since ?? t.at}|${t.event}|${t.to}`);
  const seen = shownTransitions ?? new Set(keys);
  $('transitions').replaceChildren(
    ...list
      .map((t, i) => {
        const fresh = !seen.has(keys[i]);
        const move = t.cycle ? `${t.from} ⇄ ${t.to}` : `${t.from || '(start)'} → ${t.to}`;
        const event = t.cycle ? `${t.event} / ${t.cycle.backEvent}` : t.event;
        return el(
          'tr',
          {
            class: `transition${fresh ? ' fresh' : ''}${t.cycle ? ' folded' : ''}`,
            title: t.cycle ? `${t.cycle.count} transitions since ${time(t.cycle.since)}` : null,
          },
          el('td', {}, time(t.at)),
          el(
            'td',
            {},
            el('div', {}, move, t.cycle ? el('span', { class: 'count' }, ` ×${t.cycle.count}`) : null),
            el('div', { class: 'event' }, `on ${event}`),
          ),
        );
      })
      .reverse(),
  );
  shownTransitions = new Set(keys);
}

/**
 * An element of `selector` fully in view in `scroller` that is not about to change or move: the first one, or
 * with `nearMiddle` the one nearest the middle of the view (in a list, where the eye rests: a row above it
 * that grows, such as one gaining its why line, must not push the rows being read down).
 */
function anchorIn(scroller, selector, nearMiddle = false) {
  const box = scroller.getBoundingClientRect();
  const middle = (box.top + box.bottom) / 2;
  let best;
  for (const e of scroller.querySelectorAll(selector)) {
    const top = e.getBoundingClientRect().top;
    if (top < box.top || changed.has(e.dataset?.actor)) continue;
    if (!nearMiddle) return { scroller, node: e, top };
    if (best && Math.abs(top - middle) >= Math.abs(best.top - middle)) break; // rows come in screen order
    best = { scroller, node: e, top };
  }
  return best;
}

/** Scrolls back by what the update moved the anchor: the user's place stays where it was on screen. */
function keepPlace(place) {
  if (!place || !place.node.isConnected) return;
  place.scroller.scrollTop += place.node.getBoundingClientRect().top - place.top;
}

function scheduleFrame() {
  if (frameQueued) return;
  frameQueued = true;
  requestAnimationFrame(() => {
    frameQueued = false;
    const places = [anchorIn($('list'), '.actor', true), anchorIn($('detail'), '.main > *')];
    if (structural) renderList();
    else patchList();
    if (selected && (structural || changed.has(selected))) updateDetail();
    places.forEach(keepPlace);
    structural = false;
    changed.clear();
  });
}

async function getJson(path) {
  const res = await fetch(path, { headers: authHeaders });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

/** Server-sent events read through fetch, so the Bearer header can be sent (EventSource cannot). */
async function follow() {
  const status = $('connection');
  for (;;) {
    try {
      const res = await fetch('events', { headers: authHeaders });
      if (!res.ok || !res.body) throw new Error(String(res.status));
      status.textContent = 'live';
      status.className = 'badge on';
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          handleEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // reconnect below
    }
    status.textContent = 'reconnecting…';
    status.className = 'badge off';
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function handleEvent(block) {
  const type = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
  const data = block
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => l.slice(6))
    .join('\n');
  if (!data) return;
  const payload = JSON.parse(data);
  if (type === 'snapshot') {
    actors.clear();
    for (const a of payload.actors) actors.set(a.id, a);
    structural = true;
  } else if (type === 'actor') {
    if (!actors.has(payload.id)) structural = true;
    actors.set(payload.id, payload);
    changed.add(payload.id);
  } else if (type === 'removed') {
    actors.delete(payload.id);
    structural = true;
  }
  scheduleFrame();
}

async function main() {
  for (const id of ['search', 'kind', 'namespace', 'unhealthy']) $(id).addEventListener('input', renderList);
  machines = await getJson('machines');
  follow();
}

main();
