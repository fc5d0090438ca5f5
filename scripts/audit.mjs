// Electron security audit of the app's own code, run in CI (`npm run audit:electron`, and by
// test/hardening/audit.test.ts). It exits 1 on any HIGH finding and prints one line per finding.
//
// Why not @doyensec/electronegativity: its last release (1.10.3) pins TypeScript 4.2 and ESLint 7,
// and on Node 24 without network it dies before checking anything (its locale and Electron
// release look-ups through `got` throw an uncaught p-cancelable error, even with
// `-e <version> -x AvailableSecurityFixesGlobalCheck`). So this script does the checks that
// matter for this app statically, the way electronegativity's checks do, on:
//   main/window-policy.ts   the webPreferences and CSP, loaded as data (through tsx) and as text
//   main/**/*.ts            every BrowserWindow, every handler, the preload bridge, IPC sender check
//   renderer/**             CSP <meta>, dangerous DOM sinks
//   electron-builder.yml    the fuses
//   dist/main/*.cjs         the built bundles, for a setting turned off after type-checking
// Usage: node --import tsx scripts/audit.mjs [--root <repo>] [--json]

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const rootArg = args.indexOf('--root');
const ROOT = resolve(rootArg >= 0 ? args[rootArg + 1] : join(import.meta.dirname, '..'));
const JSON_OUT = args.includes('--json');

/** @type {{severity: 'HIGH'|'MEDIUM'|'INFO', id: string, file: string, message: string}[]} */
const findings = [];
const find = (severity, id, file, message) => findings.push({ severity, id, file: relative(ROOT, file) || file, message });

function walk(dir, exts) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(p);
  }
  return out;
}
const read = (p) => readFileSync(p, 'utf8');
/** Source text without comments (line and block), so a comment naming a setting is not a finding. */
const code = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

// ---- webPreferences ------------------------------------------------------------------------
const REQUIRED_PREFS = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
};
const policyFile = join(ROOT, 'main/window-policy.ts');
let policy;
try {
  policy = await import(pathToFileURL(policyFile).href);
} catch (e) {
  find('HIGH', 'policy-missing', policyFile, `cannot load the window policy (${e.message}); run with node --import tsx`);
}
if (policy) {
  const prefs = policy.WEB_PREFERENCES ?? {};
  for (const [k, want] of Object.entries(REQUIRED_PREFS)) {
    if (prefs[k] !== want) find('HIGH', `pref-${k}`, policyFile, `webPreferences.${k} must be ${want} (is ${JSON.stringify(prefs[k])})`);
  }
  if (prefs.enableBlinkFeatures) find('HIGH', 'pref-enableBlinkFeatures', policyFile, `enableBlinkFeatures enables ${prefs.enableBlinkFeatures}`);
  if ('preload' in prefs) find('MEDIUM', 'pref-preload', policyFile, 'the policy names a preload; main should add the bundled one only');
  if (prefs.plugins === true) find('INFO', 'pref-plugins', policyFile, 'plugins: true (Chromium PDF viewer only, per contract/ipc.ts)');
  for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://cachet/index.html', 'javascript:alert(1)']) {
    if (policy.allowNavigation?.(url) !== false) find('HIGH', 'navigation', policyFile, `navigation to ${url} is not refused`);
    if (policy.windowOpenDecision?.(url)?.action !== 'deny') find('HIGH', 'new-window', policyFile, `window.open(${url}) is not denied`);
  }
  for (const perm of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
    if (policy.allowPermission?.(perm) !== false) find('HIGH', 'permission', policyFile, `permission ${perm} is not refused`);
  }
  checkCsp(policy.CSP, policyFile, true);
}

// ---- CSP -----------------------------------------------------------------------------------
function parseCsp(csp) {
  const m = new Map();
  for (const part of String(csp ?? '').split(';')) {
    const [name, ...vals] = part.trim().split(/\s+/);
    if (name) m.set(name.toLowerCase(), vals);
  }
  return m;
}

function checkCsp(csp, file, header) {
  if (!csp) {
    find('HIGH', 'csp-missing', file, 'no Content-Security-Policy');
    return;
  }
  const d = parseCsp(csp);
  const def = d.get('default-src');
  if (!def || !(def.length === 1 && ["'none'", "'self'"].includes(def[0]))) find('HIGH', 'csp-default-src', file, `default-src must be 'none' or 'self' (is ${def?.join(' ')})`);
  const scripts = d.get('script-src') ?? def ?? [];
  for (const bad of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", 'data:', 'blob:', 'http:', 'https:', '*', 'file:']) {
    if (scripts.includes(bad)) find('HIGH', 'csp-script-src', file, `script-src allows ${bad}`);
  }
  if (scripts.some((s) => /^https?:\/\//.test(s))) find('HIGH', 'csp-script-src', file, 'script-src allows a remote origin');
  const obj = d.get('object-src') ?? def;
  if (!obj || obj.join(' ') !== "'none'") find('HIGH', 'csp-object-src', file, "object-src must be 'none'");
  const connect = d.get('connect-src') ?? def;
  if (!connect || connect.join(' ') !== "'none'") find('MEDIUM', 'csp-connect-src', file, "connect-src should be 'none' (network calls live in main)");
  if (!d.has('base-uri')) find('MEDIUM', 'csp-base-uri', file, 'no base-uri');
  if (header && d.get('frame-ancestors')?.join(' ') !== "'none'") find('MEDIUM', 'csp-frame-ancestors', file, "frame-ancestors should be 'none'");
  for (const [name, vals] of d) if (vals.includes('*')) find('MEDIUM', 'csp-wildcard', file, `${name} allows *`);
}

const html = join(ROOT, 'renderer/index.html');
if (existsSync(html)) {
  const text = read(html);
  const tag = /<meta\s[^>]*http-equiv\s*=\s*["']Content-Security-Policy["'][^>]*>/i.exec(text)?.[0];
  const m = tag ? /\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag) : null;
  const meta = m ? (m[1] ?? m[2]) : undefined;
  if (meta === undefined) find('HIGH', 'csp-meta', html, 'renderer/index.html has no CSP <meta>');
  else {
    checkCsp(meta, html, false);
    if (policy?.CSP_META && meta.replace(/\s+/g, ' ').trim() !== policy.CSP_META) find('MEDIUM', 'csp-meta-drift', html, 'the CSP <meta> differs from CSP_META in main/window-policy.ts');
  }
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(text)) find('HIGH', 'inline-script', html, 'inline <script> (the CSP would block it; do not relax the CSP for it)');
  if (/\son[a-z]+\s*=/i.test(text)) find('HIGH', 'inline-handler', html, 'inline event handler attribute');
  if (/<script[^>]+src=["']https?:/i.test(text)) find('HIGH', 'remote-script', html, 'script loaded from the network');
} else {
  find('HIGH', 'html-missing', html, 'renderer/index.html is missing');
}

// ---- main process source -------------------------------------------------------------------
const mainFiles = walk(join(ROOT, 'main'), ['.ts']);
const mainCode = new Map(mainFiles.map((f) => [f, code(read(f))]));
const all = [...mainCode.values()].join('\n');

const DANGEROUS = [
  [/nodeIntegration\s*:\s*true/, 'HIGH', 'nodeIntegration: true'],
  [/nodeIntegrationIn(?:Worker|SubFrames)\s*:\s*true/, 'HIGH', 'nodeIntegration in workers or subframes'],
  [/contextIsolation\s*:\s*false/, 'HIGH', 'contextIsolation: false'],
  [/sandbox\s*:\s*false/, 'HIGH', 'sandbox: false'],
  [/webSecurity\s*:\s*false/, 'HIGH', 'webSecurity: false'],
  [/allowRunningInsecureContent\s*:\s*true/, 'HIGH', 'allowRunningInsecureContent: true'],
  [/experimentalFeatures\s*:\s*true/, 'HIGH', 'experimentalFeatures: true'],
  [/enableBlinkFeatures\s*:\s*['"`][^'"`]+['"`]/, 'HIGH', 'enableBlinkFeatures'],
  [/webviewTag\s*:\s*true/, 'HIGH', 'webviewTag: true'],
  [/enableRemoteModule|@electron\/remote/, 'HIGH', 'the remote module'],
  [/\.executeJavaScript\s*\(/, 'MEDIUM', 'executeJavaScript'],
  [/\.insertCSS\s*\(/, 'INFO', 'insertCSS'],
  [/shell\.openExternal\s*\(/, 'HIGH', 'shell.openExternal (URLs from the renderer must never reach it)'],
  [/setPermissionRequestHandler\s*\(\s*null/, 'HIGH', 'permission handler removed'],
  [/disableWebSecurity|ignore-certificate-errors|allow-file-access-from-files/, 'HIGH', 'a Chromium switch that weakens security'],
  [/appendSwitch\s*\(\s*['"]remote-debugging/, 'HIGH', 'remote debugging switch'],
  [/loadURL\s*\(\s*['"`]https?:/, 'HIGH', 'a window loads remote content'],
  [/new\s+Function\s*\(|\beval\s*\(/, 'HIGH', 'eval / new Function in main'],
];
for (const [f, text] of mainCode) {
  for (const [re, sev, what] of DANGEROUS) if (re.test(text)) find(sev, 'dangerous', f, what);
}

// Every BrowserWindow spreads the policy's webPreferences and adds only preload/session after it.
for (const [f, text] of mainCode) {
  for (const m of text.matchAll(/new\s+BrowserWindow\s*\(/g)) {
    const body = text.slice(m.index, m.index + 600);
    const prefs = /webPreferences\s*:\s*\{([^}]*)\}/.exec(body);
    if (!prefs) {
      find('HIGH', 'window-prefs', f, 'a BrowserWindow without explicit webPreferences');
      continue;
    }
    if (!/\.\.\.WEB_PREFERENCES\b/.test(prefs[1])) find('HIGH', 'window-prefs', f, 'a BrowserWindow whose webPreferences do not spread WEB_PREFERENCES');
    const after = prefs[1].split(/\.\.\.WEB_PREFERENCES\b/)[1] ?? prefs[1];
    for (const key of after.matchAll(/([A-Za-z]+)\s*:/g)) {
      if (!['preload', 'session', 'partition'].includes(key[1])) find('HIGH', 'window-prefs-override', f, `webPreferences.${key[1]} overrides the policy`);
    }
  }
}

const REQUIRED_IN_MAIN = [
  [/setWindowOpenHandler\s*\(/, 'new windows: setWindowOpenHandler'],
  [/['"]will-navigate['"]/, "navigation: a 'will-navigate' handler"],
  [/['"]will-redirect['"]/, "redirects: a 'will-redirect' handler"],
  [/['"]will-attach-webview['"]/, "<webview>: a 'will-attach-webview' handler"],
  [/setPermissionRequestHandler\s*\(/, 'permissions: setPermissionRequestHandler'],
  [/setPermissionCheckHandler\s*\(/, 'permissions: setPermissionCheckHandler'],
  [/web-contents-created/, "every webContents hardened: app.on('web-contents-created')"],
  [/enableSandbox\s*\(\s*\)/, 'app.enableSandbox()'],
  [/senderFrame/, 'IPC: the sender frame is checked'],
  [/Content-Security-Policy/, 'CSP sent as a response header'],
];
for (const [re, what] of REQUIRED_IN_MAIN) if (!re.test(all)) find('HIGH', 'missing', join(ROOT, 'main'), `missing: ${what}`);

// The preload exposes one bridge object and never ipcRenderer itself.
const preload = join(ROOT, 'main/preload.ts');
if (existsSync(preload)) {
  const p = code(read(preload));
  const exposes = [...p.matchAll(/exposeInMainWorld\s*\(\s*['"]([^'"]+)['"]\s*,\s*([^)]+)\)/g)];
  if (exposes.length !== 1) find('MEDIUM', 'preload-expose', preload, `the preload exposes ${exposes.length} objects (expected one bridge)`);
  for (const e of exposes) if (/\bipcRenderer\b|\brequire\b|\bprocess\b/.test(e[2])) find('HIGH', 'preload-expose', preload, `exposes ${e[2].trim()} to the page`);
  if (/ipcRenderer\.on\([^)]*\blistener\b\s*\)/.test(p)) find('HIGH', 'preload-event', preload, 'hands the IPC event object to page code');
  if (/require\s*\(\s*['"](?!electron['"])/.test(p)) find('HIGH', 'preload-require', preload, 'requires a module other than electron in the sandboxed preload');
}

// ---- renderer ------------------------------------------------------------------------------
for (const f of walk(join(ROOT, 'renderer'), ['.ts', '.tsx'])) {
  const t = code(read(f));
  if (/dangerouslySetInnerHTML/.test(t)) find('MEDIUM', 'renderer-html', f, 'dangerouslySetInnerHTML');
  if (/\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write\s*\(/.test(t)) find('MEDIUM', 'renderer-html', f, 'an HTML sink');
  if (/\beval\s*\(|new\s+Function\s*\(/.test(t)) find('HIGH', 'renderer-eval', f, 'eval / new Function');
  if (/\brequire\s*\(|from\s+['"](?:electron|node:)/.test(t)) find('HIGH', 'renderer-node', f, 'the renderer imports electron or node');
}

// ---- fuses ---------------------------------------------------------------------------------
const builder = join(ROOT, 'electron-builder.yml');
if (existsSync(builder)) {
  const y = read(builder);
  const FUSES = { runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false, onlyLoadAppFromAsar: true, enableEmbeddedAsarIntegrityValidation: true, enableCookieEncryption: true, grantFileProtocolExtraPrivileges: false };
  if (!/^electronFuses:/m.test(y)) find('HIGH', 'fuses', builder, 'no electronFuses section');
  for (const [k, want] of Object.entries(FUSES)) {
    const m = new RegExp(`^\\s+${k}:\\s*(true|false)`, 'm').exec(y);
    if (!m || (m[1] === 'true') !== want) find(k === 'enableCookieEncryption' ? 'MEDIUM' : 'HIGH', 'fuses', builder, `fuse ${k} must be ${want}`);
  }
} else {
  find('MEDIUM', 'fuses', builder, 'no electron-builder.yml: fuses are not set at packaging');
}

// ---- built bundles -------------------------------------------------------------------------
for (const f of walk(join(ROOT, 'dist/main'), ['.cjs', '.js'])) {
  const t = read(f);
  for (const [re, what] of [
    [/nodeIntegration:\s*(?:true|!0)/, 'nodeIntegration on'],
    [/contextIsolation:\s*(?:false|!1)/, 'contextIsolation off'],
    [/sandbox:\s*(?:false|!1)/, 'sandbox off'],
    [/webSecurity:\s*(?:false|!1)/, 'webSecurity off'],
  ]) if (re.test(t)) find('HIGH', 'bundle', f, `the built bundle turns ${what}`);
}

// ---- report --------------------------------------------------------------------------------
const high = findings.filter((f) => f.severity === 'HIGH');
if (JSON_OUT) {
  process.stdout.write(`${JSON.stringify({ root: ROOT, findings }, null, 2)}\n`);
} else {
  for (const f of findings) process.stdout.write(`${f.severity.padEnd(6)} ${f.id.padEnd(22)} ${f.file}: ${f.message}\n`);
  process.stdout.write(`electron audit: ${findings.length} finding(s), ${high.length} high\n`);
}
process.exit(high.length > 0 ? 1 : 0);
