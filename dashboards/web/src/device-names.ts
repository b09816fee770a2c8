/**
 * Device names for views that do not follow devices (the district overview): fetched per
 * compound (`GET /api/devices?compound=…`) the first time one of its devices is named.
 */
import type { DeviceView } from '../../../src/contracts/live-events.ts';
import { api } from './api.client.ts';
import { deviceLabel } from './device-format.ts';
import { deviceKey } from './live-state.ts';

export interface DeviceNames {
  /** 电梯 1号梯; type and id until the compound's devices are known. */
  name(key: string): string;
  readonly version: number;
}

export function deviceNames(changed: () => void): DeviceNames {
  const known = new Map<string, DeviceView>();
  const asked = new Set<string>();
  let version = 0;
  const ask = (compound: string) => {
    asked.add(compound);
    void api<{ devices: DeviceView[] }>('GET', `/api/devices?compound=${encodeURIComponent(compound)}`)
      .then(({ devices }) => {
        for (const d of devices) known.set(deviceKey(d), d);
        version += 1;
        changed();
      })
      .catch(() => undefined);
  };
  return {
    name(key) {
      const [compound = '', type = '', id = key] = key.split('/');
      const d = known.get(key);
      if (!d && compound && !asked.has(compound)) ask(compound);
      return deviceLabel((d?.type ?? type) as DeviceView['type'], d?.device ?? id, d);
    },
    get version() {
      return version;
    },
  };
}
