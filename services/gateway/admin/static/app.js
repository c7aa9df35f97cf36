// Shared by every admin page: language (follows the browser, switchable,
// remembered), the JSON API with the session's CSRF token, the page header,
// and small helpers. No framework, no network fetch besides this gateway.
'use strict';

(function () {
  const LANG_KEY = 'gempool.lang';
  const LANGS = [['en', 'English'], ['zh-CN', '中文']];
  let csrfToken = '';

  function pickLang() {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved && window.GP_I18N[saved]) return saved;
    const wanted = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en']);
    for (const l of wanted) {
      if (String(l).toLowerCase().startsWith('zh')) return 'zh-CN';
      if (String(l).toLowerCase().startsWith('en')) return 'en';
    }
    return 'en';
  }

  let lang = pickLang();

  // The text of `key` in the current language, with {name} filled from params.
  function t(key, params) {
    const dict = window.GP_I18N[lang] || window.GP_I18N.en;
    let text = dict[key];
    if (text === undefined) text = window.GP_I18N.en[key];
    if (text === undefined) text = key;
    if (params) {
      text = text.replace(/\{(\w+)\}/g, (m, name) => (params[name] === undefined ? m : String(params[name])));
    }
    return text;
  }

  // Fills every element marked data-i18n (text), data-i18n-placeholder,
  // data-i18n-title and data-i18n-aria-label under `root`.
  function applyI18n(root) {
    const r = root || document;
    document.documentElement.lang = lang;
    r.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    r.querySelectorAll('[data-i18n-placeholder]').forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    r.querySelectorAll('[data-i18n-title]').forEach((el) => { el.title = t(el.dataset.i18nTitle); });
    r.querySelectorAll('[data-i18n-aria-label]').forEach((el) => { el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel)); });
    const title = document.querySelector('title[data-i18n-page]');
    if (title) document.title = t(title.dataset.i18nPage) + ' · ' + t('app.title');
  }

  const langListeners = [];
  function setLang(next) {
    if (!window.GP_I18N[next]) return;
    lang = next;
    localStorage.setItem(LANG_KEY, next);
    applyI18n(document);
    document.querySelectorAll('select.lang-switch').forEach((s) => { s.value = next; });
    const zoneLabel = document.getElementById('time-zone');
    if (zoneLabel) zoneLabel.textContent = t('common.timezone', { zone });
    langListeners.forEach((fn) => fn(next));
  }

  // Builds an element: el('td', {class: 'x', text: 'y'}, [children]).
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'text') node.textContent = value;
      else if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else if (name === 'dataset') Object.assign(node.dataset, value);
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of [].concat(children || [])) {
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  class ApiError extends Error {
    constructor(status, message, body) {
      super(message);
      this.status = status;
      this.body = body;
    }
  }

  // Calls the admin API. POSTs send JSON with the CSRF token; a 401 sends
  // the browser back to the login page.
  async function api(method, path, body) {
    const headers = { 'Accept': 'application/json' };
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      headers['X-CSRF-Token'] = csrfToken;
      init.body = JSON.stringify(body || {});
    }
    const res = await fetch('/api' + path, init);
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    if (res.status === 401 && path !== '/login') {
      toast(t('common.session_expired'), 'error');
      setTimeout(() => { location.href = '/'; }, 800);
    }
    if (!res.ok) {
      const message = (data.error && data.error.message) || res.statusText || String(res.status);
      throw new ApiError(res.status, message, data);
    }
    return data;
  }

  function query(params) {
    const parts = [];
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined || v === null || v === '') continue;
      parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(v));
    }
    return parts.length ? '?' + parts.join('&') : '';
  }

  let toastTimer = null;
  function toast(message, kind) {
    let box = document.getElementById('toast');
    if (!box) {
      box = el('div', { id: 'toast', role: 'status', 'aria-live': 'polite' });
      document.body.appendChild(box);
    }
    box.textContent = message;
    box.className = 'toast show ' + (kind || 'info');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.className = 'toast'; }, kind === 'error' ? 8000 : 4000);
  }

  // Times are shown in the server's TIMEZONE (from /api/session and the
  // statistics), not the browser's, so every admin sees the same clock.
  let zone = 'UTC';
  let zoneFormat = null;
  function setZone(name) {
    let next = 'UTC';
    try {
      zoneFormat = new Intl.DateTimeFormat('en-US', {
        timeZone: name || 'UTC', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit'
      });
      next = name || 'UTC';
    } catch (e) {
      // A zone this browser does not know: UTC, and the label says so.
      zoneFormat = null;
    }
    zone = next;
    const label = document.getElementById('time-zone');
    if (label) label.textContent = t('common.timezone', { zone });
  }
  // The calendar fields of `ms` in the zone, as two-digit strings.
  function zoneParts(ms) {
    if (!zoneFormat) setZone(zone);
    const p = {};
    for (const part of zoneFormat.formatToParts(new Date(Number(ms)))) p[part.type] = part.value;
    return { year: p.year, month: p.month, day: p.day, hour: p.hour === '24' ? '00' : p.hour, minute: p.minute, second: p.second };
  }
  // Unix ms of a local "YYYY-MM-DDTHH:MM[:SS]" (a datetime-local input) read
  // in the zone: the zone's offset at that moment, checked once more in case
  // it crosses a DST change.
  function zoneTimeToMs(text) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text || '');
    if (!m) return NaN;
    const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    const offsetAt = (ms) => {
      const p = zoneParts(ms);
      return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000;
    };
    let ms = asUtc - offsetAt(asUtc);
    const again = asUtc - offsetAt(ms);
    if (again !== ms) ms = again;
    return ms;
  }
  function fmtTime(ms) {
    if (!ms) return t('common.never');
    const p = zoneParts(ms);
    return p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute + ':' + p.second;
  }
  function fmtNumber(n) { return Number(n || 0).toLocaleString(lang); }
  function fmtRate(ok, total) { return total ? (100 * ok / total).toFixed(1) + '%' : '—'; }

  // A modal dialog with `title` and `content`; returns a close function.
  function modal(title, content) {
    const overlay = el('div', { class: 'modal-overlay', role: 'dialog', 'aria-modal': 'true' });
    const close = () => overlay.remove();
    const box = el('div', { class: 'modal' }, [
      el('div', { class: 'modal-head' }, [
        el('h2', { text: title }),
        el('button', { class: 'btn ghost', type: 'button', text: t('common.close'), onclick: close, 'data-role': 'close' })
      ]),
      el('div', { class: 'modal-body' }, [content])
    ]);
    overlay.appendChild(box);
    overlay.addEventListener('click', (e) => { if (e.target === overlay) close(); });
    document.addEventListener('keydown', function onKey(e) {
      if (e.key === 'Escape') { close(); document.removeEventListener('keydown', onKey); }
    });
    document.body.appendChild(overlay);
    return close;
  }

  // Copies `lines` to the clipboard, or shows them to copy by hand (the
  // clipboard API needs HTTPS or localhost).
  async function copyLines(lines) {
    const text = lines.join('\n');
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      toast(t('common.copied', { n: lines.length }), 'ok');
    } catch (e) {
      const area = el('textarea', { class: 'copy-area', readonly: true, rows: Math.min(20, lines.length + 1) });
      area.value = text;
      modal(t('keys.bulk.copy'), el('div', {}, [el('p', { text: t('common.copy_manual') }), area]));
      area.focus();
      area.select();
    }
  }

  function langSelect() {
    const select = el('select', { class: 'lang-switch', 'data-i18n-aria-label': 'nav.language' });
    for (const [code, name] of LANGS) select.appendChild(el('option', { value: code, text: name }));
    select.value = lang;
    select.addEventListener('change', () => setLang(select.value));
    return select;
  }

  // The header of a logged-in page: brand, navigation, language, logout.
  function header(active) {
    const nav = el('nav', { class: 'nav' });
    for (const page of ['keys', 'tokens', 'config', 'logs', 'stats']) {
      nav.appendChild(el('a', {
        href: '/' + page, 'data-i18n': 'nav.' + page, class: page === active ? 'active' : '',
        'aria-current': page === active ? 'page' : undefined
      }));
    }
    const logout = el('button', {
      class: 'btn ghost', type: 'button', id: 'logout', 'data-i18n': 'nav.logout',
      onclick: async () => {
        try { await api('POST', '/logout'); } catch (e) { /* Gone already. */ }
        location.href = '/';
      }
    });
    const bar = el('header', { class: 'topbar' }, [
      el('a', { class: 'brand', href: '/keys', text: 'gempool' }),
      nav,
      el('div', { class: 'topbar-right' }, [el('span', { id: 'time-zone', class: 'small muted', text: t('common.timezone', { zone }) }),
        langSelect(), logout])
    ]);
    document.body.insertBefore(bar, document.body.firstChild);
  }

  // Starts a logged-in page: header, session (for the CSRF token), words.
  async function initPage(active) {
    header(active);
    applyI18n(document);
    const session = await api('GET', '/session');
    csrfToken = session.csrf_token || '';
    setZone(session.timezone || 'UTC');
    return session;
  }

  // Pager: renders into `node`; onPage(offset) when a button is used.
  function pager(node, offset, limit, total, onPage) {
    node.textContent = '';
    const pages = Math.max(1, Math.ceil(total / limit));
    const page = Math.floor(offset / limit) + 1;
    node.appendChild(el('button', {
      class: 'btn', type: 'button', 'data-role': 'prev', text: t('common.prev'), disabled: page <= 1,
      onclick: () => onPage(Math.max(0, offset - limit))
    }));
    node.appendChild(el('span', { class: 'pager-info', text: t('common.page', { page, pages, total: fmtNumber(total) }) }));
    node.appendChild(el('button', {
      class: 'btn', type: 'button', 'data-role': 'next', text: t('common.next'), disabled: page >= pages,
      onclick: () => onPage(offset + limit)
    }));
  }

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  // An SVG element for the pages' charts (inline SVG, no chart library).
  function svg(tag, attrs, text) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A round top for a chart's axis: 5 at least, else 1, 2, 2.5, 5 or 10 times a power of ten.
  function niceMax(v) {
    if (v <= 5) return 5;
    const pow = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= v) return m * pow;
    return 10 * pow;
  }

  // A key as the pages show it: "AIzaSy...abcd (#12)", or "#12" when its mask is unknown (a removed key).
  function keyLabel(key, keyId) {
    return key ? key + ' (#' + keyId + ')' : '#' + keyId;
  }

  window.GP = {
    t, applyI18n, setLang, lang: () => lang, onLang: (fn) => langListeners.push(fn), el, api, ApiError, query,
    toast, fmtTime, fmtNumber, fmtRate, modal, copyLines, langSelect, initPage, pager, debounce,
    zone: () => zone, setZone, zoneParts, zoneTimeToMs, svg, niceMax, keyLabel,
    setCsrf: (token) => { csrfToken = token; }
  };
})();
