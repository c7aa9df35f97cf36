// The client tokens page in a real browser against the real services:
// create a token (its secret shown once, with a copy button and a warning),
// the secret works as an API key, the list shows its counter, disabling it
// on the page makes the gateway refuse it (401), and deleting asks first.
// The nav link is on every page, and the page reads in Chinese too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, eventually, openBrowser, login, closeAll } from './stack.mjs';

const ADMIN_TOKEN = 'tokens-admin-token-6d2a91';
const CLIENT_TOKEN = 'tokens-client-token-0f3c';

let stack;
let browser;
let page;
let failures;
let dialogs = [];
const admin = (method, p, body) => stack.admin(method, p, body);

async function generate(secret) {
  const res = await fetch(stack.url('/v1beta/models/gemini-2.5-flash:generateContent'), {
    method: 'POST',
    headers: { 'x-goog-api-key': secret, 'Content-Type': 'application/json' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] })
  });
  return { status: res.status, body: await res.text() };
}

before(async () => {
  stack = new Stack({ adminToken: ADMIN_TOKEN, clientToken: CLIENT_TOKEN });
  await stack.start();
  browser = await openBrowser({ clipboardFor: stack, ignoreConsole: /status of 40[01]/ });
  ({ page, failures } = browser);
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.accept();
  });
});

after(async () => {
  await closeAll(browser, stack);
});

test('the client tokens page in a browser', async (t) => {
  let secret = '';

  await t.test('log in; every page links to the tokens page', async () => {
    await login(page, stack);
    // One pool key, so calls with the token reach fake-gemini.
    const added = await admin('POST', '/keys/add', { text: 'AIzaSyTokensPageKey' + 'x'.repeat(16) });
    assert.equal(added.added, 1);
    for (const p of ['/keys', '/config', '/logs', '/stats']) {
      await page.goto(stack.url(p));
      await page.waitForSelector('nav a[href="/tokens"]:has-text("Client tokens")');
    }
    await page.click('nav a[href="/tokens"]');
    await page.waitForURL('**/tokens');
    await page.waitForSelector('#empty:has-text("No managed client tokens yet")');
  });

  await t.test('create: the secret is shown once, with a warning and a copy button', async () => {
    await page.fill('#new-name', 'browser-laptop');
    await page.fill('#new-rpm', '100');
    await page.fill('#new-models', 'gemini-2.5-*');
    await page.click('#add-submit');
    await page.waitForSelector('#secret-box:not([hidden])');
    secret = (await page.textContent('#secret-value')).trim();
    assert.match(secret, /^gp-[0-9A-Za-z]{40}$/);
    assert.match(await page.textContent('#secret-warning'), /shown only this once/);
    await page.click('#secret-copy');
    await page.waitForSelector('.toast:has-text("The secret is on the clipboard")');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    const row = page.locator('#tokens-table tbody tr[data-name="browser-laptop"]');
    await row.waitFor();
    assert.match(await row.textContent(), /100 requests\/min/);
    assert.match(await row.textContent(), /gemini-2\.5-\*/);
    assert.ok(!(await row.textContent()).includes(secret), 'the list never shows the secret');
    // Dismissed, it is gone; a reload does not bring it back.
    await page.click('#secret-done');
    assert.equal(await page.isHidden('#secret-box'), true);
    await page.reload();
    await row.waitFor();
    assert.ok(!(await page.content()).includes(secret));
  });

  await t.test('the secret works as an API key and the counter shows the request', async () => {
    const answer = await eventually(async () => {
      const r = await generate(secret);
      return r.status === 200 ? r : null;
    }, 'the new token to work');
    assert.ok(Array.isArray(JSON.parse(answer.body).candidates), 'a Gemini answer: ' + answer.body);
    await eventually(async () => {
      await page.click('#refresh');
      const cell = page.locator('#tokens-table tbody tr[data-name="browser-laptop"] [data-counter=requests]');
      return (await cell.textContent()).trim() === '1';
    }, 'the counter to show one request');
  });

  await t.test('disable on the page: the gateway refuses the token', async () => {
    const row = page.locator('#tokens-table tbody tr[data-name="browser-laptop"]');
    await row.locator('[data-action=disable]').click();
    await page.waitForSelector('#tokens-table tbody tr[data-name="browser-laptop"] [data-state=disabled]');
    const refused = await eventually(async () => {
      const r = await generate(secret);
      return r.status === 401 ? r : null;
    }, 'the disabled token to be refused');
    assert.match(refused.body, /client token 'browser-laptop' is disabled/);
    await row.locator('[data-action=enable]').click();
    await page.waitForSelector('#tokens-table tbody tr[data-name="browser-laptop"] [data-state=active]');
  });

  await t.test('the page in Chinese', async () => {
    await page.selectOption('.lang-switch', 'zh-CN');
    await page.waitForSelector('h1:has-text("客户端令牌")');
    await page.waitForSelector('#tokens-table th:has-text("本分钟请求数")');
    await page.selectOption('.lang-switch', 'en');
    await page.waitForSelector('h1:has-text("Client tokens")');
  });

  await t.test('delete asks first, then removes the token', async () => {
    dialogs = [];
    await page.locator('#tokens-table tbody tr[data-name="browser-laptop"] [data-action=delete]').click();
    await page.waitForSelector('#empty:not([hidden])');
    assert.equal(dialogs.length, 1);
    assert.match(dialogs[0], /Delete the client token "browser-laptop"/);
    const refused = await eventually(async () => {
      const r = await generate(secret);
      return r.status === 401 ? r : null;
    }, 'the deleted token to be refused');
    // Deleted, it is an unknown token (not a disabled one).
    assert.match(refused.body, /Missing or invalid gempool token/);
    assert.doesNotMatch(refused.body, /browser-laptop/);
  });

  assert.deepEqual(failures, []);
});
