// Codex CLI (the pinned @openai/codex) against a running gempool stack:
// `codex exec` with a model provider block pointing at the gateway
// (wire_api "responses"), one prompt, one tool call (exec_command) that
// Codex really runs, and a finished answer. fake-gemini plays the model: its
// first answer calls exec_command, its second reads the tool output back.
//   cd tests/sdk && npm ci && GEMPOOL_BIN_DIR=../../build node --test codex.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

import { CLIENT_TOKEN, runCli, sse, useStack } from './stack.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CODEX = path.join(here, 'node_modules', '.bin', 'codex');
const SECRET = 'quince-77';
const MODEL = 'gemini-2.5-pro';

const stack = useStack();

describe('Codex CLI', () => {
  test('codex exec: one prompt, one exec_command call, a finished answer', () => stack.guarded(async () => {
    const work = fs.mkdtempSync(path.join(stack.dir, 'codex-work-'));
    const home = fs.mkdtempSync(path.join(stack.dir, 'codex-home-'));
    fs.writeFileSync(path.join(work, 'notes.txt'), `The secret word is ${SECRET}.\n`);
    fs.mkdirSync(path.join(home, '.codex'));
    fs.writeFileSync(path.join(home, '.codex', 'config.toml'), [
      `model = "${MODEL}"`,
      'model_provider = "gempool"',
      '',
      '[model_providers.gempool]',
      'name = "gempool"',
      `base_url = "${stack.gatewayUrl}/v1"`,
      'env_key = "GEMPOOL_TOKEN"',
      'wire_api = "responses"',
      '',
    ].join('\n'));

    await stack.script({
      model: MODEL, responses: [
        {
          contentType: 'text/event-stream',
          body: sse(
            { candidates: [{ content: { role: 'model', parts: [{ text: 'Reading the file.' }] }, index: 0 }],
              usageMetadata: { promptTokenCount: 900, totalTokenCount: 900 }, responseId: 'cx1' },
            {
              candidates: [{
                content: { role: 'model', parts: [{ functionCall: { name: 'exec_command', args: { cmd: 'cat notes.txt' } }, thoughtSignature: 'Y3gtc2ln' }] },
                finishReason: 'STOP', index: 0,
              }],
              usageMetadata: { promptTokenCount: 900, candidatesTokenCount: 12, totalTokenCount: 912 },
              responseId: 'cx1',
            }),
        },
        {
          contentType: 'text/event-stream',
          body: sse({
            candidates: [{ content: { role: 'model', parts: [{ text: `The secret word is ${SECRET}.` }] }, finishReason: 'STOP', index: 0 }],
            usageMetadata: { promptTokenCount: 950, candidatesTokenCount: 8, totalTokenCount: 958 }, responseId: 'cx2',
          }),
        },
      ],
    });
    const before = (await stack.upstreamRequests()).length;

    const env = { PATH: process.env.PATH, HOME: home, GEMPOOL_TOKEN: CLIENT_TOKEN };
    const run = await runCli(
      CODEX, ['exec', '--skip-git-repo-check', '--sandbox', 'danger-full-access', 'What is the secret word in notes.txt?'],
      { cwd: work, env });
    assert.equal(run.code, 0, `codex failed (${run.code})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    assert.match(run.stdout, new RegExp(SECRET), `no answer in: ${run.stdout}\nstderr: ${run.stderr}`);

    const sent = (await stack.upstreamRequests()).slice(before);
    const turns = sent.filter((r) => r.path === `/v1beta/models/${MODEL}:streamGenerateContent`);
    assert.ok(turns.length >= 2, `two turns reached Gemini: ${sent.map((r) => r.path).join(', ')}`);
    const first = JSON.parse(turns[0].body);
    const declared = first.tools.flatMap((t) => t.functionDeclarations ?? []).map((f) => f.name);
    assert.ok(declared.includes('exec_command'), `Codex's tools were declared: ${declared.join(', ')}`);
    // The second turn carries what Codex's exec_command printed, and the
    // call's thought signature (Codex sends store:false: the whole
    // conversation comes back each turn).
    const second = JSON.parse(turns[1].body);
    const parts = second.contents.flatMap((c) => c.parts);
    const call = parts.find((p) => p.functionCall);
    assert.equal(call.functionCall.name, 'exec_command');
    assert.equal(call.thoughtSignature, 'Y3gtc2ln');
    const result = parts.find((p) => p.functionResponse);
    assert.equal(result.functionResponse.name, 'exec_command');
    assert.match(JSON.stringify(result.functionResponse.response), new RegExp(SECRET), 'the command really ran');
  }));
});
