// Packs the app the way `npm run dist` does, offline: electron-builder 26 with electron-builder.yml,
// the Linux deb and AppImage targets, against a stub Electron (a file holding only the fuse
// sentinel, since the Electron binary cannot be downloaded here) and with electron-builder's
// `effectiveOptionComputed` hook stopping each target before fpm / appimagetool would be fetched.
// Then reads what a person would install: the asar (only the bundles: no react/zod/AWS SDK
// sources, no tests, no source maps, no node_modules), the fuses as flipped in the binary, the
// icons and desktop entry handed to the deb and AppImage, and the CLI in resources/cli, run with
// this Node. Needs `npm run build` first (npm test does).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after, test } from 'node:test';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '..', '..');
const ELECTRON_VERSION = (require('electron/package.json') as { version: string }).version;
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSE_WIRE_LENGTH = 9;

let dir = '';
let unpacked = '';
const seen: { deb?: string[]; debDesktop?: string; appImage?: { desktop: string; icons?: unknown } } = {};
const built = existsSync(join(ROOT, 'dist', 'main', 'main.cjs')) && existsSync(join(ROOT, 'dist', 'packaged-cli', 'cachet.js'));

before(async () => {
  if (!built) return;
  dir = await mkdtemp(join(tmpdir(), 'cachet-pack-'));
  const stub = join(dir, 'electron-dist');
  await mkdir(join(stub, 'resources'), { recursive: true });
  // Fuse wire version 1, every fuse at its Electron default ('1' on, '0' off) so a flip shows.
  await writeFile(join(stub, 'electron'), Buffer.concat([Buffer.from(FUSE_SENTINEL), Buffer.from([1, FUSE_WIRE_LENGTH]), Buffer.from('101101010')]), { mode: 0o755 });
  await writeFile(join(stub, 'LICENSE'), 'stub');
  await writeFile(join(stub, 'version'), ELECTRON_VERSION);
  const config = parse(await readFile(join(ROOT, 'electron-builder.yml'), 'utf8'));
  const { build, Platform, Arch } = require('electron-builder');
  await build({
    projectDir: ROOT,
    targets: Platform.LINUX.createTarget(['deb', 'AppImage'], Arch.x64),
    config: { ...config, electronDist: stub, electronVersion: ELECTRON_VERSION, directories: { ...config.directories, output: join(dir, 'out') }, publish: null },
    effectiveOptionComputed: async (o: any) => {
      if (Array.isArray(o)) {
        seen.deb = o[0];
        seen.debDesktop = await readFile(o[1], 'utf8');
      } else if (o && typeof o.desktop === 'string') {
        seen.appImage = { desktop: o.desktop, icons: o.icons };
      }
      return true;
    },
  });
  unpacked = join(dir, 'out', 'linux-unpacked');
});

after(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

const skip = built ? false : 'dist/ is not built (run `npm run build`; npm test does)';

function asarFiles(): { path: string; size: number }[] {
  const asar = require('@electron/asar');
  const file = join(unpacked, 'resources', 'app.asar');
  return (asar.listPackage(file, { isPack: false }) as string[])
    .map((p) => ({ path: p, st: asar.statFile(file, p.slice(1), false) }))
    .filter((e) => e.st && !e.st.files && typeof e.st.size === 'number')
    .map((e) => ({ path: e.path, size: e.st.size as number }));
}

test('the asar holds the bundles only: no node_modules, react, zod, AWS SDK copies, tests or maps', { skip }, () => {
  const files = asarFiles().map((f) => f.path);
  assert.ok(files.includes('/dist/main/main.cjs'), 'main bundle');
  assert.ok(files.includes('/dist/main/preload.cjs'), 'preload bundle');
  assert.ok(files.includes('/dist/renderer/index.html'), 'renderer');
  assert.ok(files.includes('/package.json'));
  const bad = files.filter((p) => /node_modules|\/(react|react-dom|scheduler|zod)\/|dist-es|\.map$|\.test\.|__tests__|\/tests?\//.test(p));
  assert.deepEqual(bad, []);
  const total = asarFiles().reduce((n, f) => n + f.size, 0);
  assert.ok(total < 8_000_000, `asar content is ${total} bytes`);
});

test("main.cjs requires only Node built-ins and electron, so it resolves inside the asar", { skip }, () => {
  const asar = require('@electron/asar');
  const main = asar.extractFile(join(unpacked, 'resources', 'app.asar'), 'dist/main/main.cjs').toString('utf8');
  const preload = asar.extractFile(join(unpacked, 'resources', 'app.asar'), 'dist/main/preload.cjs').toString('utf8');
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  for (const [name, text] of [['main', main], ['preload', preload]] as const) {
    // `[require("...");]` is the AWS SDK's error message telling a user how to add the optional CRT
    // signer, not a call.
    const requires = [...text.matchAll(/(?<!\[)\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
    assert.ok(requires.includes('electron'), `${name} requires electron`);
    const unresolved = requires.filter((r) => r !== 'electron' && !builtins.has(r));
    assert.deepEqual(unresolved, [], `${name} requires outside the asar`);
  }
});

test('fuses read back as set in the packed binary', { skip }, async () => {
  const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses');
  const FuseState = { ENABLE: '1'.charCodeAt(0), DISABLE: '0'.charCodeAt(0) };
  const wire = await getCurrentFuseWire(join(unpacked, 'cachet-desktop'));
  assert.equal(wire[FuseV1Options.RunAsNode], FuseState.DISABLE);
  assert.equal(wire[FuseV1Options.EnableCookieEncryption], FuseState.ENABLE);
  assert.equal(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable], FuseState.DISABLE);
  assert.equal(wire[FuseV1Options.EnableNodeCliInspectArguments], FuseState.DISABLE);
  assert.equal(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation], FuseState.ENABLE);
  assert.equal(wire[FuseV1Options.OnlyLoadAppFromAsar], FuseState.ENABLE);
  assert.equal(wire[FuseV1Options.GrantFileProtocolExtraPrivileges], FuseState.DISABLE);
});

function pngSize(b: Buffer): [number, number] {
  assert.equal(b.subarray(1, 4).toString('latin1'), 'PNG');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

test("Cachet's icon goes into the deb and the AppImage, in every hicolor size", { skip }, async () => {
  const args = seen.deb ?? [];
  const icons = args.filter((a) => a.includes('=/usr/share/icons/hicolor/'));
  const sizes = icons.map((a) => Number(/hicolor\/(\d+)x\d+\//.exec(a)?.[1]));
  assert.deepEqual([...sizes].sort((a, b) => a - b), [16, 32, 48, 64, 128, 256, 512]);
  for (const a of icons) {
    const [src, dest] = a.split('=');
    const [w, h] = pngSize(await readFile(src!));
    assert.match(dest!, new RegExp(`/${w}x${h}/apps/cachet-desktop\\.png$`));
    assert.ok(src!.startsWith(join(ROOT, 'build', 'icons')), `${src} is Cachet's own icon`);
  }
  assert.deepEqual(pngSize(await readFile(join(ROOT, 'build', 'icon.png'))), [1024, 1024]);
  assert.ok(seen.appImage, 'AppImage target reached');
  assert.match(seen.appImage.desktop, /^Icon=cachet-desktop$/m);
});

test('desktop entry: name, comment, categories, mime type, executable; no .env glob anywhere', { skip }, async () => {
  for (const entry of [seen.debDesktop ?? '', seen.appImage?.desktop ?? '']) {
    assert.match(entry, /^Name=Cachet$/m);
    assert.match(entry, /^Comment=Seal files/m);
    assert.match(entry, /^Categories=Utility;Security;$/m);
    assert.match(entry, /^MimeType=application\/x-cachet-envelope;?$/m);
    assert.match(entry, /^Exec=(\/opt\/Cachet\/cachet-desktop|AppRun --no-sandbox) %U$/m);
    assert.match(entry, /^StartupWMClass=cachet-desktop$/m);
  }
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.desktopName, 'cachet-desktop.desktop');
  assert.ok(pkg.author?.name);
  assert.ok(pkg.description);
  const mime = (seen.deb ?? []).find((a) => a.endsWith('=/usr/share/mime/packages/cachet-envelope.xml'));
  assert.ok(mime, 'the deb installs the shared-mime-info type');
  const xml = await readFile(join(ROOT, mime.split('=')[0]!), 'utf8');
  assert.match(xml, /<mime-type type="application\/x-cachet-envelope">/);
  assert.match(xml, /<match type="string" offset="0" value="CACHET\\001"\/>/);
  assert.doesNotMatch(xml, /<glob/, 'never claims dotenv files by name');
});

test('react and react-dom are devDependencies (esbuild bundles them)', { skip }, async () => {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  for (const name of ['react', 'react-dom', 'scheduler']) assert.equal(pkg.dependencies?.[name], undefined, name);
  assert.ok(pkg.devDependencies.react && pkg.devDependencies['react-dom']);
});

test('the packaged CLI runs from resources/cli with no node_modules around it; the deb puts it on PATH', { skip }, async () => {
  const cli = join(unpacked, 'resources', 'cli');
  assert.ok((await stat(join(cli, 'cachet'))).mode & 0o111, 'wrapper is executable');
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  const env = { ...process.env, PATH: `${join(process.execPath, '..')}:/usr/bin:/bin`, NODE_PATH: '', CACHET_PASSPHRASE: 'pack test passphrase' };
  const version = spawnSync(join(cli, 'cachet'), ['--version'], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout.trim(), `cachet ${pkg.version}`);
  assert.equal(version.stderr, '');
  const help = spawnSync(process.execPath, [join(cli, 'cachet.js'), 'help'], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: cachet /m);
  // A local-key vault round trip: the bundled packages (zod and the rest) load from the bundle.
  const vault = join(dir, 'v');
  const init = spawnSync(join(cli, 'cachet'), ['init', vault, '--local'], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(init.status, 0, init.stderr + init.stdout);
  await writeFile(join(dir, 'note.txt'), 'packed');
  const add = spawnSync(join(cli, 'cachet'), ['add', vault, join(dir, 'note.txt')], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(add.status, 0, add.stderr + add.stdout);
  const get = spawnSync(join(cli, 'cachet'), ['get', vault, 'note.txt', '-o', '-'], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(get.status, 0, get.stderr);
  assert.equal(get.stdout, 'packed');
  // Without a node on PATH: one sentence saying so, not a shell error.
  const bin = join(dir, 'bin-without-node');
  await mkdir(bin);
  for (const tool of ['readlink', 'dirname']) await symlink(execFileSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bin, tool));
  const noNode = spawnSync('/bin/sh', [join(cli, 'cachet'), '--version'], { cwd: dir, env: { ...env, PATH: bin }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(noNode.status, 127);
  assert.match(noNode.stderr, /^cachet: the Cachet command line runs on Node\.js 24 or newer/);
  const deb = seen.deb ?? [];
  const onPath = deb.find((a) => a.endsWith('=/usr/bin/cachet'));
  assert.ok(onPath, 'the deb maps /usr/bin/cachet');
  assert.match(await readFile(join(ROOT, onPath.split('=')[0]!), 'utf8'), /^exec '\/opt\/Cachet\/resources\/cli\/cachet' "\$@"$/m);
  assert.ok(deb.some((a) => a.endsWith('=/opt/Cachet')), 'the app goes to /opt/Cachet, where /usr/bin/cachet looks');
});
