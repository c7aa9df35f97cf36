// The statistics page's token usage section (/api/usage): totals (prompt,
// completion, thinking, cached, total), a stacked bar chart per calendar day
// in the server's TIMEZONE, and the top models, keys and client tokens by
// total tokens. Client tokens show by id, with the managed token's name
// beside it when the server knows one. Inline SVG, no chart library.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  const { t, el, api, query, fmtNumber, fmtRate, svg, niceMax, keyLabel } = window.GP;
  const $ = (id) => document.getElementById(id);
  if (!$('usage')) return;
  let since = '7d';
  let last = null;  // { by: {model, key, token} } of the last load.

  // Prompt (with tool-use prompt), completion and thinking stacked per day.
  function parts(d) {
    return [['usage-prompt', d.prompt_tokens + d.tool_use_prompt_tokens], ['usage-completion', d.candidates_tokens],
      ['usage-thinking', d.thoughts_tokens]];
  }

  function chart(days) {
    const W = 900, H = 220, L = 60, R = 10, T = 10, B = 28;
    const box = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': t('usage.title') });
    const max = niceMax(Math.max(0, ...days.map((d) => parts(d).reduce((s, p) => s + p[1], 0))));
    const slot = (W - L - R) / Math.max(1, days.length);
    const y = (v) => T + (H - T - B) * (1 - v / max);
    for (let i = 0; i <= 4; i++) {
      const v = (max / 4) * i;
      box.appendChild(svg('line', { class: i ? 'grid' : 'axis', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
      box.appendChild(svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, fmtNumber(Math.round(v))));
    }
    const every = Math.ceil(days.length / 10);
    days.forEach((d, i) => {
      const x = L + i * slot + slot * 0.15;
      const w = Math.max(1, slot * 0.7);
      let base = 0;
      for (const [cls, n] of parts(d)) {
        if (n <= 0) continue;
        box.appendChild(svg('rect', { class: cls, x, width: w, y: y(base + n), height: y(base) - y(base + n) }));
        base += n;
      }
      const hit = svg('rect', { x: L + i * slot, width: slot, y: T, height: H - T - B, fill: 'transparent',
        'data-day': d.date, 'data-total': d.total_tokens });
      hit.appendChild(svg('title', {}, d.date + ' · ' + t('usage.total') + ' ' + fmtNumber(d.total_tokens) + ' · ' +
          t('usage.requests', { n: fmtNumber(d.requests) })));
      box.appendChild(hit);
      if (i % every === 0) {
        box.appendChild(svg('text', { x: L + i * slot + slot / 2, y: H - 8, 'text-anchor': 'middle' }, d.date.slice(5)));
      }
    });
    return box;
  }

  function totals(total) {
    const node = $('usage-totals');
    node.textContent = '';
    const cards = [
      ['prompt', total.prompt_tokens + total.tool_use_prompt_tokens,
        total.tool_use_prompt_tokens ? t('usage.tool_use', { n: fmtNumber(total.tool_use_prompt_tokens) }) : ''],
      ['completion', total.candidates_tokens, ''],
      ['thinking', total.thoughts_tokens, ''],
      ['cached', total.cached_tokens, t('usage.cached_share', { rate: fmtRate(total.cached_tokens, total.prompt_tokens) })],
      ['total', total.total_tokens, t('usage.requests', { n: fmtNumber(total.requests) })]];
    for (const [name, value, sub] of cards) {
      node.appendChild(el('div', { class: 'card', dataset: { usage: name, value } }, [
        el('div', { class: 'label', text: t('usage.' + name) }),
        el('div', { class: 'value', text: fmtNumber(value) }),
        el('div', { class: 'sub', text: sub })]));
    }
  }

  function groupName(by, g) {
    if (by === 'model') return g.group || t('stats.no_model');
    if (by === 'key') {
      if (!g.key_id) return t('stats.no_key');
      return keyLabel(g.key, g.key_id);
    }
    if (!g.group) return t('usage.no_token');
    return g.name ? g.name + ' (' + g.group + ')' : g.group;
  }

  function table(node, by, report) {
    node.textContent = '';
    const first = { model: 'stats.col.model', key: 'stats.col.key', token: 'usage.col.token' }[by];
    node.appendChild(el('thead', {}, [el('tr', {}, [el('th', { text: t(first) }),
      el('th', { class: 'num', text: t('usage.col.requests') }), el('th', { class: 'num', text: t('usage.col.total') })])]));
    const body = el('tbody');
    for (const g of report.groups) {
      // The breakdown on hover: three tables side by side leave room for three columns.
      const breakdown = t('usage.prompt') + ' ' + fmtNumber(g.prompt_tokens + g.tool_use_prompt_tokens) + ' · ' +
          t('usage.completion') + ' ' + fmtNumber(g.candidates_tokens) + ' · ' + t('usage.thinking') + ' ' +
          fmtNumber(g.thoughts_tokens) + ' · ' + t('usage.cached') + ' ' + fmtNumber(g.cached_tokens);
      body.appendChild(el('tr', { title: breakdown, dataset: { group: g.group, total: g.total_tokens } }, [
        el('td', { class: 'mono', text: groupName(by, g) }),
        el('td', { class: 'num', text: fmtNumber(g.requests) }),
        el('td', { class: 'num', text: fmtNumber(g.total_tokens) })]));
    }
    if (!report.groups.length) body.appendChild(el('tr', {}, [el('td', { colspan: 3, class: 'muted', text: t('common.none') })]));
    if (report.other_groups > 0) {
      body.appendChild(el('tr', {}, [el('td', { colspan: 3, class: 'muted small', text: t('usage.others', { n: report.other_groups }) })]));
    }
    node.appendChild(body);
  }

  function render() {
    if (!last) return;
    totals(last.model.total);
    $('usage-zone').textContent = t('usage.days_zone', { zone: last.model.timezone });
    const holder = $('usage-chart');
    holder.textContent = '';
    holder.appendChild(chart(last.model.days));
    table($('usage-models'), 'model', last.model);
    table($('usage-keys'), 'key', last.key);
    table($('usage-tokens'), 'token', last.token);
  }

  async function load() {
    try {
      const by = {};
      await Promise.all(['model', 'key', 'token'].map(async (b) => {
        by[b] = await api('GET', '/usage' + query({ since, by: b, limit: 10 }));
      }));
      last = by;
      render();
      $('usage').dataset.loaded = since;
    } catch (e) {
      // The page's own loader reports errors (and a lost session).
    }
  }

  document.querySelectorAll('[data-usage-since]').forEach((b) => b.addEventListener('click', () => {
    since = b.dataset.usageSince;
    document.querySelectorAll('[data-usage-since]').forEach((x) => x.classList.toggle('active', x === b));
    load();
  }));
  $('refresh').addEventListener('click', load);
  window.GP.onLang(render);
  setInterval(() => { if (!document.hidden) load(); }, 30000);
  load();
});
