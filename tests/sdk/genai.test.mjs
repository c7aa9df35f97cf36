// The official @google/genai SDK against a running gempool gateway: generate,
// stream, countTokens, embed and the model list, with apiVersion v1beta and
// with the SDK's default /v1, and a 429 that surfaces as ApiError.
//   cd tests/sdk && npm ci && GEMPOOL_BIN_DIR=../../build node --test
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ApiError, GoogleGenAI } from '@google/genai';

import { CLIENT_TOKEN, TEST_KEYS, useStack } from './stack.mjs';

const MODEL = 'gemini-2.5-flash';
const CATALOG_SIZE = 6; // models fake-gemini lists

const stack = useStack();

function clients() {
  return [
    ['v1beta', new GoogleGenAI({ apiKey: CLIENT_TOKEN, httpOptions: { baseUrl: stack.gatewayUrl, apiVersion: 'v1beta' } })],
    ['default v1', new GoogleGenAI({ apiKey: CLIENT_TOKEN, httpOptions: { baseUrl: stack.gatewayUrl } })],
  ];
}

for (const variant of ['v1beta', 'default v1']) {
  describe(`@google/genai with ${variant}`, () => {
    const ai = () => clients().find(([name]) => name === variant)[1];

    test('generateContent', () => stack.guarded(async () => {
      const response = await ai().models.generateContent({ model: MODEL, contents: 'hello from the SDK' });
      assert.match(response.text, /hello from the SDK/);
      assert.equal(response.candidates[0].finishReason, 'STOP');
      assert.ok(response.usageMetadata.totalTokenCount > 0);
    }));

    test('generateContentStream yields every chunk', () => stack.guarded(async () => {
      const texts = [];
      for await (const chunk of await ai().models.generateContentStream({ model: MODEL, contents: 'stream please' })) {
        texts.push(chunk.text);
      }
      assert.deepEqual(texts, ['chunk 1 of 3. ', 'chunk 2 of 3. ', 'chunk 3 of 3. ']);
    }));

    test('countTokens', () => stack.guarded(async () => {
      const result = await ai().models.countTokens({ model: MODEL, contents: 'count these tokens please' });
      assert.ok(result.totalTokens > 0, JSON.stringify(result));
    }));

    test('embedContent (sent as batchEmbedContents)', () => stack.guarded(async () => {
      const result = await ai().models.embedContent({
        model: 'gemini-embedding-001', contents: ['a', 'b'], config: { outputDimensionality: 4 },
      });
      assert.equal(result.embeddings.length, 2);
      assert.equal(result.embeddings[0].values.length, 4);
    }));

    test('models.list pages through every model', () => stack.guarded(async () => {
      const names = [];
      for await (const model of await ai().models.list({ config: { pageSize: 2 } })) names.push(model.name);
      // Plus the derived -search models of SEARCH_MODELS' defaults.
      assert.equal(names.length, CATALOG_SIZE + 2, names.join(', '));
      assert.ok(names.includes('models/gemini-2.5-pro'));
      assert.ok(names.includes('models/gemini-2.5-flash-search'));
    }));
  });
}

describe('upstream and errors', () => {
  test('only pool keys reach the upstream, never the client token', () => stack.guarded(async () => {
    const requests = await stack.upstreamRequests();
    assert.ok(requests.length > 0);
    for (const r of requests) {
      assert.ok(TEST_KEYS.includes(r.key), `upstream saw key ${r.key}`);
      assert.ok(!JSON.stringify(r).includes(CLIENT_TOKEN), `client token leaked upstream in ${r.path}`);
    }
  }));

  test('a 429 from every key surfaces as ApiError status 429', () => stack.guarded(async () => {
    await stack.script({ model: 'gemini-2.5-pro', repeat: true, responses: [{ status: 429, retryDelay: '30s' }] });
    const ai = clients()[0][1];
    await assert.rejects(
      ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'rate limited' }),
      (e) => {
        assert.ok(e instanceof ApiError, `not an ApiError: ${e}`);
        assert.equal(e.status, 429);
        assert.match(e.message, /RESOURCE_EXHAUSTED/);
        return true;
      });
    await stack.resetFake();
  }));

  test('a wrong token surfaces as ApiError status 401', () => stack.guarded(async () => {
    const ai = new GoogleGenAI({ apiKey: 'not-a-client-token', httpOptions: { baseUrl: stack.gatewayUrl, apiVersion: 'v1beta' } });
    await assert.rejects(ai.models.generateContent({ model: MODEL, contents: 'hi' }), (e) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 401);
      return true;
    });
  }));
});
