// The debug page's actor list (loaded after diagram.js, before app.js, whose globals it shares): the filter,
// one row per actor patched in place and placed by kind, health and name, the summary line, and the small
// table filler the detail view uses too.
'use strict';
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
