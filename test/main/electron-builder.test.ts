// electron-builder.yml against electron-builder 26's own config schema (app-builder-lib/scheme.json,
// validated with ajv, which electron-builder itself depends on), plus the targets and the security
// fuses the product brief requires.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);

async function load(): Promise<Record<string, any>> {
  return parse(await readFile('electron-builder.yml', 'utf8')) as Record<string, any>;
}

test('electron-builder.yml is valid against app-builder-lib/scheme.json', async () => {
  const schema = JSON.parse(await readFile('node_modules/app-builder-lib/scheme.json', 'utf8'));
  const Ajv = require('ajv').default ?? require('ajv');
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  const cfg = await load();
  assert.equal(validate(cfg), true, JSON.stringify(validate.errors, null, 2));
  // The validator does catch mistakes (guards against a schema that accepts anything).
  assert.equal(validate({ ...cfg, electronFuses: { ...cfg['electronFuses'], runAsNod: false } }), false);
  assert.equal(validate({ ...cfg, linux: { target: 42 } }), false);
});

test('targets: Linux AppImage + deb, macOS dmg, Windows nsis; identity', async () => {
  const cfg = await load();
  assert.equal(cfg['productName'], 'Cachet');
  assert.match(cfg['appId'], /^[a-z0-9.-]+$/);
  assert.deepEqual(cfg['linux'].target, ['AppImage', 'deb']);
  assert.deepEqual(cfg['mac'].target, ['dmg']);
  assert.deepEqual(cfg['win'].target, ['nsis']);
  assert.ok(cfg['files'].includes('package.json'));
  assert.ok(cfg['files'].some((f: string) => f.startsWith('dist/main')));
  assert.ok(cfg['files'].some((f: string) => f.startsWith('dist/renderer')));
  const pkg = JSON.parse(await readFile('package.json', 'utf8'));
  assert.ok(pkg.main.startsWith('dist/main/'), 'package.json main is inside the packaged files');
});

test('security fuses are set', async () => {
  const f = (await load())['electronFuses'];
  assert.equal(f.runAsNode, false);
  assert.equal(f.enableCookieEncryption, true);
  assert.equal(f.enableNodeOptionsEnvironmentVariable, false);
  assert.equal(f.enableNodeCliInspectArguments, false);
  assert.equal(f.enableEmbeddedAsarIntegrityValidation, true);
  assert.equal(f.onlyLoadAppFromAsar, true);
  assert.equal(f.grantFileProtocolExtraPrivileges, false);
});

test('envelopes, never dotenv files: Linux by magic, macOS "Open With" at rank Alternate, Windows no association', async () => {
  const cfg = await load();
  // No electron-builder fileAssociations anywhere: on every OS they make the app the default handler.
  for (const where of [cfg, cfg['mac'], cfg['win'], cfg['nsis'], cfg['linux']]) assert.equal(where?.['fileAssociations'], undefined);
  assert.deepEqual(cfg['linux'].mimeTypes, ['application/x-cachet-envelope']);
  const info = cfg['mac'].extendInfo as Record<string, any>;
  assert.equal(info['UTExportedTypeDeclarations'], undefined, 'no exported UTI: it would re-type every .env on the Mac');
  assert.equal(info['UTImportedTypeDeclarations'], undefined);
  const types = info['CFBundleDocumentTypes'] as Array<Record<string, any>>;
  assert.ok(types.length > 0);
  for (const t of types) {
    assert.equal(t['LSHandlerRank'], 'Alternate', `${t['CFBundleTypeName']}: never the default app`);
    assert.equal(t['CFBundleTypeRole'], 'Viewer');
  }
  assert.ok(types.some((t) => (t['CFBundleTypeExtensions'] as string[] | undefined)?.includes('env')));
});
