/** What README.md shows, for tests that run it as written (the Mosquitto config and ACL blocks). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const README = path.join(import.meta.dirname, '../../README.md');

/** The fenced block of README.md whose first line is `firstLine`, as lines. */
export async function readmeBlock(firstLine: string): Promise<string[]> {
  const blocks: string[][] = [];
  let open: string[] | undefined;
  for (const line of (await readFile(README, 'utf8')).split('\n')) {
    if (line.startsWith('```')) {
      if (open) blocks.push(open);
      open = open ? undefined : [];
    } else open?.push(line);
  }
  const block = blocks.find((b) => b[0] === firstLine);
  if (!block) throw new Error(`README.md has no block starting with ${firstLine}`);
  return block;
}
