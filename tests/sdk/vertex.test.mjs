// Vertex AI Express keys through gempool with the official @google/genai SDK in
// Vertex AI mode (`vertexai: true` with an API key), its base URL pointed at
// gempool's /vertex-express routes: the calls go out on the Vertex pool's
// keys, never on the Gemini pool's, and the client token never reaches Google.
//   cd tests/sdk && npm ci && GEMPOOL_BIN_DIR=../../build node --test vertex.test.mjs
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ApiError, GoogleGenAI } from '@google/genai';

import { CLIENT_TOKEN, TEST_KEYS, VERTEX_TEST_KEYS, useStack } from './stack.mjs';

const MODEL = 'gemini-2.5-flash';

const stack = useStack({ env: { VERTEX_API_KEYS: JSON.stringify(VERTEX_TEST_KEYS) } });

function vertexClient(apiVersion) {
  return new GoogleGenAI({
    vertexai: true, apiKey: CLIENT_TOKEN,
    httpOptions: { baseUrl: `${stack.gatewayUrl}/vertex-express`, ...(apiVersion ? { apiVersion } : {}) },
  });
}

describe('Vertex AI Express with @google/genai (vertexai: true)', () => {
  for (const apiVersion of [undefined, 'v1beta']) {
    test(`generateContent and generateContentStream, API version ${apiVersion ?? 'default (v1beta1)'}`, () =>
      stack.guarded(async () => {
        await stack.upstreamSince();
        const ai = vertexClient(apiVersion);
        for (let i = 0; i < 2 * VERTEX_TEST_KEYS.length; i++) {
          const response = await ai.models.generateContent({ model: MODEL, contents: `vertex ${i}` });
          assert.match(response.text, new RegExp(`vertex ${i}`));
        }
        const texts = [];
        for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: 'stream' })) {
          texts.push(chunk.text);
        }
        assert.ok(texts.length > 0);

        const upstream = await stack.upstreamSince();
        assert.equal(upstream.length, 2 * VERTEX_TEST_KEYS.length + 1, JSON.stringify(upstream.map((r) => r.path)));
        const used = new Set();
        for (const r of upstream) {
          assert.match(r.path, /^\/v1beta1\/publishers\/google\/models\/gemini-2\.5-flash:/);
          assert.ok(VERTEX_TEST_KEYS.includes(r.key), `a Vertex call went out on ${r.key}`);
          assert.ok(!TEST_KEYS.includes(r.key));
          assert.ok(!JSON.stringify(r).includes(CLIENT_TOKEN), 'the client token reached the upstream');
          used.add(r.key);
        }
        assert.equal(used.size, VERTEX_TEST_KEYS.length, 'the calls rotate over every Vertex key');
      }));
  }

  test('a 429 from every Vertex key surfaces as ApiError 429 with the Gemini pool untouched', () => stack.guarded(async () => {
    await stack.script({ model: 'gemini-2.5-pro', repeat: true, responses: [{ status: 429, retryDelay: '30s' }] });
    await stack.upstreamSince();
    await assert.rejects(vertexClient().models.generateContent({ model: 'gemini-2.5-pro', contents: 'busy' }), (e) => {
      assert.ok(e instanceof ApiError, String(e));
      assert.equal(e.status, 429);
      return true;
    });
    for (const r of await stack.upstreamSince()) assert.ok(VERTEX_TEST_KEYS.includes(r.key), r.key);
    await stack.resetFake();
  }));
});
