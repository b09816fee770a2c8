/**
 * A hub writing to a real influxd (started for the test, its data in a temp dir) with one
 * compound `h1` of the given device counts, and a browser: what the history-chart tests need.
 * The manhole is the device whose readings they publish.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { Hub } from '../../src/hub.ts';
import { startLocalInfluxd, type LocalInfluxd } from '../../src/store/index.ts';
import { DASHBOARDS_DIST } from '../../src/api/dashboards.routes.ts';
import { buildFleet, fleetToRegistry, type FleetDevice, type FleetSpec } from '../../simulators/fleet.ts';
import { tempDir } from './temp-dir.ts';
import { FLEET_KEY, startTestHub } from './test-hub.ts';
import { launchBrowser } from './browser.ts';

export interface HistoryHub {
  hub: Hub;
  browser: Browser;
  manhole: FleetDevice;
  stop(): Promise<void>;
}

export async function startHistoryHub(name: string, perCompound: FleetSpec['perCompound']): Promise<HistoryHub> {
  if (!existsSync(`${DASHBOARDS_DIST}/index.html`)) throw new Error('dashboards not built: run npm run build (npm test does)');
  const dir = await tempDir(name);
  let influx: LocalInfluxd | undefined;
  let hub: Hub | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await hub?.stop();
    await influx?.stop();
    await dir.remove();
  };
  try {
    influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
    const devices = buildFleet({ compounds: ['h1'], perCompound, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
    const registry = path.join(dir.path, 'registry.json');
    await writeFile(registry, JSON.stringify(fleetToRegistry(devices)));
    hub = await startTestHub({ DATA_DIR: `${dir.path}/data`, INFLUX_URL: influx.url, INFLUX_DATABASE: `hub_${name.replace(/\W/g, '_')}`, REGISTRY_FILE: registry });
    browser = await launchBrowser();
    return { hub, browser, manhole: devices.find((d) => d.type === 'manhole')!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
