/** For config tests: the `path: message` lines loadConfig refuses `env` with (it must refuse). */
import { expect } from 'vitest';
import { loadConfig } from '../config/config.loader.ts';
import { isHubError } from '../errors.ts';

export function configFailure(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(isHubError(error, 'CONFIG_INVALID')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected loadConfig to fail');
}
