import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url.ts';

describe('redactUrl', () => {
  it.each([
    ['mqtt://device:s3cret@broker.example:1883', 'mqtt://broker.example:1883'],
    ['http://admin:pa%40ss@127.0.0.1:8086/?u=admin&p=secret', 'http://127.0.0.1:8086'],
    ['https://influx.example/base/path?token=abc', 'https://influx.example/base/path'],
    ['mqtts://broker.example', 'mqtts://broker.example'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });

  it('says an unparsable URL is invalid instead of echoing it', () => {
    expect(redactUrl('not a url user:secret@host')).toBe('(invalid url)');
  });
});
