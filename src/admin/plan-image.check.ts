/**
 * What an uploaded site-plan image is, by its first bytes (not by what the client says): PNG by
 * its signature, SVG by its root element. An SVG must pass a strict allow-list (`checkSvg`): only
 * drawing elements, no DOCTYPE, no processing instruction but a leading XML declaration, no
 * character or entity reference but the five predefined ones, no CDATA, no event handlers, no
 * references outside the file. Anything else is refused rather than rewritten; the hub also serves
 * the image with a CSP that runs nothing.
 */
import { PLAN_IMAGE_MAX_BYTES, type PlanImageType } from '../contracts/site-plan.ts';
import { HubError } from '../errors.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function isSvg(data: Buffer): boolean {
  // BOM, XML declaration, comments, doctype, then the root element.
  const head = data.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '');
  return /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(head);
}

/** The SVG elements a plan may hold (local names, unprefixed, in the SVG namespace). */
export const SVG_ELEMENTS: ReadonlySet<string> = new Set([
  'svg', 'g', 'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'text', 'tspan', 'title', 'desc', 'defs',
  'linearGradient', 'radialGradient', 'stop', 'clipPath', 'mask', 'pattern', 'symbol', 'use', 'marker', 'image',
]);
const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
/** Namespace declarations allowed: the default one (SVG) and prefixes bound to SVG or XLink. */
const NS_ALLOWED: ReadonlySet<string> = new Set([SVG_NS, XLINK_NS]);
const XML_ATTRIBUTES: ReadonlySet<string> = new Set(['xml:space', 'xml:lang']);
const NAME = /[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?/y;
const SPACE = /\s*/y;
const END_CLOSE = /\s*>/y;
const ATTRIBUTE_VALUE = /\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
/** The sticky `pattern` matched at `at` in `text`: the match, or undefined. */
const matchAt = (pattern: RegExp, text: string, at: number) => {
  pattern.lastIndex = at;
  return pattern.exec(text) ?? undefined;
};
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const DATA_IMAGE = /^data:image\/(?:png|jpeg);base64,[A-Za-z0-9+/=\s]*$/;
/** The leading XML declaration: version, encoding (UTF-8 only) and standalone, nothing else. */
const XML_DECLARATION = /^<\?xml\s+version\s*=\s*(["'])1\.[0-9]\1(?:\s+encoding\s*=\s*(["'])utf-8\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/i;

/** Text or an attribute value with its five predefined entities decoded; any other `&` is refused. */
function decoded(text: string, where: string): string {
  return text.replace(/&([^;&\s]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';') || !Object.hasOwn(ENTITIES, name)) throw new Error(`${where}: only &amp; &lt; &gt; &quot; &apos; may be used, not ${whole.slice(0, 12)}`);
    return ENTITIES[name]!;
  });
}

function checkAttribute(element: string, name: string, value: string): void {
  const local = name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
  const prefix = name.includes(':') ? name.slice(0, name.indexOf(':')) : '';
  if (/^on/i.test(local) || /^on/i.test(name)) throw new Error(`<${element}>: no event handlers (${name})`);
  if (name === 'xmlns') {
    if (value !== SVG_NS) throw new Error(`<${element}>: the default namespace must be ${SVG_NS}`);
    return;
  }
  if (prefix === 'xmlns') {
    if (!NS_ALLOWED.has(value) || (local === 'xlink' && value !== XLINK_NS)) throw new Error(`<${element}>: ${name} may not declare ${value}`);
    return;
  }
  if (prefix === 'xml' && !XML_ATTRIBUTES.has(name)) throw new Error(`<${element}>: ${name} is not allowed`);
  if (prefix && prefix !== 'xml' && prefix !== 'xlink') throw new Error(`<${element}>: attribute prefix ${prefix}: is not allowed`);
  const lower = value.toLowerCase().replace(/\s+/g, '');
  if (local === 'href') {
    if (value.startsWith('#')) return;
    if (element === 'image' && DATA_IMAGE.test(value)) return;
    throw new Error(`<${element}>: ${name} may only point into the file (#id)${element === 'image' ? ' or be a data:image/png or data:image/jpeg base64 URL' : ''}`);
  }
  if (local === 'style') {
    if (/url\(|@import|expression|\\/.test(lower)) throw new Error(`<${element}>: a style attribute may not hold url(, @import, expression or escapes`);
    return;
  }
  // Presentation attributes (fill, clip-path, mask, marker-*, filter) may name a paint server in the file: url(#id) only.
  for (const m of lower.matchAll(/url\(([^)]*)/g)) {
    if (!/^["']?#/.test(m[1]!)) throw new Error(`<${element}>: ${name} may only point into the file (url(#id))`);
  }
  if (lower.includes('\\')) throw new Error(`<${element}>: ${name} may not hold escapes`);
}

/** Throws an Error saying what is not allowed, when the SVG text is anything but a plain drawing. */
export function checkSvg(input: string): void {
  const text = input.replace(/^\uFEFF/, '');
  let at = 0;
  const declaration = XML_DECLARATION.exec(text);
  if (declaration) at = declaration[0].length;
  else if (text.startsWith('<?xml')) throw new Error('the XML declaration may give version, encoding (UTF-8) and standalone only');
  const open: string[] = [];
  let root = false;
  const fail = (message: string): never => {
    throw new Error(`${message} (at ${at})`);
  };
  while (at < text.length) {
    const lt = text.indexOf('<', at);
    const chunk = text.slice(at, lt < 0 ? text.length : lt);
    if (chunk) {
      if (!open.length && chunk.trim()) fail('text outside the <svg> element');
      if (chunk.includes(']]>')) fail('no CDATA sections');
      decoded(chunk, 'text');
    }
    if (lt < 0) break;
    at = lt;
    if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at + 4);
      if (end < 0) fail('an unclosed comment');
      if (/[<>]|--/.test(text.slice(at + 4, end))) fail('a comment may not hold markup');
      at = end + 3;
      continue;
    }
    if (text.startsWith('<!', at)) fail(text.startsWith('<![CDATA[', at) ? 'no CDATA sections' : 'no DOCTYPE or other declarations');
    if (text.startsWith('<?', at)) fail('no processing instructions');
    if (text.startsWith('</', at)) {
      const name = matchAt(NAME, text, at + 2)?.[0] ?? fail('a malformed end tag');
      const close = matchAt(END_CLOSE, text, at + 2 + name.length) ?? fail(`a malformed end tag </${name}`);
      if (open.pop() !== name) fail(`</${name}> does not close the open element`);
      at = at + 2 + name.length + close[0].length;
      continue;
    }
    const element = matchAt(NAME, text, at + 1)?.[0] ?? fail('a malformed tag');
    if (element.includes(':')) fail(`<${element}>: no namespace prefixes on elements`);
    if (!SVG_ELEMENTS.has(element)) fail(`<${element}> is not allowed in a plan (only ${[...SVG_ELEMENTS].join(', ')})`);
    if (!open.length && (root || element !== 'svg')) fail('one <svg> root element only');
    const isRoot = !root;
    root = true;
    at += 1 + element.length;
    const seen = new Set<string>();
    for (;;) {
      const space = matchAt(SPACE, text, at)![0];
      at += space.length;
      if (text.startsWith('/>', at)) {
        at += 2;
        break;
      }
      if (text.startsWith('>', at)) {
        at += 1;
        open.push(element);
        break;
      }
      if (!space) fail(`<${element}>: a malformed attribute`);
      const name = matchAt(NAME, text, at)?.[0] ?? fail(`<${element}>: a malformed attribute`);
      if (seen.has(name)) fail(`<${element}>: ${name} twice`);
      seen.add(name);
      const rest = matchAt(ATTRIBUTE_VALUE, text, at + name.length) ?? fail(`<${element}>: ${name} needs a quoted value`);
      const value = decoded(rest[1] ?? rest[2] ?? '', `<${element}> ${name}`);
      try {
        checkAttribute(element, name, value);
      } catch (error) {
        fail((error as Error).message);
      }
      at += name.length + rest[0].length;
    }
    if (isRoot && !seen.has('xmlns')) fail(`the <svg> root element needs xmlns="${SVG_NS}"`);
  }
  if (open.length) throw new Error(`<${open.at(-1)}> is not closed`);
  if (!root) throw new Error('no <svg> element');
}

export function checkPlanImage(data: Buffer, declared: string | undefined): PlanImageType {
  if (data.length > PLAN_IMAGE_MAX_BYTES) throw new HubError('PLAN_IMAGE_TOO_LARGE', `at most ${PLAN_IMAGE_MAX_BYTES} bytes`, { params: { max: PLAN_IMAGE_MAX_BYTES, bytes: data.length } });
  let type: PlanImageType | undefined;
  if (data.length >= PNG_SIGNATURE.length && data.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) type = 'image/png';
  else if (isSvg(data)) type = 'image/svg+xml';
  if (!type) throw new HubError('PLAN_IMAGE_TYPE', 'not a PNG or SVG file', { params: { declared: declared ?? '' } });
  if (declared && declared !== type) throw new HubError('PLAN_IMAGE_TYPE', `the file is ${type}, not ${declared}`, { params: { declared } });
  if (type === 'image/svg+xml') {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch {
      throw new HubError('PLAN_IMAGE_TYPE', 'an SVG plan must be UTF-8 text', { params: { declared: declared ?? '' } });
    }
    try {
      checkSvg(text);
    } catch (error) {
      throw new HubError('PLAN_IMAGE_TYPE', `an SVG plan may hold only plain drawing elements: ${(error as Error).message}`, { params: { declared: declared ?? '' } });
    }
  }
  return type;
}
