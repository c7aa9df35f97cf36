// The official openai SDK's Responses API against a running gempool gateway:
// create with instructions, a stream to response.completed, the
// function-call loop with function_call_output (stateless, the thought
// signature carried in encrypted_content), previous_response_id continued on
// a second gateway, retrieve / input items / delete, json_schema output,
// reasoning effort with a reasoning item back, input token counts, and the
// errors (an unknown previous_response_id, every key cooling).
//   cd tests/sdk && npm ci && GEMPOOL_BIN_DIR=../../build node --test responses.test.mjs
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import OpenAI, { NotFoundError, RateLimitError } from 'openai';

import { CLIENT_TOKEN, TEST_KEYS, sse, useStack } from './stack.mjs';

const FLASH = 'gemini-2.5-flash';
const GEMINI3 = 'gemini-3-pro-preview';

const stack = useStack();

function client(options = {}) {
  return new OpenAI({ apiKey: CLIENT_TOKEN, baseURL: `${stack.gatewayUrl}/v1`, maxRetries: 0, timeout: 30000, ...options });
}

const WEATHER_TOOL = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather in a city',
  strict: true,
  parameters: {
    type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false,
  },
};

describe('openai SDK, Responses API', () => {
  test('responses.create with instructions', () => stack.guarded(async () => {
    await stack.upstreamSince();
    const response = await client().responses.create({
      model: FLASH, instructions: 'be brief', input: 'hello from the responses API', max_output_tokens: 100,
    });
    assert.equal(response.object, 'response');
    assert.match(response.id, /^resp_/);
    assert.equal(response.status, 'completed');
    assert.equal(response.model, FLASH);
    assert.equal(response.instructions, 'be brief');
    assert.match(response.output_text, /hello from the responses API/);
    assert.equal(response.output[0].type, 'message');
    assert.equal(response.output[0].content[0].type, 'output_text');
    assert.ok(response.usage.input_tokens > 0 && response.usage.output_tokens > 0);
    const [sent] = await stack.upstreamSince('generateContent');
    assert.ok(TEST_KEYS.includes(sent.key), 'a pool key went upstream');
    const body = JSON.parse(sent.body);
    assert.deepEqual(body.systemInstruction.parts, [{ text: 'be brief' }]);
    assert.equal(body.generationConfig.maxOutputTokens, 100);
  }));

  test('a stream to response.completed, sequence numbers in order', () => stack.guarded(async () => {
    const stream = await client().responses.create({ model: FLASH, input: 'stream please', stream: true });
    const events = [];
    for await (const event of stream) events.push(event);
    assert.equal(events[0].type, 'response.created');
    assert.equal(events[events.length - 1].type, 'response.completed');
    assert.deepEqual(events.map((e) => e.sequence_number), events.map((_, i) => i));
    const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    assert.equal(text, 'chunk 1 of 3. chunk 2 of 3. chunk 3 of 3. ');
    const done = events.find((e) => e.type === 'response.output_text.done');
    assert.equal(done.text, text);
    // The SDK adds output_text only to responses it assembles; the event
    // carries the items.
    assert.equal(events[events.length - 1].response.output[0].content[0].text, text);
  }));

  test('the function-call loop without storage: the signature rides in encrypted_content', () => stack.guarded(async () => {
    await stack.script({
      model: GEMINI3, responses: [
        {
          contentType: 'text/event-stream',
          body: sse({
            candidates: [{
              content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnLWdlbWluaTM=' }] },
              finishReason: 'STOP', index: 0,
            }],
            usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 5, thoughtsTokenCount: 9, totalTokenCount: 34 },
            responseId: 'loop1',
          }),
        },
        { text: 'It is 21 degrees in Paris.' },
      ],
    });
    await stack.upstreamSince();
    const input = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const options = { model: GEMINI3, tools: [WEATHER_TOOL], store: false, include: ['reasoning.encrypted_content'] };
    const first = await client().responses.stream({ ...options, input }).finalResponse();
    const call = first.output.find((item) => item.type === 'function_call');
    assert.ok(call, JSON.stringify(first.output));
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    assert.ok(reasoning?.encrypted_content, 'the signature is in a reasoning item');
    assert.equal(first.usage.output_tokens_details.reasoning_tokens, 9);

    const second = await client().responses.create({
      ...options,
      input: [...input, ...first.output, { type: 'function_call_output', call_id: call.call_id, output: '21 C' }],
    });
    assert.equal(second.output_text, 'It is 21 degrees in Paris.');

    const sent = await stack.upstreamSince();
    assert.equal(sent.length, 2);
    const history = JSON.parse(sent[1].body).contents;
    assert.deepEqual(history.map((c) => c.role), ['user', 'model', 'user']);
    const callPart = history[1].parts.find((p) => p.functionCall);
    assert.equal(callPart.thoughtSignature, 'c2lnLWdlbWluaTM=', 'the thought signature went back to Gemini');
    assert.equal(history[2].parts[0].functionResponse.name, 'get_weather');
    await assert.rejects(client().responses.retrieve(first.id), NotFoundError, 'store:false kept nothing');
  }));

  test('previous_response_id continues on a second gateway; retrieve, input items, delete', () => stack.guarded(async () => {
    const other = await stack.addGateway();
    const first = await client().responses.create({ model: FLASH, input: 'my name is Ada' });
    assert.equal(first.store, true);
    await stack.upstreamSince();
    const elsewhere = client({ baseURL: `${other}/v1` });
    const second = await elsewhere.responses.create({ model: FLASH, input: 'what is my name?', previous_response_id: first.id });
    assert.equal(second.previous_response_id, first.id);
    const [sent] = await stack.upstreamSince('generateContent');
    const contents = JSON.parse(sent.body).contents;
    assert.deepEqual(contents.map((c) => c.role), ['user', 'model', 'user']);
    assert.equal(contents[0].parts[0].text, 'my name is Ada');
    assert.equal(contents[1].parts[0].text, first.output_text);
    assert.equal(contents[2].parts[0].text, 'what is my name?');

    const retrieved = await elsewhere.responses.retrieve(second.id);
    assert.equal(retrieved.id, second.id);
    assert.equal(retrieved.output_text, second.output_text);
    const items = [];
    for await (const item of client().responses.inputItems.list(second.id)) items.push(item);
    assert.ok(items.length >= 3, JSON.stringify(items));
    const deleted = await client().responses.delete(second.id);
    assert.equal(deleted?.deleted ?? true, true);
    await assert.rejects(client().responses.retrieve(second.id), NotFoundError);
    // Another client token never sees this one's responses.
    const stranger = await fetch(`${stack.gatewayUrl}/v1/responses/${first.id}`, {
      headers: { authorization: `Bearer ${stack.env.AUTH_TOKEN}` },
    });
    assert.equal(stranger.status, 404);
  }));

  test('an unknown previous_response_id is a 404 naming it', () => stack.guarded(async () => {
    await assert.rejects(
      client().responses.create({ model: FLASH, input: 'hi', previous_response_id: 'resp_doesnotexist' }),
      (e) => {
        assert.ok(e instanceof NotFoundError, `not a NotFoundError: ${e}`);
        assert.equal(e.param, 'previous_response_id');
        assert.equal(e.code, null, 'not a model_not_found');
        return true;
      });
  }));

  test('text.format json_schema', () => stack.guarded(async () => {
    await stack.script({ model: FLASH, responses: [{ text: '{"city":"Paris","population":2102650}' }] });
    await stack.upstreamSince();
    const schema = {
      type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer' } },
      required: ['city', 'population'], additionalProperties: false,
    };
    const response = await client().responses.create({
      model: FLASH, input: 'Largest city of France?', text: { format: { type: 'json_schema', name: 'city', schema, strict: true } },
    });
    assert.deepEqual(JSON.parse(response.output_text), { city: 'Paris', population: 2102650 });
    const [sent] = await stack.upstreamSince('generateContent');
    const config = JSON.parse(sent.body).generationConfig;
    assert.equal(config.responseMimeType, 'application/json');
    assert.deepEqual(config.responseJsonSchema.properties, schema.properties);
  }));

  test('reasoning effort, with a reasoning item and its summary back', () => stack.guarded(async () => {
    const answer = {
      candidates: [{
        content: { role: 'model', parts: [{ text: 'Six times seven.', thought: true }, { text: '42' }] },
        finishReason: 'STOP', index: 0,
      }],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, thoughtsTokenCount: 9, totalTokenCount: 15 },
    };
    await stack.script({ model: FLASH, responses: [{ body: JSON.stringify(answer) }] });
    await stack.upstreamSince();
    const response = await client().responses.create({
      model: FLASH, input: '6*7?', reasoning: { effort: 'high', summary: 'auto' },
    });
    assert.equal(response.output_text, '42');
    const reasoning = response.output.find((item) => item.type === 'reasoning');
    assert.ok(reasoning, JSON.stringify(response.output));
    assert.equal(reasoning.summary[0].text, 'Six times seven.');
    assert.equal(response.usage.output_tokens_details.reasoning_tokens, 9);
    const [sent] = await stack.upstreamSince('generateContent');
    const thinking = JSON.parse(sent.body).generationConfig.thinkingConfig;
    assert.equal(thinking.thinkingBudget, 24576);
    assert.equal(thinking.includeThoughts, true);
  }));

  test('responses.inputTokens.count', () => stack.guarded(async () => {
    await stack.upstreamSince();
    const count = await client().responses.inputTokens.count({ model: FLASH, input: 'count these words please' });
    assert.equal(count.object, 'response.input_tokens');
    assert.ok(count.input_tokens > 0);
    const [sent] = await stack.upstreamSince('countTokens');
    assert.equal(JSON.parse(sent.body).generateContentRequest.model, `models/${FLASH}`);
  }));

  test('every key cooling is a RateLimitError', () => stack.guarded(async () => {
    const model = 'gemini-2.0-flash';
    await stack.script({ model, repeat: true, responses: [{ status: 429, retryDelay: '30s' }] });
    await stack.upstreamSince();
    for (const stream of [false, true]) {
      await assert.rejects(
        client().responses.create({ model, stream, input: 'rate limited' }),
        (e) => {
          assert.ok(e instanceof RateLimitError, `not a RateLimitError: ${e}`);
          assert.equal(e.status, 429);
          assert.ok(Number(e.headers.get('retry-after')) > 0, 'retry-after is set');
          for (const key of TEST_KEYS) assert.ok(!e.message.includes(key), 'a pool key leaked');
          return true;
        });
    }
    await stack.resetFake();
  }));
});
