// The official openai SDK against a running gempool gateway: chat (plain,
// streamed with include_usage, a two-turn tool loop through the strict
// stream() helper), JSON schema output, image input (data: and http URLs),
// reasoning content, the model list, embeddings (base64 and floats), image
// generation, speech, and a 429 from every key as RateLimitError.
//   cd tests/sdk && npm ci && GEMPOOL_BIN_DIR=../../build node --test openai.test.mjs
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { GoogleGenAI } from '@google/genai';
import OpenAI, { RateLimitError, AuthenticationError, BadRequestError } from 'openai';

import { CLIENT_TOKEN, TEST_KEYS, sse, useFileServer, useStack } from './stack.mjs';

const FLASH = 'gemini-2.5-flash';
// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

// The image server is on loopback, which only MEDIA_FETCH_ALLOW_PRIVATE
// (tests only) lets the gateway fetch from.
const stack = useStack({ env: { MEDIA_FETCH_ALLOW_PRIVATE: 'true' } });
const image = useFileServer('cat.png', PNG, 'image/png');

function client(options = {}) {
  return new OpenAI({ apiKey: CLIENT_TOKEN, baseURL: `${stack.gatewayUrl}/v1`, maxRetries: 0, timeout: 30000, ...options });
}

describe('openai SDK', () => {
  test('chat.completions.create', () => stack.guarded(async () => {
    await stack.upstreamSince();
    const completion = await client().chat.completions.create({
      model: FLASH,
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello from the openai SDK' }],
      max_completion_tokens: 100,
    });
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.choices[0].message.role, 'assistant');
    assert.match(completion.choices[0].message.content, /hello from the openai SDK/);
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.ok(completion.usage.total_tokens > 0);
    const [sent] = await stack.upstreamSince('generateContent');
    assert.ok(TEST_KEYS.includes(sent.key), 'a pool key went upstream');
    const body = JSON.parse(sent.body);
    assert.equal(body.systemInstruction.parts[0].text, 'be brief');
    assert.equal(body.generationConfig.maxOutputTokens, 100);
  }));

  test('streaming with stream_options.include_usage', () => stack.guarded(async () => {
    const stream = await client().chat.completions.create({
      model: FLASH, stream: true, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream please' }],
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.length >= 5, `only ${chunks.length} chunks`);
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1, 'one id for the whole stream');
    assert.equal(new Set(chunks.map((c) => c.created)).size, 1);
    const text = chunks.flatMap((c) => c.choices).map((c) => c.delta.content ?? '').join('');
    assert.equal(text, 'chunk 1 of 3. chunk 2 of 3. chunk 3 of 3. ');
    const usageChunk = chunks[chunks.length - 1];
    assert.deepEqual(usageChunk.choices, []);
    assert.ok(usageChunk.usage.total_tokens > 0);
    for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null);
    const finish = chunks.flatMap((c) => c.choices).filter((c) => c.finish_reason);
    assert.equal(finish.length, 1);
    assert.equal(finish[0].finish_reason, 'stop');
    assert.deepEqual(finish[0].delta, {});
  }));

  test('a two-turn tool loop through chat.completions.stream() and finalChatCompletion()', () => stack.guarded(async () => {
    const model = 'gemini-2.5-pro';
    await stack.script({
      model, responses: [
        {
          contentType: 'text/event-stream',
          body: sse(
            { candidates: [{ content: { role: 'model', parts: [{ text: 'Checking the weather.', thought: true }] }, index: 0 }], responseId: 'turn1' },
            {
              candidates: [{
                content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnLXBhcmlz' }] },
                finishReason: 'STOP', index: 0,
              }],
              usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 5, thoughtsTokenCount: 7, totalTokenCount: 32 },
              responseId: 'turn1',
            }),
        },
        {
          contentType: 'text/event-stream',
          body: sse(
            { candidates: [{ content: { role: 'model', parts: [{ text: 'It is 21 degrees ' }] }, index: 0 }], responseId: 'turn2' },
            { candidates: [{ content: { role: 'model', parts: [{ text: 'in Paris.' }] }, finishReason: 'STOP', index: 0 }], responseId: 'turn2' }),
        },
      ],
    });
    await stack.upstreamSince();
    const tools = [{
      type: 'function',
      function: {
        name: 'get_weather', description: 'Current weather in a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
      },
    }];
    const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const first = await client().chat.completions.stream({ model, messages, tools }).finalChatCompletion();
    const choice = first.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.reasoning_content, 'Checking the weather.');
    assert.equal(choice.message.tool_calls.length, 1);
    const call = choice.message.tool_calls[0];
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
    assert.ok(call.id, 'the tool call has an id');
    assert.equal(call.extra_content?.google?.thought_signature, 'c2lnLXBhcmlz');

    messages.push(choice.message);
    messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify({ temperature_c: 21 }) });
    const second = await client().chat.completions.stream({ model, messages, tools }).finalChatCompletion();
    assert.equal(second.choices[0].finish_reason, 'stop');
    assert.equal(second.choices[0].message.content, 'It is 21 degrees in Paris.');

    const sent = await stack.upstreamSince('streamGenerateContent');
    assert.equal(sent.length, 2);
    const declared = JSON.parse(sent[0].body).tools[0].functionDeclarations[0];
    assert.equal(declared.name, 'get_weather');
    const history = JSON.parse(sent[1].body).contents;
    assert.deepEqual(history.map((c) => c.role), ['user', 'model', 'user']);
    const modelPart = history[1].parts.find((p) => p.functionCall);
    assert.deepEqual(modelPart.functionCall.args, { city: 'Paris' });
    assert.equal(modelPart.thoughtSignature, 'c2lnLXBhcmlz', 'the thought signature went back to Gemini');
    const result = history[2].parts[0].functionResponse;
    assert.equal(result.name, 'get_weather');
    assert.deepEqual(result.response, { temperature_c: 21 });
  }));

  test('JSON schema output', () => stack.guarded(async () => {
    await stack.script({ model: FLASH, responses: [{ text: '{"city":"Paris","population":2102650}' }] });
    await stack.upstreamSince();
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, population: { type: 'integer' } },
      required: ['city', 'population'],
      additionalProperties: false,
    };
    const completion = await client().chat.completions.create({
      model: FLASH,
      messages: [{ role: 'user', content: 'The largest city of France, as JSON' }],
      response_format: { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } },
    });
    assert.deepEqual(JSON.parse(completion.choices[0].message.content), { city: 'Paris', population: 2102650 });
    const [sent] = await stack.upstreamSince('generateContent');
    const config = JSON.parse(sent.body).generationConfig;
    assert.equal(config.responseMimeType, 'application/json');
    assert.deepEqual(config.responseJsonSchema, schema);
  }));

  test('image input as a data: URL and as an http URL', () => stack.guarded(async () => {
    await stack.upstreamSince();
    const completion = await client().chat.completions.create({
      model: FLASH,
      messages: [{
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these images?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } },
          { type: 'image_url', image_url: { url: image.url } },
        ],
      }],
    });
    assert.equal(completion.choices[0].finish_reason, 'stop');
    const [sent] = await stack.upstreamSince('generateContent');
    const parts = JSON.parse(sent.body).contents[0].parts;
    assert.equal(parts[0].text, 'What is in these images?');
    for (const part of [parts[1], parts[2]]) {
      assert.equal(part.inlineData.mimeType, 'image/png');
      assert.equal(part.inlineData.data, PNG.toString('base64'));
    }
  }));

  test('an image URL that cannot be fetched is a 400 naming the field', () => stack.guarded(async () => {
    await assert.rejects(client().chat.completions.create({
      model: FLASH,
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: image.url.replace('cat.png', 'dog.png') } }] }],
    }), (e) => {
      assert.ok(e instanceof BadRequestError, `not a BadRequestError: ${e}`);
      assert.equal(e.param, 'messages[0].content[0].image_url.url');
      assert.match(e.message, /HTTP 404/);
      return true;
    });
  }));

  test('reasoning content (thought parts), plain and streamed', () => stack.guarded(async () => {
    const answer = {
      candidates: [{
        content: { role: 'model', parts: [{ text: 'Let me think about 6 times 7.', thought: true }, { text: '42' }] },
        finishReason: 'STOP', index: 0,
      }],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, thoughtsTokenCount: 9, totalTokenCount: 15 },
    };
    await stack.script({
      model: FLASH, responses: [
        { body: JSON.stringify(answer) },
        { contentType: 'text/event-stream', body: sse(answer) },
      ],
    });
    const plain = await client().chat.completions.create({ model: FLASH, messages: [{ role: 'user', content: '6*7?' }] });
    assert.equal(plain.choices[0].message.content, '42');
    assert.equal(plain.choices[0].message.reasoning_content, 'Let me think about 6 times 7.');
    assert.equal(plain.usage.completion_tokens_details.reasoning_tokens, 9);
    assert.equal(plain.usage.completion_tokens, 10);

    const stream = await client().chat.completions.create({ model: FLASH, stream: true, messages: [{ role: 'user', content: '6*7?' }] });
    let reasoning = '';
    let content = '';
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        reasoning += c.delta.reasoning_content ?? '';
        content += c.delta.content ?? '';
      }
    }
    assert.equal(reasoning, 'Let me think about 6 times 7.');
    assert.equal(content, '42');
  }));

  test('models list and retrieve', () => stack.guarded(async () => {
    const ids = [];
    for await (const model of client().models.list()) {
      assert.equal(model.object, 'model');
      ids.push(model.id);
    }
    for (const id of [FLASH, 'gemini-2.5-pro', `${FLASH}-search`, 'gemini-2.5-pro-search', 'gemini-embedding-001']) {
      assert.ok(ids.includes(id), `${id} missing from ${ids.join(', ')}`);
    }
    // The SDK sends the slash encoded (models%2F...).
    const one = await client().models.retrieve('models/gemini-2.5-pro');
    assert.equal(one.id, 'gemini-2.5-pro');
  }));

  test('GET /v1/models answers each SDK in its own form', () => stack.guarded(async () => {
    const openaiIds = [];
    for await (const model of client().models.list()) openaiIds.push(model.id);
    const genai = new GoogleGenAI({ apiKey: CLIENT_TOKEN, httpOptions: { baseUrl: stack.gatewayUrl } });  // default /v1
    const names = [];
    for await (const model of await genai.models.list()) names.push(model.name);
    assert.ok(names.includes('models/gemini-2.5-flash'), names.join(', '));
    // Derived models in both lists, each in its own form (issue 14).
    assert.ok(names.includes(`models/${FLASH}-search`), names.join(', '));
    assert.ok(openaiIds.includes(`${FLASH}-search`));
    assert.ok(!openaiIds.some((id) => id.startsWith('models/')));
  }));

  test('embeddings: base64 by default, and floats', () => stack.guarded(async () => {
    await stack.upstreamSince();
    const b64 = await client().embeddings.create({ model: 'gemini-embedding-001', input: ['alpha', 'beta'], dimensions: 8 });
    const floats = await client().embeddings.create({
      model: 'gemini-embedding-001', input: ['alpha', 'beta'], dimensions: 8, encoding_format: 'float',
    });
    assert.equal(b64.data.length, 2);
    assert.equal(b64.data[0].embedding.length, 8);
    assert.equal(typeof b64.data[0].embedding[0], 'number');
    for (let i = 0; i < 2; ++i) {
      for (let j = 0; j < 8; ++j) {
        assert.ok(Math.abs(b64.data[i].embedding[j] - floats.data[i].embedding[j]) < 1e-6, `value ${i}/${j}`);
      }
    }
    const sent = await stack.upstreamSince('batchEmbedContents');
    assert.equal(sent.length, 2);
    assert.equal(sent[0].path, '/v1beta/models/gemini-embedding-001:batchEmbedContents');
    assert.equal(JSON.parse(sent[0].body).requests[0].outputDimensionality, 8);
  }));

  test('image generation', () => stack.guarded(async () => {
    await stack.upstreamSince();
    const images = await client().images.generate({ prompt: 'a lighthouse at dawn', n: 2, size: '1024x1024' });
    assert.equal(images.data.length, 2);
    assert.ok(Buffer.from(images.data[0].b64_json, 'base64').length > 0);
    const [sent] = await stack.upstreamSince('predict');
    assert.equal(sent.path, '/v1beta/models/imagen-3.0-generate-002:predict');
    assert.equal(JSON.parse(sent.body).instances[0].prompt, 'a lighthouse at dawn');
  }));

  test('speech is a WAV file', () => stack.guarded(async () => {
    const pcm = Buffer.alloc(480);
    await stack.script({
      model: 'gemini-2.5-flash-preview-tts', responses: [{
        body: JSON.stringify({
          candidates: [{ content: { parts: [{ inlineData: { mimeType: 'audio/L16;codec=pcm;rate=24000', data: pcm.toString('base64') } }] }, finishReason: 'STOP' }],
        }),
      }],
    });
    const speech = await client().audio.speech.create({ model: 'tts-1', voice: 'Kore', input: 'Hello there' });
    const wav = Buffer.from(await speech.arrayBuffer());
    assert.equal(wav.subarray(0, 4).toString(), 'RIFF');
    assert.equal(wav.length, 44 + pcm.length);
  }));

  test('a 429 from every key surfaces as RateLimitError', () => stack.guarded(async () => {
    const model = 'gemini-2.0-flash';
    await stack.script({ model, repeat: true, responses: [{ status: 429, retryDelay: '30s' }] });
    await stack.upstreamSince();
    // Plain, then streamed (by then the key broker knows every key is cooling
    // down for this model, and answers 429 itself).
    for (const stream of [false, true]) {
      await assert.rejects(
        client().chat.completions.create({ model, stream, messages: [{ role: 'user', content: 'rate limited' }] }),
        (e) => {
          assert.ok(e instanceof RateLimitError, `not a RateLimitError: ${e}`);
          assert.equal(e.status, 429);
          assert.equal(e.type, 'rate_limit_error');
          assert.ok(Number(e.headers.get('retry-after')) > 0, 'retry-after is set');
          for (const key of TEST_KEYS) assert.ok(!e.message.includes(key), 'a pool key leaked');
          return true;
        });
      if (!stream) assert.equal((await stack.upstreamSince()).length, 3, 'every key was tried before answering 429');
    }
    await stack.resetFake();
  }));

  test('a wrong token is an AuthenticationError', () => stack.guarded(async () => {
    await assert.rejects(
      client({ apiKey: 'not-a-token' }).chat.completions.create({ model: FLASH, messages: [{ role: 'user', content: 'hi' }] }),
      (e) => {
        assert.ok(e instanceof AuthenticationError, `not an AuthenticationError: ${e}`);
        assert.equal(e.code, 'invalid_api_key');
        return true;
      });
  }));

  test('Google\'s own path (/v1beta/openai) works as a base URL', () => stack.guarded(async () => {
    const google = client({ baseURL: `${stack.gatewayUrl}/v1beta/openai/` });
    const completion = await google.chat.completions.create({ model: `models/${FLASH}`, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(completion.model, FLASH);
    assert.match(completion.choices[0].message.content, /hi/);
  }));
});
