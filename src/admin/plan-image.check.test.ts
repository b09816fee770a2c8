import { describe, expect, it } from 'vitest';
import { checkPlanImage } from './plan-image.check.ts';
import { isHubError } from '../errors.ts';
import { PLAN_IMAGE_MAX_BYTES } from '../contracts/site-plan.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (error) {
    return isHubError(error) ? error.code : String(error);
  }
};

describe('checkPlanImage', () => {
  it('knows PNG by its signature and SVG by its root element, whatever the file is called', () => {
    expect(checkPlanImage(PNG, 'image/png')).toBe('image/png');
    expect(checkPlanImage(PNG, undefined)).toBe('image/png');
    expect(checkPlanImage(Buffer.from('<?xml version="1.0"?>\n<!-- plan -->\n<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'), 'image/svg+xml')).toBe('image/svg+xml');
  });

  it('refuses other bytes, a type that does not match, active SVG content, and files over the limit', () => {
    expect(code(() => checkPlanImage(Buffer.from('GIF89a....'), 'image/png'))).toBe('PLAN_IMAGE_TYPE');
    expect(code(() => checkPlanImage(PNG, 'image/svg+xml'))).toBe('PLAN_IMAGE_TYPE');
    expect(code(() => checkPlanImage(Buffer.from('<html><svg></svg></html>'), undefined))).toBe('PLAN_IMAGE_TYPE');
    for (const active of ['<script>alert(1)</script>', '<rect onload="alert(1)"/>', '<a href="javascript:alert(1)">x</a>', '<foreignObject><div/></foreignObject>']) {
      expect(code(() => checkPlanImage(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${active}</svg>`), 'image/svg+xml')), active).toBe('PLAN_IMAGE_TYPE');
    }
    expect(code(() => checkPlanImage(Buffer.concat([PNG, Buffer.alloc(PLAN_IMAGE_MAX_BYTES)]), 'image/png'))).toBe('PLAN_IMAGE_TOO_LARGE');
  });

  const svg = (inner: string, head = '') => Buffer.from(`${head}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100">${inner}</svg>`);

  it('accepts a plain drawing: shapes, text, gradients, internal references and an embedded PNG', () => {
    const plan = svg(
      [
        '<title>1号楼 &amp; 2号楼</title><desc>plan</desc>',
        '<defs><linearGradient id="grass"><stop offset="0" stop-color="#9c6"/><stop offset="1" stop-color="#6a3"/></linearGradient>',
        '<symbol id="tree"><circle cx="1" cy="1" r="1"/></symbol><clipPath id="site"><rect width="100" height="100"/></clipPath></defs>',
        '<!-- buildings -->',
        '<g clip-path="url(#site)" style="stroke: #333; stroke-width: 0.5"><rect x="20" y="20" width="15" height="18" fill="url(#grass)"/>',
        '<path d="M0 75 L100 75"/><polygon points="1,1 2,2 3,1"/><polyline points="0,0 5,5"/><line x1="0" y1="0" x2="1" y2="1"/><ellipse cx="5" cy="5" rx="2" ry="1"/></g>',
        '<use href="#tree" x="50" y="50"/><use xlink:href="#tree" x="60" y="50"/>',
        `<image x="0" y="0" width="10" height="10" href="data:image/png;base64,${PNG.toString('base64')}"/>`,
        '<text x="21" y="30" xml:space="preserve">东门 <tspan font-weight="bold">&lt;A&gt;</tspan></text>',
      ].join('\n'),
      '\uFEFF<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!-- drawn in a CAD tool -->\n',
    );
    expect(code(() => checkPlanImage(plan, 'image/svg+xml'))).toBe('ok');
  });

  it('refuses every way round the allow-list (namespaces, encodings, external references, declarations)', () => {
    const bypasses: Buffer[] = [
      svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'),
      svg('<script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>'),
      svg('<use href="&#106;avascript:alert(1)"/>'),
      svg('<use href="&#x6A;avascript:alert(1)"/>'),
      svg('<text>&#60;script&#62;</text>'),
      svg('<image href="https://evil.example/x.png"/>'),
      svg('<image href="data:image/svg+xml;base64,PHN2Zy8+"/>'),
      svg('<style>@import url(https://evil.example/x.css);</style>'),
      svg('<use href="http://evil.example/x.svg#a"/>'),
      svg('<use xlink:href="http://evil.example/x.svg#a"/>'),
      svg('<use href=" #a" xml:base="https://evil.example/"/>'),
      svg('<rect fill="url(https://evil.example/x.svg#p)"/>'),
      svg('<rect style="fill: url(https://evil.example/x.svg#p)"/>'),
      svg('<rect style="background: u\\72l(https://evil.example/)"/>'),
      svg('<rect style="width: expression(alert(1))"/>'),
      svg('<rect/>', '<?xml version="1.0"?><?xml-stylesheet href="https://evil.example/x.xsl" type="text/xsl"?>'),
      svg('<rect/>', '<?xml version="1.0"?><!DOCTYPE svg SYSTEM "https://evil.example/x.dtd">'),
      svg('<rect/>', '<!DOCTYPE svg [<!ENTITY x "y">]>'),
      svg('<rect/>', '<?xml version="1.0" encoding="UTF-7"?>'),
      svg('<text><![CDATA[<script>alert(1)</script>]]></text>'),
      svg('<!-- <script>alert(1)</script> -->'),
      svg('<text>&nbsp;</text>'),
      svg('<text>&constructor;</text>'),
      svg('<rect onload="alert(1)"/>'),
      svg('<rect ONCLICK="alert(1)"/>'),
      svg('<rect xlink:onclick="alert(1)"/>'),
      svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml"/></foreignObject>'),
      svg('<a href="#x"><rect/></a>'),
      svg('<set attributeName="href" to="javascript:alert(1)"/>'),
      svg('<animate attributeName="href" values="javascript:alert(1)"/>'),
      svg('<iframe src="https://evil.example/"/>'),
      svg('<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>'),
      svg('<g xmlns:xlink="http://www.w3.org/1999/xhtml"><rect/></g>'),
      Buffer.from('<svg xmlns="http://www.w3.org/1999/xhtml"><rect/></svg>'),
      Buffer.from('<svg><rect/></svg>'),
      svg('<rect/></svg><script>alert(1)</script><svg>'),
      svg('<rect>'),
      svg('<rect x=1/>'),
      Buffer.concat([Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><text>'), Buffer.from([0xff, 0xfe]), Buffer.from('</text></svg>')]),
    ];
    for (const bypass of bypasses) expect(code(() => checkPlanImage(bypass, 'image/svg+xml')), bypass.toString('utf8')).toBe('PLAN_IMAGE_TYPE');
  });
});
