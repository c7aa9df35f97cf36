// Starts a whole gempool stack for the SDK tests: fake-gemini plus the real
// gempool-persistence, gempool-keybroker and gempool-gateway binaries, each on
// a free loopback port with its own temporary DATA_DIR. Binaries come from
// $GEMPOOL_BIN_DIR (the CMake build directory), default ../../build.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';

const here = path.dirname(fileURLToPath(import.meta.url));
export const binDir = path.resolve(process.env.GEMPOOL_BIN_DIR ?? path.join(here, '..', '..', 'build'));

const START_TIMEOUT_MS = 20000;

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

function portAccepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const TEST_KEYS = [1, 2, 3].map((n) => `AIzaSySdkTest${n}`.padEnd(39, 'x'));
export const CLIENT_TOKEN = 'sdk-client-token-5e2b';
// Vertex AI Express keys for the stacks that set VERTEX_API_KEYS.
export const VERTEX_TEST_KEYS = [1, 2].map((n) => `AQ.SdkVertexTest${n}`.padEnd(53, 'v'));

// A running stack. stop() ends every process; logs() returns their output.
// `env` adds (or overrides) settings of every gempool process.
export class Stack {
  constructor({ env = {} } = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gempool-sdk-'));
    this.procs = [];
    this.extraEnv = env;
    // Set by guarded() when a test fails: the logs are printed and the
    // directory kept.
    this.failed = false;
    this.seenRequestId = 0;
  }

  // Runs a test body; a failure marks the stack so its logs are printed.
  async guarded(fn) {
    try {
      await fn();
    } catch (e) {
      this.failed = true;
      throw e;
    }
  }

  // What reached fake-gemini (for `operation`, when given) since the last
  // call.
  async upstreamSince(operation) {
    const all = await this.upstreamRequests();
    const fresh = all.filter((r) => r.id > this.seenRequestId);
    if (all.length > 0) this.seenRequestId = all[all.length - 1].id;
    return fresh.filter((r) => !operation || r.operation === operation);
  }

  launch(name, binary, args, env) {
    const file = path.join(binDir, binary);
    if (!fs.existsSync(file)) throw new Error(`${name}: ${file} not found; build first or set GEMPOOL_BIN_DIR`);
    const log = path.join(this.dir, `${name}.log`);
    const out = fs.openSync(log, 'a');
    const work = path.join(this.dir, `work-${name}`);
    fs.mkdirSync(work, { recursive: true });
    const child = spawn(file, args, { env: { PATH: process.env.PATH, ...env }, cwd: work, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const proc = { name, child, log, exited: false };
    child.on('exit', () => { proc.exited = true; });
    this.procs.push(proc);
    return proc;
  }

  async start() {
    const fake = this.launch('fake-gemini', 'tests/fake_upstream/fake-gemini', ['--port', '0'], {});
    await waitFor(() => {
      const m = /listening on (\d+)\n/.exec(fs.readFileSync(fake.log, 'utf8'));
      if (m) this.fakePort = Number(m[1]);
      return Boolean(m) || fake.exited;
    }, START_TIMEOUT_MS, 'fake-gemini');
    if (!this.fakePort) throw new Error(`fake-gemini did not start:\n${this.logs()}`);

    const persistencePort = await freePort();
    const brokerPort = await freePort();
    this.gatewayPort = await freePort();
    this.env = {
      API_KEYS: JSON.stringify(TEST_KEYS),
      ALLOWED_TOKENS: JSON.stringify([CLIENT_TOKEN]),
      AUTH_TOKEN: 'sdk-admin-token',
      BASE_URL: `http://127.0.0.1:${this.fakePort}/v1beta`,
      // fake-gemini serves Vertex AI Express too (VERTEX_API_KEYS is a test's choice).
      VERTEX_EXPRESS_BASE_URL: `http://127.0.0.1:${this.fakePort}/v1beta1/publishers/google`,
      MAX_RETRIES: '3',
      CHECK_INTERVAL_HOURS: '0',
      MAX_FAILURES_RECHECK_SECONDS: '0',
      LOG_LEVEL: 'debug',
      HOST: '127.0.0.1',
      PORT: String(this.gatewayPort),
      KEYBROKER_ADDR: `127.0.0.1:${brokerPort}`,
      PERSISTENCE_ADDR: `127.0.0.1:${persistencePort}`,
      DATA_DIR: path.join(this.dir, 'data'),
      GEMPOOL_ENV_FILE: path.join(this.dir, 'no-such.env'),
      ...this.extraEnv,
    };
    for (const [name, binary, port] of [
      ['persistence', 'services/persistence/gempool-persistence', persistencePort],
      ['keybroker', 'services/keybroker/gempool-keybroker', brokerPort],
    ]) {
      const proc = this.launch(name, binary, [], this.env);
      await waitFor(async () => proc.exited || (await portAccepts(port)), START_TIMEOUT_MS, name)
        .catch((e) => { throw new Error(`${e.message}\n${this.logs()}`); });
      if (proc.exited) throw new Error(`${name} exited at start-up:\n${this.logs()}`);
    }
    const gateway = this.launch('gateway', 'services/gateway/gempool-gateway', [], this.env);
    await waitFor(async () => {
      if (gateway.exited) return true;
      try {
        return (await fetch(`${this.gatewayUrl}/health`)).status === 200;
      } catch {
        return false;
      }
    }, START_TIMEOUT_MS, 'gateway /health 200').catch((e) => { throw new Error(`${e.message}\n${this.logs()}`); });
    if (gateway.exited) throw new Error(`gateway exited at start-up:\n${this.logs()}`);
  }

  // Starts one more gateway on the same broker and persistence (as in the
  // scaled deployment); resolves with its base URL.
  async addGateway() {
    const port = await freePort();
    const name = `gateway-${port}`;
    const gateway = this.launch(name, 'services/gateway/gempool-gateway', [], { ...this.env, PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => {
      if (gateway.exited) return true;
      try {
        return (await fetch(`${url}/health`)).status === 200;
      } catch {
        return false;
      }
    }, START_TIMEOUT_MS, `${name} /health 200`).catch((e) => { throw new Error(`${e.message}\n${this.logs()}`); });
    if (gateway.exited) throw new Error(`${name} exited at start-up:\n${this.logs()}`);
    return url;
  }

  get gatewayUrl() { return `http://127.0.0.1:${this.gatewayPort}`; }
  get fakeUrl() { return `http://127.0.0.1:${this.fakePort}`; }

  // POSTs a script to the fake upstream (see tests/fake_upstream/fake_gemini.h).
  async script(body) {
    const r = await fetch(`${this.fakeUrl}/_fake/script`, { method: 'POST', body: JSON.stringify(body) });
    if (r.status !== 200) throw new Error(`/_fake/script: ${r.status} ${await r.text()}`);
  }

  async resetFake() {
    await fetch(`${this.fakeUrl}/_fake/reset`, { method: 'POST', body: '{}' });
  }

  async upstreamRequests() {
    return (await (await fetch(`${this.fakeUrl}/_fake/requests`)).json()).requests;
  }

  logs() {
    return this.procs.map((p) => `---- ${p.name} (${p.log}) ----\n${fs.readFileSync(p.log, 'utf8').slice(-16000)}`).join('\n');
  }

  async stop({ keepDir = false } = {}) {
    // Gateway first, fake last: the reverse of the start order.
    for (const p of [...this.procs].reverse()) {
      if (p.exited) continue;
      p.child.kill('SIGTERM');
      const done = new Promise((r) => p.child.once('exit', r));
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(timer);
    }
    if (!keepDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// A stack for one test file: started before its tests, stopped after them
// (its logs printed and its directory kept when a test failed).
export function useStack(options = {}) {
  const stack = new Stack(options);
  before(async () => {
    try {
      await stack.start();
    } catch (e) {
      stack.failed = true;
      throw e;
    }
  });
  after(async () => {
    if (stack.failed) console.error(stack.logs());
    await stack.stop({ keepDir: stack.failed });
  });
  return stack;
}

// A raw SSE body for fake-gemini's script (Google's CRLF framing).
export function sse(...events) {
  return events.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`).join('');
}

// An HTTP server on loopback for this file's tests that serves `bytes` as
// `contentType` at /<name> (and 404 elsewhere); `url` is set once it listens.
// The gateway fetches image URLs only from public addresses unless
// MEDIA_FETCH_ALLOW_PRIVATE (tests only) is set.
export function useFileServer(name, bytes, contentType) {
  const served = { url: '' };
  let server;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === `/${name}`) {
        res.writeHead(200, { 'content-type': contentType });
        res.end(bytes);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    served.url = `http://127.0.0.1:${server.address().port}/${name}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  return served;
}

// Runs a command-line client (Claude Code, Codex) to its end; resolves with
// {code, stdout, stderr}, rejects when it runs longer than `timeoutMs`.
export function runCli(file, args, { cwd, env, timeoutMs = 120000 }) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(file)} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}
