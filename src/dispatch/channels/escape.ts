/**
 * User-written text (notes, comments, reasons, and the names an admin typed) made inert for the
 * markup of a robot message (design.md §7): nothing a user types can become a heading, a list, a
 * quote, a link, an image, a mention, a colour or any HTML in a signed message.
 *
 * The robots' markdown dialects differ and none of them documents a reliable backslash escape
 * (WeCom's and DingTalk's markdown, Feishu's lark_md), so the characters that carry markup are
 * replaced by their full-width forms, which every renderer shows as text and a Chinese reader
 * reads as ordinary punctuation: `[点此](http://x)` becomes `［点此］（http：//x）`. Line breaks are
 * folded into ` ⏎ `, so user text never starts a line (no heading, list, quote, table or code
 * block), and URLs lose the `://` / `www.` that makes renderers link them on their own.
 */

/** At most this many characters of one user-written value go into a message. */
export const MAX_TEXT = 300;

const LINE_BREAKS = /\r\n|[\r\n\u000b\u000c\u0085\u2028\u2029]/g;
// Other control characters (and the bidi overrides that make text read backwards) go.
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line of plain text: line breaks folded, tabs as spaces, controls gone, trimmed and shortened. */
export function plainLine(text: string, max = MAX_TEXT): string {
  const folded = text.replace(LINE_BREAKS, ' ⏎ ').replace(/\t/g, ' ').replace(CONTROLS, '').replace(/ {2,}/g, ' ').trim();
  return [...folded].length > max ? `${[...folded].slice(0, max - 1).join('')}…` : folded;
}

/** ASCII characters that mean something in markdown / lark_md / the robots' HTML subsets, and their full-width forms. */
const FULL_WIDTH: Readonly<Record<string, string>> = {
  '\\': '＼',
  '`': '｀',
  '*': '＊',
  _: '＿',
  '~': '～',
  '[': '［',
  ']': '］',
  '(': '（',
  ')': '）',
  '<': '＜',
  '>': '＞',
  '#': '＃',
  '!': '！',
  '|': '｜',
  '@': '＠',
  '&': '＆',
  '$': '＄',
  '^': '＾',
  '{': '｛',
  '}': '｝',
};
const MARKUP = /[\\`*_~[\]()<>#!|@&$^{}]/g;

/**
 * Text for markdown (WeCom, DingTalk, the generic summary) and Feishu lark_md: one line, with
 * every markup character full-width, no autolinked URL, and no list or heading marker in front.
 */
export function inertMarkup(text: string, max = MAX_TEXT): string {
  return (
    plainLine(text, max)
      .replace(MARKUP, (c) => FULL_WIDTH[c]!)
      // Schemes (`https://`, `javascript:`…) and `www.` are what renderers turn into links by themselves.
      .replace(/([a-z][a-z0-9+.-]*):/gi, '$1：')
      .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}．`)
      // In case a renderer puts the value at the start of a line: no list, rule or setext marker, no "1." list.
      .replace(/^[-+=]/, (c) => ({ '-': '－', '+': '＋', '=': '＝' })[c]!)
      .replace(/^(\d+)([.)])/, (_m, n: string, p: string) => `${n}${p === '.' ? '．' : '）'}`)
  );
}
