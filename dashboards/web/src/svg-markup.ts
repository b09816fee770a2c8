/**
 * SVG markup the hub sends (the enrolment's QR code, rendered server side: `qrSvg` of
 * POST /api/auth/mfa/start) as an element of the page. Parsed as XML by DOMParser, never given
 * to innerHTML; only drawing is copied over — svg, g, rect and path with their geometry and
 * fill — so a script, link, style, foreign object or event handler in the markup never reaches
 * the page. Inline, with no image URL: the Content-Security-Policy stays `'self'`.
 */
const SVG_NS = 'http://www.w3.org/2000/svg';
const ELEMENTS = new Set(['svg', 'g', 'rect', 'path']);
const ATTRIBUTES = new Set(['viewBox', 'width', 'height', 'x', 'y', 'd', 'fill', 'shape-rendering']);

/** The drawing of `markup` with `attrs` on its <svg> (role, aria-label, class, …); undefined when it is no SVG. */
export function svgFromMarkup(markup: string, attrs: Readonly<Record<string, string>>): SVGSVGElement | undefined {
  const parsed = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const root = parsed.documentElement;
  if (root.namespaceURI !== SVG_NS || root.localName !== 'svg' || parsed.getElementsByTagName('parsererror').length) return undefined;
  const copy = (from: Element): Element | undefined => {
    if (from.namespaceURI !== SVG_NS || !ELEMENTS.has(from.localName)) return undefined;
    const to = document.createElementNS(SVG_NS, from.localName);
    for (const a of Array.from(from.attributes)) {
      // Paint only by colour: no url(…) reference to anything.
      if (!a.namespaceURI && ATTRIBUTES.has(a.name) && !/url\s*\(/i.test(a.value)) to.setAttribute(a.name, a.value);
    }
    for (const child of Array.from(from.children)) {
      const drawn = copy(child);
      if (drawn) to.append(drawn);
    }
    return to;
  };
  const svg = copy(root) as SVGSVGElement;
  for (const [name, value] of Object.entries(attrs)) svg.setAttribute(name, value);
  return svg;
}
