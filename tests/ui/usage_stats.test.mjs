// The statistics page's token usage section in a real browser against the
// real services: fake-gemini answers with usageMetadata numbers the test
// chooses, calls go through the gateway (native and OpenAI, whole and
// streamed), and the page shows the summed totals, the per-day chart and
// the top models, keys and client tokens, in English and in Chinese.
// Saves docs/screenshots/usage-en.png and usage-zh.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Stack, eventually, openBrowser, login, closeAll } from './stack.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = process.env.GEMPOOL_SCREENSHOT_DIR || path.join(here, '..', '..', 'docs', 'screenshots');
const ADMIN_TOKEN = 'usage-admin-token-3f8a61';
const CLIENT_TOKEN = 'usage-client-token-c42d';
const FLASH = 'gemini-2.5-flash';
const PRO = 'gemini-2.5-pro';
const FLASH_USAGE = { promptTokenCount: 1200, candidatesTokenCount: 340, thoughtsTokenCount: 95, cachedContentTokenCount: 400 };
const PRO_USAGE = { promptTokenCount: 5000, candidatesTokenCount: 2100, thoughtsTokenCount: 800, toolUsePromptTokenCount: 60 };
const KEYS = ['AIzaSyUsageStatsKeyOne0000000000000001', 'AIzaSyUsageStatsKeyTwo0000000000000002'];
const total = (u) => u.promptTokenCount + u.candidatesTokenCount + (u.thoughtsTokenCount || 0) + (u.toolUsePromptTokenCount || 0);

let stack;
let browser;
let page;
let failures;
const admin = (method, p, body) => stack.admin(method, p, body);

async function call(p, headers, body) {
  const res = await fetch(stack.url(p), { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body) });
  await res.text();
  assert.equal(res.status, 200, p);
}

// The client token id the request log keeps (TokenId: a SHA-256 prefix).
async function tokenId() {
  const body = await admin('GET', '/logs/requests?limit=1');
  return body.entries[0].client_token_id;
}

before(async () => {
  stack = new Stack({ adminToken: ADMIN_TOKEN, clientToken: CLIENT_TOKEN, env: { TIMEZONE: 'Asia/Shanghai' } });
  await stack.start();
  browser = await openBrowser();
  ({ page, failures } = browser);
  fs.mkdirSync(shots, { recursive: true });
});

after(async () => {
  await closeAll(browser, stack);
});

test('token usage on the statistics page', async (t) => {
  const native = { 'x-goog-api-key': CLIENT_TOKEN };
  const bearer = { Authorization: 'Bearer ' + CLIENT_TOKEN };
  const ask = { contents: [{ parts: [{ text: 'hi' }] }] };

  await t.test('calls with chosen usage reach the usage table', async () => {
    const added = await admin('POST', '/keys/add', { text: KEYS.join('\n') });
    assert.equal(added.added, 2);
    await stack.script({ model: FLASH, repeat: true, responses: [{ usage: FLASH_USAGE }] });
    await stack.script({ model: PRO, repeat: true, responses: [{ usage: PRO_USAGE }] });
    await call(`/v1beta/models/${FLASH}:generateContent`, native, ask);
    await call(`/v1beta/models/${FLASH}:streamGenerateContent?alt=sse`, native, ask);
    await call('/v1/chat/completions', bearer, { model: FLASH, messages: [{ role: 'user', content: 'hi' }] });
    await call('/v1/chat/completions', bearer, { model: PRO, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    await call(`/v1beta/models/${PRO}:generateContent`, native, ask);
    const report = await eventually(async () => {
      const r = await admin('GET', '/usage?since=7d');
      return r.total.requests === 5 ? r : null;
    }, 'five calls in the usage table');
    assert.equal(report.total.total_tokens, 3 * total(FLASH_USAGE) + 2 * total(PRO_USAGE));
  });

  const expected = {
    // The prompt card includes the tool-use prompt, so the cards add up to the total.
    prompt: 3 * FLASH_USAGE.promptTokenCount + 2 * (PRO_USAGE.promptTokenCount + PRO_USAGE.toolUsePromptTokenCount),
    completion: 3 * FLASH_USAGE.candidatesTokenCount + 2 * PRO_USAGE.candidatesTokenCount,
    thinking: 3 * FLASH_USAGE.thoughtsTokenCount + 2 * PRO_USAGE.thoughtsTokenCount,
    cached: 3 * FLASH_USAGE.cachedContentTokenCount,
    total: 3 * total(FLASH_USAGE) + 2 * total(PRO_USAGE)
  };

  await t.test('the usage section shows totals, a day chart and the top models, keys and tokens', async () => {
    await login(page, stack);
    await page.goto(stack.url('/stats'));
    await page.waitForSelector('#usage[data-loaded="7d"]');
    for (const [name, value] of Object.entries(expected)) {
      assert.equal(Number(await page.getAttribute(`#usage-totals [data-usage="${name}"]`, 'data-value')), value, name);
    }
    assert.equal(await page.textContent('#usage-totals [data-usage="total"] .value'), expected.total.toLocaleString('en-US'));
    const card = async (name) => Number(await page.getAttribute(`#usage-totals [data-usage="${name}"]`, 'data-value'));
    assert.equal(await card('prompt') + await card('completion') + await card('thinking'), await card('total'),
        'the cards on the page add up to the total card');
    assert.equal(await page.locator('#usage-chart svg rect[data-day]').count(), 7, 'one slot per day');
    const today = await page.locator('#usage-chart svg rect[data-day]').last().getAttribute('data-total');
    assert.equal(Number(today), expected.total, 'today carries every call');
    assert.equal(Number(await page.getAttribute(`#usage-models tr[data-group="${FLASH}"]`, 'data-total')), 3 * total(FLASH_USAGE));
    assert.equal(Number(await page.getAttribute(`#usage-models tr[data-group="${PRO}"]`, 'data-total')), 2 * total(PRO_USAGE));
    const models = await page.locator('#usage-models tbody tr').allTextContents();
    assert.ok(models[0].startsWith(PRO), 'most tokens first: ' + models[0]);
    const keyRows = await page.locator('#usage-keys tbody tr[data-group]').evaluateAll(
        (rows) => rows.map((r) => Number(r.dataset.total)));
    assert.equal(keyRows.reduce((a, b) => a + b, 0), expected.total, 'the keys add up to the total');
    assert.match(await page.textContent('#usage-keys tbody'), /AIzaSy\.\.\./, 'keys are shown masked');
    const id = await tokenId();
    assert.match(id, /^[0-9a-f]{12}$/, 'the log keeps the token id (12 hex digits of its SHA-256)');
    assert.equal(id, createHash('sha256').update(CLIENT_TOKEN).digest('hex').slice(0, id.length));
    assert.equal(Number(await page.getAttribute(`#usage-tokens tr[data-group="${id}"]`, 'data-total')), expected.total);
    await page.locator('#usage').screenshot({ path: path.join(shots, 'usage-en.png') });
  });

  await t.test('in Chinese', async () => {
    await page.selectOption('select.lang-switch', 'zh-CN');
    assert.equal(await page.textContent('#usage h2'), 'Token 用量');
    assert.equal(await page.textContent('#usage-totals [data-usage="prompt"] .label'), '输入');
    assert.equal(await page.textContent('#usage-models thead th:first-child'), '模型');
    await page.locator('#usage').screenshot({ path: path.join(shots, 'usage-zh.png') });
    await page.selectOption('select.lang-switch', 'en');
  });

  await t.test('no page errors', () => {
    assert.deepEqual(failures, []);
  });
});
