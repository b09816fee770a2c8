/** NORTHBOUND_* settings: defaults, a push URL needs its secret (and the other way round), secrets of at least 16 characters, fail fast with `NAME: message`. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.loader.ts';
import { configFailure } from '../testing/config-failure.ts';

describe('northbound config', () => {
  it('is off by default but for the pull API: hourly figures, a window of 10,000 entries, 60 pulls a minute per token', () => {
    const { northbound } = loadConfig({ NORTHBOUND_HUB_NAME: 'district-a' });
    expect(northbound).toEqual({ hubName: 'district-a', mqtt: false, figuresIntervalMs: 3_600_000, feedSize: 10_000, pullRatePerMinute: 60 });
    expect(loadConfig({}).northbound.hubName).toMatch(/^[A-Za-z0-9_.-]{1,64}$/);
  });

  it('takes a push URL with its secret, the MQTT bridge, an ingest secret and figures only on request', () => {
    const { northbound } = loadConfig({
      NORTHBOUND_URL: 'https://city.example/api/northbound/v1/ingest',
      NORTHBOUND_SECRET: 'sixteen-chars-ok',
      NORTHBOUND_MQTT: 'on',
      NORTHBOUND_INGEST_SECRET: 'another-secret-16',
      NORTHBOUND_FIGURES_INTERVAL: 'off',
      NORTHBOUND_QUEUE: '50',
      NORTHBOUND_RETRY_BASE: '2s',
    });
    expect(northbound).toMatchObject({
      push: { url: 'https://city.example/api/northbound/v1/ingest', secret: 'sixteen-chars-ok', queue: 50, maxAttempts: 8, retryBaseMs: 2000 },
      mqtt: true,
      ingestSecret: 'another-secret-16',
    });
    expect(northbound).not.toHaveProperty('figuresIntervalMs');
  });

  it('fails fast on a URL without its secret, a secret without its URL, short secrets and bad URLs', () => {
    expect(configFailure({ NORTHBOUND_URL: 'http://city:8080/x' })).toBe('NORTHBOUND_SECRET: NORTHBOUND_URL needs the shared secret that signs each entry (at least 16 characters)');
    expect(configFailure({ NORTHBOUND_SECRET: 'sixteen-chars-ok' })).toBe('NORTHBOUND_URL: NORTHBOUND_SECRET is set, but not where to push the feed');
    expect(configFailure({ NORTHBOUND_URL: 'http://city:8080/x', NORTHBOUND_SECRET: 'short' })).toBe('NORTHBOUND_SECRET: use at least 16 characters');
    expect(configFailure({ NORTHBOUND_INGEST_SECRET: 'short' })).toBe('NORTHBOUND_INGEST_SECRET: use at least 16 characters');
    expect(configFailure({ NORTHBOUND_URL: 'ftp://city/x', NORTHBOUND_SECRET: 'sixteen-chars-ok' })).toMatch(/^NORTHBOUND_URL: must start with http:\/\/ or https:\/\//);
    expect(configFailure({ NORTHBOUND_MQTT: 'yes' })).toMatch(/^NORTHBOUND_MQTT: /);
  });
});
