// The window's security settings as data (main/window-policy.ts), asserted one by one without
// Electron, plus the renderer's index.html carrying the same CSP.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  APP_ENTRY_URL, CSP, CSP_DIRECTIVES, CSP_META, SECURITY_HEADERS, WEB_PREFERENCES,
  allowNavigation, allowPermission, appUrlToRelative, isAppUrl, windowOpenDecision,
} from '../../main/window-policy.js';

test('webPreferences: isolation, sandbox, no node, web security, no webview', () => {
  assert.equal(WEB_PREFERENCES.contextIsolation, true);
  assert.equal(WEB_PREFERENCES.sandbox, true);
  assert.equal(WEB_PREFERENCES.nodeIntegration, false);
  assert.equal(WEB_PREFERENCES.nodeIntegrationInWorker, false);
  assert.equal(WEB_PREFERENCES.nodeIntegrationInSubFrames, false);
  assert.equal(WEB_PREFERENCES.webSecurity, true);
  assert.equal(WEB_PREFERENCES.allowRunningInsecureContent, false);
  assert.equal(WEB_PREFERENCES.experimentalFeatures, false);
  assert.equal(WEB_PREFERENCES.webviewTag, false);
  assert.equal(WEB_PREFERENCES.navigateOnDragDrop, false);
  assert.equal(WEB_PREFERENCES.enableBlinkFeatures, '');
  assert.equal(WEB_PREFERENCES.plugins, true, 'only for the built-in PDF viewer (documented decision)');
  assert.ok(!('preload' in WEB_PREFERENCES), 'main adds the preload path');
});

test('CSP: strict, no network from the renderer, only blob/data images and blob frames', () => {
  assert.equal(CSP_DIRECTIVES['default-src'], "'none'");
  assert.equal(CSP_DIRECTIVES['script-src'], "'self'");
  assert.equal(CSP_DIRECTIVES['style-src'], "'self'");
  assert.equal(CSP_DIRECTIVES['img-src'], "'self' blob: data:");
  assert.equal(CSP_DIRECTIVES['connect-src'], "'none'");
  assert.equal(CSP_DIRECTIVES['object-src'], "'none'");
  assert.equal(CSP_DIRECTIVES['frame-src'], "'self' blob:");
  assert.equal(CSP_DIRECTIVES['frame-ancestors'], "'none'");
  assert.ok(!/unsafe-(inline|eval)/.test(CSP));
  assert.ok(!/\*|https?:/.test(CSP), 'no remote sources');
  assert.equal(SECURITY_HEADERS['Content-Security-Policy'], CSP);
  assert.equal(SECURITY_HEADERS['X-Content-Type-Options'], 'nosniff');
  assert.ok(!CSP_META.includes('frame-ancestors'), 'frame-ancestors is ignored in <meta>');
});

test('renderer/index.html carries the same CSP in its <meta>', async () => {
  const html = await readFile('renderer/index.html', 'utf8');
  const m = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
  assert.ok(m, 'index.html has a CSP meta');
  const norm = (s: string) => s.split(';').map((d) => d.trim().replace(/\s+/g, ' ')).filter(Boolean).sort();
  assert.deepEqual(norm(m[1]!), norm(CSP_META));
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'no inline scripts');
});

test('navigation, new windows and permissions are all refused', () => {
  for (const url of ['https://example.com/', 'file:///etc/passwd', APP_ENTRY_URL, 'app://cachet/other.html', 'javascript:alert(1)']) {
    assert.equal(allowNavigation(url), false, url);
    assert.deepEqual(windowOpenDecision(url), { action: 'deny' });
  }
  for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'fullscreen', 'openExternal', 'unknown']) {
    assert.equal(allowPermission(p), false, p);
  }
});

test('app origin and the static file mapping refuse escapes', () => {
  assert.equal(isAppUrl(APP_ENTRY_URL), true);
  for (const u of ['https://cachet/index.html', 'app://evil/index.html', 'file:///index.html', 'not a url', '']) assert.equal(isAppUrl(u), false, u);
  assert.equal(appUrlToRelative('app://cachet/'), 'index.html');
  assert.equal(appUrlToRelative('app://cachet/app.js?x=1'), 'app.js');
  assert.equal(appUrlToRelative('app://cachet/assets/a.css'), 'assets/a.css');
  // The URL parser resolves dot segments at the root, so these cannot climb out: either refused or inside.
  for (const u of ['app://cachet/%2e%2e/secret', 'app://cachet/a/%2e%2e/%2e%2e/x', 'app://cachet/..%5c..%5cx', 'app://cachet/%252e%252e/x', 'app://cachet/a%00b', 'app://cachet/C:%5cwin']) {
    const r = appUrlToRelative(u);
    assert.ok(r === null || (!r.split('/').includes('..') && !r.includes('\\') && !r.includes('\0') && !r.startsWith('/')), `${u} -> ${r}`);
  }
  for (const u of ['app://cachet/..%5c..%5cx', 'app://cachet/a%00b', 'app://cachet/C:%5cwin', 'app://other/index.html']) {
    assert.equal(appUrlToRelative(u), null, u);
  }
});
