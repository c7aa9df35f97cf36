// The official @anthropic-ai/sdk against a running gempool gateway (Gemini
// keys behind the Anthropic Messages API): create with a system prompt, a
// stream to its final message, the tool loop, tool_choice any, image blocks,
// thinking with its signature carried over two turns, Claude model names
// mapped, count_tokens, models, pings while the upstream is quiet, and the
// errors (empty messages, every key cooling, a wrong token).
//   cd tests/sdk && npm ci && GEMPOOL_BIN_DIR=../../build node --test anthropic.test.mjs
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';

import Anthropic, { AuthenticationError, BadRequestError, RateLimitError } from '@anthropic-ai/sdk';

import { CLIENT_TOKEN, TEST_KEYS, sse, useFileServer, useStack } from './stack.mjs';

const FLASH = 'gemini-2.5-flash';
const PRO = 'gemini-2.5-pro';
// A 1x1 PNG.
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

// The image server is on loopback, which only MEDIA_FETCH_ALLOW_PRIVATE
// (tests only) lets the gateway fetch from.
const stack = useStack({ env: { MEDIA_FETCH_ALLOW_PRIVATE: 'true' } });
const image = useFileServer('cat.png', Buffer.from(PNG_BASE64, 'base64'), 'image/png');

function client(options = {}) {
  return new Anthropic({ apiKey: CLIENT_TOKEN, baseURL: stack.gatewayUrl, maxRetries: 0, timeout: 30000, ...options });
}

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather in a city',
  input_schema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
};

describe('@anthropic-ai/sdk', () => {
  test('messages.create with a system prompt', () => stack.guarded(async () => {
    await stack.upstreamSince();
    const message = await client().messages.create({
      model: FLASH,
      max_tokens: 100,
      system: 'be brief',
      messages: [{ role: 'user', content: 'hello from the anthropic SDK' }],
    });
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.match(message.id, /^msg_/);
    assert.equal(message.model, FLASH);
    assert.equal(message.content.length, 1);
    assert.equal(message.content[0].type, 'text');
    assert.match(message.content[0].text, /hello from the anthropic SDK/);
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(message.usage.input_tokens > 0);
    assert.ok(message.usage.output_tokens > 0);
    const [sent] = await stack.upstreamSince('generateContent');
    assert.ok(TEST_KEYS.includes(sent.key), 'a pool key went upstream');
    assert.equal(sent.path, `/v1beta/models/${FLASH}:generateContent`);
    const body = JSON.parse(sent.body);
    assert.deepEqual(body.systemInstruction.parts, [{ text: 'be brief' }]);
    assert.equal(body.generationConfig.maxOutputTokens, 100);
  }));

  test('a stream to its final message, with input tokens in message_start', () => stack.guarded(async () => {
    const stream = client().messages.stream({
      model: FLASH, max_tokens: 200, messages: [{ role: 'user', content: 'stream please' }],
    });
    const events = [];
    stream.on('streamEvent', (event) => events.push(event));
    const message = await stream.finalMessage();
    assert.equal(message.content[0].text, 'chunk 1 of 3. chunk 2 of 3. chunk 3 of 3. ');
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(events[0].type, 'message_start');
    assert.ok(events[0].message.usage.input_tokens > 0, 'real input tokens in message_start');
    assert.deepEqual(events.slice(-2).map((e) => e.type), ['message_delta', 'message_stop']);
    assert.equal(events.filter((e) => e.type === 'content_block_start').length, 1);
    assert.ok(message.usage.output_tokens > 0);
  }));

  test('the tool loop: tool_use, then tool_result', () => stack.guarded(async () => {
    await stack.script({
      model: FLASH, responses: [
        {
          body: JSON.stringify({
            candidates: [{
              content: { role: 'model', parts: [{ text: 'Let me look.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
              finishReason: 'STOP', index: 0,
            }],
            usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 5, totalTokenCount: 25 },
            responseId: 'tool1',
          }),
        },
        { text: 'It is 21 degrees in Paris.' },
      ],
    });
    await stack.upstreamSince();
    const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const first = await client().messages.create({ model: FLASH, max_tokens: 500, messages, tools: [WEATHER_TOOL] });
    assert.equal(first.stop_reason, 'tool_use');
    assert.deepEqual(first.content.map((b) => b.type), ['text', 'tool_use']);
    const call = first.content[1];
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(call.input, { city: 'Paris' });
    assert.match(call.id, /^toolu_[A-Za-z0-9_-]+$/);

    messages.push({ role: 'assistant', content: first.content });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '{"temperature_c": 21}' }] });
    const second = await client().messages.create({ model: FLASH, max_tokens: 500, messages, tools: [WEATHER_TOOL] });
    assert.equal(second.stop_reason, 'end_turn');
    assert.equal(second.content[0].text, 'It is 21 degrees in Paris.');

    const sent = await stack.upstreamSince('generateContent');
    assert.equal(sent.length, 2);
    const declared = JSON.parse(sent[0].body).tools[0].functionDeclarations[0];
    assert.equal(declared.name, 'get_weather');
    assert.equal(declared.parametersJsonSchema.$schema, undefined, '$schema removed');
    const history = JSON.parse(sent[1].body).contents;
    assert.deepEqual(history.map((c) => c.role), ['user', 'model', 'user']);
    assert.deepEqual(history[1].parts.find((p) => p.functionCall).functionCall.args, { city: 'Paris' });
    const result = history[2].parts[0].functionResponse;
    assert.equal(result.name, 'get_weather');
    assert.equal(result.response.output, '{"temperature_c": 21}');
  }));

  test('tool_choice any forces a call', () => stack.guarded(async () => {
    await stack.upstreamSince();
    await client().messages.create({
      model: FLASH, max_tokens: 100, tools: [WEATHER_TOOL], tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'weather?' }],
    });
    const [sent] = await stack.upstreamSince('generateContent');
    assert.equal(JSON.parse(sent.body).toolConfig.functionCallingConfig.mode, 'ANY');
  }));

  test('image blocks: base64 and URL', () => stack.guarded(async () => {
    await stack.upstreamSince();
    const message = await client().messages.create({
      model: FLASH, max_tokens: 100,
      messages: [{
        role: 'user', content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
          { type: 'image', source: { type: 'url', url: image.url } },
          { type: 'text', text: 'what are these?' },
        ],
      }],
    });
    assert.equal(message.stop_reason, 'end_turn');
    const [sent] = await stack.upstreamSince('generateContent');
    const parts = JSON.parse(sent.body).contents[0].parts;
    assert.equal(parts.length, 3);
    for (const part of parts.slice(0, 2)) {
      assert.equal(part.inlineData.mimeType, 'image/png');
      assert.equal(part.inlineData.data, PNG_BASE64);
    }
    assert.equal(parts[2].text, 'what are these?');
  }));

  test('thinking with a budget; its signature goes back to Gemini on the next turn', () => stack.guarded(async () => {
    await stack.script({
      model: PRO, responses: [
        {
          contentType: 'text/event-stream',
          body: sse(
            { candidates: [{ content: { role: 'model', parts: [{ text: 'Checking the weather.', thought: true }] }, index: 0 }], responseId: 'think1',
              usageMetadata: { promptTokenCount: 30, thoughtsTokenCount: 4, totalTokenCount: 34 } },
            {
              candidates: [{
                content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnLXBhcmlz' }] },
                finishReason: 'STOP', index: 0,
              }],
              usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 5, thoughtsTokenCount: 7, totalTokenCount: 42 },
              responseId: 'think1',
            }),
        },
        {
          contentType: 'text/event-stream',
          body: sse(
            { candidates: [{ content: { role: 'model', parts: [{ text: 'It is 21 degrees ' }] }, index: 0 }], responseId: 'think2' },
            { candidates: [{ content: { role: 'model', parts: [{ text: 'in Paris.' }] }, finishReason: 'STOP', index: 0 }], responseId: 'think2' }),
        },
      ],
    });
    await stack.upstreamSince();
    const thinking = { type: 'enabled', budget_tokens: 2048 };
    const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const first = await client().messages.stream({ model: PRO, max_tokens: 4096, thinking, messages, tools: [WEATHER_TOOL] })
      .finalMessage();
    assert.equal(first.stop_reason, 'tool_use');
    assert.deepEqual(first.content.map((b) => b.type), ['thinking', 'tool_use']);
    assert.equal(first.content[0].thinking, 'Checking the weather.');
    assert.ok(first.content[0].signature.length > 0, 'the thinking block is signed');
    assert.equal(first.usage.output_tokens, 12, 'output counts candidates and thoughts');

    messages.push({ role: 'assistant', content: first.content });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: first.content[1].id, content: '21 C' }] });
    const second = await client().messages.stream({ model: PRO, max_tokens: 4096, thinking, messages, tools: [WEATHER_TOOL] })
      .finalMessage();
    assert.equal(second.content.map((b) => (b.type === 'text' ? b.text : '')).join(''), 'It is 21 degrees in Paris.');

    const sent = await stack.upstreamSince('streamGenerateContent');
    assert.equal(sent.length, 2);
    const config = JSON.parse(sent[0].body).generationConfig.thinkingConfig;
    assert.deepEqual(config, { thinkingBudget: 2048, includeThoughts: true });
    const history = JSON.parse(sent[1].body).contents;
    assert.deepEqual(history.map((c) => c.role), ['user', 'model', 'user']);
    const callPart = history[1].parts.find((p) => p.functionCall);
    assert.equal(callPart.thoughtSignature, 'c2lnLXBhcmlz', 'the thought signature went back to Gemini');
    assert.equal(history[2].parts[0].functionResponse.name, 'get_weather');
  }));

  test('Claude model names map to Gemini models (ANTHROPIC_MODEL_MAP)', () => stack.guarded(async () => {
    await stack.upstreamSince();
    const sonnet = await client().messages.create({
      model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(sonnet.model, 'claude-sonnet-4-6', 'the requested name is echoed');
    await client().messages.create({
      model: 'claude-haiku-4-5-20251001', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }],
    });
    const sent = await stack.upstreamSince('generateContent');
    assert.deepEqual(sent.map((r) => r.path), [
      '/v1beta/models/gemini-2.5-pro:generateContent',
      '/v1beta/models/gemini-2.5-flash:generateContent',
    ]);
  }));

  test('ANTHROPIC_MODEL_MAP changed on the admin page applies without a restart', () => stack.guarded(async () => {
    const admin = { authorization: `Bearer ${stack.env.AUTH_TOKEN}`, 'content-type': 'application/json' };
    const save = async (map) => {
      const r = await fetch(`${stack.gatewayUrl}/api/config`, {
        method: 'POST', headers: admin, body: JSON.stringify({ values: { ANTHROPIC_MODEL_MAP: map } }),
      });
      return { status: r.status, body: await r.json() };
    };
    const bad = await save('{"claude-*": ""}');
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.match(JSON.stringify(bad.body), /ANTHROPIC_MODEL_MAP/);
    const saved = await save('{"claude-*": "gemini-2.0-flash"}');
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    // Gateways follow the settings table within seconds.
    const untilServedBy = async (gemini) => {
      const deadline = Date.now() + 20000;
      for (;;) {
        await stack.upstreamSince();
        await client().messages.create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
        const [sent] = await stack.upstreamSince('generateContent');
        if (sent.path === `/v1beta/models/${gemini}:generateContent`) return;
        assert.ok(Date.now() < deadline, `still ${sent.path} 20 s after the change`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    try {
      const listed = await (await fetch(`${stack.gatewayUrl}/api/config`, { headers: admin })).json();
      const entry = listed.settings.find((x) => x.name === 'ANTHROPIC_MODEL_MAP');
      assert.equal(entry.value, '{"claude-*": "gemini-2.0-flash"}');
      assert.equal(entry.source, 'ui');
      await untilServedBy('gemini-2.0-flash');
    } finally {
      const restored = await save('{"claude-*haiku*": "gemini-2.5-flash", "claude-*": "gemini-2.5-pro"}');
      assert.equal(restored.status, 200);
      await untilServedBy(PRO);
    }
  }));

  test('count_tokens', () => stack.guarded(async () => {
    await stack.upstreamSince();
    const count = await client().messages.countTokens({
      model: 'claude-sonnet-4-6', system: 'be brief', messages: [{ role: 'user', content: 'count these words please' }],
    });
    assert.ok(count.input_tokens > 0);
    const [sent] = await stack.upstreamSince('countTokens');
    assert.equal(sent.path, '/v1beta/models/gemini-2.5-pro:countTokens');
    const body = JSON.parse(sent.body);
    assert.equal(body.generateContentRequest.model, 'models/gemini-2.5-pro');
    assert.equal(body.generateContentRequest.contents[0].parts[0].text, 'count these words please');
  }));

  test('models list in Anthropic\'s shape', () => stack.guarded(async () => {
    const ids = [];
    for await (const model of client().models.list({ limit: 1000 })) {
      assert.equal(model.type, 'model');
      assert.ok(model.created_at, 'created_at is set');
      ids.push(model.id);
    }
    assert.ok(ids.includes(FLASH), ids.join(', '));
    const one = await client().models.retrieve(PRO);
    assert.equal(one.id, PRO);
  }));

  test('an Authorization: Bearer token works too; unknown betas are named in x-gempool-warnings', () => stack.guarded(async () => {
    const bearer = new Anthropic({
      apiKey: null, authToken: CLIENT_TOKEN, baseURL: stack.gatewayUrl, maxRetries: 0,
      defaultHeaders: { 'anthropic-beta': 'interleaved-thinking-2025-05-14,context-management-2025-06-27' },
    });
    const { data, response } = await bearer.messages
      .create({ model: FLASH, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    assert.equal(data.stop_reason, 'end_turn');
    const warnings = response.headers.get('x-gempool-warnings') ?? '';
    assert.match(warnings, /context-management-2025-06-27/);
    assert.doesNotMatch(warnings, /interleaved-thinking/);
  }));

  test('pings keep a quiet stream alive', () => stack.guarded(async () => {
    // Two chunks 11 s apart: the gateway pings after 10 s of silence.
    await stack.script({ model: 'gemini-2.0-flash', responses: [{ kind: 'slow_stream', chunks: 2, intervalMs: 11000 }] });
    const response = await fetch(`${stack.gatewayUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': CLIENT_TOKEN, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ model: 'gemini-2.0-flash', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'slowly' }] }),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /text\/event-stream/);
    const text = await response.text();
    const names = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    const ping = names.indexOf('ping');
    assert.ok(ping > 0, `a ping went out: ${names.join(' ')}`);
    assert.ok(names.indexOf('content_block_delta') < ping, 'after the first chunk');
    assert.ok(names.lastIndexOf('content_block_delta') > ping, 'before the second');
    assert.equal(names[names.length - 1], 'message_stop');
    // Every event carries its name in the data too.
    for (const block of text.split('\n\n').filter((b) => b.trim())) {
      const [eventLine, dataLine] = block.split('\n');
      assert.equal(JSON.parse(dataLine.slice(6)).type, eventLine.slice(7));
    }
  }));

  test('a body over MAX_REQUEST_BODY_MB is a 413 request_too_large, in each API\'s shape', () => stack.guarded(async () => {
    // The gateway answers from the Content-Length alone; no body is sent.
    const refuse = (path, auth) => new Promise((resolve, reject) => {
      const socket = net.connect(stack.gatewayPort, '127.0.0.1');
      let answer = '';
      socket.on('data', (d) => { answer += d; });
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}\r\nContent-Type: application/json\r\n` +
                   'Content-Length: 999999999999\r\n\r\n');
    });
    const anthropic = await refuse('/v1/messages?beta=true', `x-api-key: ${CLIENT_TOKEN}`);
    assert.match(anthropic, /^HTTP\/1\.1 413 /);
    const body = JSON.parse(anthropic.slice(anthropic.indexOf('\r\n\r\n') + 4));
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'request_too_large');
    assert.match(body.error.message, /MAX_REQUEST_BODY_MB/);
    const openai = await refuse('/v1/chat/completions', `Authorization: Bearer ${CLIENT_TOKEN}`);
    assert.match(openai, /^HTTP\/1\.1 413 /);
    assert.equal(JSON.parse(openai.slice(openai.indexOf('\r\n\r\n') + 4)).error.type, 'invalid_request_error');
  }));

  test('an empty messages list is a 400 invalid_request_error', () => stack.guarded(async () => {
    await assert.rejects(
      client().messages.create({ model: FLASH, max_tokens: 10, messages: [] }),
      (e) => {
        assert.ok(e instanceof BadRequestError, `not a BadRequestError: ${e}`);
        assert.equal(e.status, 400);
        assert.equal(e.error.type, 'error');
        assert.equal(e.error.error.type, 'invalid_request_error');
        assert.match(e.error.error.message, /messages/);
        return true;
      });
  }));

  test('every key cooling is a RateLimitError with retry-after', () => stack.guarded(async () => {
    const model = 'gemini-2.0-flash-lite';
    await stack.script({ model, repeat: true, responses: [{ status: 429, retryDelay: '30s' }] });
    await stack.upstreamSince();
    for (const stream of [false, true]) {
      await assert.rejects(
        client().messages.create({ model, stream, max_tokens: 10, messages: [{ role: 'user', content: 'rate limited' }] }),
        (e) => {
          assert.ok(e instanceof RateLimitError, `not a RateLimitError: ${e}`);
          assert.equal(e.status, 429);
          assert.equal(e.error.error.type, 'rate_limit_error');
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
      client({ apiKey: 'not-a-token' }).messages.create({ model: FLASH, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      (e) => {
        assert.ok(e instanceof AuthenticationError, `not an AuthenticationError: ${e}`);
        assert.equal(e.error.error.type, 'authentication_error');
        return true;
      });
  }));
});
