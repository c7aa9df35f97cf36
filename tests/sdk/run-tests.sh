#!/usr/bin/env bash
# Runs the SDK tests (genai.test.mjs: @google/genai; openai.test.mjs: the
# official openai package; anthropic.test.mjs: @anthropic-ai/sdk;
# claude_code.test.mjs: Claude Code's CLI; responses.test.mjs: the openai
# package's Responses API; codex.test.mjs: Codex CLI; files.test.mjs: the Files API with
# @google/genai; fake_stream.test.mjs: fake streaming through an idle-cutting proxy) against the
# gempool binaries in $GEMPOOL_BIN_DIR
# (default: ../../build), installing the pinned SDKs from package-lock.json
# first when node_modules is missing or stale.
#   GEMPOOL_BIN_DIR=/path/to/build tests/sdk/run-tests.sh
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f node_modules/@google/genai/package.json ] || [ ! -f node_modules/openai/package.json ] ||
   [ ! -f node_modules/@anthropic-ai/sdk/package.json ] || [ ! -x node_modules/.bin/claude ] || [ ! -x node_modules/.bin/codex ] ||
   [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node --test
