// The keys page: the pool one page at a time (filtered, sorted and paged by
// the broker, so 10,000 keys stay smooth), bulk actions on a selection that
// survives paging (up to every key matching the filter: "select all", whose
// ids the server lists on demand), verify all and copy all (the secrets are
// asked of the server only when copied), pasting keys in, and a per-key
// detail view.
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
  const { t, el, api, query, toast, fmtTime, fmtNumber } = window.GP;
  // Two pools (Gemini API keys, Vertex AI Express keys), shown one at a time;
  // #vertex in the address opens the Vertex pool.
  const state = {
    offset: 0, limit: 50, keys: [], total: 0, selected: new Set(), usage: {},
    // Set by "select all" without a filter and kept until a key is unticked:
    // actions then send {"all": true} for the pool instead of the ids.
    wholePool: false,
    pool: window.location.hash === '#vertex' ? 'vertex' : 'gemini', summaries: null
  };
  const $ = (id) => document.getElementById(id);

  try {
    await window.GP.initPage('keys');
  } catch (e) {
    return;
  }

  function stateBadge(key) {
    const cell = el('td', {}, [el('span', { class: 'badge ' + key.state, text: t('state.' + key.state) })]);
    const details = [];
    if (key.state === 'cooling' && key.cooling_until_ms) {
      details.push(t('keys.cooling_until', { time: fmtTime(key.cooling_until_ms) }));
    }
    for (const c of key.model_cooldowns || []) {
      details.push(t('keys.cooling_model', { model: c.model, time: fmtTime(c.until_ms) }));
    }
    if (key.failure_count > 0) details.push(t('keys.failures', { n: key.failure_count }));
    if ((key.state === 'disabled' || key.state === 'failing') && key.state_reason) details.push(key.state_reason);
    for (const d of details) cell.appendChild(el('div', { class: 'state-detail', text: d }));
    return cell;
  }

  function usageCell(key) {
    const u = state.usage[key.id];
    return el('td', { class: 'num', dataset: { usageFor: key.id } },
        u ? fmtNumber(u.calls_1h) + ' / ' + fmtNumber(u.calls_24h) : '—');
  }

  function renderSummary(s) {
    const box = $('summary');
    box.textContent = '';
    const cards = [['keys.summary.total', s.total, ''], ['state.active', s.active, 'active'],
      ['state.cooling', s.cooling + (s.cooling_some_model || 0), 'cooling'], ['state.failing', s.failing, 'failing'],
      ['state.disabled', s.disabled, 'disabled'], ['state.paused', s.paused, 'paused']];
    for (const [label, value, cls] of cards) {
      box.appendChild(el('div', { class: 'card', dataset: { summary: cls || 'total' } }, [
        el('div', { class: 'label', text: t(label) }),
        el('div', { class: 'value', text: fmtNumber(value) })
      ]));
    }
  }

  function renderPools() {
    for (const b of document.querySelectorAll('#pool-switch [data-pool]')) {
      const pool = b.dataset.pool;
      const counts = state.summaries && state.summaries[pool];
      b.textContent = t('keys.pool.' + pool, { n: counts ? fmtNumber(counts.total) : '…' });
      b.classList.toggle('primary', pool === state.pool);
      b.setAttribute('aria-selected', pool === state.pool ? 'true' : 'false');
    }
    $('add-pool').textContent = t('keys.pool.add_to', { pool: t('keys.pool.name.' + state.pool) });
  }

  function switchPool(pool) {
    if (pool === state.pool) return;
    state.pool = pool;
    state.offset = 0;
    state.selected.clear();
    window.history.replaceState(null, '', pool === 'vertex' ? '#vertex' : '#');
    renderPools();
    load();
  }

  function renderSelection() {
    $('selected-count').textContent = t('common.selected', { n: fmtNumber(state.selected.size) });
    $('select-all').textContent = t('keys.select_all', { n: fmtNumber(state.total) });
    $('select-all').disabled = state.total === 0;
    $('select-none').hidden = state.selected.size === 0;
    const boxes = document.querySelectorAll('#keys-table tbody input[type=checkbox]');
    $('select-page').checked = boxes.length > 0 && [...boxes].every((b) => b.checked);
  }

  function renderTable() {
    const body = document.querySelector('#keys-table tbody');
    body.textContent = '';
    if (state.keys.length === 0) {
      body.appendChild(el('tr', {}, [el('td', { colspan: 7, class: 'muted', text: t('common.none') })]));
    }
    for (const key of state.keys) {
      const box = el('input', { type: 'checkbox', 'aria-label': key.masked });
      box.checked = state.selected.has(key.id);
      box.addEventListener('change', () => {
        if (box.checked) state.selected.add(key.id); else { state.selected.delete(key.id); state.wholePool = false; }
        renderSelection();
      });
      body.appendChild(el('tr', { dataset: { keyId: key.id, state: key.state } }, [
        el('td', {}, [box]),
        el('td', { class: 'num muted', text: String(key.id) }),
        el('td', { class: 'mono', text: key.masked }),
        stateBadge(key),
        usageCell(key),
        el('td', { class: 'hide-narrow small muted', text: fmtTime(key.last_used_at_ms) }),
        el('td', {}, [el('button', { class: 'btn ghost', type: 'button', text: t('keys.detail'), onclick: () => detail(key) })])
      ]));
    }
    window.GP.pager($('pager'), state.offset, state.limit, state.total, (offset) => { state.offset = offset; load(); });
    renderSelection();
  }

  async function loadUsage() {
    if (state.keys.length === 0) return;
    try {
      const res = await api('GET', '/keys/usage' + query({ ids: state.keys.map((k) => k.id).join(',') }));
      for (const u of res.keys) state.usage[u.id] = u;
      for (const key of state.keys) {
        const cell = document.querySelector('[data-usage-for="' + key.id + '"]');
        const u = state.usage[key.id];
        if (cell && u) cell.textContent = fmtNumber(u.calls_1h) + ' / ' + fmtNumber(u.calls_24h);
      }
    } catch (e) {
      // Usage is extra information; the list stands without it.
    }
  }

  // The filter in force (what "select all" selects).
  function filter() {
    return { state: $('state-filter').value, search: $('search').value.trim(), pool: state.pool };
  }

  // Selects every key matching the filter, on every page: the server lists
  // their ids.
  async function selectAll() {
    const f = filter();
    const res = await api('GET', '/keys/ids' + query(f));
    state.selected = new Set(res.ids);
    state.wholePool = !f.state && !f.search;
    renderTable();
    return res.total;
  }

  function clearSelection() {
    state.selected.clear();
    state.wholePool = false;
    renderTable();
  }

  let loading = 0;
  async function load() {
    const mine = ++loading;
    try {
      const res = await api('GET', '/keys' + query({
        state: $('state-filter').value, search: $('search').value.trim(), sort: $('sort').value,
        order: $('order').value, offset: state.offset, limit: state.limit, pool: state.pool
      }));
      if (mine !== loading) return;
      if (res.keys.length === 0 && state.offset > 0 && res.total > 0) {
        state.offset = Math.max(0, Math.floor((res.total - 1) / state.limit) * state.limit);
        return load();
      }
      state.keys = res.keys;
      state.total = res.total;
      state.summaries = res.summaries || null;
      renderPools();
      renderSummary(res.summary);
      renderTable();
      loadUsage();
    } catch (e) {
      toast(t('common.error', { message: e.message }), 'error');
    }
  }

  // The selection as request bodies: {"all": true} for a whole pool, else
  // the ids in chunks small enough for one request each.
  function selections(chunk) {
    if (state.wholePool) return [{ all: true, pool: state.pool }];
    const ids = [...state.selected];
    const out = [];
    for (let i = 0; i < ids.length; i += chunk) out.push({ ids: ids.slice(i, i + chunk) });
    return out;
  }

  async function bulk(action) {
    if (state.selected.size === 0) {
      toast(t('keys.bulk.none'), 'error');
      return;
    }
    const n = state.selected.size;
    try {
      if (action === 'copy') {
        // The full keys leave the server only now, for this copy.
        const secrets = [];
        for (const body of selections(5000)) secrets.push(...(await api('POST', '/keys/export', body)).secrets);
        await window.GP.copyLines(secrets);
        return;
      }
      if (action === 'delete' && !window.confirm(t('keys.confirm.delete', { n }))) return;
      if (action === 'verify') {
        // 20 keys per request (each key is a real upstream call), with progress.
        const ids = [...state.selected];
        let passed = 0;
        let failed = 0;
        toast(t('keys.verify.running', { n: fmtNumber(n) }));
        for (let i = 0; i < ids.length; i += 20) {
          const res = await api('POST', '/keys/verify', { ids: ids.slice(i, i + 20) });
          passed += res.passed;
          failed += res.failed;
          if (ids.length > 20) toast(t('keys.verify.progress', { done: fmtNumber(passed + failed), n: fmtNumber(n) }));
        }
        $('verify-result').textContent = t('keys.verify.done', { passed, failed });
        toast(t('keys.verify.done', { passed, failed }), failed ? 'error' : 'ok');
      } else {
        let affected = 0;
        for (const body of selections(5000)) affected += (await api('POST', '/keys/' + action, body)).affected;
        toast(t('keys.bulk.done', { action: t('keys.bulk.' + action), n: affected }), 'ok');
        if (action === 'delete') { state.selected.clear(); state.wholePool = false; }
      }
    } catch (e) {
      toast(t('common.error', { message: e.message }), 'error');
    }
    load();
  }

  // "Verify all" and "Copy all": every key matching the filter.
  async function allThen(action) {
    try {
      await selectAll();
    } catch (e) {
      toast(t('common.error', { message: e.message }), 'error');
      return;
    }
    await bulk(action);
  }

  async function addKeys() {
    const text = $('add-text').value;
    if (!text.trim()) return;
    const result = $('add-result');
    result.textContent = t('common.loading');
    try {
      const res = await api('POST', '/keys/add', { text, pool: state.pool });
      $('add-text').value = '';
      result.textContent = t('keys.add.result', { added: res.added, submitted: res.submitted });
      if (res.duplicates.length) {
        result.appendChild(el('div', {
          class: 'muted', 'data-role': 'duplicates',
          text: t('keys.add.duplicates', { n: res.duplicates.length, keys: res.duplicates.slice(0, 20).join(', ') })
        }));
      }
      load();
    } catch (e) {
      result.textContent = t('common.error', { message: e.message });
    }
  }

  async function detail(key) {
    const body = el('div', {}, [el('p', { class: 'muted', text: t('common.loading') })]);
    window.GP.modal(t('keys.detail.title', { id: key.id, key: key.masked }), body);
    try {
      const res = await api('GET', '/keys/detail' + query({ id: key.id }));
      body.textContent = '';
      body.appendChild(el('dl', { class: 'facts' }, [
        el('dt', { text: t('keys.col.state') }), el('dd', {}, [el('span', { class: 'badge ' + key.state, text: t('state.' + key.state) })]),
        el('dt', { text: t('keys.detail.reason') }), el('dd', { text: key.state_reason || '—' }),
        el('dt', { text: t('keys.detail.last_error') }), el('dd', { text: key.last_error || '—' }),
        el('dt', { text: t('keys.col.last_used') }), el('dd', { text: fmtTime(key.last_used_at_ms) }),
        el('dt', { text: t('keys.detail.created') }), el('dd', { text: fmtTime(key.created_at_ms) })
      ]));
      body.appendChild(el('h2', { text: t('keys.detail.models') }));
      const models = el('tbody');
      for (const m of res.models) {
        models.appendChild(el('tr', {}, [
          el('td', { class: 'mono', text: m.model || t('stats.no_model') }),
          el('td', { class: 'num', text: [m.calls_1h, m.calls_24h, m.calls_30d].map(fmtNumber).join(' / ') }),
          el('td', { class: 'num', text: [m.failures_1h, m.failures_24h, m.failures_30d].map(fmtNumber).join(' / ') })
        ]));
      }
      if (!res.models.length) models.appendChild(el('tr', {}, [el('td', { colspan: 3, class: 'muted', text: t('common.none') })]));
      body.appendChild(el('div', { class: 'table-wrap' }, [el('table', {}, [el('thead', {}, [el('tr', {}, [
        el('th', { text: t('keys.detail.model') }), el('th', { class: 'num', text: t('keys.detail.calls') }),
        el('th', { class: 'num', text: t('keys.detail.failures') })])]), models])]));
      body.appendChild(el('h2', { class: 'mt', text: t('keys.detail.errors') }));
      if (!res.errors.length) body.appendChild(el('p', { class: 'muted', text: t('common.none') }));
      for (const e of res.errors) {
        body.appendChild(el('div', { class: 'panel' }, [
          el('div', { class: 'row small' }, [
            el('span', { class: 'muted', text: fmtTime(e.time_ms) }),
            el('span', { class: 'badge bad', text: String(e.status_code) }),
            el('span', { class: 'mono', text: e.error_type }),
            el('span', { class: 'mono muted', text: e.model })
          ]),
          el('pre', { class: 'body', text: e.message })
        ]));
      }
    } catch (e) {
      body.textContent = t('common.error', { message: e.message });
    }
  }

  $('refresh').addEventListener('click', load);
  document.querySelectorAll('#pool-switch [data-pool]').forEach((b) => b.addEventListener('click', () => switchPool(b.dataset.pool)));
  renderPools();
  $('add-submit').addEventListener('click', addKeys);
  $('search').addEventListener('input', window.GP.debounce(() => { state.offset = 0; load(); }, 250));
  for (const id of ['state-filter', 'sort', 'order']) {
    $(id).addEventListener('change', () => { state.offset = 0; load(); });
  }
  $('page-size').addEventListener('change', () => { state.limit = Number($('page-size').value); state.offset = 0; load(); });
  $('select-page').addEventListener('change', () => {
    for (const key of state.keys) {
      if ($('select-page').checked) state.selected.add(key.id); else { state.selected.delete(key.id); state.wholePool = false; }
    }
    renderTable();
  });
  document.querySelectorAll('[data-bulk]').forEach((b) => b.addEventListener('click', () => bulk(b.dataset.bulk)));
  document.querySelectorAll('[data-all]').forEach((b) => b.addEventListener('click', () => allThen(b.dataset.all)));
  $('select-all').addEventListener('click', async () => {
    try {
      const n = await selectAll();
      toast(t('keys.selected_all', { n: fmtNumber(n) }), 'ok');
    } catch (e) {
      toast(t('common.error', { message: e.message }), 'error');
    }
  });
  $('select-none').addEventListener('click', clearSelection);
  window.GP.onLang(() => { renderTable(); load(); });
  setInterval(() => { if (!document.hidden) load(); }, 15000);
  load();
});
