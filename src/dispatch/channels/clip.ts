/** Robots cap a message's size in bytes (UTF-8): longer text is cut at a character, with `…`. */
export function clipUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let bytes = Buffer.byteLength('…', 'utf8');
  for (const c of text) {
    const size = Buffer.byteLength(c, 'utf8');
    if (bytes + size > maxBytes) break;
    out += c;
    bytes += size;
  }
  return `${out}…`;
}
