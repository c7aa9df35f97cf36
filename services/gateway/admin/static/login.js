// The login page: the admin token is sent once to POST /api/login and never
// kept by the page; the server answers with an HttpOnly session cookie.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  const { t, el } = window.GP;
  document.getElementById('lang-slot').appendChild(window.GP.langSelect());
  window.GP.applyI18n(document);
  const form = document.getElementById('login-form');
  const input = document.getElementById('token');
  const error = document.getElementById('login-error');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const token = input.value;
    input.value = '';
    try {
      const res = await fetch('/api/login', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'gempool' },
        body: JSON.stringify({ token })
      });
      const data = await res.json().catch(() => ({}));
      if (res.ok) {
        location.href = '/keys';
        return;
      }
      if (res.status === 401) {
        error.textContent = t('login.wrong');
      } else if (res.status === 429) {
        const seconds = (data.error && data.error.retry_after_seconds) || res.headers.get('Retry-After') || 60;
        error.textContent = t('login.limited', { seconds });
      } else {
        error.textContent = t('login.failed', { message: (data.error && data.error.message) || res.status });
      }
    } catch (e) {
      error.textContent = t('login.failed', { message: e.message });
    }
    input.focus();
    void el;
  });
});
