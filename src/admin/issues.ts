/**
 * Validation problems of an admin write, as the API answers them: a coded HubError that also
 * carries `issues` (one per `path: message`), and for a CSV import the issues of each row.
 */
import type { z } from 'zod';
import { HubError, type ErrorCode } from '../errors.ts';
import type { ImportErrorsAnswer, Issue } from '../contracts/admin.ts';

export class ValidationError extends HubError {
  readonly issues: Issue[];
  /** A CSV import: the issues by row (rows count from 1 after the header line). */
  readonly rows: ImportErrorsAnswer['rows'] | undefined;

  constructor(code: ErrorCode, what: string, issues: Issue[], options?: { rows?: ImportErrorsAnswer['rows']; params?: Record<string, string | number> }) {
    super(code, summary(what, issues), options?.params ? { params: options.params } : undefined);
    this.name = 'ValidationError';
    this.issues = issues;
    this.rows = options?.rows;
  }
}

export function isValidationError(error: unknown): error is ValidationError {
  return error instanceof ValidationError;
}

/** `what: path: message; path: message` (the first 10). */
function summary(what: string, issues: readonly Issue[]): string {
  const shown = issues.slice(0, 10).map((i) => `${i.path}: ${i.message}`);
  if (issues.length > 10) shown.push(`… ${issues.length - 10} more`);
  return `${what}: ${shown.join('; ')}`;
}

/** A zod path as formatIssues writes it (`grids.0.workers.1`), `(root)` for the whole value. */
export function pathOf(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(root)';
}

export function zodIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): Issue[] {
  return issues.map((i) => ({ path: pathOf([...prefix, ...i.path]), message: i.message }));
}

/** `path: message` lines (checkRouting's) as issues. */
export function lineIssues(lines: readonly string[]): Issue[] {
  return lines.map((line) => {
    const at = line.indexOf(': ');
    return at > 0 ? { path: line.slice(0, at), message: line.slice(at + 2) } : { path: '(root)', message: line };
  });
}

/** Parses `value` with `schema`, or throws a ValidationError with the issues under `code`. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, code: ErrorCode, what: string, prefix: readonly PropertyKey[] = []): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(code, what, zodIssues(parsed.error.issues, prefix));
  return parsed.data;
}
