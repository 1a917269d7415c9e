'use strict';
// Quarry's labeling page. No libraries; every piece of data is inserted as text (textContent),
// never as HTML, and the Content-Security-Policy allows only this file to run.

const state = { token: sessionStorage.getItem('quarry.token'), me: null };
window.quarryTimings = []; // key press -> next document shown, in ms (read by the browser tests)

// ---- small helpers ----

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** Names and ids from users, each isolated so a bidirectional override inside one cannot re-order its neighbours. */
function isolated(names) {
  return names.flatMap((n, i) => i === 0 ? [el('bdi', {}, n)] : [', ', el('bdi', {}, n)]);
}

/** replaceChildren that skips null, undefined and false (replaceChildren itself would print "null"). */
function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter(c => c !== null && c !== undefined && c !== false));
}

function svg(tag, attrs) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function pct(x) { return (x === null || x === undefined || Number.isNaN(Number(x))) ? '–' : (100 * x).toFixed(1) + '%'; }

function toast(message, error) {
  const t = document.getElementById('toast');
  t.textContent = message;
  t.className = 'show' + (error ? ' error' : '');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.className = ''; }, error ? 5000 : 1800);
}

async function api(method, path, body, raw) {
  const headers = { Authorization: 'Bearer ' + state.token };
  let payload;
  if (raw !== undefined) { payload = raw; }
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  const r = await fetch(path, { method, headers, body: payload });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!r.ok) {
    if (r.status === 401) { signOut(); }
    const err = new Error(json && json.message ? json.message : ('HTTP ' + r.status));
    err.status = r.status; err.body = json;
    throw err;
  }
  return json === null ? text : json;
}

function signOut() {
  sessionStorage.removeItem('quarry.token');
  state.token = null; state.me = null;
  location.hash = '#/signin';
}

function setMain(...children) {
  const m = document.getElementById('main');
  fill(m, ...children);
}

// ---- routing ----

let leaveView = null;
async function route() {
  if (leaveView) { leaveView(); leaveView = null; }
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (!state.token) { return signIn(); }
  if (!state.me) {
    try { state.me = await api('GET', '/api/me'); } catch (e) { return signIn(e.message); }
  }
  renderHeader();
  try {
    if (parts[0] === 'label' && parts[1]) return await labelView(parts[1]);
    if (parts[0] === 'admin' && parts[1]) return await adminView(parts[1]);
    if (parts[0] === 'review' && parts[1]) return await reviewView(parts[1]);
    return await projectsView();
  } catch (e) {
    setMain(el('div', { class: 'card' }, 'Error: ' + e.message));
  }
}

function renderHeader() {
  fill(document.getElementById('nav'), el('a', { href: '#/projects' }, 'Projects'));
  fill(document.getElementById('who'), 
    state.me ? [el('bdi', {}, state.me.name), ' (' + state.me.role + ') '] : '',
    state.me ? el('button', { id: 'signout', onclick: signOut }, 'Sign out') : '');
}

// ---- sign in ----

function signIn(problem) {
  fill(document.getElementById('nav'), );
  fill(document.getElementById('who'), );
  const input = el('input', { type: 'password', id: 'token', placeholder: 'qk_…', autocomplete: 'off' });
  const form = el('form', { class: 'card', id: 'signin-form', onsubmit: async (ev) => {
    ev.preventDefault();
    state.token = input.value.trim();
    try {
      state.me = await api('GET', '/api/me');
      sessionStorage.setItem('quarry.token', state.token);
      location.hash = '#/projects';
      route();
    } catch (e) { state.token = null; toast('Sign-in failed: ' + e.message, true); }
  } },
  el('h1', {}, 'Sign in'),
  el('p', { class: 'muted' }, 'Paste your API token. The server prints an admin token on its first start; admins create annotator tokens.'),
  input, el('p', {}, el('button', { class: 'primary', type: 'submit', id: 'signin' }, 'Sign in')),
  problem ? el('p', { class: 'muted' }, problem) : null);
  setMain(form);
  input.focus();
}

// ---- projects ----

async function projectsView() {
  const projects = await api('GET', '/api/projects');
  const list = el('ul', { class: 'plain', id: 'projects' }, projects.map(p => el('li', {},
    el('a', { href: '#/label/' + encodeURIComponent(p.name), class: 'project-link', 'data-project': p.name }, el('bdi', {}, p.name)),
    ' ', el('span', { class: 'muted' }, `${p.labeled} of ${p.documents} labeled · ${p.labelCount} labels` +
      (p.multiLabel ? ' · multi-label' : '') + ` · model v${p.model.version}`),
    state.me.role === 'admin' ? [' · ', el('a', { href: '#/admin/' + encodeURIComponent(p.name) }, 'admin')] : null,
    ['admin', 'reviewer'].includes(state.me.role) && !p.multiLabel
      ? [' · ', el('a', { href: '#/review/' + encodeURIComponent(p.name), class: 'review-link' }, 'review')] : null)));
  const children = [el('h1', {}, 'Projects'), el('div', { class: 'card' }, projects.length ? list : 'No projects yet.')];
  if (state.me.role === 'admin') children.push(createProjectForm());
  setMain(...children);
}

function createProjectForm() {
  const name = el('input', { type: 'text', id: 'new-name', placeholder: 'project name' });
  const labels = el('textarea', { id: 'new-labels', rows: 6, placeholder: 'one label per line (optionally "name: description")' });
  const file = el('input', { type: 'file', id: 'new-labels-file', accept: '.txt,.csv' });
  file.addEventListener('change', async () => { if (file.files[0]) labels.value = await file.files[0].text(); });
  const multi = el('input', { type: 'checkbox', id: 'new-multi' });
  return el('form', { class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    const parsed = labels.value.split(/\r?\n/).map(l => l.trim()).filter(Boolean).map(l => {
      const i = l.indexOf(':');
      return i > 0 ? { name: l.slice(0, i).trim(), description: l.slice(i + 1).trim() } : { name: l };
    });
    try {
      await api('POST', '/api/projects', { name: name.value.trim(), multiLabel: multi.checked, labels: parsed });
      toast('Project created');
      location.hash = '#/admin/' + encodeURIComponent(name.value.trim());
    } catch (e) { toast(e.message, true); }
  } }, el('h2', {}, 'New project'), name, el('p', {}, labels), el('p', {}, 'or upload a list: ', file),
  el('p', {}, el('label', {}, multi, ' multi-label')), el('button', { class: 'primary', type: 'submit', id: 'create' }, 'Create'));
}

// ---- labeling ----

async function labelView(name) {
  const project = await api('GET', '/api/projects/' + encodeURIComponent(name));
  const v = {
    project, item: null, selected: 0, checked: new Set(), searching: false, results: [], resultIndex: 0,
    modelVersion: -1, busy: false, pendingKey: null,
    // Time on the current item: shown at, time hidden so far, hidden since (null while visible).
    shownAt: 0, hiddenMs: 0, hiddenSince: null,
  };
  const doc = el('div', { class: 'doc', id: 'doc', tabindex: '-1' });
  const docMeta = el('div', { class: 'meta', id: 'doc-meta' });
  const suggestions = el('ul', { class: 'suggestions', id: 'suggestions' });
  const search = el('input', { type: 'text', id: 'search', placeholder: 'Press / to search all ' + project.labels.length + ' labels', autocomplete: 'off' });
  const results = el('div', { class: 'results', id: 'results', hidden: true });
  const why = el('div', { id: 'why', class: 'meta' });
  const status = el('div', { id: 'status', class: 'meta' });
  const stop = el('div', { class: 'card stop', id: 'stop' }, 'No model yet.');
  const chart = el('div', { id: 'chart' });
  const f1 = el('div', { class: 'f1-scroll', id: 'f1' });
  const safe = el('div', { id: 'safe' });
  const cost = el('div', { id: 'cost' });
  const keys = el('div', { class: 'keys' }, el('kbd', {}, '1'), '–', el('kbd', {}, '9'), ' pick · ', el('kbd', {}, 'Enter'),
    ' accept · ', el('kbd', {}, '/'), ' search · ',
    project.multiLabel ? [el('kbd', {}, 'N'), ' none of these · '] : null,
    el('kbd', {}, 'S'), ' skip · ', el('kbd', {}, 'U'), ' undo');

  setMain(el('h1', {}, project.name, ' ', el('span', { class: 'muted' }, project.multiLabel ? 'multi-label' : 'single-label')),
    el('div', { class: 'grid' },
      el('div', {},
        el('div', { class: 'card' }, docMeta, doc),
        el('div', { class: 'card' }, el('h2', {}, project.multiLabel ? 'Labels (checked above the threshold)' : 'Model suggests'),
          suggestions, search, results, keys),
        el('div', { class: 'card' }, el('h2', {}, 'Why this item'), why)),
      el('div', {},
        el('div', { class: 'card' }, el('h2', {}, 'Progress'), status),
        stop,
        el('div', { class: 'card' }, el('h2', {}, 'Learning curve (estimated accuracy)'), chart),
        el('div', { class: 'card' }, el('h2', {}, 'Safe to accept'), safe),
        el('div', { class: 'card' }, el('h2', {}, 'Cost'), cost),
        el('div', { class: 'card' }, el('h2', {}, 'Per-class F1, weakest first'), f1))));

  function labelNames() { return project.labels.map(l => l.name); }

  function suggestionList() {
    const top = v.item ? v.item.predictions.map(p => p.label) : [];
    return top.concat(labelNames().filter(n => !top.includes(n))).slice(0, 9);
  }

  function renderItem(reply) {
    const items = reply.items || [];
    v.item = items.length ? items[0] : null;
    // An audit checks a machine label blind: no suggestion is pre-selected, so Enter alone takes nothing.
    v.audit = !!(v.item && v.item.why.strategy === 'audit');
    v.selected = v.audit ? -1 : 0;
    v.checked = new Set(v.item && project.multiLabel ? v.item.predicted : []);
    closeSearch();
    if (!v.item) {
      doc.textContent = reply.embedding && reply.embedding.state === 'running'
        ? `Embedding documents… ${reply.embedding.done} of ${reply.embedding.total}` : 'Nothing left to label. Well done.';
      docMeta.textContent = '';
      fill(suggestions, ); fill(why, );
    } else {
      startClock();
      doc.textContent = v.item.text;
      doc.scrollTop = 0;
      fill(docMeta, 'Document ', el('bdi', {}, v.item.id),
        v.audit ? el('span', { class: 'audit', id: 'audit-badge' }, ' · audit: choose the label yourself (1–9 or /)') : null);
      renderSuggestions();
      renderWhy();
    }
    renderStatus(reply);
    if (v.pendingKey !== null) {
      window.quarryTimings.push(performance.now() - v.pendingKey);
      v.pendingKey = null;
    }
  }

  function renderSuggestions() {
    const probs = new Map((v.item ? v.item.predictions : []).map(p => [p.label, p.probability]));
    fill(suggestions, ...suggestionList().map((name, i) => {
      const p = probs.get(name);
      const li = el('li', { class: (!project.multiLabel && i === v.selected) ? 'selected' : '', 'data-label': name,
        onclick: () => { v.selected = i; if (project.multiLabel) toggle(name); else accept(name); } },
      el('kbd', {}, String(i + 1)),
      project.multiLabel ? el('input', { type: 'checkbox', tabindex: '-1', checked: v.checked.has(name) }) : null,
      el('bdi', {}, name),
      el('span', { class: 'bar' }, el('span', { style: null })),
      el('span', { class: 'meta' }, p === undefined ? '' : pct(p)));
      // Width set through the CSSOM: the policy forbids inline style attributes, not this.
      li.querySelector('.bar > span').style.width = ((p || 0) * 100).toFixed(1) + '%';
      return li;
    }));
    if (project.multiLabel && v.checked.size) {
      const extra = [...v.checked].filter(n => !suggestionList().includes(n));
      for (const n of extra) suggestions.append(el('li', { class: 'selected', 'data-label': n }, el('input', { type: 'checkbox', checked: true, tabindex: '-1' }), el('bdi', {}, n)));
    }
  }

  function renderWhy() {
    const w = v.item.why;
    const num = x => (typeof x === 'number' ? x.toFixed(3) : '–');
    fill(why, 
      el('div', {}, `Strategy ${w.strategy} · uncertainty ${num(w.uncertainty)} · density ${num(w.density)}`),
      el('div', {}, w.note),
      v.item.neighbours.length ? el('div', {}, 'Nearest labeled: ',
        el('ul', { class: 'plain' }, v.item.neighbours.map(n => el('li', {},
          n.labels.length ? isolated(n.labels) : el('span', { class: 'muted' }, 'none of these'), ' ',
          el('span', { class: 'muted' }, '(', el('bdi', {}, n.id), `, similarity ${n.similarity.toFixed(2)})`))))) : null);
  }

  function stageText(stage) {
    if (!stage || stage.name === 'idle' || stage.name === 'training') return 'retraining…';
    const what = stage.name === 'indexing' ? 'indexing new documents' : 'computing densities';
    return stage.total ? `${what} ${stage.done} of ${stage.total}…` : what + '…';
  }

  function renderStatus(reply) {
    const m = reply.model || {};
    const budget = reply.budget ? ` of a budget of ${reply.budget}` : '';
    fill(status, 
      el('div', { id: 'labeled-count' }, `${reply.labeled} labels done${budget}`),
      el('div', { id: 'model-version', 'data-version': m.version }, `Model version ${m.version}` +
        (m.training ? ' · ' + stageText(m.stage) : '') + ` · ${m.labelsSinceTraining} new labels since (retrains every ${m.retrainEvery})`),
      m.lastError ? el('div', {}, 'Last retrain failed: ' + m.lastError) : null);
    if (m.version !== v.modelVersion) { v.modelVersion = m.version; refreshMetrics(); }
  }

  async function refreshMetrics() {
    let metrics;
    try { metrics = await api('GET', `/api/projects/${encodeURIComponent(project.name)}/metrics`); } catch (e) { return; }
    const s = metrics.stopping;
    if (s) {
      stop.className = 'card stop' + (s.stopNow ? '' : ' go');
      fill(stop, el('h2', {}, 'Stopping'), el('div', { id: 'stop-message' }, s.message),
        el('ul', { class: 'plain' }, (s.signals || []).map(x => el('li', { class: 'meta' }, x.explanation))));
    }
    const pe = metrics.poolEstimate;
    drawChart(metrics.learningCurve || [], pe ? el('div', {},
      el('div', { id: 'pool-estimate' }, `About ${pct(pe.accuracy)} of the unlabeled pool is predicted right (95% interval ${pct(pe.low)} to ${pct(pe.high)})`),
      el('div', { class: 'meta' }, pe.explanation)) : null);
    const a = metrics.safeToAccept;
    fill(safe, a ? el('div', {},
      el('div', { id: 'safe-share' }, a.found ? `${pct(a.poolShare)} of the pool (${a.poolAccepted} of ${a.poolSize}) can be accepted without review` : 'No confidence threshold reaches the target precision yet.'),
      el('div', { class: 'meta' }, a.explanation)) : 'No estimate yet.',
    el('div', { class: 'meta' }, metrics.accuracyNote || ''),
    metrics.coverage ? el('div', { class: 'meta', id: 'coverage' }, metrics.coverage) : null);
    renderCost(metrics.cost);
    fill(f1, el('table', {}, el('tr', {}, el('th', {}, 'label'), el('th', { class: 'num' }, 'F1'),
      el('th', { class: 'num' }, 'precision'), el('th', { class: 'num' }, 'recall'), el('th', { class: 'num' }, 'n')),
    (metrics.perClass || []).map(c => el('tr', {}, el('td', {}, c.label), el('td', { class: 'num' }, c.f1.toFixed(2)),
      el('td', { class: 'num' }, c.precision.toFixed(2)), el('td', { class: 'num' }, c.recall.toFixed(2)), el('td', { class: 'num' }, c.support)))));
  }

  function drawChart(points, poolEstimate) {
    const W = 400, H = 180, L = 36, B = 22, T = 8, R = 8;
    const s = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, 'data-points': points.length });
    s.append(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }), svg('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
    if (points.length) {
      const maxX = Math.max(...points.map(p => p.labels), 1);
      const x = n => L + (W - L - R) * n / maxX;
      const y = a => (H - B) - (H - B - T) * a;
      const onPool = points.filter(p => p.poolAccuracy !== null && p.poolAccuracy !== undefined);
      if (onPool.length) s.append(svg('polyline', { class: 'line pool', points: onPool.map(p => `${x(p.labels)},${y(p.poolAccuracy)}`).join(' ') }));
      s.append(svg('polyline', { class: 'line', points: points.map(p => `${x(p.labels)},${y(p.estimatedAccuracy)}`).join(' ') }));
      for (const p of points) s.append(svg('circle', { cx: x(p.labels), cy: y(p.estimatedAccuracy), r: 3 }));
      const label = (tx, ty, text, anchor) => { const t = svg('text', { x: tx, y: ty, 'text-anchor': anchor }); t.textContent = text; s.append(t); };
      label(L - 4, T + 8, '100%', 'end'); label(L - 4, H - B, '0%', 'end');
      label(W - R, H - 6, maxX + ' labels', 'end');
    }
    fill(chart, s, el('div', { class: 'meta' }, points.length ? `${points.length} model versions: green, accuracy on the unlabeled pool (the one to decide by); blue, cross-validated on the labels alone, which active learning makes hard` : 'The curve starts once the model has a few labels per class.'),
      poolEstimate);
  }

  // Time on item: from the moment an item is shown until its label or skip is sent, leaving out
  // the time the tab was hidden, capped (the lease runs out after 10 minutes anyway).
  const MAX_SECONDS_ON_ITEM = 600;
  function startClock() {
    v.shownAt = performance.now();
    v.hiddenMs = 0;
    v.hiddenSince = document.hidden ? v.shownAt : null;
  }
  function onVisibility() {
    const now = performance.now();
    if (document.hidden) { if (v.hiddenSince === null) v.hiddenSince = now; }
    else if (v.hiddenSince !== null) { v.hiddenMs += now - v.hiddenSince; v.hiddenSince = null; }
  }
  function secondsOnItem() {
    const now = performance.now();
    const hidden = v.hiddenMs + (v.hiddenSince === null ? 0 : now - v.hiddenSince);
    const s = (now - v.shownAt - hidden) / 1000;
    return Math.round(10 * Math.min(MAX_SECONDS_ON_ITEM, Math.max(0, s))) / 10;
  }
  document.addEventListener('visibilitychange', onVisibility);

  function renderCost(c) {
    if (!c) { fill(cost, 'No figures yet.'); return; }
    const money = x => Number(x).toLocaleString(undefined, { maximumFractionDigits: 2 }) + (c.currency ? ' ' + c.currency : '');
    const rows = [
      ['cost-per-label', 'Cost per label', c.costPerLabel, money],
      ['cost-spent', 'Spent so far', c.moneySpent, money],
      ['cost-hours', 'Hours on items', c.hoursSpent, x => Number(x).toFixed(2) + ' h'],
      ['cost-per-point', 'Cost per accuracy point', c.costPerAccuracyPoint, money],
      ['cost-saved', 'Saved against random', c.moneySaved, money],
      ['cost-labels-saved', 'Labels saved against random', c.labelsSaved, x => Math.round(x) + ' labels'],
    ];
    // Each figure with where it comes from, or why there is none: never a number without its source.
    fill(cost, el('table', {}, rows.map(([id, name, f, show]) => el('tr', { id, title: f.value === null ? f.unavailable : f.source },
      el('td', {}, name),
      el('td', { class: 'num' }, f.value === null ? '–' : show(f.value)),
      el('td', { class: 'meta' }, f.value === null ? f.unavailable : f.source)))));
  }

  function toggle(name) {
    if (v.checked.has(name)) v.checked.delete(name); else v.checked.add(name);
    renderSuggestions();
  }

  async function send(body) {
    if (v.busy || !v.item) return;
    v.busy = true;
    try {
      const reply = await api('POST', `/api/projects/${encodeURIComponent(project.name)}/annotations?next=true`,
        Object.assign({ document: v.item.id, requestId: crypto.randomUUID ? crypto.randomUUID() : String(Math.random()),
          secondsOnItem: secondsOnItem() }, body));
      renderItem(reply);
    } catch (e) { v.pendingKey = null; toast(e.message, true); }
    finally { v.busy = false; }
  }

  function accept(name) {
    if (project.multiLabel) {
      if (!v.checked.size) { toast('Check at least one label, press N for none of these, or S to skip', true); return; }
      return send({ labels: [...v.checked] });
    }
    if (!name && v.selected < 0) { toast('Audit: pick the label yourself with 1–9 or /', true); return; }
    return send({ labels: [name || suggestionList()[v.selected]] });
  }

  async function undo() {
    if (v.busy) return;
    v.busy = true;
    try {
      const r = await api('POST', `/api/projects/${encodeURIComponent(project.name)}/annotations/undo`);
      toast('Undone: ' + r.undone.documentId);
      const q = await api('GET', `/api/projects/${encodeURIComponent(project.name)}/queue?n=1`);
      renderItem(q);
    } catch (e) { v.pendingKey = null; toast(e.message, true); }
    finally { v.busy = false; }
  }

  function openSearch() {
    v.searching = true;
    search.focus();
    search.select();
    filter();
  }

  function closeSearch() {
    v.searching = false;
    search.value = '';
    results.hidden = true;
    if (document.activeElement === search) search.blur();
  }

  function filter() {
    const q = search.value.trim().toLowerCase();
    const all = project.labels;
    v.results = q ? all.filter(l => l.name.toLowerCase().includes(q) || (l.description || '').toLowerCase().includes(q)) : all;
    v.resultIndex = 0;
    renderResults();
  }

  function renderResults() {
    results.hidden = false;
    fill(results, ...v.results.slice(0, 200).map((l, i) => el('div', {
      class: i === v.resultIndex ? 'selected' : '', 'data-label': l.name,
      onmousedown: (ev) => { ev.preventDefault(); pick(l.name); } },
    el('bdi', {}, l.name), l.description ? el('span', { class: 'desc' }, el('bdi', {}, l.description)) : null)));
    const sel = results.querySelector('.selected');
    if (sel) sel.scrollIntoView({ block: 'nearest' });
  }

  function pick(name) {
    if (project.multiLabel) { toggle(name); closeSearch(); return; }
    v.pendingKey = performance.now();
    closeSearch();
    accept(name);
  }

  search.addEventListener('input', filter);
  search.addEventListener('focus', () => { if (!v.searching) { v.searching = true; filter(); } });
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown') { v.resultIndex = Math.min(v.results.length - 1, v.resultIndex + 1); renderResults(); ev.preventDefault(); }
    else if (ev.key === 'ArrowUp') { v.resultIndex = Math.max(0, v.resultIndex - 1); renderResults(); ev.preventDefault(); }
    else if (ev.key === 'Enter') { ev.preventDefault(); if (v.results[v.resultIndex]) pick(v.results[v.resultIndex].name); }
    else if (ev.key === 'Escape') { ev.preventDefault(); closeSearch(); }
    ev.stopPropagation();
  });

  function onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target && (ev.target.tagName === 'INPUT' || ev.target.tagName === 'TEXTAREA')) return;
    const k = ev.key;
    if (k === '/') { ev.preventDefault(); openSearch(); return; }
    if (/^[1-9]$/.test(k)) {
      const i = Number(k) - 1;
      const list = suggestionList();
      if (i < list.length) {
        ev.preventDefault();
        if (project.multiLabel) toggle(list[i]);
        else { v.selected = i; renderSuggestions(); }
      }
      return;
    }
    if (k === 'ArrowDown' || k === 'ArrowUp') {
      ev.preventDefault();
      v.selected = Math.max(0, Math.min(suggestionList().length - 1, v.selected + (k === 'ArrowDown' ? 1 : -1)));
      renderSuggestions();
      return;
    }
    if (k === 'Enter') { ev.preventDefault(); v.pendingKey = performance.now(); accept(); return; }
    if (k === 's' || k === 'S') { ev.preventDefault(); v.pendingKey = performance.now(); send({ skip: true }); return; }
    // "None of these labels" is an answer (stored, trained on), unlike a skip.
    if ((k === 'n' || k === 'N') && project.multiLabel) { ev.preventDefault(); v.pendingKey = performance.now(); send({ labels: [] }); return; }
    if (k === 'u' || k === 'U') { ev.preventDefault(); v.pendingKey = performance.now(); undo(); }
  }
  document.addEventListener('keydown', onKey);

  // Model status and metrics move while others label: poll gently.
  const poll = setInterval(async () => {
    try {
      const m = await api('GET', `/api/projects/${encodeURIComponent(project.name)}/model`);
      const p = await api('GET', `/api/projects/${encodeURIComponent(project.name)}`);
      renderStatus({ model: m, labeled: p.labeled, budget: project.settings.budget, embedding: p.embedding });
      if (!v.item && p.embedding.state === 'done') {
        renderItem(await api('GET', `/api/projects/${encodeURIComponent(project.name)}/queue?n=1`));
      }
    } catch (e) { /* shown on the next action */ }
  }, 2000);
  leaveView = () => { document.removeEventListener('keydown', onKey); document.removeEventListener('visibilitychange', onVisibility); clearInterval(poll); };

  renderItem(await api('GET', `/api/projects/${encodeURIComponent(project.name)}/queue?n=1`));
}

// ---- admin ----

async function adminView(name) {
  const base = '/api/projects/' + encodeURIComponent(name);
  const project = await api('GET', base);
  const importFile = el('input', { type: 'file', id: 'import-file', accept: '.jsonl,.ndjson,.csv' });
  const importStatus = el('div', { id: 'import-status', class: 'meta' });
  const predictFile = el('input', { type: 'file', id: 'predict-file', accept: '.jsonl,.ndjson' });
  const jobStatus = el('div', { id: 'job-status', class: 'meta' });
  const jobProgress = el('progress', { id: 'job-progress', max: 1, value: 0 });
  const embedProgress = el('progress', { id: 'embed-progress', max: 1, value: 0 });
  let timers = [];
  const machine = machineLabels(base, project);
  const tune = fineTune(base, project);
  const upkeep = arrivals(base);
  leaveView = () => { timers.forEach(clearInterval); machine.leave(); tune.leave(); upkeep.leave(); };

  function watchEmbedding() {
    const t = setInterval(async () => {
      const p = await api('GET', base);
      embedProgress.max = Math.max(1, p.embedding.total); embedProgress.value = p.embedding.done;
      importStatus.textContent = `${p.documents} documents · embedding ${p.embedding.state}: ${p.embedding.done} of ${p.embedding.total}`;
      if (p.embedding.state !== 'running') clearInterval(t);
    }, 500);
    timers.push(t);
  }

  async function doImport(ev) {
    ev.preventDefault();
    const f = importFile.files[0];
    if (!f) { toast('Choose a JSONL or CSV file', true); return; }
    const format = /\.csv$/i.test(f.name) ? 'csv' : 'jsonl';
    importStatus.textContent = 'Uploading ' + f.name + '…';
    try {
      const r = await api('POST', `${base}/documents?format=${format}`, undefined, f);
      importStatus.textContent = `Added ${r.added} documents.`;
      watchEmbedding();
    } catch (e) {
      const problems = e.body && e.body.details && e.body.details.problems;
      fill(importStatus, el('div', {}, 'Nothing imported: ' + e.message),
        problems ? el('ul', {}, problems.map(p => el('li', {}, `line ${p.line}: ${p.field}: ${p.message}`))) : null);
    }
  }

  async function doPredict(ev) {
    ev.preventDefault();
    const f = predictFile.files[0];
    if (!f) { toast('Choose a JSONL file of {"id", "text"} lines', true); return; }
    try {
      const job = await api('POST', `${base}/predictions`, undefined, f);
      follow(job.id);
    } catch (e) { jobStatus.textContent = e.message; }
  }

  function follow(id) {
    const t = setInterval(async () => {
      const j = await api('GET', '/api/jobs/' + id);
      jobProgress.max = Math.max(1, j.total); jobProgress.value = j.done;
      fill(jobStatus, `Job ${j.id}: ${j.state}, ${j.done} of ${j.total}`,
        j.state === 'running' || j.state === 'queued' ? el('button', { onclick: () => api('DELETE', '/api/jobs/' + id) }, 'Cancel') : null,
        j.done > 0 ? el('button', { onclick: () => download('/api/jobs/' + id + '/results.jsonl', 'predictions-' + id + '.jsonl') }, 'Download results') : null,
        j.error ? ' ' + j.error : '');
      if (!['running', 'queued'].includes(j.state)) clearInterval(t);
    }, 700);
    timers.push(t);
  }

  async function download(path, filename) {
    const r = await fetch(path, { headers: { Authorization: 'Bearer ' + state.token } });
    if (!r.ok) { toast('Export failed: HTTP ' + r.status, true); return; }
    const url = URL.createObjectURL(await r.blob());
    const a = el('a', { href: url, download: filename });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  setMain(el('h1', {}, 'Admin: ' + project.name, ' ', el('a', { href: '#/label/' + encodeURIComponent(name) }, 'label →')),
    el('div', { class: 'card' }, el('h2', {}, 'Import documents'),
      el('p', { class: 'muted' }, 'JSONL ({"id", "text", "label"}) or CSV with a header (id,text,label). All rows or none; labels must be in the schema.'),
      el('form', { onsubmit: doImport, class: 'row' }, importFile, el('button', { class: 'primary', type: 'submit', id: 'import' }, 'Import')),
      embedProgress, importStatus),
    el('div', { class: 'card' }, el('h2', {}, 'Batch prediction'),
      el('form', { onsubmit: doPredict, class: 'row' }, predictFile, el('button', { class: 'primary', type: 'submit', id: 'predict' }, 'Start job')),
      jobProgress, jobStatus),
    el('div', { class: 'card' }, el('h2', {}, 'Export'),
      el('div', { class: 'row' },
        el('button', { id: 'export-labels', onclick: () => download(`${base}/export/labels?format=csv`, name + '-labels.csv') }, 'Labels (CSV)'),
        el('button', { onclick: () => download(`${base}/export/labels`, name + '-labels.jsonl') }, 'Labels (JSONL)'),
        el('button', { onclick: () => download(`${base}/export/predictions?format=csv`, name + '-predictions.csv') }, 'Predictions (CSV)'))),
    machine.card,
    upkeep.card,
    tune.card,
    el('div', { class: 'card' }, el('h2', {}, 'Schema'), el('p', {}, `${project.labels.length} labels: `,
      isolated(project.labels.map(l => l.name)))));
  watchEmbedding();
  machine.refresh();
  tune.refresh();
  upkeep.refresh();
}

/**
 * Arrival batches with their drift reports in words, newest first, and the upkeep queue: the
 * unlabeled arrivals that best restore accuracy, which an admin can put first in the queue.
 */
function arrivals(base) {
  const list = el('div', { id: 'arrivals' }, 'Loading…');
  const queue = el('div', { id: 'upkeep' });
  let timer = null;

  function batch(b) {
    const head = el('div', {}, el('strong', {}, `Batch ${b.id}`), ` · ${b.documents} documents · ${b.source} · ${b.created}`);
    if (!b.report) return el('li', { class: 'arrival', 'data-state': b.state }, head, el('div', { class: 'meta' }, 'waiting for its vectors and a model'));
    const r = b.report;
    return el('li', { class: 'arrival', 'data-state': b.state, 'data-drifted': String(r.drifted) }, head,
      el('div', { class: 'arrival-summary' }, r.summary),
      el('ul', {}, r.signals.map(s => el('li', { class: 'signal', 'data-signal': s.name, 'data-fired': String(s.fired) },
        s.fired ? '⚠ ' : '✓ ', s.words))),
      r.regions.length ? el('div', { class: 'meta' }, 'Candidate new intents: ',
        el('ul', {}, r.regions.map(g => el('li', { class: 'region' }, `about ${g.documents} documents, e.g. `,
          isolated(g.examples.map(e => '“' + e.text + '”')))))) : null);
  }

  async function refresh() {
    let batches;
    try { batches = await api('GET', base + '/arrivals'); } catch (e) { list.textContent = e.message; return; }
    fill(list, batches.length ? el('ul', {}, batches.slice().reverse().map(batch))
      : el('p', { class: 'muted' }, 'No arrivals yet: documents imported after the first ones, or streamed to /arrivals, show here with their drift report.'));
    try {
      const u = await api('GET', base + '/upkeep?n=10');
      fill(queue, el('p', {}, `Upkeep queue: ${u.items.length} of ${u.candidates} unlabeled arrivals`),
        u.items.length ? el('ol', {}, u.items.map(i => el('li', { class: 'upkeep-item' }, el('bdi', {}, i.text), el('div', { class: 'meta' }, i.why.note)))) : null,
        u.items.length ? el('button', { id: 'upkeep-queue', onclick: async () => {
          try { await api('POST', base + '/queue/import', { ids: u.items.map(i => i.id) }); toast('Put first in the labeling queue'); } catch (e) { toast(e.message, true); }
        } }, 'Put them first in the queue') : null);
    } catch (e) { fill(queue, el('p', { class: 'muted' }, 'Upkeep queue: ' + e.message)); }
    if (!timer && batches.some(b => b.state === 'waiting')) timer = setInterval(refresh, 2000);
    if (timer && !batches.some(b => b.state === 'waiting')) { clearInterval(timer); timer = null; }
  }

  return {
    card: el('div', { class: 'card' }, el('h2', {}, 'Arrivals and upkeep'),
      el('p', { class: 'muted' }, 'Each arrival batch against the data the model learned from; README, “Upkeep”, gives the thresholds.'),
      list, queue),
    refresh,
    leave: () => { if (timer) clearInterval(timer); },
  };
}

/**
 * The suspect-label queue for reviewers: labels most likely wrong first, each with the label the
 * model finds likelier. Keep it, or change it to the likelier one or another; a reason is asked
 * for a change and kept in the label log.
 */
async function reviewView(name) {
  const base = '/api/projects/' + encodeURIComponent(name);
  const project = await api('GET', base);
  const note = el('div', { id: 'suspects-note', class: 'meta' }, 'Loading…');
  const list = el('div', { id: 'suspects' });
  let timer = null;

  async function decide(s, decision, label, reason) {
    try {
      await api('POST', `${base}/suspects/${encodeURIComponent(s.document)}`, { decision, label, reason: reason || undefined });
      toast(decision === 'keep' ? 'Kept' : 'Changed to ' + label);
      refresh();
    } catch (e) { toast(e.message, true); }
  }

  function row(s) {
    const choice = el('select', { class: 'suspect-label', 'aria-label': 'new label' },
      project.labels.map(l => el('option', { value: l.name, selected: l.name === s.likely ? true : undefined }, l.name)));
    const reason = el('input', { class: 'suspect-reason', placeholder: 'why (kept in the label log)', value: '' });
    return el('div', { class: 'card suspect', 'data-document': s.document },
      el('div', {}, el('bdi', {}, s.text)),
      el('div', { class: 'meta' }, 'Labeled ', el('b', {}, el('bdi', {}, s.given)), ` (model: ${pct(s.selfConfidence)}) · the model finds `,
        el('b', {}, el('bdi', {}, s.likely)), ' likelier', s.flagged ? ' · flagged' : ''),
      el('div', { class: 'row' },
        el('button', { class: 'suspect-keep', onclick: () => decide(s, 'keep', null, reason.value) }, 'Keep'),
        choice, reason,
        el('button', { class: 'primary suspect-change', onclick: () => decide(s, 'change', choice.value, reason.value) }, 'Change')));
  }

  async function refresh() {
    let q;
    try { q = await api('GET', base + '/suspects?limit=20'); } catch (e) { note.textContent = e.message; return; }
    note.textContent = `${q.note} ${q.flagged} flagged, ${q.reviewed} reviewed.`;
    note.setAttribute('data-state', q.state);
    fill(list, q.items.length ? q.items.map(row) : el('p', { class: 'muted' }, q.state === 'ready' ? 'Nothing flagged left to review.' : ''));
    if (q.state === 'computing' && !timer) timer = setInterval(refresh, 1500);
    if (q.state !== 'computing' && timer) { clearInterval(timer); timer = null; }
  }

  const agreement = agreementCard(base);
  const disagreements = disagreementQueue(base, project, agreement.refresh);
  leaveView = () => { if (timer) clearInterval(timer); disagreements.leave(); };
  setMain(el('h1', {}, 'Review: ' + project.name, ' ', el('a', { href: '#/label/' + encodeURIComponent(name) }, 'label →')),
    agreement.card, disagreements.card,
    el('div', { class: 'card' }, el('h2', {}, 'Suspect labels'), note), list);
  agreement.refresh();
  disagreements.refresh();
  refresh();
}

function num(x, digits) { return x === null || x === undefined ? '–' : Number(x).toFixed(digits === undefined ? 2 : digits); }

/**
 * Agreement among annotators on documents two or more of them labeled: Krippendorff's α overall
 * and per label, each annotator's κ against the others, and Cohen's κ for each pair.
 */
function agreementCard(base) {
  const summary = el('div', { id: 'agreement-summary' }, 'Loading…');
  const annotators = el('div', { id: 'agreement-annotators' });
  const pairs = el('div', { id: 'agreement-pairs' });
  const labels = el('div', { class: 'f1-scroll', id: 'agreement-labels' });
  const note = el('div', { class: 'meta', id: 'agreement-note' });
  const card = el('div', { class: 'card', id: 'agreement' }, el('h2', {}, 'Agreement'), summary, note,
    el('div', { class: 'grid' }, el('div', {}, annotators, pairs), labels));
  const th = (text, numeric) => el('th', { class: numeric ? 'num' : null }, text);
  const td = (text, numeric) => el('td', { class: numeric ? 'num' : null }, text);

  async function refresh() {
    let a;
    try { a = await api('GET', base + '/agreement'); } catch (e) { summary.textContent = e.message; return; }
    fill(summary, el('span', { id: 'alpha', 'data-alpha': a.alpha === null ? '' : a.alpha }, `α ${num(a.alpha)}`),
      ` over ${a.items} documents with two or more annotators (${pct(a.overlapped)} of ${a.labeled} labeled) · `,
      `pairs agree ${pct(a.agreement)} · ${a.awaiting} waiting for more annotators · `,
      `${a.disagreements} disagreements open, ${a.settled} settled`);
    note.textContent = a.note;
    fill(annotators, a.annotators.length ? el('table', {},
      el('tr', {}, th('annotator'), th('items', true), th('agree', true), th('κ vs others', true), th('mean pair κ', true)),
      a.annotators.map(x => el('tr', {}, el('td', {}, el('bdi', {}, x.annotator)), td(x.items, true), td(pct(x.agreement), true),
        td(num(x.kappa), true), td(num(x.meanPairKappa), true)))) : null);
    fill(pairs, a.pairs.length ? el('table', {},
      el('tr', {}, th('pair'), th('shared', true), th('agree', true), th(`κ (${a.minShared}+ shared)`, true)),
      a.pairs.map(x => el('tr', {}, el('td', {}, el('bdi', {}, x.a), ' · ', el('bdi', {}, x.b)), td(x.shared, true),
        td(pct(x.agreement), true), td(num(x.kappa), true)))) : null);
    fill(labels, a.labels.length ? el('table', {},
      el('tr', {}, th('label (weakest α first)'), th('values', true), th('α', true), th('agree', true)),
      a.labels.map(x => el('tr', {}, el('td', {}, el('bdi', {}, x.label)), td(x.values, true), td(num(x.alpha), true),
        td(pct(x.agreement), true)))) : null);
  }
  return { card, refresh };
}

/**
 * Documents whose annotators disagree, for a reviewer to settle. Keyboard first: j / k move between
 * documents, 1–9 take one of the labels the annotators gave (or pick any in the list) and put the
 * cursor in the reason, Enter settles, Escape leaves the reason.
 */
function disagreementQueue(base, project, changed) {
  const note = el('div', { class: 'meta', id: 'disagreements-note' }, 'Loading…');
  const list = el('div', { id: 'disagreements' });
  const keys = el('div', { class: 'keys' }, el('kbd', {}, 'j'), ' / ', el('kbd', {}, 'k'), ' next / previous · ',
    el('kbd', {}, '1'), '–', el('kbd', {}, '9'), ' take a label · ', el('kbd', {}, 'Enter'), ' settle (a reason is required)');
  const card = el('div', { class: 'card' }, el('h2', {}, 'Disagreements'), note, keys, list);
  let items = [];
  let current = 0;

  function given(d) {
    const byLabel = new Map();
    for (const g of d.labels) {
      const key = g.labels.join(' | ');
      if (!byLabel.has(key)) byLabel.set(key, []);
      byLabel.get(key).push(g.annotator);
    }
    return [...byLabel.entries()];
  }

  async function settle(i) {
    const d = items[i];
    if (!d) return;
    const c = list.children[i];
    const label = c.querySelector('.disagreement-label').value;
    const reason = c.querySelector('.disagreement-reason').value;
    try {
      await api('POST', `${base}/disagreements/${encodeURIComponent(d.document)}`, { label, reason });
      toast('Settled: ' + label);
      await refresh();
      changed();
    } catch (e) { toast(e.message, true); }
  }

  function take(i, label) {
    current = i;
    mark();
    const c = list.children[i];
    if (!c) return;
    c.querySelector('.disagreement-label').value = label;
    c.querySelectorAll('li[data-label]').forEach(li => li.classList.toggle('selected', li.getAttribute('data-label') === label));
    c.querySelector('.disagreement-reason').focus();
  }

  function row(d, i) {
    const options = given(d);
    const choice = el('select', { class: 'disagreement-label', 'aria-label': 'label' },
      project.labels.map(l => el('option', { value: l.name, selected: l.name === d.current[0] ? true : undefined }, l.name)));
    const reason = el('input', { class: 'disagreement-reason', placeholder: 'why (kept in the label log)', value: '' });
    reason.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') { ev.preventDefault(); current = i; settle(i); }
      else if (ev.key === 'Escape') { ev.preventDefault(); reason.blur(); }
    });
    return el('div', { class: 'card disagreement' + (i === current ? ' current' : ''), 'data-document': d.document },
      el('div', {}, el('bdi', {}, d.text)),
      el('ul', { class: 'suggestions' }, options.map(([label, who], k) => el('li', { 'data-label': label,
        onclick: () => take(i, label) },
      el('kbd', {}, String(k + 1)), el('bdi', {}, label), el('span', { class: 'meta' }, isolated(who))))),
      el('div', { class: 'row' }, choice, reason,
        el('button', { class: 'primary disagreement-settle', onclick: () => { current = i; settle(i); } }, 'Settle')));
  }

  function mark() {
    [...list.children].forEach((c, k) => c.classList.toggle('current', k === current));
    const c = list.children[current];
    if (c && c.scrollIntoView) c.scrollIntoView({ block: 'nearest' });
  }

  async function refresh() {
    let q;
    try { q = await api('GET', base + '/disagreements?limit=20'); } catch (e) { note.textContent = e.message; return; }
    items = q.items;
    current = Math.min(current, Math.max(0, items.length - 1));
    note.textContent = `${q.note} ${q.open} open, ${q.settled} settled.`;
    fill(list, items.length ? items.map(row) : el('p', { class: 'muted' }, 'No disagreement left to settle.'));
  }

  function onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target && ['INPUT', 'TEXTAREA', 'SELECT'].includes(ev.target.tagName)) return;
    if (!items.length) return;
    if (ev.key === 'j' || ev.key === 'k') {
      ev.preventDefault();
      current = Math.max(0, Math.min(items.length - 1, current + (ev.key === 'j' ? 1 : -1)));
      mark();
      return;
    }
    if (/^[1-9]$/.test(ev.key)) {
      const options = given(items[current]);
      const k = Number(ev.key) - 1;
      if (k < options.length) { ev.preventDefault(); take(current, options[k][0]); }
    }
  }
  document.addEventListener('keydown', onKey);
  return { card, refresh, leave: () => document.removeEventListener('keydown', onKey) };
}

/**
 * Fine-tuning a project's encoder: start (with the epochs), follow its phases with progress and
 * ETA, cancel. Labeling goes on meanwhile; when it ends the project uses the tuned encoder.
 */
function fineTune(base, project) {
  const note = el('div', { id: 'finetune-note', class: 'meta' }, 'Loading…');
  const encoder = el('div', { id: 'finetune-encoder' }, 'Encoder: ', el('bdi', {}, project.encoder));
  const progress = el('progress', { id: 'finetune-progress', max: 1, value: 0 });
  const epochs = el('input', { type: 'number', id: 'finetune-epochs', min: 1, max: 20, value: 3, 'aria-label': 'epochs' });
  const start = el('button', { class: 'primary', id: 'finetune-start', onclick: () => begin() }, 'Fine-tune the encoder');
  const cancel = el('button', { id: 'finetune-cancel', hidden: true, onclick: () => stop() }, 'Cancel fine-tune');
  let timer = null;
  const running = s => !['idle', 'done', 'failed', 'cancelled'].includes(s.state);

  function eta(s) { return s.etaSeconds === null || s.etaSeconds === undefined ? '' : ` · about ${Math.ceil(s.etaSeconds)} s left`; }

  async function refresh() {
    let s;
    try { s = await api('GET', base + '/finetune'); } catch (e) { note.textContent = e.message; return; }
    const [done, total] = s.state === 'tuning' ? [s.step, s.totalSteps] : [s.done, s.total];
    progress.max = Math.max(1, total); progress.value = done;
    progress.hidden = !running(s);
    note.textContent = s.note + eta(s) + (s.state === 'done' && s.lossBefore !== null
      ? ` Training loss ${s.lossBefore.toFixed(3)} → ${s.lossAfter.toFixed(3)} in ${Math.round(s.tuneSeconds)} s on ${s.device}.` : '');
    note.setAttribute('data-state', s.state);
    start.disabled = running(s);
    cancel.hidden = !running(s) || s.state === 'switching';
    if (s.state === 'done') {
      try { fill(encoder, 'Encoder: ', el('bdi', {}, (await api('GET', base)).encoder)); } catch (e) { /* shown next time */ }
    }
    if (running(s) && !timer) timer = setInterval(refresh, 1000);
    if (!running(s) && timer) { clearInterval(timer); timer = null; }
  }

  async function begin() {
    try {
      await api('POST', base + '/finetune', { epochs: Number(epochs.value) });
    } catch (e) { toast(e.message, true); }
    refresh();
  }

  async function stop() {
    try { await api('DELETE', base + '/finetune'); } catch (e) { toast(e.message, true); }
    refresh();
  }

  const card = el('div', { class: 'card', id: 'finetune' }, el('h2', {}, 'Fine-tune the encoder'),
    el('p', { class: 'muted' }, 'Teaches the encoder this project\'s labels (single-label projects, 10 labels or more), then re-embeds every document and trains a new model on it. Takes minutes; labeling goes on meanwhile.'),
    encoder, el('div', { class: 'row' }, el('label', { for: 'finetune-epochs' }, 'Epochs '), epochs, start, cancel), progress, note);
  return { card, refresh, leave: () => { if (timer) clearInterval(timer); } };
}

/**
 * Machine labels of a project: accept the model's confident predictions (with the count it would
 * accept), the audits' measured precision, revoke a batch or all, train on them or not. Keyboard:
 * A starts an accept, every action asks to confirm (Enter confirms, Esc cancels).
 */
function machineLabels(base, project) {
  const note = el('div', { id: 'machine-note', class: 'meta' }, 'Loading…');
  const acceptButton = el('button', { class: 'primary', id: 'machine-accept', disabled: true, onclick: () => askAccept() }, 'Accept machine labels');
  const revokeAll = el('button', { id: 'machine-revoke-all', disabled: true, onclick: () => askRevoke(null) }, 'Revoke all');
  const confirm = el('div', { id: 'machine-confirm', class: 'row', hidden: true });
  const audit = el('div', { id: 'machine-audit' });
  const train = el('input', { type: 'checkbox', id: 'machine-train', onchange: () => setTrain(train.checked) });
  const batches = el('div', { id: 'machine-batches' });
  let status = null;

  function auditText(a) {
    if (!a || !a.sample) return 'No audit yet.';
    const checked = `${a.audited} of ${a.sample} audited` + (a.awaiting ? `, ${a.awaiting} waiting in the queue` : '');
    return a.precision === null ? checked : `Measured precision ${pct(a.precision)} (95% interval ${pct(a.low)} to ${pct(a.high)}): ${a.agreed} of ${a.audited} agreed · ` + checked;
  }

  async function refresh() {
    try { status = await api('GET', base + '/machine-labels'); } catch (e) { note.textContent = e.message; return; }
    note.textContent = status.note;
    acceptButton.disabled = !status.canAccept;
    acceptButton.textContent = status.canAccept ? `Accept ${status.wouldAccept} machine labels` : 'Accept machine labels';
    acceptButton.setAttribute('data-count', status.wouldAccept);
    revokeAll.disabled = status.standing === 0;
    train.checked = status.settings.trainOnMachineLabels;
    fill(audit, el('div', { id: 'machine-standing' }, `${status.standing} machine labels stand`),
      el('div', { id: 'machine-precision' }, auditText(status.audit)));
    fill(batches, status.batches.length ? el('table', {},
      el('tr', {}, el('th', {}, 'batch'), el('th', {}, 'accepted by'), el('th', { class: 'num' }, 'model'),
        el('th', { class: 'num' }, 'threshold'), el('th', { class: 'num' }, 'labels'), el('th', { class: 'num' }, 'standing'),
        el('th', {}, 'audit'), el('th', {}, '')),
      status.batches.map(b => el('tr', { 'data-batch': b.id },
        el('td', {}, String(b.id)), el('td', {}, el('bdi', {}, b.acceptedBy)), el('td', { class: 'num' }, 'v' + b.modelVersion),
        el('td', { class: 'num' }, b.threshold.toFixed(4)), el('td', { class: 'num' }, String(b.accepted)),
        el('td', { class: 'num' }, String(b.standing)), el('td', { class: 'meta' }, auditText(b.audit)),
        el('td', {}, b.standing ? el('button', { class: 'revoke-batch', onclick: () => askRevoke(b) }, 'Revoke') : 'revoked')))) : null);
  }

  function ask(question, action, label) {
    const yes = el('button', { class: 'primary', id: 'machine-confirm-yes', onclick: async () => { close(); await action(); } }, label);
    const no = el('button', { id: 'machine-confirm-no', onclick: () => close() }, 'Cancel');
    function close() { confirm.hidden = true; fill(confirm, ); }
    confirm.onkeydown = (ev) => { if (ev.key === 'Escape') { ev.preventDefault(); close(); } };
    fill(confirm, el('span', {}, question), yes, no);
    confirm.hidden = false;
    yes.focus();
  }

  function askAccept() {
    if (!status || !status.canAccept) return;
    ask(`Accept ${status.wouldAccept} labels predicted by model version ${status.modelVersion} at confidence ≥ ${status.threshold.toFixed(4)}? They are marked as machine labels, never as people's.`,
      async () => {
        try {
          const b = await api('POST', base + '/machine-labels');
          toast(`Accepted ${b.accepted} machine labels (batch ${b.id}); ${b.audit.sample} go to annotators as an audit`);
        } catch (e) { toast(e.message, true); }
        refresh();
      }, 'Accept');
  }

  function askRevoke(batch) {
    const what = batch ? `the ${batch.standing} standing machine labels of batch ${batch.id}` : `all ${status.standing} standing machine labels`;
    ask(`Revoke ${what}? People's labels are not touched; the documents go back to the pool.`, async () => {
      try {
        const r = await api('DELETE', base + (batch ? '/machine-labels/batches/' + batch.id : '/machine-labels'));
        toast(`Revoked ${r.revoked} machine labels`);
      } catch (e) { toast(e.message, true); }
      refresh();
    }, 'Revoke');
  }

  async function setTrain(on) {
    try {
      await api('PUT', base + '/machine-labels/settings', { trainOnMachineLabels: on });
      toast(on ? 'The model now trains on machine labels too' : 'The model trains on people\'s labels only');
    } catch (e) { toast(e.message, true); }
    refresh();
  }

  function onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target && (ev.target.tagName === 'INPUT' || ev.target.tagName === 'TEXTAREA')) return;
    if ((ev.key === 'a' || ev.key === 'A') && confirm.hidden) { ev.preventDefault(); askAccept(); }
  }
  document.addEventListener('keydown', onKey);

  const card = el('div', { class: 'card', id: 'machine' }, el('h2', {}, 'Machine labels'),
    el('p', { class: 'muted' }, 'The model\'s own predictions above the safe-to-accept threshold, accepted in batches and kept apart from people\'s labels. A random sample of each batch goes to annotators as an audit; a person\'s label always wins. Press ',
      el('kbd', {}, 'A'), ' to accept.'),
    note, el('div', { class: 'row' }, acceptButton, revokeAll), confirm, audit,
    el('p', {}, el('label', {}, train, ' Train the model on machine labels too (off: people\'s labels only)')), batches);
  return { card, refresh, leave: () => document.removeEventListener('keydown', onKey) };
}

window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', route);
