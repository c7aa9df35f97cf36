// The configuration page: every setting grouped and explained, with its value
// in force, default and source; edits are checked as you type (the server
// validates with the same parsers start-up uses) and saved together.
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
  const { t, el, api, toast, fmtTime } = window.GP;
  const $ = (id) => document.getElementById(id);
  const GROUPS = ['keys', 'clients', 'upstream', 'models', 'files', 'logs', 'admin', 'storage', 'network'];
  const BOOLEANS = new Set(['AUTO_DELETE_REQUEST_LOGS_ENABLED', 'AUTO_DELETE_ERROR_LOGS_ENABLED']);
  const MULTILINE = new Set(['ALLOWED_TOKENS', 'PROXIES', 'CUSTOM_HEADERS', 'API_KEYS', 'VERTEX_API_KEYS', 'ANTHROPIC_MODEL_MAP']);
  // Secrets whose empty value means something (no paid key, no proxies).
  const CLEARABLE = new Set(['PAID_KEY', 'PROXIES']);
  let settings = [];
  const edits = new Map();   // name → text typed
  const errors = new Map();  // name → message
  const inputs = new Map();  // name → control

  try {
    await window.GP.initPage('config');
  } catch (e) {
    return;
  }

  function control(s) {
    let input;
    if (BOOLEANS.has(s.name) || s.name === 'LOG_LEVEL') {
      input = el('select', { id: 'setting-' + s.name, name: s.name, disabled: !s.editable });
      const options = s.name === 'LOG_LEVEL' ? ['DEBUG', 'INFO', 'WARNING', 'ERROR'] : ['true', 'false'];
      for (const o of options) input.appendChild(el('option', { value: o, text: o }));
      const current = (s.value || s.default || '').toUpperCase();
      input.value = s.name === 'LOG_LEVEL' ? (current === 'WARN' ? 'WARNING' : current)
        : (['false', '0', 'no', 'off'].includes((s.value || s.default).toLowerCase()) ? 'false' : 'true');
    } else if (MULTILINE.has(s.name) && !s.secret) {
      input = el('textarea', { id: 'setting-' + s.name, name: s.name, rows: 2, disabled: !s.editable, spellcheck: 'false' });
      input.value = s.value;
    } else {
      input = el('input', { type: s.secret ? 'password' : 'text', id: 'setting-' + s.name, name: s.name,
        disabled: !s.editable, autocomplete: 'off', spellcheck: 'false' });
      if (s.secret) {
        input.placeholder = s.is_set ? s.value + ' — ' + t('config.secret_placeholder') : t('config.secret_placeholder');
      } else {
        input.value = s.value;
        input.placeholder = s.default;
      }
    }
    input.dataset.original = s.secret ? '' : input.value;
    const onEdit = () => {
      const original = input.dataset.original;
      if (input.value === original || (s.secret && input.value === '')) edits.delete(s.name); else edits.set(s.name, input.value);
      validateSoon();
      status();
    };
    input.addEventListener('input', onEdit);
    input.addEventListener('change', onEdit);
    inputs.set(s.name, input);
    return input;
  }

  // A secret cannot be read back, so emptying its field means "keep it";
  // this button asks to unset it instead (PAID_KEY off, no PROXIES).
  function clearButton(s, input) {
    if (!s.secret || !s.editable || !s.is_set || !CLEARABLE.has(s.name)) return null;
    return el('button', { class: 'btn ghost', type: 'button', 'data-role': 'clear', text: t('config.clear'),
      onclick: () => {
        input.value = '';
        input.placeholder = t('config.will_clear');
        edits.set(s.name, '');
        validateSoon();
        status();
      } });
  }

  function notes(s) {
    const out = [];
    if (s.ui && s.ui.env_changed_since) {
      out.push(el('div', { class: 'note warn', 'data-role': 'env-won', text: t('config.env_won', { time: fmtTime(s.ui.saved_at_ms) }) }));
    } else if (s.ui && s.ui.applied) {
      out.push(el('div', { class: 'note muted', text: t('config.ui_applied', { time: fmtTime(s.ui.saved_at_ms) }) }));
    }
    if (s.restart_pending) {
      out.push(el('div', { class: 'note warn', text: t('config.restart_pending', { services: s.services.join(', ') }) }));
    }
    // Why a setting cannot apply live (listen addresses, the database, ...).
    if (!s.live && s.not_live_reason) {
      out.push(el('div', { class: 'note muted', 'data-role': 'not-live-reason', text: t('config.why.' + s.not_live_reason) }));
    }
    return out;
  }

  function render() {
    const root = $('groups');
    root.textContent = '';
    inputs.clear();
    for (const group of GROUPS) {
      const items = settings.filter((s) => s.group === group);
      if (!items.length) continue;
      const section = el('section', { class: 'panel', dataset: { group } }, [el('h2', { text: t('config.group.' + group) })]);
      for (const s of items) {
        const meta = el('div', { class: 'meta' }, [
          el('span', { class: 'badge ' + (s.source === 'default' ? 'unknown' : 'info'), 'data-role': 'source',
            text: t('config.source', { source: t('config.source.' + s.source) }) }),
          s.editable
            ? el('span', { class: 'badge ' + (s.live ? 'ok' : 'warn'),
              text: s.live ? t('config.live') : t('config.restart', { services: s.services.join(', ') }) })
            : el('span', { class: 'badge unknown', text: t('config.readonly') })
        ]);
        const input = control(s);
        if (edits.has(s.name)) input.value = edits.get(s.name);
        if (s.secret && edits.get(s.name) === '') input.placeholder = t('config.will_clear');
        const error = el('div', { class: 'error', 'data-error-for': s.name, text: errors.get(s.name) || '' });
        if (errors.has(s.name)) input.classList.add('invalid');
        section.appendChild(el('div', { class: 'setting', dataset: { setting: s.name } }, [
          el('div', {}, [el('div', { class: 'name', text: s.name }), el('div', { class: 'desc', text: t('setting.' + s.name) }), meta]
            .concat(notes(s))),
          el('div', { class: 'control' }, [input,
            clearButton(s, input),
            el('div', { class: 'small muted', text: s.default ? t('config.default', { value: s.default }) : t('config.default_none') }),
            error])
        ]));
      }
      root.appendChild(section);
    }
    status();
  }

  function status() {
    const box = $('save-status');
    if (errors.size) box.textContent = t('config.invalid');
    else box.textContent = edits.size ? t('common.selected', { n: edits.size }) : '';
    $('save').disabled = edits.size === 0;
  }

  function showErrors(map) {
    errors.clear();
    for (const [name, message] of Object.entries(map || {})) errors.set(name, message);
    for (const [name, input] of inputs) {
      const box = document.querySelector('[data-error-for="' + name + '"]');
      if (box) box.textContent = errors.get(name) || '';
      input.classList.toggle('invalid', errors.has(name));
    }
    status();
  }

  const validateSoon = window.GP.debounce(async () => {
    if (!edits.size) { showErrors({}); return; }
    try {
      const res = await api('POST', '/config/validate', { values: Object.fromEntries(edits) });
      showErrors(res.errors);
    } catch (e) {
      toast(t('common.error', { message: e.message }), 'error');
    }
  }, 300);

  async function load() {
    try {
      const res = await api('GET', '/config');
      settings = res.settings;
      render();
    } catch (e) {
      toast(t('common.error', { message: e.message }), 'error');
    }
  }

  async function save() {
    if (!edits.size) { toast(t('config.nothing')); return; }
    try {
      const res = await api('POST', '/config', { values: Object.fromEntries(edits) });
      edits.clear();
      showErrors({});
      let message = t('config.saved', { n: res.saved });
      if (res.restart.length) {
        const services = [...new Set(res.restart.flatMap((r) => r.services))].join(', ');
        message += ' ' + t('config.saved_restart', { services, names: res.restart.map((r) => r.name).join(', ') });
      }
      toast(message, 'ok');
      await load();
    } catch (e) {
      if (e.body && e.body.errors) showErrors(e.body.errors);
      toast(t('common.error', { message: e.message }), 'error');
    }
  }

  $('save').addEventListener('click', save);
  $('refresh').addEventListener('click', () => { edits.clear(); errors.clear(); load(); });
  window.GP.onLang(render);
  load();
});
