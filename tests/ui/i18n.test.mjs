// Every string of the admin UI exists in both languages: the dictionaries
// have the same keys, and every key the pages use (data-i18n attributes and
// t('...') calls, setting descriptions) is in them. No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const staticDir = path.join(here, '..', '..', 'services', 'gateway', 'admin', 'static');

function dictionaries() {
  const sandbox = { window: {} };
  vm.runInNewContext(fs.readFileSync(path.join(staticDir, 'i18n.js'), 'utf8'), sandbox);
  return sandbox.window.GP_I18N;
}

test('both languages have exactly the same keys, none empty', () => {
  const { en, 'zh-CN': zh } = dictionaries();
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  for (const [k, v] of Object.entries(zh)) assert.ok(v.trim().length > 0, `zh-CN ${k} is empty`);
  for (const [k, v] of Object.entries(en)) {
    const names = (s) => (s.match(/\{\w+\}/g) || []).sort().join();
    assert.equal(names(zh[k]), names(v), `${k}: the two languages fill in different values`);
  }
});

test('every key the pages use is in the dictionaries', () => {
  const { en } = dictionaries();
  const used = new Set();
  for (const file of fs.readdirSync(staticDir)) {
    const text = fs.readFileSync(path.join(staticDir, file), 'utf8');
    if (file.endsWith('.html')) {
      for (const m of text.matchAll(/data-i18n(?:-placeholder|-title|-aria-label|-page)?="([^"]+)"/g)) used.add(m[1]);
    }
    if (file.endsWith('.js') && file !== 'i18n.js') {
      for (const m of text.matchAll(/\bt\('([a-z_.]+[a-z_])'/g)) used.add(m[1]);
      for (const m of text.matchAll(/'data-i18n(?:-aria-label)?': '([a-z_.]+[a-z_])'/g)) used.add(m[1]);
    }
  }
  const missing = [...used].filter((k) => en[k] === undefined);
  assert.deepEqual(missing, []);
  assert.ok(used.size > 100, `found ${used.size} keys in use`);
});

test('every setting of the catalog has a description', () => {
  const { en } = dictionaries();
  const catalog = fs.readFileSync(path.join(staticDir, '..', 'settings_catalog.cc'), 'utf8');
  const names = [...catalog.matchAll(/\{"([A-Z_]+)", "(?:keys|clients|upstream|models|images|files|logs|admin|storage|network)"/g)].map((m) => m[1]);
  assert.ok(names.length > 30, `found ${names.length} settings`);
  for (const name of names) assert.ok(en['setting.' + name], `setting.${name} has no description`);
});

test('pages load no script or style from elsewhere and use no inline script', () => {
  for (const file of fs.readdirSync(staticDir).filter((f) => f.endsWith('.html'))) {
    const text = fs.readFileSync(path.join(staticDir, file), 'utf8');
    assert.ok(!/(src|href)="(https?:)?\/\//.test(text), `${file} loads something from another host`);
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(text), `${file} has an inline script`);
    assert.ok(!/\sstyle="/.test(text), `${file} has an inline style (the CSP forbids it)`);
    assert.ok(!/\son[a-z]+="/.test(text), `${file} has an inline event handler`);
  }
});
