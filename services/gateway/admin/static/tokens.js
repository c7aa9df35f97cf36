// The client tokens page: create a managed token (its secret shown once,
// with a copy button), list tokens with their shared counters (requests
// this minute, tokens today), disable/enable, edit limits and expiry, and
// delete with a confirmation. Everything goes through /api/tokens.
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
  const { t, el, api, toast, fmtTime, fmtNumber, modal } = window.GP;
  const $ = (id) => document.getElementById(id);
  let tokens = [];

  try {
    await window.GP.initPage('tokens');
  } catch (e) {
    return;
  }

  // "a, b*" → ["a", "b*"].
  function modelList(text) {
    return String(text || '').split(/[\s,]+/).map((m) => m.trim()).filter((m) => m);
  }

  function limitsText(l) {
    const parts = [];
    if (l.requests_per_minute) parts.push(t('tokens.limit.rpm', { n: fmtNumber(l.requests_per_minute) }));
    if (l.tokens_per_day) parts.push(t('tokens.limit.per_day', { n: fmtNumber(l.tokens_per_day) }));
    if (l.allowed_models && l.allowed_models.length) parts.push(t('tokens.limit.models', { models: l.allowed_models.join(', ') }));
    return parts.length ? parts.join(' · ') : t('tokens.limit.none');
  }

  function stateOf(tok) {
    if (tok.disabled) return 'disabled';
    if (tok.expired) return 'expired';
    return 'active';
  }

  function render() {
    const body = document.querySelector('#tokens-table tbody');
    body.textContent = '';
    $('empty').hidden = tokens.length > 0;
    for (const tok of tokens) {
      const state = stateOf(tok);
      const toggle = el('button', {
        class: 'btn', type: 'button', dataset: { action: tok.disabled ? 'enable' : 'disable' },
        text: t(tok.disabled ? 'tokens.enable' : 'tokens.disable'),
        onclick: () => setDisabled(tok, !tok.disabled)
      });
      const edit = el('button', { class: 'btn', type: 'button', dataset: { action: 'edit' }, text: t('tokens.edit'), onclick: () => editToken(tok) });
      const del = el('button', { class: 'btn danger', type: 'button', dataset: { action: 'delete' }, text: t('tokens.delete'), onclick: () => deleteToken(tok) });
      body.appendChild(el('tr', { dataset: { tokenId: tok.id, name: tok.name } }, [
        el('td', { class: 'num', text: String(tok.id) }),
        el('td', {}, [el('div', { text: tok.name }), el('div', { class: 'small muted', text: tok.secret_prefix + '…  ' + tok.token_id })]),
        el('td', {}, [el('span', { class: 'badge ' + (state === 'active' ? 'active' : 'disabled'), dataset: { state }, text: t('tokens.state.' + state) })]),
        el('td', { text: tok.expires_at_ms ? fmtTime(tok.expires_at_ms) : t('tokens.never') }),
        el('td', { class: 'small', text: limitsText(tok.limits) }),
        el('td', { class: 'num', dataset: { counter: 'requests' }, text: fmtNumber(tok.requests_this_minute) }),
        el('td', { class: 'num', dataset: { counter: 'tokens' }, text: fmtNumber(tok.tokens_today) }),
        el('td', { class: 'row' }, [toggle, edit, del])
      ]));
    }
  }

  async function load() {
    try {
      const data = await api('GET', '/tokens');
      tokens = data.tokens || [];
      render();
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  async function create() {
    const name = $('new-name').value.trim();
    if (!name) { toast(t('tokens.add.need_name'), 'error'); return; }
    const body = {
      name,
      expires: $('new-expires').value.trim() || 'never',
      limits: {
        requests_per_minute: Number($('new-rpm').value || 0),
        tokens_per_day: Number($('new-per-day').value || 0),
        allowed_models: modelList($('new-models').value)
      }
    };
    try {
      const data = await api('POST', '/tokens', body);
      $('secret-value').textContent = data.secret;
      $('secret-box').hidden = false;
      for (const id of ['new-name', 'new-expires', 'new-rpm', 'new-per-day', 'new-models']) $(id).value = '';
      toast(t('tokens.created', { name: data.token.name }), 'ok');
      await load();
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  async function setDisabled(tok, disabled) {
    try {
      await api('PATCH', '/tokens/' + tok.id, { disabled });
      toast(t(disabled ? 'tokens.disabled_done' : 'tokens.enabled_done', { name: tok.name }), 'ok');
      await load();
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  function editToken(tok) {
    const field = (label, input) => el('label', { class: 'small' }, [el('span', { text: t(label) }), input]);
    const rpm = el('input', { type: 'number', min: '0', value: String(tok.limits.requests_per_minute || 0) });
    const perDay = el('input', { type: 'number', min: '0', value: String(tok.limits.tokens_per_day || 0) });
    const models = el('input', { type: 'text', value: (tok.limits.allowed_models || []).join(', ') });
    const expires = el('input', { type: 'text', placeholder: '30d / 2027-01-31 / never', value: '' });
    let close = null;
    const save = el('button', {
      class: 'btn primary', type: 'button', text: t('tokens.save'),
      onclick: async () => {
        const body = {
          limits: {
            requests_per_minute: Number(rpm.value || 0),
            tokens_per_day: Number(perDay.value || 0),
            allowed_models: modelList(models.value)
          }
        };
        if (expires.value.trim()) body.expires = expires.value.trim();
        try {
          await api('PATCH', '/tokens/' + tok.id, body);
          toast(t('tokens.saved', { name: tok.name }), 'ok');
          if (close) close();
          await load();
        } catch (e) {
          toast(e.message, 'error');
        }
      }
    });
    close = modal(t('tokens.edit_title', { name: tok.name }), el('div', {}, [
      field('tokens.field.rpm', rpm), field('tokens.field.per_day', perDay), field('tokens.field.models', models),
      field('tokens.field.expires_change', expires),
      el('div', { class: 'row mt' }, [save])
    ]));
  }

  async function deleteToken(tok) {
    if (!window.confirm(t('tokens.confirm.delete', { name: tok.name }))) return;
    try {
      await api('DELETE', '/tokens/' + tok.id);
      toast(t('tokens.deleted', { name: tok.name }), 'ok');
      await load();
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  $('add-submit').addEventListener('click', create);
  $('refresh').addEventListener('click', load);
  $('secret-copy').addEventListener('click', async () => {
    const secret = $('secret-value').textContent;
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
      await navigator.clipboard.writeText(secret);
      toast(t('tokens.secret.copied'), 'ok');
    } catch (e) {
      // Without the clipboard API (plain HTTP): select it to copy by hand.
      const range = document.createRange();
      range.selectNodeContents($('secret-value'));
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      toast(t('tokens.secret.copy_manual'), 'info');
    }
  });
  $('secret-done').addEventListener('click', () => {
    $('secret-value').textContent = '';
    $('secret-box').hidden = true;
  });
  window.GP.onLang(render);
  await load();
});
