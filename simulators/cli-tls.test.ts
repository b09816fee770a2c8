import { describe, expect, it } from 'vitest';
import { UsageError, parseCli } from './cli-options.ts';

const base = ['--fleet-key', 'k'];
const usage = (argv: string[]) => {
  try {
    parseCli(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('compound-sim TLS options', () => {
  it('takes --ca for mqtts:// and wss://, and --cert/--key for the shared connection', () => {
    expect(parseCli([...base, '--url', 'mqtts://hub:8883', '--ca', 'ca.crt']).tls).toEqual({ ca: 'ca.crt' });
    expect(parseCli([...base, '--url', 'wss://hub:8884', '--ca', 'ca.crt']).tls).toEqual({ ca: 'ca.crt' });
    expect(parseCli(['--url', 'mqtts://hub:8883', '--connection', 'shared', '--ca', 'ca.crt', '--cert', 'gw.crt', '--key', 'gw.key']).tls).toEqual({ ca: 'ca.crt', cert: 'gw.crt', key: 'gw.key' });
    expect(parseCli(base).tls).toBeUndefined();
  });

  it('refuses them where they cannot apply', () => {
    expect(usage([...base, '--ca', 'ca.crt'])).toBe('--ca: only used with an mqtts:// or wss:// --url');
    expect(usage(['--url', 'mqtts://hub', '--connection', 'shared', '--cert', 'gw.crt'])).toBe('--cert: needs --key');
    expect(usage(['--url', 'mqtts://hub', '--connection', 'shared', '--key', 'gw.key'])).toBe('--key: needs --cert');
    expect(usage([...base, '--url', 'mqtts://hub', '--cert', 'a.crt', '--key', 'a.key'])).toMatch(/^--cert: only used with --connection shared/);
    expect(usage([...base, '--url', 'mqtts://hub', '--ca', 'ca.crt', '--rate', '10'])).toMatch(/^--ca: not used in load mode/);
  });
});
