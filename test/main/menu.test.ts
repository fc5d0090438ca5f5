// The application menu's template (main/menu.ts), for each OS: the standard menus and roles,
// Cachet's items each once with a shortcut that no standard role of the same menu bar uses,
// enabled only with a vault open, no reload or developer tools in an installed build. main.ts
// builds it (the wiring through the fake Electron is test/main/main-wiring.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MENU_COMMANDS, type MenuCommand } from '../../contract/names.js';
import { APP_ITEMS, menuTemplate, type MenuEntry, type MenuRole, type MenuState } from '../../main/menu.js';

const flat = (entries: readonly MenuEntry[]): MenuEntry[] => entries.flatMap((e) => [e, ...flat(e.submenu ?? [])]);

/** Electron's default accelerators of the roles used (docs: MenuItem roles), per OS; normalised below. */
function roleAccelerators(role: MenuRole, mac: boolean): string[] {
  const table: Partial<Record<MenuRole, string[]>> = {
    undo: ['CmdOrCtrl+Z'], redo: mac ? ['Shift+CmdOrCtrl+Z'] : ['CmdOrCtrl+Y', 'Shift+CmdOrCtrl+Z'],
    cut: ['CmdOrCtrl+X'], copy: ['CmdOrCtrl+C'], paste: ['CmdOrCtrl+V'], pasteAndMatchStyle: mac ? ['Shift+Alt+CmdOrCtrl+V'] : ['Shift+CmdOrCtrl+V'],
    selectAll: ['CmdOrCtrl+A'], resetZoom: ['CmdOrCtrl+0'], zoomIn: ['CmdOrCtrl+Plus'], zoomOut: ['CmdOrCtrl+-'],
    togglefullscreen: mac ? ['Ctrl+CmdOrCtrl+F'] : ['F11'], reload: ['CmdOrCtrl+R'], forceReload: ['Shift+CmdOrCtrl+R'],
    toggleDevTools: mac ? ['Alt+CmdOrCtrl+I'] : ['Shift+CmdOrCtrl+I'], close: ['CmdOrCtrl+W'], minimize: ['CmdOrCtrl+M'],
    quit: ['CmdOrCtrl+Q'], hide: ['CmdOrCtrl+H'], hideOthers: ['Alt+CmdOrCtrl+H'],
    windowMenu: ['CmdOrCtrl+M', 'CmdOrCtrl+W'], appMenu: [],
  };
  // Chromium's text fields paste as plain text on Ctrl/Cmd+Shift+V on every OS, whether or not the menu shows the role.
  return [...(table[role] ?? []), ...(role === 'paste' ? ['Shift+CmdOrCtrl+V'] : [])];
}
const norm = (a: string) => a.split('+').map((p) => p.toLowerCase()).sort().join('+');

for (const os of ['linux', 'win32', 'darwin'] as const) {
  test(`menu on ${os}: standard menus, Cachet's items once each with a free shortcut`, () => {
    const mac = os === 'darwin';
    const ran: MenuCommand[] = [];
    const tpl = menuTemplate({ os, packaged: true, vaultOpen: true }, (c) => ran.push(c));
    assert.deepEqual(tpl.map((m) => m.label ?? m.role), mac ? ['Cachet', 'File', 'Edit', 'View', 'windowMenu', 'help'] : ['&File', '&Edit', '&View', 'windowMenu', 'help']);
    const all = flat(tpl);
    const roles = all.map((e) => e.role).filter((r): r is MenuRole => r !== undefined);
    for (const r of ['undo', 'redo', 'cut', 'copy', 'paste', 'delete', 'selectAll', 'resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen', 'quit'] as const) assert.ok(roles.includes(r), `${r} in the menu`);
    if (mac) for (const r of ['about', 'hide', 'hideOthers', 'unhide', 'services', 'close', 'pasteAndMatchStyle'] as const) assert.ok(roles.includes(r), r);
    assert.ok(!roles.includes('reload') && !roles.includes('forceReload') && !roles.includes('toggleDevTools'), 'an installed build has no reload or devtools');

    const own = all.filter((e) => e.id?.startsWith('cachet:'));
    assert.deepEqual(own.map((e) => e.id!.slice('cachet:'.length)).sort(), [...MENU_COMMANDS].sort(), 'every command once');
    assert.ok(own.every((e) => e.enabled === true && e.accelerator));
    const taken = new Map<string, string>();
    for (const r of new Set(roles)) for (const a of roleAccelerators(r, mac)) taken.set(norm(a), r);
    for (const e of own) {
      assert.equal(taken.get(norm(e.accelerator!)), undefined, `${e.label} (${e.accelerator}) is the shortcut of ${taken.get(norm(e.accelerator!))}`);
      taken.set(norm(e.accelerator!), e.label!);
    }
    for (const e of own) e.click!();
    assert.deepEqual(ran.sort(), [...MENU_COMMANDS].sort(), 'each item sends its own command');
    // Settings lives in the app menu on macOS, in File elsewhere.
    const settingsIn = tpl.find((m) => flat(m.submenu ?? []).some((e) => e.id === 'cachet:settings'));
    assert.equal(settingsIn?.label, mac ? 'Cachet' : '&File');
  });
}

test('menu: without a vault Cachet\'s items are disabled; a dev run has reload and developer tools', () => {
  const st: MenuState = { os: 'linux', packaged: false, vaultOpen: false };
  const all = flat(menuTemplate(st, () => assert.fail('not clicked')));
  const own = all.filter((e) => e.id?.startsWith('cachet:'));
  assert.equal(own.length, APP_ITEMS.length);
  assert.ok(own.every((e) => e.enabled === false));
  assert.ok(all.some((e) => e.role === 'toggleDevTools') && all.some((e) => e.role === 'reload'));
});
