/**
 * The printable sheet of a compound's building QR codes: one card per building of the registry's
 * `buildings`, each with a QR code (inline SVG by `uqr`, no image URL) of the building's public
 * notice page, the building's name and the address written out. Plain HTML and CSS, no script,
 * A4 portrait, cards never split across pages.
 */
import { renderSVG } from 'uqr';
import { noticePagePath } from '../contracts/notice.ts';

export interface NoticeQrInput {
  compound: { id: string; name: string };
  /** Building tag → name (the registry's `buildings`). */
  buildings: Record<string, string>;
  /** Where residents reach the hub: `https://hub.example.cn` (no trailing slash). */
  baseUrl: string;
}

/** The page's inline style (the route's Content-Security-Policy allows this one style block and nothing else). */
export const NOTICE_QR_STYLE = [
  '*{box-sizing:border-box}',
  'body{font-family:system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:16px;color:#111}',
  'h1{font-size:20px;margin:0 0 4px}',
  'p.hint{margin:0 0 16px;color:#333}',
  'ul{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(60mm,1fr));gap:8mm}',
  'li{border:1px solid #555;border-radius:4px;padding:4mm;text-align:center;break-inside:avoid;page-break-inside:avoid}',
  'h2{font-size:18px;margin:0 0 2mm}',
  'li svg{width:45mm;height:45mm;display:block;margin:0 auto}',
  'li p{margin:2mm 0 0;font-size:12px}',
  'li .url{font-family:ui-monospace,monospace;font-size:10px;word-break:break-all}',
  '@page{size:A4 portrait;margin:12mm}',
  '@media print{body{margin:0}p.hint{display:none}}',
].join('');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** The notice page's full address for one building. */
export const noticeUrl = (baseUrl: string, compound: string, building: string): string => `${baseUrl.replace(/\/+$/, '')}${noticePagePath(compound, building)}`;

export function noticeQrPage(input: NoticeQrInput): string {
  const buildings = Object.entries(input.buildings).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  const cards = buildings.map(([id, name]) => {
    const url = noticeUrl(input.baseUrl, input.compound.id, id);
    return [
      `<li data-building="${escapeHtml(id)}">`,
      `<h2>${escapeHtml(name)}</h2>`,
      `<div role="img" aria-label="${escapeHtml(`${name} 公告二维码 · notice QR code`)}">${renderSVG(url, { ecc: 'M', border: 2, pixelSize: 6 })}</div>`,
      '<p>扫码查看本楼设施状态<br>Scan to see this building’s notice</p>',
      `<p class="url">${escapeHtml(url)}</p>`,
      '</li>',
    ].join('');
  });
  const title = `${input.compound.name} · 楼栋公告二维码`;
  return [
    '<!doctype html>',
    '<html lang="zh-CN">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${NOTICE_QR_STYLE}</style></head>`,
    '<body><main>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="hint">每栋楼一张，打印后贴在楼栋入口和电梯厅。Print and post one per building (entrance, lift lobby).</p>`,
    buildings.length ? `<ul>${cards.join('')}</ul>` : '<p>此小区未登记楼栋。The registry names no buildings for this compound.</p>',
    '</main></body></html>',
  ].join('\n');
}
