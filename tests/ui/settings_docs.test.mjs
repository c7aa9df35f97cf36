// Every setting gempool reads is documented where users look for it: the
// README's table, .env.example, and both languages of the deployment guide.
// The list of settings is the admin catalog (settings_catalog.cc), which
// holds every setting a service reads. No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', '..');
const read = (p) => fs.readFileSync(path.join(root, p), 'utf8');

function catalogNames() {
  const catalog = read('services/gateway/admin/settings_catalog.cc');
  return [...catalog.matchAll(/\{"([A-Z0-9_]+)", "[a-z]+", /g)].map((m) => m[1]);
}

// `name` as a whole word (so AUTO_DELETE_ERROR_LOGS_DAYS does not count for
// AUTO_DELETE_ERROR_LOGS_ENABLED), or covered by a documented family written
// with a slash (`OSS_ACCESS_KEY` / `_SECRET`) is NOT accepted: name each one.
function mentions(text, name) {
  return new RegExp(`(^|[^A-Z0-9_])${name}([^A-Z0-9_]|$)`).test(text);
}

test('the catalog lists the settings', () => {
  assert.ok(catalogNames().length > 80, `found ${catalogNames().length}`);
});

for (const doc of ['README.md', '.env.example', 'docs/deploy.md', 'docs/deploy.zh-CN.md']) {
  test(`${doc} names every setting`, () => {
    const text = read(doc);
    const missing = catalogNames().filter((name) => !mentions(text, name));
    assert.deepEqual(missing, [], `${doc} does not mention: ${missing.join(', ')}`);
  });
}
