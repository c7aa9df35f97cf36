// The browser tests' set-up: a whole gempool on loopback (the fake Gemini
// upstream, gempool-persistence, gempool-keybroker and gempool-gateway, each
// on a free port with its own environment and a temporary DATA_DIR; binaries
// from GEMPOOL_BIN_DIR (a CMake build directory), else ../../build), the
// admin API as the tests call it, Debian's chromium with a fresh profile, the
// login, and `eventually` for what the services do asynchronously.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

export function binDir() {
  return path.resolve(process.env.GEMPOOL_BIN_DIR || path.join(here, '..', '..', 'build'));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Polls `check` every 100 ms until it returns a truthy value, which it
// returns; throws naming `what` after `ms`. An error thrown by `check` (a
// failed assertion inside it) ends the wait at once.
export async function eventually(check, what, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Chromium (/usr/bin/chromium or $CHROMIUM) with a fresh profile, English,
// 1280x900, and one page. Page errors and console errors are collected in
// `failures`, except console lines `ignoreConsole` matches. `timezoneId` sets
// the browser's own zone; `clipboardFor` (a Stack) lets the page use the
// clipboard on the gateway's origin.
export async function openBrowser({ timezoneId, clipboardFor, ignoreConsole } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gempool-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    locale: 'en-US',
    ...(timezoneId ? { timezoneId } : {}),
    viewport: { width: 1280, height: 900 }
  });
  if (clipboardFor) {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: clipboardFor.url('') });
  }
  const page = await context.newPage();
  const failures = [];
  page.on('pageerror', (error) => failures.push('page error: ' + error.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !(ignoreConsole && ignoreConsole.test(msg.text()))) {
      failures.push('console: ' + msg.text());
    }
  });
  return { context, page, failures, profile };
}

// Logs `page` in with the stack's admin token and waits for the keys page.
export async function login(page, stack) {
  await page.goto(stack.url('/'));
  await page.fill('#token', stack.adminToken);
  await page.click('#login-submit');
  await page.waitForURL('**/keys');
}

// Closes the browser and stops the stack (printing every service's log when
// the run failed). `beforeCleanup(stack)` runs before the stack's files go.
export async function closeAll(browser, stack, beforeCleanup) {
  if (browser) {
    await browser.context.close();
    fs.rmSync(browser.profile, { recursive: true, force: true });
  }
  if (stack) {
    await stack.stop();
    if (beforeCleanup) beforeCleanup(stack);
    if (process.exitCode) console.log(stack.allLogs());
    stack.cleanup();
  }
}

export class Stack {
  constructor({ adminToken, clientToken, env = {} }) {
    this.adminToken = adminToken;
    this.clientToken = clientToken;
    this.extraEnv = env;
    this.procs = [];
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gempool-ui-'));
  }

  binary(rel) {
    const p = path.join(binDir(), rel);
    if (!fs.existsSync(p)) throw new Error(`${p} is missing: build gempool first (or set GEMPOOL_BIN_DIR)`);
    return p;
  }

  launch(name, file, args, env) {
    const log = fs.openSync(path.join(this.dir, name + '.log'), 'a');
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', log] });
    child.stdout.on('data', (chunk) => fs.appendFileSync(path.join(this.dir, name + '.log'), chunk));
    this.procs.push({ name, child });
    return child;
  }

  async start() {
    // The fake upstream prints "listening on PORT" first.
    const fake = this.launch('fake-gemini', this.binary('tests/fake_upstream/fake-gemini'), ['--port', '0'],
        { PATH: process.env.PATH });
    this.fakePort = await new Promise((resolve, reject) => {
      let text = '';
      fake.stdout.on('data', (chunk) => {
        text += chunk;
        const m = /listening on (\d+)/.exec(text);
        if (m) resolve(Number(m[1]));
      });
      fake.on('exit', (code) => reject(new Error('fake-gemini exited with ' + code)));
    });
    this.persistencePort = await freePort();
    this.brokerPort = await freePort();
    this.gatewayPort = await freePort();
    this.env = {
      PATH: process.env.PATH,
      GEMPOOL_ENV_FILE: path.join(this.dir, 'no.env'),
      DATA_DIR: path.join(this.dir, 'data'),
      AUTH_TOKEN: this.adminToken,
      ALLOWED_TOKENS: this.clientToken,
      BASE_URL: `http://127.0.0.1:${this.fakePort}/v1beta`,
      KEYBROKER_ADDR: `127.0.0.1:${this.brokerPort}`,
      PERSISTENCE_ADDR: `127.0.0.1:${this.persistencePort}`,
      HOST: '127.0.0.1',
      PORT: String(this.gatewayPort),
      GATEWAY_THREADS: '32',
      LOG_LEVEL: 'DEBUG',
      ...this.extraEnv
    };
    this.launch('persistence', this.binary('services/persistence/gempool-persistence'), [], this.env);
    this.launch('keybroker', this.binary('services/keybroker/gempool-keybroker'), [], this.env);
    this.launch('gateway', this.binary('services/gateway/gempool-gateway'), [], this.env);
    await eventually(async () => {
      for (const { name, child } of this.procs) {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${this.log(name)}`);
      }
      try {
        return (await fetch(this.url('/health'))).ok;
      } catch (e) {
        return false;  // Not listening yet.
      }
    }, 'the gateway to report healthy', 30000);
  }

  url(p) {
    return `http://127.0.0.1:${this.gatewayPort}${p}`;
  }

  // An admin API call with the admin token: the JSON answer, or an error
  // naming the call and the status.
  async admin(method, p, body) {
    const res = await fetch(this.url('/api' + p), {
      method,
      headers: { Authorization: 'Bearer ' + this.adminToken, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  // Scripts the fake upstream (see tests/fake_upstream/fake_gemini.h).
  async script(body) {
    const res = await fetch(`http://127.0.0.1:${this.fakePort}/_fake/script`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
    });
    if (!res.ok) throw new Error('fake script refused: ' + (await res.text()));
  }

  // How many calls the fake upstream received with `key`.
  async upstreamCount(key) {
    const res = await fetch(`http://127.0.0.1:${this.fakePort}/_fake/requests?key=${encodeURIComponent(key)}`);
    if (!res.ok) throw new Error('fake requests refused: ' + (await res.text()));
    return (await res.json()).requests.length;
  }

  // A client call to the Gemini API through the gateway.
  async generate(model, token = this.clientToken) {
    const res = await fetch(this.url(`/v1beta/models/${model}:generateContent`), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-goog-api-key': token },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] })
    });
    await res.text();
    return res.status;
  }

  log(name) {
    try {
      return fs.readFileSync(path.join(this.dir, name + '.log'), 'utf8');
    } catch (e) {
      return '';
    }
  }

  allLogs() {
    return this.procs.map(({ name }) => `----- ${name} -----\n${this.log(name)}`).join('\n');
  }

  async stop() {
    for (const { child } of [...this.procs].reverse()) {
      if (child.exitCode === null) child.kill('SIGTERM');
    }
    await Promise.all(this.procs.map(({ child }) => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 10000);
      child.on('exit', () => { clearTimeout(timer); resolve(); });
    })));
  }

  cleanup() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
