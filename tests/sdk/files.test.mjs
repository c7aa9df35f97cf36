// The Files API through gempool with the official @google/genai SDK. Google
// binds an uploaded file to the key (project) that uploaded it, and
// fake-gemini does the same: any other key gets Google's 403. With three keys
// in the pool and two gateways sharing one broker, a file uploaded through one
// gateway is used through the other, so every call passes only if gempool
// sends it out on the key that owns the file.
//   cd tests/sdk && npm ci && GEMPOOL_BIN_DIR=../../build node --test files.test.mjs
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { ApiError, GoogleGenAI, createPartFromUri, createUserContent } from '@google/genai';

import { CLIENT_TOKEN, TEST_KEYS, useStack } from './stack.mjs';

const MODEL = 'gemini-2.5-flash';
const OTHER_TOKEN = 'sdk-other-client-7c41';

const stack = useStack({ env: { ALLOWED_TOKENS: JSON.stringify([CLIENT_TOKEN, OTHER_TOKEN]) } });

function client(baseUrl, apiKey = CLIENT_TOKEN) {
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl, apiVersion: 'v1beta' } });
}

// A body bigger than one socket read, with a recognisable pattern.
function document(bytes) {
  const line = 'gempool files test line\n';
  return new Blob([line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes)], { type: 'text/plain' });
}

function isApiError(status) {
  return (e) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${e}`);
    assert.equal(e.status, status, e.message);
    return true;
  };
}

describe('Files API with @google/genai', () => {
  let second;
  before(async () => {
    second = await stack.addGateway();
  });

  test('files.upload on one gateway, generateContent with its URI on another uses the owning key', () =>
    stack.guarded(async () => {
      await stack.upstreamSince();
      // Over two of the SDK's 8 MiB chunks: three chunk requests.
      const size = 17 * 1024 * 1024 + 5;
      const uploaded = await client(stack.gatewayUrl).files.upload({
        file: document(size), config: { mimeType: 'text/plain', displayName: 'notes.txt' },
      });
      assert.match(uploaded.name, /^files\/[A-Za-z0-9_-]+$/);
      assert.equal(uploaded.mimeType, 'text/plain');
      assert.equal(Number(uploaded.sizeBytes), size);

      const uploads = (await stack.upstreamSince()).filter((r) => r.path.includes('/upload/'));
      assert.equal(uploads.length, 4, `the start and three chunks reach the upstream: ${JSON.stringify(uploads)}`);
      const owner = uploads[0].key;
      assert.ok(TEST_KEYS.includes(owner));
      for (const r of uploads) assert.equal(r.key, owner, 'every chunk goes out on the key that started the upload');

      // More calls than keys: a round-robin would reach the other keys.
      const ai = client(second);
      for (let i = 0; i < 2 * TEST_KEYS.length; i++) {
        const response = await ai.models.generateContent({
          model: MODEL,
          contents: createUserContent([createPartFromUri(uploaded.uri, uploaded.mimeType), `summarise ${i}`]),
        });
        assert.ok(response.text.length > 0);
      }
      const calls = await stack.upstreamSince('generateContent');
      assert.equal(calls.length, 2 * TEST_KEYS.length, JSON.stringify(calls.map((c) => c.key)));
      for (const c of calls) assert.equal(c.key, owner);

      const counted = await ai.models.countTokens({
        model: MODEL, contents: createUserContent([createPartFromUri(uploaded.uri, uploaded.mimeType), 'count']),
      });
      assert.ok(counted.totalTokens > 0);

      const fetched = await ai.files.get({ name: uploaded.name });
      assert.equal(fetched.name, uploaded.name);
      assert.equal(fetched.displayName, 'notes.txt');
    }));

  test('the upload URL gempool hands out carries no pool key and points at the gateway', () => stack.guarded(async () => {
    const r = await fetch(`${stack.gatewayUrl}/upload/v1beta/files`, {
      method: 'POST',
      headers: {
        'x-goog-api-key': CLIENT_TOKEN,
        'X-Goog-Upload-Protocol': 'resumable',
        'X-Goog-Upload-Command': 'start',
        'X-Goog-Upload-Header-Content-Length': '5',
        'X-Goog-Upload-Header-Content-Type': 'text/plain',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ file: { displayName: 'raw.txt' } }),
    });
    assert.equal(r.status, 200, await r.text());
    const url = r.headers.get('x-goog-upload-url');
    assert.ok(url.startsWith(`${stack.gatewayUrl}/upload/`), url);
    for (const key of TEST_KEYS) assert.ok(!url.includes(key), `pool key in ${url}`);
    assert.ok(!url.includes(CLIENT_TOKEN), `client token in ${url}`);

    // Finished through the second gateway: the session is shared.
    const done = await fetch(url.replace(stack.gatewayUrl, second), {
      method: 'POST',
      headers: { 'x-goog-api-key': CLIENT_TOKEN, 'X-Goog-Upload-Command': 'upload, finalize', 'X-Goog-Upload-Offset': '0' },
      body: 'hello',
    });
    assert.equal(done.status, 200, await done.clone().text());
    const { file } = await done.json();
    assert.equal(Number(file.sizeBytes), 5);
  }));

  test('another client token neither sees nor uses the file (FILES_USER_ISOLATION_ENABLED)', () => stack.guarded(async () => {
    const mine = await client(stack.gatewayUrl).files.upload({ file: document(1000), config: { mimeType: 'text/plain' } });
    const other = client(second, OTHER_TOKEN);
    const listed = [];
    for await (const f of await other.files.list()) listed.push(f.name);
    assert.ok(!listed.includes(mine.name), listed.join(', '));
    await assert.rejects(other.files.get({ name: mine.name }), isApiError(404));
    await assert.rejects(other.files.delete({ name: mine.name }), isApiError(404));
    await assert.rejects(other.models.generateContent({
      model: MODEL, contents: createUserContent([createPartFromUri(mine.uri, 'text/plain'), 'steal']),
    }), isApiError(404));

    const own = [];
    for await (const f of await client(second).files.list()) own.push(f.name);
    assert.ok(own.includes(mine.name), own.join(', '));
  }));

  test('files.delete removes the file for good', () => stack.guarded(async () => {
    const ai = client(stack.gatewayUrl);
    const f = await ai.files.upload({ file: document(100), config: { mimeType: 'text/plain' } });
    await client(second).files.delete({ name: f.name });
    await assert.rejects(ai.files.get({ name: f.name }), isApiError(404));
  }));
});
