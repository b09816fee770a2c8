/**
 * State the hub keeps in small JSON files in DATA_DIR (open alerts, silences, sessions): read
 * and checked at start. A missing file is a first start; an unreadable or invalid one is
 * reported (it must not keep the hub from watching) and treated as missing, to be replaced at
 * the next change.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { z } from 'zod';

/**
 * The file's content when it is there and valid; undefined otherwise. `what` names the file in
 * the log (`silences`), `lost` says what a bad file means (`SILENCES NOT RESTORED`).
 */
export async function readStateFile<S extends z.ZodType>(file: string, schema: S, logger: Logger, what: string, lost: string): Promise<z.output<S> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.error({ err: (error as Error).message, file }, `${lost}: the ${what} file cannot be read`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    logger.error({ file }, `${lost}: the ${what} file is not valid; it is replaced at the next change`);
    return undefined;
  }
  return parsed.data;
}
