// TIMEZONE, the statistics gemini-balance users expect, and the keys page's
// whole-pool actions, in a real browser against the real services:
// - times on the keys and logs pages, the statistics chart and `gempoolctl
//   keys list` are in TIMEZONE (America/New_York here, a DST zone), and a new
//   TIMEZONE saved on the configuration page applies without a restart (an
//   unknown one is refused, naming TIMEZONE);
// - the statistics show the calendar month (in TIMEZONE) beside the rolling
//   windows, the keys that need attention (most 429 / 403 answers in 24 h)
//   and a latency line whose percentiles lie within the latencies seen;
// - "select all" selects every key matching the filter across pages, and
//   verify all / copy all act on all of them (copy asks the server for the
//   secrets on demand).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Stack, eventually, openBrowser, login, closeAll } from './stack.mjs';

const ADMIN_TOKEN = 'tz-admin-token-51c0e7d2';
const CLIENT_TOKEN = 'tz-client-token-93ab';
const ZONE = 'America/New_York';
const FLASH = 'gemini-2.5-flash';
const PRO = 'gemini-2.5-pro';
// 30 keys: more than the smallest page (25). Ten carry "Tenth" for a filter;
// each ends differently, so their masked forms differ.
const key = (n) => 'AIzaSy' + ((n % 3 === 0 ? 'Tenth' : 'Other') + String(n).padStart(2, '0')).padEnd(29, 'x') +
    'k' + String(n).padStart(3, '0');
const KEYS = Array.from({ length: 30 }, (_, i) => key(i + 1));
const TENTH = KEYS.filter((k) => k.includes('Tenth'));

let stack;
let browser;
let page;
let failures;
const admin = (method, p, body) => stack.admin(method, p, body);

// `ms` as the pages show it (YYYY-MM-DD HH:MM:SS) in `zone`, by Node's Intl.
function inZone(ms, zone) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit'
  });
  const p = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour === '24' ? '00' : p.hour}:${p.minute}:${p.second}`;
}

function gempoolctl(args) {
  return new Promise((resolve) => {
    execFile(stack.binary('services/gempoolctl/gempoolctl'), args, { env: stack.env, timeout: 30000 },
        (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
  });
}

before(async () => {
  stack = new Stack({ adminToken: ADMIN_TOKEN, clientToken: CLIENT_TOKEN, env: { TIMEZONE: ZONE } });
  await stack.start();
  // The browser's own zone differs from TIMEZONE: the pages must not use it.
  browser = await openBrowser({ timezoneId: 'Asia/Tokyo', clipboardFor: stack, ignoreConsole: /status of 400/ });
  ({ page, failures } = browser);
  page.on('dialog', (dialog) => dialog.accept());
});

after(async () => {
  await closeAll(browser, stack);
});

test('TIMEZONE, statistics and the keys page in a browser', async (t) => {
  await t.test('log in and add 30 keys', async () => {
    await login(page, stack);
    const added = await admin('POST', '/keys/add', { text: KEYS.join('\n') });
    assert.equal(added.added, 30);
  });

  await t.test('select all selects every matching key across pages; copy all and verify all cover them', async () => {
    await page.selectOption('#page-size', '25');
    await page.waitForSelector('#pager:has-text("Page 1 of 2")');
    await page.click('#select-all');
    await page.waitForSelector('#selected-count:has-text("30 selected")');
    await page.click('#pager [data-role=next]');
    await page.waitForSelector('#pager:has-text("Page 2 of 2")');
    const boxes = page.locator('#keys-table tbody input[type=checkbox]');
    assert.equal(await boxes.count(), 5);
    for (let i = 0; i < 5; i++) assert.ok(await boxes.nth(i).isChecked(), 'keys on page 2 are selected too');
    // Copy: the full secrets of all 30, asked of the server now.
    await page.click('[data-bulk=copy]');
    await page.waitForSelector('.toast:has-text("Copied 30 keys")');
    const copied = (await page.evaluate(() => navigator.clipboard.readText())).split('\n');
    assert.deepEqual([...copied].sort(), [...KEYS].sort());
    await page.click('#select-none');
    await page.waitForSelector('#selected-count:has-text("0 selected")');

    // A filter: select all selects the 10 matching keys only, on every page.
    await page.fill('#search', 'Tenth');
    await page.waitForSelector('#pager:has-text("10 in all")');
    await page.click('[data-all=copy]');
    await page.waitForSelector('.toast:has-text("Copied 10 keys")');
    const filtered = (await page.evaluate(() => navigator.clipboard.readText())).split('\n');
    assert.deepEqual([...filtered].sort(), [...TENTH].sort());
    await page.waitForSelector('#selected-count:has-text("10 selected")');

    // Verify all: every matching key checked against the (fake) upstream.
    const before = await Promise.all(TENTH.map((k) => stack.upstreamCount(k)));
    await page.click('[data-all=verify]');
    await page.waitForSelector('#verify-result:has-text("Verified: 10 passed, 0 failed.")', { timeout: 60000 });
    const afterCounts = await Promise.all(TENTH.map((k) => stack.upstreamCount(k)));
    afterCounts.forEach((n, i) => assert.ok(n > before[i], `key ${i} was sent a verification call`));
    await page.fill('#search', '');
    await page.click('#select-none');
  });

  await t.test('the keys and logs pages show times in TIMEZONE, and say which', async () => {
    for (let i = 0; i < 3; i++) assert.equal(await stack.generate(FLASH), 200);
    const listed = await eventually(async () => {
      const body = await admin('GET', '/keys?sort=last_used&order=desc&limit=1');
      return body.keys[0].last_used_at_ms ? body.keys[0] : null;
    }, 'a key to be used');
    await page.goto(stack.url('/keys'));
    await page.waitForSelector('#time-zone:has-text("Times in America/New_York")');
    await page.waitForSelector(`tr[data-key-id="${listed.id}"]`);
    const row = await page.textContent(`tr[data-key-id="${listed.id}"]`);
    assert.ok(row.includes(inZone(listed.last_used_at_ms, ZONE)),
        `the row shows ${inZone(listed.last_used_at_ms, ZONE)} (New York), not Tokyo's ${inZone(listed.last_used_at_ms, 'Asia/Tokyo')}: ${row}`);

    const logs = await eventually(async () => {
      const body = await admin('GET', '/logs/requests?limit=1');
      return body.entries && body.entries.length ? body.entries[0] : null;
    }, 'a request log row');
    await page.click('a[href="/logs"]');
    await page.waitForSelector(`text=${inZone(logs.time_ms, ZONE)}`);
    assert.equal(await page.textContent('#time-zone'), 'Times in America/New_York');
  });

  await t.test('gempoolctl shows times in TIMEZONE (JSON keeps Unix ms)', async () => {
    const body = await admin('GET', '/keys?sort=last_used&order=desc&limit=1');
    const used = body.keys[0];
    const text = await gempoolctl(['keys', 'list', '--limit', '100']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /times in America\/New_York \(TIMEZONE\)/);
    assert.ok(text.stdout.includes(inZone(used.last_used_at_ms, ZONE)), text.stdout);
    const json = await gempoolctl(['--json', 'keys', 'list', '--limit', '100']);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout);
    assert.ok(parsed.keys.some((k) => k.last_used_at_ms === used.last_used_at_ms));
  });

  await t.test('statistics: the month in TIMEZONE, keys that need attention, a sane latency line', async () => {
    const [hot, warm] = [KEYS[0], KEYS[1]];
    // A 429 cools the key, so each answers 429 once (the store's contract
    // test checks the ordering by count).
    await stack.script({ key: hot, model: FLASH, responses: [{ status: 429 }] });
    await stack.script({ key: warm, model: FLASH, responses: [{ status: 429 }] });
    // Retries move each call to another key, so every call succeeds; the 429s
    // are in the error log, one row per failed attempt.
    const hotId = (await admin('GET', '/keys?search=' + hot.slice(6, 20))).keys[0].id;
    const warmId = (await admin('GET', '/keys?search=' + warm.slice(6, 20))).keys[0].id;
    let top = null;
    await eventually(async () => {
      assert.equal(await stack.generate(FLASH), 200);
      top = await admin('GET', '/stats/attention?status=429');
      const ids = top.keys.map((k) => k.key_id);
      return ids.includes(hotId) && ids.includes(warmId);
    }, 'both keys to be counted', 20000).catch((e) => { throw new Error(e.message + ': ' + JSON.stringify(top)); });
    assert.ok(top.keys.every((k) => k.count >= 1));

    await page.click('a[href="/stats"]');
    await page.waitForSelector('[data-window="month"]');
    const now = Date.now();
    const month = inZone(now, ZONE).slice(0, 7);
    assert.equal(await page.textContent('[data-window="month"] .label'), `This month (${month})`);
    const stats = await admin('GET', '/stats');
    assert.equal(stats.timezone, ZONE);
    assert.equal(inZone(stats.windows.month.since_ms, ZONE), `${month}-01 00:00:00`, 'the month starts at midnight in New York');
    assert.ok(Number(await page.getAttribute('[data-window="month"]', 'data-calls')) >= 3);

    // Keys that need attention: masked, with counts; the status is selectable.
    await page.waitForSelector(`#attention tr[data-key-id="${hotId}"][data-count="1"]`);
    const masked = hot.slice(0, 6) + '...' + hot.slice(-4);
    assert.ok((await page.textContent('#attention')).includes(masked));
    assert.ok(!(await page.content()).includes(hot), 'never the full key');
    await stack.script({ key: KEYS[2], model: FLASH, responses: [{ status: 403, reason: 'PERMISSION_DENIED' }] });
    const deniedId = (await admin('GET', '/keys?search=' + KEYS[2].slice(6, 20))).keys[0].id;
    await eventually(async () => {
      assert.equal(await stack.generate(FLASH), 200);
      return (await admin('GET', '/stats/attention?status=403')).keys.some((k) => k.key_id === deniedId);
    }, 'the 403 to be logged');
    await page.selectOption('#attention-status', '403');
    await page.waitForSelector(`#attention tr[data-key-id="${deniedId}"]`);
    assert.equal(await page.locator(`#attention tr[data-key-id="${hotId}"]`).count(), 0);

    // The latency line: percentiles within the latencies seen, so p50 is
    // never above the highest (it was 25 ms beside a 1 ms mean).
    const { latency } = stats;
    assert.ok(latency.p50 >= latency.min && latency.p50 <= latency.max, JSON.stringify(latency));
    assert.ok(stats.avg_latency_ms >= latency.min && stats.avg_latency_ms <= latency.max);
    await page.click('#refresh');
    await page.waitForSelector('#latency:has-text("p50")');
    await page.waitForSelector('#chart-zone:has-text("America/New_York")');
    // The 30-day chart: one bar slot per calendar day in New York; the last
    // one with calls is today there.
    await page.click('[data-range="30d"]');
    await page.waitForSelector('#chart svg rect[data-day]');
    const lastDay = await page.locator('#chart svg rect[data-day]').last().getAttribute('data-day');
    assert.equal(lastDay, inZone(now, ZONE).slice(0, 10), 'the last day is today in New York');
    const days = await admin('GET', '/stats?range=30d');
    assert.equal(inZone(days.buckets[29].start_ms, ZONE), `${inZone(now, ZONE).slice(0, 10)} 00:00:00`);
  });

  await t.test('a TIMEZONE saved on the configuration page applies without a restart', async () => {
    await page.click('a[href="/config"]');
    await page.waitForSelector('#setting-TIMEZONE');
    assert.ok(await page.isEnabled('#setting-TIMEZONE'), 'TIMEZONE can be edited');
    await page.fill('#setting-TIMEZONE', 'Mars/Olympus');
    await page.waitForSelector('[data-error-for=TIMEZONE]:has-text("TIMEZONE")');
    await page.fill('#setting-TIMEZONE', 'Asia/Shanghai');
    await page.waitForFunction(() => !document.querySelector('.invalid'));
    await page.click('#save');
    await eventually(async () => (await admin('GET', '/stats?range=1h')).timezone === 'Asia/Shanghai',
        'the gateway to apply the new TIMEZONE');
    await page.click('a[href="/logs"]');
    await page.waitForSelector('#time-zone:has-text("Times in Asia/Shanghai")');
    const row = (await admin('GET', '/logs/requests?limit=1')).entries[0];
    await page.waitForSelector(`text=${inZone(row.time_ms, 'Asia/Shanghai')}`);
    // gempoolctl reads the saved value too.
    const text = await gempoolctl(['keys', 'list', '--limit', '5']);
    assert.match(text.stdout, /times in Asia\/Shanghai \(TIMEZONE\)/);
  });

  await t.test('the browser saw no errors', () => {
    assert.deepEqual(failures, []);
  });
});
