// The proxies panel of the configuration page: each PROXIES entry's health as
// the key broker last checked it (every 5 minutes), and a button that checks
// them all now. A dead proxy is skipped by every gateway until a later check
// reaches it.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  const { t, el, api, toast, fmtTime } = window.GP;
  const panel = document.getElementById('proxies-panel');
  if (!panel) return;

  function render(data) {
    panel.textContent = '';
    const button = el('button', { class: 'btn', type: 'button', 'data-role': 'check-proxies', text: t('proxies.check') });
    button.onclick = async () => {
      button.disabled = true;
      try {
        render(await api('POST', '/proxies/check'));
      } catch (e) {
        toast(t('common.error', { message: e.message }), 'error');
        button.disabled = false;
      }
    };
    panel.appendChild(el('div', { class: 'row' }, [el('h2', { text: t('proxies.title') }), el('span', { class: 'spacer' }), button]));
    panel.appendChild(el('p', { class: 'muted small', text: t('proxies.intro', { minutes: Math.round((data.interval_seconds || 300) / 60) }) }));
    if (!data.proxies || data.proxies.length === 0) {
      panel.appendChild(el('p', { class: 'muted', text: t('proxies.none') }));
      return;
    }
    const head = el('tr', {}, ['proxies.col.proxy', 'proxies.col.state', 'proxies.col.checked', 'proxies.col.latency', 'proxies.col.error']
      .map((k) => el('th', { text: t(k) })));
    const rows = data.proxies.map((p) => {
      const state = p.checked_at_ms === 0 ? 'unchecked' : (p.alive ? 'alive' : 'dead');
      return el('tr', { dataset: { proxyState: state } }, [
        el('td', { text: p.proxy }),
        el('td', {}, [el('span', { class: 'badge ' + (state === 'dead' ? 'disabled' : state === 'alive' ? 'active' : ''), text: t('proxies.state.' + state) })]),
        el('td', { text: p.checked_at_ms ? fmtTime(p.checked_at_ms) : '—' }),
        el('td', { class: 'num', text: p.checked_at_ms ? t('common.ms', { n: p.latency_ms }) : '—' }),
        el('td', { class: 'cell-message', text: p.error || '' })
      ]);
    });
    panel.appendChild(el('div', { class: 'table-wrap' }, [el('table', { 'data-role': 'proxies' }, [el('thead', {}, [head]), el('tbody', {}, rows)])]));
  }

  api('GET', '/proxies').then(render).catch(() => { panel.textContent = ''; });
});
