/** Reads and validates a registry file, failing with `path: message` lines. */
import { readFile } from 'node:fs/promises';
import { HubError } from '../errors.ts';
import { formatIssues } from './config.loader.ts';
import { registrySchema, type RegistryData } from './registry.schema.ts';

export function parseRegistry(json: unknown, source: string): RegistryData {
  const parsed = registrySchema.safeParse(json);
  if (!parsed.success) {
    throw new HubError('REGISTRY_INVALID', `${source}:\n${formatIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}

export async function loadRegistryFile(file: string): Promise<RegistryData> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new HubError('REGISTRY_UNREADABLE', `${file}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HubError('REGISTRY_INVALID', `${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseRegistry(json, file);
}
