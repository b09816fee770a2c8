/**
 * Draws the worker app's icons (dashboards/web/public/icons/*.png, committed) in Debian's
 * headless Chromium from one SVG: the usual icon (rounded tile, transparent corners) and the
 * maskable one (full bleed, the mark inside the central 80 % safe zone), at the sizes the
 * manifest declares, and the 180 px apple-touch-icon. Run again after changing the drawing:
 * `npx tsx dashboards/icons.cli.ts`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const OUT = fileURLToPath(new URL('./web/public/icons/', import.meta.url));
const BRAND = '#0f5b8c';

/** A house (the compound) with a bell in it, on the brand colour; `scale` shrinks the mark into the maskable safe zone. */
function drawing(maskable: boolean): string {
  const tile = maskable ? `<rect width="512" height="512" fill="${BRAND}"/>` : `<rect width="512" height="512" rx="112" fill="${BRAND}"/>`;
  const scale = maskable ? 0.68 : 0.9;
  const shift = (512 - 512 * scale) / 2;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">${tile}
  <g transform="translate(${shift} ${shift}) scale(${scale})">
    <path d="M256 60 L468 240 L420 240 L420 452 L92 452 L92 240 L44 240 Z" fill="#fff"/>
    <path d="M256 170 c-52 0 -86 40 -86 92 v58 l-30 40 h232 l-30 -40 v-58 c0 -52 -34 -92 -86 -92 z" fill="${BRAND}"/>
    <circle cx="256" cy="386" r="26" fill="${BRAND}"/>
    <circle cx="256" cy="158" r="14" fill="${BRAND}"/>
    <circle cx="352" cy="190" r="30" fill="#e5484d"/>
  </g></svg>`;
}

const ICONS = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'icon-maskable-192.png', size: 192, maskable: true },
  { file: 'icon-maskable-512.png', size: 512, maskable: true },
  // iOS rounds the corners itself: a full tile.
  { file: 'apple-touch-icon-180.png', size: 180, maskable: true },
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  await mkdir(OUT, { recursive: true });
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  for (const icon of ICONS) {
    await page.setViewportSize({ width: icon.size, height: icon.size });
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent"><div style="width:${icon.size}px;height:${icon.size}px">${drawing(icon.maskable)}</div></body></html>`);
    await page.evaluate(`document.querySelector('svg').setAttribute('width', ${icon.size}), document.querySelector('svg').setAttribute('height', ${icon.size})`);
    await writeFile(`${OUT}${icon.file}`, await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: icon.size, height: icon.size } }));
    console.log(`${icon.file} ${icon.size}×${icon.size}`);
  }
  await writeFile(`${OUT}icon.svg`, drawing(false));
} finally {
  await browser.close();
}
