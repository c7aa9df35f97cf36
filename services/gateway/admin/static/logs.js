// The logs page: the request log and the error log, filtered and paged by
// the persistence service; a row opens its detail (the error body, keys
// already redacted, and the request body sent upstream: a page carries its
// first bytes, the open row fetches the rest); rows can be deleted.
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
  const { t, el, api, query, toast, fmtTime, fmtNumber } = window.GP;
  const $ = (id) => document.getElementById(id);
  const state = { tab: 'requests', offset: 0, limit: 50, entries: [], total: 0, selected: new Set() };

  try {
    await window.GP.initPage('logs');
  } catch (e) {
    return;
  }

  const columns = {
    requests: [['logs.col.time', (e) => fmtTime(e.time_ms)], ['logs.col.key', keyText], ['logs.col.model', (e) => e.model],
      ['logs.col.operation', (e) => e.operation + (e.stream ? ' · ' + t('logs.stream') : '')],
      ['logs.col.status', statusBadge], ['logs.col.latency', (e) => t('common.ms', { n: fmtNumber(e.latency_ms) }), 'num'],
      ['logs.col.attempts', (e) => String(e.attempts), 'num'], ['logs.col.request_id', requestIdLink]],
    errors: [['logs.col.time', (e) => fmtTime(e.time_ms)], ['logs.col.key', keyText], ['logs.col.model', (e) => e.model],
      ['logs.col.status', statusBadge], ['logs.col.type', (e) => e.error_type],
      ['logs.col.message', (e) => e.message, 'cell-message'], ['logs.col.request_id', requestIdLink]]
  };

  // A request id (x-request-id): clicking it shows that request's rows in
  // both logs (the filter field applies to either tab).
  function requestIdLink(e) {
    if (!e.request_id) return '—';
    const shown = e.request_id.length > 16 ? e.request_id.slice(0, 12) + '…' : e.request_id;
    return el('a', { href: '#', class: 'request-id mono', title: t('logs.request_id.filter_hint') + ': ' + e.request_id,
      dataset: { requestId: e.request_id },
      onclick: (ev) => { ev.preventDefault(); ev.stopPropagation(); filterByRequest(e.request_id); }, text: shown });
  }
  function filterByRequest(id) {
    $('f-request-id').value = id;
    state.offset = 0;
    state.selected.clear();
    load();
  }

  function keyText(e) {
    if (!e.key_id) return '—';
    return window.GP.keyLabel(e.key, e.key_id);
  }
  function statusBadge(e) {
    const ok = e.status_code >= 200 && e.status_code < 300;
    return el('span', { class: 'badge ' + (ok ? 'ok' : 'bad'), text: String(e.status_code) });
  }

  function toMs(value) {
    return value ? String(window.GP.zoneTimeToMs(value)) : '';  // Typed in TIMEZONE, like the times shown.
  }

  function render() {
    const head = document.querySelector('#logs-table thead');
    const body = document.querySelector('#logs-table tbody');
    head.textContent = '';
    body.textContent = '';
    const cols = columns[state.tab];
    head.appendChild(el('tr', {}, [el('th', {})].concat(cols.map(([label, , cls]) => el('th', { class: cls === 'num' ? 'num' : '', text: t(label) })))));
    if (!state.entries.length) {
      body.appendChild(el('tr', {}, [el('td', { colspan: cols.length + 1, class: 'muted', text: t('common.none') })]));
    }
    for (const entry of state.entries) {
      const box = el('input', { type: 'checkbox', 'aria-label': '#' + entry.id });
      box.checked = state.selected.has(entry.id);
      box.addEventListener('click', (ev) => ev.stopPropagation());
      box.addEventListener('change', () => {
        if (box.checked) state.selected.add(entry.id); else state.selected.delete(entry.id);
        $('selected-count').textContent = t('common.selected', { n: state.selected.size });
      });
      const cells = [el('td', {}, [box])];
      for (const [, fn, cls] of cols) {
        const value = fn(entry);
        cells.push(el('td', { class: cls || '' }, [typeof value === 'string' ? value : value]));
      }
      body.appendChild(el('tr', { class: 'clickable', dataset: { logId: entry.id }, onclick: () => detail(entry) }, cells));
    }
    $('selected-count').textContent = t('common.selected', { n: state.selected.size });
    window.GP.pager($('pager'), state.offset, state.limit, state.total, (offset) => { state.offset = offset; load(); });
  }

  function detail(entry) {
    const facts = el('dl', { class: 'facts' });
    const add = (label, value) => { facts.appendChild(el('dt', { text: t(label) })); facts.appendChild(el('dd', { text: value })); };
    add('logs.col.time', fmtTime(entry.time_ms));
    add('logs.col.key', keyText(entry));
    add('logs.col.model', entry.model || '—');
    add('logs.col.operation', entry.operation || '—');
    add('logs.col.status', String(entry.status_code));
    add('logs.col.request_id', entry.request_id || '—');
    if (state.tab === 'requests') {
      add('logs.col.latency', t('common.ms', { n: fmtNumber(entry.latency_ms) }));
      add('logs.col.attempts', String(entry.attempts));
      add('logs.col.client', entry.client_token_id || '—');
    } else {
      add('logs.col.type', entry.error_type || '—');
    }
    const content = el('div', {}, [facts]);
    if (state.tab === 'errors') {
      content.appendChild(el('pre', { class: 'body', 'data-role': 'error-body', text: entry.message }));
      // Recorded only while ERROR_LOG_RECORD_REQUEST_BODY is on.
      content.appendChild(el('h4', { text: t('logs.detail.request_body') }));
      const body = el('pre', { class: 'body', 'data-role': 'request-body',
        text: entry.request_body || t('logs.detail.request_body_none') });
      if (entry.request_body_truncated) {
        // A page carries only the body's first bytes: the whole body comes
        // by the row's id, now that the row is open.
        const status = el('p', { class: 'small muted', 'data-role': 'request-body-status' });
        content.appendChild(status);
        content.appendChild(body);
        loadWholeBody(entry, body, status);
      } else {
        content.appendChild(body);
      }
    }
    window.GP.modal(t('logs.detail.title', { id: entry.id }), content);
  }

  // Fetches the whole request body of error row `entry` into `body`, saying
  // in `status` how much is shown; on failure the preview stays, with the
  // reason and a button to try again.
  async function loadWholeBody(entry, body, status) {
    const total = fmtNumber(entry.request_body_bytes);
    const shown = fmtNumber(new TextEncoder().encode(entry.request_body).length);
    status.className = 'small muted';
    status.dataset.state = 'loading';
    status.textContent = t('logs.detail.request_body_loading', { shown, n: total });
    try {
      const whole = await api('GET', '/logs/errors/' + encodeURIComponent(entry.id));
      body.textContent = whole.request_body || t('logs.detail.request_body_none');
      status.dataset.state = 'whole';
      status.textContent = t('logs.detail.request_body_bytes', { n: fmtNumber(whole.request_body_bytes) });
    } catch (e) {
      status.className = 'small error-text';
      status.dataset.state = 'failed';
      status.textContent = t('logs.detail.request_body_failed', { shown, n: total, message: e.message });
      status.appendChild(document.createTextNode(' '));
      status.appendChild(el('button', { class: 'btn', type: 'button', 'data-role': 'request-body-retry',
        text: t('logs.detail.request_body_show_all', { n: total }),
        onclick: () => loadWholeBody(entry, body, status) }));
    }
  }

  let loading = 0;
  async function load() {
    const mine = ++loading;
    try {
      const res = await api('GET', '/logs/' + state.tab + query({
        since: toMs($('f-since').value), until: toMs($('f-until').value), key: $('f-key').value.trim(),
        model: $('f-model').value.trim(), status: $('f-status').value, text: $('f-text').value.trim(),
        request_id: $('f-request-id').value.trim(),
        offset: state.offset, limit: state.limit
      }));
      if (mine !== loading) return;
      state.entries = res.entries;
      state.total = res.total;
      render();
    } catch (e) {
      toast(t('common.error', { message: e.message }), 'error');
    }
  }

  async function remove(all) {
    const table = state.tab === 'requests' ? 'request' : 'error';
    const n = state.selected.size;
    if (!all && n === 0) return;
    if (!window.confirm(all ? t('logs.confirm.delete_all') : t('logs.confirm.delete', { n }))) return;
    try {
      const res = await api('POST', '/logs/delete', all ? { table, all: true } : { table, ids: [...state.selected] });
      state.selected.clear();
      toast(t('logs.deleted', { n: res.deleted }), 'ok');
    } catch (e) {
      toast(t('common.error', { message: e.message }), 'error');
    }
    load();
  }

  document.querySelectorAll('[data-tab]').forEach((b) => b.addEventListener('click', () => {
    state.tab = b.dataset.tab;
    state.offset = 0;
    state.selected.clear();
    document.querySelectorAll('[data-tab]').forEach((x) => x.classList.toggle('active', x === b));
    load();
  }));
  $('filters').addEventListener('submit', (e) => { e.preventDefault(); state.offset = 0; load(); });
  $('clear').addEventListener('click', () => {
    for (const id of ['f-since', 'f-until', 'f-key', 'f-model', 'f-status', 'f-text', 'f-request-id']) $(id).value = '';
    state.offset = 0;
    load();
  });
  $('refresh').addEventListener('click', load);
  $('page-size').addEventListener('change', () => { state.limit = Number($('page-size').value); state.offset = 0; load(); });
  $('delete-selected').addEventListener('click', () => remove(false));
  $('delete-all').addEventListener('click', () => remove(true));
  window.GP.onLang(render);
  const params = new URLSearchParams(location.search);
  if (params.get('request_id')) $('f-request-id').value = params.get('request_id');
  if (params.get('tab') === 'errors') document.querySelector('[data-tab=errors]').click(); else load();
});
