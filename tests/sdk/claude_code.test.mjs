// Claude Code (the pinned @anthropic-ai/claude-code CLI, default model names
// unchanged) against a running gempool stack: `claude -p` with
// ANTHROPIC_BASE_URL and ANTHROPIC_AUTH_TOKEN pointing at the gateway, one
// prompt, one tool call (Read) that Claude Code really runs, and a finished
// answer. fake-gemini plays the model: its first answer calls Read, its
// second reads the tool result back.
//   cd tests/sdk && npm ci && GEMPOOL_BIN_DIR=../../build node --test claude_code.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

import { CLIENT_TOKEN, runCli, sse, useStack } from './stack.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLAUDE = path.join(here, 'node_modules', '.bin', 'claude');
const SECRET = 'marmalade-42';

const stack = useStack();

describe('Claude Code', () => {
  test('claude -p: one prompt, one Read tool call, a finished answer', () => stack.guarded(async () => {
      const work = fs.mkdtempSync(path.join(stack.dir, 'claude-work-'));
      const home = fs.mkdtempSync(path.join(stack.dir, 'claude-home-'));
      const notes = path.join(work, 'notes.txt');
      fs.writeFileSync(notes, `The secret word is ${SECRET}.\n`);

      // Claude Code's default main model (a claude-opus-* name) maps to
      // gemini-2.5-pro through the default ANTHROPIC_MODEL_MAP.
      await stack.script({
        model: 'gemini-2.5-pro', responses: [
          {
            contentType: 'text/event-stream',
            body: sse(
              { candidates: [{ content: { role: 'model', parts: [{ text: 'I will read the file.' }] }, index: 0 }],
                usageMetadata: { promptTokenCount: 900, totalTokenCount: 900 }, responseId: 'cc1' },
              {
                candidates: [{
                  content: { role: 'model', parts: [{ functionCall: { name: 'Read', args: { file_path: notes } }, thoughtSignature: 'Y2Mtc2ln' }] },
                  finishReason: 'STOP', index: 0,
                }],
                usageMetadata: { promptTokenCount: 900, candidatesTokenCount: 20, totalTokenCount: 920 },
                responseId: 'cc1',
              }),
          },
          {
            contentType: 'text/event-stream',
            body: sse(
              { candidates: [{ content: { role: 'model', parts: [{ text: `The secret word is ${SECRET}.` }] }, finishReason: 'STOP', index: 0 }],
                usageMetadata: { promptTokenCount: 950, candidatesTokenCount: 8, totalTokenCount: 958 }, responseId: 'cc2' }),
          },
        ],
      });
      const before = (await stack.upstreamRequests()).length;

      const env = {
        PATH: process.env.PATH,
        HOME: home,
        ANTHROPIC_BASE_URL: stack.gatewayUrl,
        ANTHROPIC_AUTH_TOKEN: CLIENT_TOKEN,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
      };
      const run = await runCli(CLAUDE, ['-p', 'What is the secret word in notes.txt?'], { cwd: work, env });
      assert.equal(run.code, 0, `claude failed (${run.code})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(SECRET), `no answer in: ${run.stdout}`);

      const sent = (await stack.upstreamRequests()).slice(before);
      const turns = sent.filter((r) => r.path === '/v1beta/models/gemini-2.5-pro:streamGenerateContent');
      assert.ok(turns.length >= 2, `two turns reached Gemini: ${sent.map((r) => r.path).join(', ')}`);
      for (const r of sent) {
        assert.ok(!r.body.includes('x-anthropic-billing-header'), 'the attribution block never reaches Gemini');
      }
      const first = JSON.parse(turns[0].body);
      assert.ok(first.tools[0].functionDeclarations.some((f) => f.name === 'Read'), 'Claude Code\'s tools were declared');
      // The second turn carries what Claude Code's Read tool returned, and
      // the call's thought signature.
      const second = JSON.parse(turns[1].body);
      const call = second.contents.flatMap((c) => c.parts).find((p) => p.functionCall);
      assert.equal(call.functionCall.name, 'Read');
      assert.equal(call.thoughtSignature, 'Y2Mtc2ln');
      const result = second.contents.flatMap((c) => c.parts).find((p) => p.functionResponse);
      assert.equal(result.functionResponse.name, 'Read');
      assert.match(JSON.stringify(result.functionResponse.response), new RegExp(SECRET), 'the tool really ran');
  }));
});
