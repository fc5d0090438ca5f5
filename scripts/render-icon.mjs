// Renders build/icon.svg (the source of Cachet's icon) into the PNGs electron-builder packs:
//   build/icon.png           1024x1024: macOS (electron-builder makes the .icns) and Windows (the .ico)
//   build/icons/NxN.png      the Linux hicolor sizes, for the deb and AppImage desktop entries
// Chromium does the drawing (headless, through Playwright; both are already dev tools of this
// repo), so no image tool needs installing. The PNGs are committed: packaging never runs this.
// Usage: node scripts/render-icon.mjs   (after editing build/icon.svg)
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright';

export const LINUX_ICON_SIZES = [16, 32, 48, 64, 128, 256, 512];
const ROOT = join(import.meta.dirname, '..');
const svg = await readFile(join(ROOT, 'build', 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
try {
  await mkdir(join(ROOT, 'build', 'icons'), { recursive: true });
  const targets = [[1024, join(ROOT, 'build', 'icon.png')], ...LINUX_ICON_SIZES.map((n) => [n, join(ROOT, 'build', 'icons', `${n}x${n}.png`)])];
  for (const [size, out] of targets) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    const img = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
    await page.setContent(`<html><body style="margin:0;background:transparent"><img src="${img}" width="${size}" height="${size}" style="display:block"></body></html>`);
    await page.locator('img').evaluate((el) => el.decode());
    await page.screenshot({ path: out, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    await page.close();
    console.log(`wrote ${out}`);
  }
} finally {
  await browser.close();
}
