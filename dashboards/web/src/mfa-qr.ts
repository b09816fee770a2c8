/**
 * The enrolment's `otpauth://` URI as a QR code, drawn here as an inline `<svg>` (uqr encodes it):
 * no image URL, so the hub's Content-Security-Policy stays `'self'`. Dark modules are one path.
 */
import { encode } from 'uqr';
import { svg } from './dom.ts';

export function qrCode(uri: string, label: string): SVGElement {
  const { data } = encode(uri, { ecc: 'M', border: 2 });
  const size = data.length;
  let d = '';
  data.forEach((row, y) => row.forEach((dark, x) => dark && (d += `M${x} ${y}h1v1h-1z`)));
  return svg('svg', { class: 'mfa-qr', viewBox: `0 0 ${size} ${size}`, role: 'img', 'aria-label': label, 'shape-rendering': 'crispEdges', 'data-testid': 'mfa-qr' },
    svg('rect', { width: size, height: size, fill: '#fff' }),
    svg('path', { d, fill: '#000' }),
  );
}
