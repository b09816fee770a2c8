/**
 * CSV files Excel opens, as the exports write them (the audit log, the alert desk): UTF-8 with a
 * byte-order mark, CRLF line ends, every cell escaped and formula-safe.
 */

/**
 * One CSV cell: a value a spreadsheet would take for a formula (starting with = + - @, or a tab
 * or carriage return) gets a leading `'`; then quoted when it holds a quote, comma or line break.
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole file from its lines (already joined cells): BOM, CRLF line ends, a final line end. */
export function csvFile(lines: readonly string[]): string {
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
