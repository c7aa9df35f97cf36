// The admin web UI in a real browser (Debian's chromium driven by
// playwright-core) against the real services and the fake Gemini upstream:
// log in, add keys by pasting, watch a key go active → cooling → disabled as
// the upstream answers 429 and API_KEY_INVALID, change a setting and see the
// next request use it without a restart (in the gateway and in the key
// broker), find a request in the logs, open an error row whose whole request
// body is fetched by its id, see the statistics move, switch to
// Chinese, log out. Saves screenshots of every page in both languages to
// docs/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack, openBrowser, closeAll, eventually } from './stack.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = process.env.GEMPOOL_SCREENSHOT_DIR || path.join(here, '..', '..', 'docs', 'screenshots');
const ADMIN_TOKEN = 'ui-admin-token-4d1c8e2a9f';
const CLIENT_TOKEN = 'ui-client-token-7b3e';
const NEW_CLIENT_TOKEN = 'ui-client-token-added-in-ui';
const key = (n) => 'AIzaSy' + ('UiTestKey' + n).padEnd(33, String(n));
const KEYS = [key(1), key(2), key(3)];
const FLASH = 'gemini-2.5-flash';
const PRO = 'gemini-2.5-pro';

let stack;
let browser;
let context;
let page;
let failures;

before(async () => {
  // Request bodies recorded in error rows, for the error detail's body.
  stack = new Stack({ adminToken: ADMIN_TOKEN, clientToken: CLIENT_TOKEN,
    env: { ERROR_LOG_RECORD_REQUEST_BODY: 'true' } });
  await stack.start();
  // A 401 is expected twice: the wrong-token login and the call after logout.
  browser = await openBrowser({ ignoreConsole: /status of 401/ });
  ({ context, page, failures } = browser);
  page.on('dialog', (dialog) => dialog.accept());
  fs.mkdirSync(shots, { recursive: true });
});

after(async () => {
  let gatewayLog = null;
  await closeAll(browser, stack, (s) => { gatewayLog = s.log('gateway'); });
  // Whatever happened, the admin token never reached a log line.
  if (gatewayLog !== null) assert.ok(!gatewayLog.includes(ADMIN_TOKEN), 'the admin token appears in the gateway log');
});

async function shot(name) {
  await page.screenshot({ path: path.join(shots, name + '.png'), fullPage: true });
}

// Runs `action` and waits for the keys list it triggers to arrive.
async function keysLoaded(action) {
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/keys' && r.status() === 200),
    action()
  ]);
  await page.waitForTimeout(50);  // Rendering.
}

// The state the keys page shows for the row of key id `id` after a refresh.
async function rowState(id) {
  await keysLoaded(() => page.click('#refresh'));
  return page.getAttribute(`tr[data-key-id="${id}"]`, 'data-state');
}

// Sends client calls for `model` (each must succeed: another key takes over
// from a failing one) until `shown()` is true, for up to 15 s.
async function untilShown(model, shown) {
  const deadline = Date.now() + 15000;
  for (;;) {
    if (await shown()) return;
    assert.ok(Date.now() < deadline, 'the page never showed the expected key state');
    assert.equal(await stack.generate(model), 200);
    await page.waitForTimeout(200);
  }
}

async function keyIdOf(secret) {
  const body = await stack.admin('GET', '/keys?limit=100');
  const masked = secret.slice(0, 6) + '...' + secret.slice(-4);
  const found = body.keys.find((k) => k.masked === masked);
  assert.ok(found, `key ${masked} is listed`);
  return found.id;
}

test('the admin UI, end to end in a browser', async (t) => {
  await t.test('the login page refuses a wrong token and logs in with the right one', async () => {
    await page.goto(stack.url('/keys'));
    assert.equal(new URL(page.url()).pathname, '/', 'pages send strangers to the login page');
    assert.equal(await page.textContent('h1'), 'Log in');
    await shot('login-en');
    await page.fill('#token', 'wrong-token');
    await page.click('#login-submit');
    await page.waitForSelector('#login-error:has-text("Wrong admin token")');
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#login-submit');
    await page.waitForURL('**/keys');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'gempool_session');
    assert.ok(session, 'a session cookie is set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.ok(!cookies.some((c) => c.value.includes(ADMIN_TOKEN)), 'no cookie holds the admin token');
    assert.ok(!(await page.content()).includes(ADMIN_TOKEN), 'the page source never holds the admin token');
  });

  await t.test('keys are added by pasting, duplicates reported', async () => {
    await page.fill('#add-text', `${KEYS[0]}\n${KEYS[1]}, ${KEYS[2]}\n["${KEYS[0]}"]`);
    await page.click('#add-submit');
    await page.waitForSelector('#add-result:has-text("Added 3 of 4 keys")');
    await page.waitForSelector('[data-role=duplicates]');
    await page.waitForSelector('#keys-table tbody tr[data-key-id]');
    assert.equal(await page.locator('#keys-table tbody tr[data-key-id]').count(), 3);
    assert.equal(await page.textContent('[data-summary=total] .value'), '3');
  });

  await t.test('a key goes from active to cooling to disabled as upstream answers 429 then API_KEY_INVALID', async () => {
    const id = await keyIdOf(KEYS[0]);
    assert.equal(await rowState(id), 'active');
    await stack.script({ key: KEYS[0], model: FLASH, responses: [{ status: 429, retryDelay: '600s' }] });
    await stack.script({ key: KEYS[0], model: PRO, responses: [{ status: 400, reason: 'API_KEY_INVALID' }] });
    // Rotation reaches every key within a few requests; the others succeed.
    // Outcomes reach the broker asynchronously: ask until the page shows it.
    await keysLoaded(() => page.selectOption('#state-filter', 'cooling'));
    await untilShown(FLASH, async () => {
      await keysLoaded(() => page.click('#refresh'));
      return (await page.locator(`tr[data-key-id="${id}"]`).count()) === 1;
    });
    const detail = await page.textContent(`tr[data-key-id="${id}"]`);
    assert.match(detail, new RegExp(FLASH + ' until'), 'the row says for which model and until when');
    await keysLoaded(() => page.selectOption('#state-filter', ''));
    assert.equal(await rowState(id), 'active', 'cooling for one model only: still active overall');
    await keysLoaded(() => page.selectOption('#state-filter', 'cooling'));
    await shot('keys-cooling-en');
    await keysLoaded(() => page.selectOption('#state-filter', ''));
    await untilShown(PRO, async () => (await rowState(id)) === 'disabled');
    assert.match(await page.textContent(`tr[data-key-id="${id}"]`), /API_KEY_INVALID/);
    await shot('keys-en');
    // Bulk actions: pause another key, then resume it.
    const other = await keyIdOf(KEYS[1]);
    await page.check(`tr[data-key-id="${other}"] input[type=checkbox]`);
    await page.click('[data-bulk=pause]');
    await page.waitForSelector(`tr[data-key-id="${other}"][data-state=paused]`);
    await page.click('[data-bulk=resume]');
    await page.waitForSelector(`tr[data-key-id="${other}"][data-state=active]`);
    // The detail view shows the key's calls per model and its last error.
    await page.click(`tr[data-key-id="${id}"] button`);
    await page.waitForSelector('.modal:has-text("API_KEY_INVALID")');
    await page.click('.modal [data-role=close]');
  });

  await t.test('a setting changed on the configuration page is used by the next request, no restart', async () => {
    assert.equal(await stack.generate(FLASH, NEW_CLIENT_TOKEN), 401);
    await page.click('a[href="/config"]');
    await page.waitForSelector('[data-setting=ALLOWED_TOKENS]');
    await shot('config-en');
    await page.fill('#setting-MAX_RETRIES', 'many');
    await page.waitForSelector('[data-error-for=MAX_RETRIES]:has-text("MAX_RETRIES")');
    await page.fill('#setting-MAX_RETRIES', '');
    await page.fill('#setting-ALLOWED_TOKENS', `${CLIENT_TOKEN},${NEW_CLIENT_TOKEN}`);
    await page.waitForFunction(() => !document.querySelector('.invalid'));
    await page.click('#save');
    await page.waitForSelector('#toast:has-text("Saved 1 settings")');
    await page.waitForSelector('[data-setting=ALLOWED_TOKENS] [data-role=source]:has-text("this page")');
    assert.equal(await stack.generate(FLASH, NEW_CLIENT_TOKEN), 200, 'the new client token works at once');
  });

  await t.test('the configuration page marks the settings that cannot apply live and says why', async () => {
    await page.waitForSelector('[data-setting=PORT] [data-role=not-live-reason]');
    assert.match(await page.textContent('[data-setting=PORT] [data-role=not-live-reason]'), /bound at start-up/);
    assert.match(await page.textContent('[data-setting=DATABASE_TYPE] [data-role=not-live-reason]'),
      /before the database can be reached/);
    assert.ok(!(await page.isEnabled('#setting-PORT')), 'PORT cannot be edited');
    // The model settings and the HTTP limits are edited here and apply live.
    for (const name of ['SEARCH_MODELS', 'SAFETY_SETTINGS', 'THINKING_BUDGET_MAP', 'MAX_KEY_WAIT_MS', 'MAX_REQUEST_BODY_MB']) {
      assert.ok(await page.isEnabled(`#setting-${name}`), `${name} can be edited`);
      assert.match(await page.textContent(`[data-setting=${name}] .meta`), /Applies live/, `${name} applies live`);
      assert.equal(await page.locator(`[data-setting=${name}] [data-role=not-live-reason]`).count(), 0);
    }
  });

  await t.test('a key broker setting saved on the configuration page reaches the broker, no restart', async () => {
    const PAID = key(9);
    const IMAGEN = 'imagen-3.0-generate-002';
    for (const name of ['MAX_FAILURES', 'CHECK_INTERVAL_HOURS', 'TEST_MODEL', 'PAID_KEY', 'PROXIES']) {
      assert.ok(await page.isEnabled(`#setting-${name}`), `${name} can be edited`);
    }
    await page.fill('#setting-TEST_MODEL', 'not a model');
    await page.waitForSelector('[data-error-for=TEST_MODEL]:has-text("TEST_MODEL")');
    await page.fill('#setting-TEST_MODEL', '');
    await page.fill('#setting-PAID_KEY', PAID);
    await page.waitForFunction(() => !document.querySelector('.invalid'));
    await page.click('#save');
    await page.waitForSelector('[data-setting=PAID_KEY] [data-role=source]:has-text("this page")');
    assert.ok(!(await page.content()).includes(PAID), 'the saved key is masked on the page');
    // The broker polls the settings table (every 2 s): image models soon go
    // to the paid key.
    const deadline = Date.now() + 15000;
    let used = 0;
    while (Date.now() < deadline) {
      assert.equal(await stack.generate(IMAGEN), 200);
      used = await stack.upstreamCount(PAID);
      if (used > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(used > 0, 'PAID_KEY saved on the page never reached the key broker');

    // Cleared on the page: image models go back to the pool.
    await page.click('[data-setting=PAID_KEY] [data-role=clear]');
    await page.click('#save');
    await page.waitForSelector('[data-setting=PAID_KEY] [data-role=source]:has-text("default")');
    let back = false;
    for (const end = Date.now() + 15000; !back && Date.now() < end;) {
      const before = await stack.upstreamCount(PAID);
      assert.equal(await stack.generate(IMAGEN), 200);
      back = (await stack.upstreamCount(PAID)) === before;
      if (!back) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(back, 'clearing PAID_KEY on the page never reached the key broker');
  });

  await t.test('a request can be found in the logs, with the error body redacted', async () => {
    await page.click('a[href="/logs"]');
    await page.waitForSelector('#logs-table tbody tr[data-log-id]');
    await page.fill('#f-model', PRO);
    await page.click('#apply');
    await page.waitForFunction((model) => {
      const rows = [...document.querySelectorAll('#logs-table tbody tr[data-log-id]')];
      return rows.length > 0 && rows.every((r) => r.textContent.includes(model));
    }, PRO);
    await shot('logs-en');
    await page.click('[data-tab=errors]');
    await page.waitForSelector('#logs-table tbody tr[data-log-id]:has-text("API_KEY_INVALID")');
    await page.click('#logs-table tbody tr[data-log-id]:has-text("API_KEY_INVALID")');
    const body = await page.textContent('[data-role=error-body]');
    assert.match(body, /API key not valid|API_KEY_INVALID/);
    assert.ok(!body.includes(KEYS[0]), 'the key is redacted in the stored error body');
    await page.click('.modal [data-role=close]');
    // Its request id (x-request-id): clicking it shows that request's rows
    // only, in the error log and in the request log alike.
    const link = page.locator('#logs-table tbody tr[data-log-id]:has-text("API_KEY_INVALID") a.request-id').first();
    const id = await link.getAttribute('data-request-id');
    assert.match(id, /^[0-9a-f]{32}$/);
    await link.click();
    assert.equal(await page.inputValue('#f-request-id'), id);
    const onlyThisRequest = (rid) => {
      const rows = [...document.querySelectorAll('#logs-table tbody tr[data-log-id]')];
      return rows.length > 0 && rows.every((r) => r.querySelector('a.request-id')?.dataset.requestId === rid);
    };
    await page.waitForFunction(onlyThisRequest, id);
    await page.click('[data-tab=requests]');
    await page.waitForFunction(onlyThisRequest, id);
    await page.click('#clear');
    await page.click('[data-tab=errors]');
  });

  await t.test('an error row opens with its whole request body, fetched by its id', async () => {
    // A body longer than a page's preview: its end shows only once the open
    // row has fetched the rest. One upstream 500 (any key) makes the row.
    const tail = 'END-OF-A-LONG-PROMPT';
    const prompt = '\u4e2d\u6587'.repeat(300) + tail;
    await stack.script({ model: FLASH, responses: [{ status: 500 }] });
    const res = await fetch(stack.url(`/v1beta/models/${FLASH}:generateContent`), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-goog-api-key': CLIENT_TOKEN },
      body: JSON.stringify({ contents: [{ parts: [{ text: prompt }] }] })
    });
    await res.text();
    const row = await eventually(async () => {
      const listed = await stack.admin('GET', '/logs/errors?limit=20');
      return listed.entries.find((e) => e.status_code === 500 && e.request_body_truncated);
    }, 'the error row with a long request body');
    assert.ok(!row.request_body.includes(tail), 'a page carries only the first bytes of the body');
    assert.ok(row.request_body_bytes > 1800, `the whole size is given (${row.request_body_bytes})`);
    const whole = `${Number(row.request_body_bytes).toLocaleString('en')} bytes`;

    await page.click('#refresh');
    const tr = `#logs-table tbody tr[data-log-id="${row.id}"]`;
    const timeCell = `${tr} td:nth-child(2)`;  // Not the request id's link, which filters instead.
    await page.waitForSelector(tr);
    await page.click(timeCell);
    await page.waitForSelector('[data-role=request-body-status][data-state=whole]');
    assert.ok((await page.textContent('[data-role=request-body]')).includes(tail), 'the whole body is shown');
    assert.equal(await page.textContent('[data-role=request-body-status]'), whole);
    await page.click('.modal [data-role=close]');

    // When the fetch fails, the preview stays and the reason is shown, with
    // a button that tries again.
    const consoleBefore = failures.length;
    const route = `**/api/logs/errors/${row.id}`;
    await page.route(route, (r) => r.fulfill({ status: 503, contentType: 'application/json',
      body: JSON.stringify({ error: { code: 503, status: 'UNAVAILABLE', message: 'persistence is not answering' } }) }));
    await page.click(timeCell);
    await page.waitForSelector('[data-role=request-body-status][data-state=failed]');
    assert.match(await page.textContent('[data-role=request-body-status]'), /persistence is not answering/);
    assert.ok(!(await page.textContent('[data-role=request-body]')).includes(tail), 'the preview stays');
    await page.unroute(route);
    await page.click('[data-role=request-body-retry]');
    await page.waitForSelector('[data-role=request-body-status][data-state=whole]');
    assert.ok((await page.textContent('[data-role=request-body]')).includes(tail), 'the retry shows the whole body');
    await page.click('.modal [data-role=close]');
    // The refused fetch is the one console error expected here.
    const added = failures.splice(consoleBefore);
    assert.ok(added.every((f) => /status of 503/.test(f)), `unexpected page errors: ${added.join('; ')}`);

    // An id no row has: the API answers 404 naming it.
    const missing = await fetch(stack.url(`/api/logs/errors/${row.id + 100000}`),
      { headers: { Authorization: 'Bearer ' + ADMIN_TOKEN } });
    assert.equal(missing.status, 404);
    assert.match((await missing.json()).error.message, new RegExp(`error log row ${row.id + 100000}`));
  });

  await t.test('the statistics move with new calls', async () => {
    await page.click('a[href="/stats"]');
    await page.waitForSelector('[data-window="1h"]');
    const before = Number(await page.getAttribute('[data-window="1h"]', 'data-calls'));
    assert.ok(before >= 3, `the last hour counts the calls so far (${before})`);
    for (let i = 0; i < 3; i++) assert.equal(await stack.generate(FLASH), 200);
    await page.waitForTimeout(700);  // The gateway batches log rows.
    await page.click('#refresh');
    await page.waitForFunction((b) => Number(document.querySelector('[data-window="1h"]').dataset.calls) >= b + 3, before);
    assert.ok(await page.locator('#chart svg rect.bar-ok').count() > 0, 'the chart has bars');
    await page.click('[data-range="1h"]');
    await page.waitForLoadState('networkidle');
    await shot('stats-en');
  });

  await t.test('switching to Chinese translates every page, and the choice is remembered', async () => {
    await page.selectOption('select.lang-switch', 'zh-CN');
    assert.equal(await page.textContent('.nav a[href="/keys"]'), '密钥');
    assert.equal(await page.textContent('h1'), '统计');
    await page.waitForLoadState('networkidle');
    await shot('stats-zh-CN');
    for (const name of ['keys', 'config', 'logs']) {
      await page.click(`.nav a[href="/${name}"]`);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
      await shot(`${name}-zh-CN`);
    }
    assert.equal(await page.textContent('h1'), '日志');
    // No English label left on the page: every data-i18n node was translated.
    const untranslated = await page.evaluate(() => [...document.querySelectorAll('[data-i18n]')]
      .filter((el) => window.GP_I18N['zh-CN'][el.dataset.i18n] === undefined).map((el) => el.dataset.i18n));
    assert.deepEqual(untranslated, []);
  });

  await t.test('logging out ends the session', async () => {
    await page.click('#logout');
    await page.waitForURL((url) => url.pathname === '/');
    assert.equal(await page.textContent('h1'), '登录', 'still in Chinese');
    await shot('login-zh-CN');
    await page.goto(stack.url('/keys'));
    assert.equal(new URL(page.url()).pathname, '/', 'the old session no longer opens pages');
    const status = await page.evaluate(async () => (await fetch('/api/keys')).status);
    assert.equal(status, 401);
  });

  assert.deepEqual(failures, [], 'no script errors in the pages');
});
