// Fake streaming (FAKE_STREAM_ENABLED) keeps a slow answer alive through a
// proxy that cuts connections idle for 10 s: the upstream takes 30 s to
// answer, the gateway sends a heartbeat every 5 s (the default interval),
// and the official openai and @google/genai SDKs stream the answer without
// error. The same calls on a stack without fake streaming are cut, which
// proves the proxy does cut. The four calls run concurrently (~30 s).
//   cd tests/sdk && GEMPOOL_BIN_DIR=../../build node --test fake_stream.test.mjs
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { GoogleGenAI } from '@google/genai';
import OpenAI, { APIConnectionError } from 'openai';

import { CLIENT_TOKEN, useStack } from './stack.mjs';
import { startIdleCutProxy } from './idle_cut_proxy.mjs';

const IDLE_CUT_MS = 10000;
const ANSWER_DELAY_MS = 30000;
const OPENAI_MODEL = 'gemini-2.5-flash';
const GENAI_MODEL = 'gemini-2.5-pro';
const ANSWER = 'an answer that took thirty seconds';

const faked = useStack({ env: { FAKE_STREAM_ENABLED: 'true' } });
const real = useStack();
const proxies = {};

// Scripts both fakes and starts the proxies once, when the first test needs
// them (the stacks are up by then).
let ready;
function setUp() {
  ready ??= (async () => {
    for (const [name, stack] of [['faked', faked], ['real', real]]) {
      // Every call for either model waits 30 s before its (whole) answer.
      for (const model of [OPENAI_MODEL, GENAI_MODEL]) {
        await stack.script({ model, responses: [{ kind: 'slow', delayMs: ANSWER_DELAY_MS, text: ANSWER }], repeat: true });
      }
      proxies[name] = await startIdleCutProxy(stack.gatewayPort, IDLE_CUT_MS);
    }
  })();
  return ready;
}

after(async () => {
  for (const proxy of Object.values(proxies)) await proxy.close();
});

function openai(name) {
  return new OpenAI({ apiKey: CLIENT_TOKEN, baseURL: `${proxies[name].url}/v1`, maxRetries: 0, timeout: 90000 });
}

function genai(name) {
  return new GoogleGenAI({ apiKey: CLIENT_TOKEN, httpOptions: { baseUrl: proxies[name].url, apiVersion: 'v1beta' } });
}

async function openaiStream(name) {
  await setUp();
  const stream = await openai(name).chat.completions.create({
    model: OPENAI_MODEL, stream: true, messages: [{ role: 'user', content: 'think for a long time' }],
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function genaiStream(name) {
  await setUp();
  const chunks = [];
  const stream = await genai(name).models.generateContentStream({ model: GENAI_MODEL, contents: 'think for a long time' });
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('fake streaming through a proxy that cuts idle connections', { concurrency: true }, () => {
  test('openai SDK: a 30 s answer arrives whole', () => faked.guarded(async () => {
    const started = Date.now();
    const chunks = await openaiStream('faked');
    assert.ok(Date.now() - started >= ANSWER_DELAY_MS - 1000, 'the answer took its 30 s');
    // Heartbeats yield nothing: every chunk carries a choice.
    for (const chunk of chunks) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      assert.ok(chunk.choices.length > 0, `a spurious chunk: ${JSON.stringify(chunk)}`);
    }
    assert.equal(chunks.map((c) => c.choices[0].delta.content ?? '').join(''), ANSWER);
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
    assert.equal(proxies.faked.cuts, 0);
  }));

  test('@google/genai generateContentStream: a 30 s answer arrives as one chunk', () => faked.guarded(async () => {
    const chunks = await genaiStream('faked');
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0].text, ANSWER);
    assert.equal(proxies.faked.cuts, 0);
  }));

  test('without fake streaming the proxy cuts the openai stream', () => real.guarded(async () => {
    const started = Date.now();
    await assert.rejects(openaiStream('real'), (e) => e instanceof APIConnectionError);
    const took = Date.now() - started;
    assert.ok(took >= IDLE_CUT_MS - 500 && took < ANSWER_DELAY_MS, `cut after ${took} ms`);
  }));

  test('without fake streaming the proxy cuts the @google/genai stream', () => real.guarded(async () => {
    const started = Date.now();
    await assert.rejects(genaiStream('real'));
    const took = Date.now() - started;
    assert.ok(took >= IDLE_CUT_MS - 500 && took < ANSWER_DELAY_MS, `cut after ${took} ms`);
  }));
});
