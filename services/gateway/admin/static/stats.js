// The statistics page: totals for the last minute, hour, day, 30 days and
// the calendar month (in the server's TIMEZONE), a chart of calls over time
// drawn as inline SVG (no chart library), and the keys that need attention
// (most 429 / 403 / 400 answers in 24 hours).
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
  const { t, el, api, query, toast, fmtNumber, fmtRate, zoneParts, svg, niceMax, keyLabel } = window.GP;
  const $ = (id) => document.getElementById(id);
  let range = '24h';
  let last = null;

  try {
    await window.GP.initPage('stats');
  } catch (e) {
    return;
  }

  // Bucket labels in TIMEZONE: days for the 30-day range, else hh:mm.
  function label(ms, bucketMs) {
    const p = zoneParts(ms);
    if (bucketMs >= 86400000) return p.month + '-' + p.day;
    return p.hour + ':' + p.minute;
  }

  function chart(data) {
    const W = 900, H = 260, L = 44, R = 10, T = 10, B = 28;
    const box = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': t('stats.chart.title') });
    const max = niceMax(Math.max(0, ...data.buckets.map((b) => b.calls)));
    const n = data.buckets.length;
    const slot = (W - L - R) / n;
    const y = (v) => T + (H - T - B) * (1 - v / max);
    for (let i = 0; i <= 4; i++) {
      const v = (max / 4) * i;
      box.appendChild(svg('line', { class: i ? 'grid' : 'axis', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
      box.appendChild(svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, fmtNumber(Math.round(v))));
    }
    const every = Math.ceil(n / 8);
    data.buckets.forEach((b, i) => {
      const x = L + i * slot + slot * 0.12;
      const w = Math.max(1, slot * 0.76);
      if (b.successes > 0) {
        box.appendChild(svg('rect', { class: 'bar-ok', x, width: w, y: y(b.successes), height: y(0) - y(b.successes) }));
      }
      if (b.failures > 0) {
        box.appendChild(svg('rect', { class: 'bar-bad', x, width: w, y: y(b.calls), height: y(b.successes) - y(b.calls) }));
      }
      if (b.calls > 0) {
        const tip = svg('title', {}, label(b.start_ms, data.bucket_ms) + ' · ' + t('stats.calls', { n: b.calls }) + ' · ' +
            t('stats.success_rate', { rate: fmtRate(b.successes, b.calls) }));
        const attrs = { x: L + i * slot, width: slot, y: T, height: H - T - B, fill: 'transparent', 'data-bucket': i };
        if (data.bucket_ms >= 86400000) {
          const p = zoneParts(b.start_ms);
          attrs['data-day'] = p.year + '-' + p.month + '-' + p.day;  // The calendar day in TIMEZONE.
        }
        const hit = svg('rect', attrs);
        hit.appendChild(tip);
        box.appendChild(hit);
      }
      if (i % every === 0) {
        box.appendChild(svg('text', { x: L + i * slot + slot / 2, y: H - 8, 'text-anchor': 'middle' }, label(b.start_ms, data.bucket_ms)));
      }
    });
    return box;
  }

  function table(node, rows, first) {
    node.textContent = '';
    node.appendChild(el('thead', {}, [el('tr', {}, [
      el('th', { text: t(first === 'model' ? 'stats.col.model' : 'stats.col.key') }),
      el('th', { class: 'num', text: t('stats.col.calls') }), el('th', { class: 'num', text: t('stats.col.failures') }),
      el('th', { class: 'num', text: t('stats.col.rate') }), el('th', { class: 'num', text: t('stats.col.latency') })])]));
    const body = el('tbody');
    for (const r of rows) {
      const name = first === 'model' ? (r.model || t('stats.no_model'))
        : (r.key_id ? keyLabel(r.key, r.key_id) : t('stats.no_key'));
      body.appendChild(el('tr', {}, [el('td', { class: 'mono', text: name }),
        el('td', { class: 'num', text: fmtNumber(r.calls) }), el('td', { class: 'num', text: fmtNumber(r.failures) }),
        el('td', { class: 'num', text: fmtRate(r.successes, r.calls) }),
        el('td', { class: 'num', text: t('common.ms', { n: fmtNumber(r.avg_latency_ms) }) })]));
    }
    if (!rows.length) body.appendChild(el('tr', {}, [el('td', { colspan: 5, class: 'muted', text: t('common.none') })]));
    node.appendChild(body);
  }

  function render(data) {
    const windows = $('windows');
    windows.textContent = '';
    for (const w of ['1m', '1h', '24h', 'month', '30d']) {
      const s = data.windows[w];
      if (!s) continue;
      const name = w === 'month'
        ? t('stats.window.month', { month: zoneParts(s.since_ms).year + '-' + zoneParts(s.since_ms).month })
        : t('stats.window.' + w);
      windows.appendChild(el('div', { class: 'card', dataset: { window: w, calls: s.calls } }, [
        el('div', { class: 'label', text: name }),
        el('div', { class: 'value', text: fmtNumber(s.calls) }),
        el('div', { class: 'sub', text: t('stats.success_rate', { rate: fmtRate(s.successes, s.calls) }) })
      ]));
    }
    $('latency').textContent = t('stats.latency') + ': p50 ' + t('common.ms', { n: fmtNumber(data.latency.p50) }) +
        ' · p90 ' + t('common.ms', { n: fmtNumber(data.latency.p90) }) + ' · p99 ' + t('common.ms', { n: fmtNumber(data.latency.p99) }) +
        ' · ' + t('stats.latency.avg') + ' ' + t('common.ms', { n: fmtNumber(data.avg_latency_ms) });
    $('chart-zone').textContent = t('common.timezone', { zone: data.timezone || window.GP.zone() });
    const holder = $('chart');
    holder.textContent = '';
    holder.appendChild(chart(data));
    table($('by-model'), data.by_model, 'model');
    table($('by-key'), data.by_key, 'key');
  }

  function renderAttention(data) {
    const node = $('attention');
    node.textContent = '';
    node.appendChild(el('thead', {}, [el('tr', {}, [
      el('th', { text: t('stats.col.key') }),
      el('th', { class: 'num', text: t('stats.attention.count', { status: data.status }) })])]));
    const body = el('tbody');
    for (const k of data.keys) {
      body.appendChild(el('tr', { dataset: { keyId: k.key_id, count: k.count } }, [
        el('td', { class: 'mono', text: keyLabel(k.key, k.key_id) }),
        el('td', { class: 'num', text: fmtNumber(k.count) })]));
    }
    if (!data.keys.length) body.appendChild(el('tr', {}, [el('td', { colspan: 2, class: 'muted', text: t('common.none') })]));
    node.appendChild(body);
  }

  let lastAttention = null;
  async function loadAttention() {
    try {
      lastAttention = await api('GET', '/stats/attention' + query({ status: $('attention-status').value, limit: $('attention-limit').value }));
      renderAttention(lastAttention);
    } catch (e) {
      toast(t('common.error', { message: e.message }), 'error');
    }
  }

  async function load() {
    try {
      last = await api('GET', '/stats' + query({ range }));
      // A TIMEZONE saved on the configuration page shows here at the next load.
      if (last.timezone && last.timezone !== window.GP.zone()) window.GP.setZone(last.timezone);
      render(last);
    } catch (e) {
      toast(t('common.error', { message: e.message }), 'error');
    }
    loadAttention();
  }

  document.querySelectorAll('[data-range]').forEach((b) => b.addEventListener('click', () => {
    range = b.dataset.range;
    document.querySelectorAll('[data-range]').forEach((x) => x.classList.toggle('active', x === b));
    load();
  }));
  $('refresh').addEventListener('click', load);
  for (const id of ['attention-status', 'attention-limit']) $(id).addEventListener('change', loadAttention);
  window.GP.onLang(() => { if (last) render(last); if (lastAttention) renderAttention(lastAttention); });
  setInterval(() => { if (!document.hidden) load(); }, 30000);
  load();
});
