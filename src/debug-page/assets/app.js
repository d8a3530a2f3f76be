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
  'HTTPRoute',
  'GRPCRoute',
  'coordinator',
  'replica',
  'edge',
  'statusWriter',
  'leader',
];
const RESOURCE_KINDS = new Set(['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute']);
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

const $ = (id) => document.getElementById(id);
const rank = (kind) => (KIND_ORDER.includes(kind) ? KIND_ORDER.indexOf(kind) : KIND_ORDER.length);
const namespaceOf = (a) => (RESOURCE_KINDS.has(a.kind) && a.name.includes('/') ? a.name.split('/')[0] : '');
const healthRank = { unhealthy: 0, pending: 1, ok: 2 };
const byHealthThenName = (a, b) =>
  healthRank[a.health ?? 'ok'] - healthRank[b.health ?? 'ok'] || a.name.localeCompare(b.name);

function matchesFilter(a) {
  const text = $('search').value.trim().toLowerCase();
  if ($('kind').value && a.kind !== $('kind').value) return false;
  if ($('namespace').value && namespaceOf(a) !== $('namespace').value) return false;
  if ($('unhealthy').checked && a.health !== 'unhealthy') return false;
  return !text || a.name.toLowerCase().includes(text) || a.id.toLowerCase().includes(text);
}

/** Keeps a <select>'s options in step with the values present, keeping the user's choice. */
function syncOptions(select, values, allLabel) {
  const current = select.value;
  const wanted = ['', ...[...values].sort()];
  if (wanted.join('\n') === [...select.options].map((o) => o.value).join('\n')) return;
  select.replaceChildren(...wanted.map((v) => el('option', { value: v }, v || allLabel)));
  select.value = wanted.includes(current) ? current : '';
}

function rowFor(actor) {
  const row = {
    name: el('span', { class: 'name' }),
    state: el('span', { class: 'state' }),
    why: el('span', { class: 'why' }),
  };
  row.button = el(
    'button',
    { class: 'actor', 'data-actor': actor.id, onclick: () => select(actor.id) },
    el('span', { class: 'dot' }),
    row.name,
    row.state,
    row.why,
  );
  rows.set(actor.id, row);
  return row;
}

function fillRow(row, a) {
  row.button.className = `actor ${a.health ?? 'ok'}${a.id === selected ? ' selected' : ''}`;
  row.button.dataset.health = a.health ?? 'ok';
  row.button.title = [a.name, `${a.kind} · ${a.state}`, a.why].filter(Boolean).join('\n');
  row.name.textContent = a.name;
  row.state.textContent = a.state;
  row.why.textContent = a.health === 'ok' ? '' : (a.why ?? '');
  row.health = a.health;
}

function renderList() {
  const all = [...actors.values()];
  syncOptions($('kind'), new Set(all.map((a) => a.kind)), 'all kinds');
  syncOptions($('namespace'), new Set(all.map(namespaceOf).filter(Boolean)), 'all namespaces');
  const shown = all.filter(matchesFilter);
  const groups = new Map();
  for (const a of shown) (groups.get(a.kind) ?? groups.set(a.kind, []).get(a.kind)).push(a);
  const kinds = [...groups.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const nav = $('list');
  const scroll = nav.scrollTop;
  $('groups').replaceChildren(
    ...kinds.map((kind) => {
      const list = groups.get(kind).sort(byHealthThenName);
      const bad = list.filter((a) => a.health === 'unhealthy').length;
      return el(
        'div',
        { class: 'group', 'data-kind': kind },
        el('h2', {}, `${kind} (${list.length})`, bad ? el('span', { class: 'bad-count' }, `${bad} unhealthy`) : null),
        list.map((a) => {
          const row = rows.get(a.id) ?? rowFor(a);
          fillRow(row, a);
          return row.button;
        }),
      );
    }),
  );
  for (const id of rows.keys()) if (!actors.has(id)) rows.delete(id);
  summarize();
  nav.scrollTop = scroll;
}

/** Patches the rows of changed actors in place; a health change moves the row (unhealthy first). */
function patchList() {
  for (const id of changed) {
    const a = actors.get(id);
    const row = rows.get(id);
    if (!a) return renderList();
    // A filtered-out actor has no row (or a detached one) until it matches.
    if (!row?.button.isConnected) {
      if (matchesFilter(a)) return renderList();
      continue;
    }
    if (!matchesFilter(a)) return renderList();
    const moved = row.health !== a.health;
    fillRow(row, a);
    if (moved) placeRow(row, a);
  }
}

/** Moves a row to its sorted place in its group (no rebuild: the list keeps its scroll anchor). */
function placeRow(row, a) {
  const group = row.button.parentElement;
  const next = [...group.querySelectorAll('.actor')].find(
    (b) => b !== row.button && byHealthThenName(a, actors.get(b.dataset.actor) ?? a) < 0,
  );
  if (next) group.insertBefore(row.button, next);
  else group.append(row.button);
  const list = [...actors.values()].filter((x) => x.kind === a.kind && matchesFilter(x));
  const bad = list.filter((x) => x.health === 'unhealthy').length;
  group
    .querySelector('h2')
    .replaceChildren(`${a.kind} (${list.length})`, bad ? el('span', { class: 'bad-count' }, `${bad} unhealthy`) : '');
  summarize();
}

function summarize() {
  const all = [...actors.values()];
  const unhealthy = all.filter((a) => a.health === 'unhealthy').length;
  $('summary').textContent =
    `${$('groups').querySelectorAll('.actor').length} of ${all.length} actors · ${unhealthy} unhealthy`;
  $('summary').className = unhealthy ? 'summary bad' : 'summary';
}

/** Fills a table body with rows of cell texts, reusing its rows (a replaced row would lose the scroll anchor). */
function fillTable(body, data) {
  while (body.rows.length > data.length) body.lastElementChild.remove();
  data.forEach((cells, i) => {
    const tr = body.rows[i] ?? body.appendChild(el('tr'));
    while (tr.cells.length > cells.length) tr.lastElementChild.remove();
    cells.forEach((text, j) => {
      const td = tr.cells[j] ?? tr.appendChild(el('td'));
      if (td.textContent !== text) td.textContent = text;
    });
  });
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

/** The first element of `selector` fully in view in `scroller` that is not about to change or move. */
function anchorIn(scroller, selector) {
  const top = scroller.getBoundingClientRect().top;
  const node = [...scroller.querySelectorAll(selector)].find(
    (e) => e.getBoundingClientRect().top >= top && !changed.has(e.dataset?.actor),
  );
  return node && { scroller, node, top: node.getBoundingClientRect().top };
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
    const places = [anchorIn($('list'), '.actor'), anchorIn($('detail'), '.main > *')];
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
