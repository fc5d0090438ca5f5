// `npm start`: checks what the desktop app needs before building and launching it, and says in
// one paragraph what is missing instead of a stack trace: a Node.js older than package.json
// "engines", or no Electron binary (its download is a postinstall step that a proxy, a firewall
// or ELECTRON_SKIP_BINARY_DOWNLOAD can leave undone). Then `node scripts/build.mjs` and Electron on
// the repo. It finds the binary the way node_modules/electron/index.js does, but never downloads
// (that module starts a download when the binary is missing, which hangs where it is blocked).
// Written for old Node.js too: no syntax or API newer than Node 12 runs before the version check.
// Test hook: CACHET_ELECTRON_PACKAGE, the electron package folder (default node_modules/electron).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

function fail(paragraph) {
  process.stderr.write(paragraph.replace(/\s+/g, ' ').trim() + '\n');
  process.exit(1);
}

const wanted = Number((/(\d+)/.exec(pkg.engines.node) || [])[1]);
const running = Number(process.versions.node.split('.')[0]);
if (running < wanted) {
  fail(`Cachet needs Node.js ${wanted} or newer to build and start, and this is Node.js ${process.versions.node}
    (${process.execPath}). Install Node.js ${wanted} (from https://nodejs.org, your package manager, or a version
    manager such as nvm: \`nvm install ${wanted}\`), make sure \`node --version\` shows it, then run \`npm start\` again.`);
}

function electronBinary() {
  let electronDir = process.env.CACHET_ELECTRON_PACKAGE;
  if (!electronDir) {
    try {
      electronDir = dirname(createRequire(join(ROOT, 'package.json')).resolve('electron/package.json'));
    } catch {
      return { dir: join(ROOT, 'node_modules', 'electron'), path: undefined };
    }
  }
  const pathFile = join(electronDir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return { dir: electronDir, path: join(process.env.ELECTRON_OVERRIDE_DIST_PATH, rel || 'electron') };
  return { dir: electronDir, path: rel ? join(electronDir, 'dist', rel) : undefined };
}

const electron = electronBinary();
if (!electron.path || !existsSync(electron.path)) {
  fail(`The Electron binary is missing (looked in ${join(electron.dir, 'dist')}), so the Cachet desktop app cannot
    start. npm installs Electron's JavaScript package, but the binary itself is downloaded afterwards by the
    package's install script, from GitHub, and that download was blocked or skipped (no network, a proxy, or
    ELECTRON_SKIP_BINARY_DOWNLOAD=1). To fix it: behind a proxy, set ELECTRON_GET_USE_PROXY=1 and
    GLOBAL_AGENT_HTTPS_PROXY=http://proxy:port; where GitHub is blocked, point ELECTRON_MIRROR at a mirror
    (e.g. ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/); then run \`node node_modules/electron/install.js\`
    (or remove node_modules/electron and run \`npm install\` again). Meanwhile the command line works without
    Electron: \`npm run build\`, then \`node bin/cachet.js help\`.`);
}

const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(electron.path, ['.', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
process.exit(run.status ?? 1);
