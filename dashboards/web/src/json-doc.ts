/**
 * A JSON document edited as text (routing, rules): parsing with a translated "where" for a
 * syntax error, and the face the editor shows the helpers beside it (rule switches, grids).
 */
import { t } from './i18n.ts';

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string; position?: number };

export const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

/** Line and column (from 1) of a character position. */
function lineColumn(text: string, position: number): { line: number; col: number } {
  const before = text.slice(0, position).split('\n');
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}

/** Parses `text`; a syntax error says where, in the user's language (the engine's own message is English). */
export function parseJson(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = String((error as Error).message);
    const lc = /line (\d+) column (\d+)/.exec(message);
    const pos = /position (\d+)/.exec(message);
    const position = pos ? Number(pos[1]) : undefined;
    const where = lc ? { line: Number(lc[1]), col: Number(lc[2]) } : position !== undefined ? lineColumn(text, position) : undefined;
    return { ok: false, message: where ? t('doc.badJson', where) : t('doc.badJsonPlain'), ...(position !== undefined ? { position } : {}) };
  }
}

/** What the editor lets a helper do: read the document as it stands, write it back (pretty-printed), follow edits. */
export interface DocEditor {
  read(): Parsed;
  write(body: unknown): void;
  onChange(listener: () => void): void;
}

/** An object's own field, when the value is an object. */
export const objectOf = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
