// The statistics page: totals for the last minute, hour, day and month, and
// a chart of calls over time drawn as inline SVG (no chart library).
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
  const { t, el, api, query, toast, fmtNumber, fmtRate } = window.GP;
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';
  let range = '24h';
  let last = null;

  try {
    await window.GP.initPage('stats');
  } catch (e) {
    return;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function label(ms, bucketMs) {
    const d = new Date(ms);
    const p = (n) => String(n).padStart(2, '0');
    if (bucketMs >= 86400000) return p(d.getMonth() + 1) + '-' + p(d.getDate());
    return p(d.getHours()) + ':' + p(d.getMinutes());
  }

  function niceMax(v) {
    if (v <= 5) return 5;
    const pow = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= v) return m * pow;
    return 10 * pow;
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
        const hit = svg('rect', { x: L + i * slot, width: slot, y: T, height: H - T - B, fill: 'transparent', 'data-bucket': i });
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
        : (r.key_id ? (r.key ? r.key + ' (#' + r.key_id + ')' : '#' + r.key_id) : t('stats.no_key'));
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
    for (const w of ['1m', '1h', '24h', '30d']) {
      const s = data.windows[w];
      windows.appendChild(el('div', { class: 'card', dataset: { window: w, calls: s.calls } }, [
        el('div', { class: 'label', text: t('stats.window.' + w) }),
        el('div', { class: 'value', text: fmtNumber(s.calls) }),
        el('div', { class: 'sub', text: t('stats.success_rate', { rate: fmtRate(s.successes, s.calls) }) })
      ]));
    }
    $('latency').textContent = t('stats.latency') + ': p50 ' + t('common.ms', { n: fmtNumber(data.latency.p50) }) +
        ' · p90 ' + t('common.ms', { n: fmtNumber(data.latency.p90) }) + ' · p99 ' + t('common.ms', { n: fmtNumber(data.latency.p99) }) +
        ' · ' + t('stats.latency.avg') + ' ' + t('common.ms', { n: fmtNumber(data.avg_latency_ms) });
    const holder = $('chart');
    holder.textContent = '';
    holder.appendChild(chart(data));
    table($('by-model'), data.by_model, 'model');
    table($('by-key'), data.by_key, 'key');
  }

  async function load() {
    try {
      last = await api('GET', '/stats' + query({ range }));
      render(last);
    } catch (e) {
      toast(t('common.error', { message: e.message }), 'error');
    }
  }

  document.querySelectorAll('[data-range]').forEach((b) => b.addEventListener('click', () => {
    range = b.dataset.range;
    document.querySelectorAll('[data-range]').forEach((x) => x.classList.toggle('active', x === b));
    load();
  }));
  $('refresh').addEventListener('click', load);
  window.GP.onLang(() => { if (last) render(last); });
  setInterval(() => { if (!document.hidden) load(); }, 30000);
  load();
});
