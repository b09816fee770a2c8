/**
 * The out-of-the-box demo: three compounds of simulated devices, registered with the
 * embedded broker and publishing through it. The fleet key is kept in the data dir, so
 * `compound-sim --fleet-key "$(cat data/demo/fleet-key)"` can join the same fleet.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { demoFleet, fleetToRegistry, type FleetDevice } from '../../simulators/fleet.ts';
import { startSimulation, type Simulation } from '../../simulators/sim.runner.ts';
import { parseRegistry } from '../config/registry.loader.ts';
import { resolveScenario } from '../../simulators/scenarios/index.ts';
import { HubError } from '../errors.ts';
import { demoSitePlan } from './demo-site-plan.ts';
import type { RegistryData, RegistryFile } from '../config/registry.schema.ts';
import type { AlertsConfig } from '../alerts/sla.config.ts';
import type { NewUser } from '../auth/users.store.ts';
import type { Contact } from '../contracts/api.ts';

export interface DemoSetup {
  fleetKeyFile: string;
  registry: RegistryData;
  devices: FleetDevice[];
}

async function loadOrCreateFleetKey(file: string): Promise<string> {
  try {
    const key = (await readFile(file, 'utf8')).trim();
    if (key.length >= 16) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(24).toString('base64url');
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** The demo's grid workers (网格员): each grid of the demo registry gets an on-duty worker and a backup. */
const DEMO_WORKERS = [['wang-fang', 'li-qiang'], ['zhang-wei', 'chen-jing'], ['liu-yang', 'zhao-min']] as const;

/**
 * The demo's routing: each grid of the demo registry gets an on-duty worker and a backup; past
 * them alerts escalate to the community's duty officer, then to the street's emergency desk. By
 * kind of problem alerts are handed over (流转) to the street's departments: a fire lane still
 * blocked past its first escalation to the fire safety desk (the city compounds), an elevator
 * still out of service after 2 h to the elevator safety desk (every compound).
 */
export function demoRouting(registry: RegistryData): Pick<AlertsConfig, 'grids' | 'groups' | 'escalation' | 'handovers'> {
  const byGrid = new Map<string, string[]>();
  for (const compound of demoCompounds(registry)) {
    if (!compound.grid) continue;
    byGrid.set(compound.grid, [...(byGrid.get(compound.grid) ?? []), compound.id]);
  }
  return {
    grids: [...byGrid].map(([id, compounds], i) => ({ id, compounds, workers: [...DEMO_WORKERS[i % DEMO_WORKERS.length]!], shifts: [] })),
    groups: [
      ...DEMO_DESKS.map((d) => ({ id: d.group, name: d.groupName, nameEn: d.groupNameEn, kind: d.kind, members: [d.id] })),
      ...DEMO_DEPARTMENTS.map((d) => ({ id: d.group, name: d.groupName, nameEn: d.groupNameEn, kind: 'department' as const, ...(d.compounds ? { compounds: [...d.compounds] } : {}), members: [d.id] })),
    ],
    escalation: DEMO_DESKS.map((d) => d.group),
    handovers: [...DEMO_HANDOVERS],
  };
}

const demoCompounds = (registry: RegistryData) => registry.districts.flatMap((d) => d.streets.flatMap((s) => s.communities.flatMap((c) => c.compounds)));

/** The escalation chain's people: the community's duty officer, then the street's emergency desk. */
const DEMO_DESKS = [
  { id: 'zhou-min', name: '周敏', group: 'community-duty', groupName: '社区值班', groupNameEn: 'Community duty officer', kind: 'community' },
  { id: 'sun-hao', name: '孙浩', group: 'street-desk', groupName: '街道应急值守', groupNameEn: 'Street emergency desk', kind: 'community' },
] as const;

/** The street's departments (十员) alerts are handed over to by kind, each with its login (role department). */
const DEMO_DEPARTMENTS = [
  { id: 'fire-desk', name: '赵刚', group: 'street-fire', groupName: '街道消防安全站', groupNameEn: 'Street fire safety desk', compounds: ['c01', 'c02'] },
  { id: 'lift-desk', name: '钱伟', group: 'street-lift', groupName: '街道电梯安全站', groupNameEn: 'Street elevator safety desk', compounds: undefined },
] as const;

/** Hand-over (流转) by kind of problem, to the departments above. */
const DEMO_HANDOVERS = [
  { id: 'fire-lane-to-fire-desk', rules: ['fire-lane-blocked', 'fire-lane-blocked-long'], atEscalation: 1, to: 'street-fire' },
  { id: 'elevator-out-of-service', types: ['elevator' as const], afterMin: 120, to: 'street-lift' },
];

/** The owners' committee (业委会) member of the first demo compound: reads it and evaluates closed alerts. */
const DEMO_COMMITTEE = { id: 'committee-chen', name: '陈建国' } as const;

export async function prepareDemo(dataDir: string, scenario: string): Promise<DemoSetup> {
  try {
    resolveScenario(scenario);
  } catch (error) {
    throw new HubError('CONFIG_INVALID', `DEMO_SCENARIO: ${(error as Error).message}`);
  }
  const fleetKeyFile = path.join(dataDir, 'demo', 'fleet-key');
  const fleetKey = await loadOrCreateFleetKey(fleetKeyFile);
  const devices = demoFleet(fleetKey);
  const registry = parseRegistry(withDemoSites(fleetToRegistry(devices, { compoundNames: { c03: COUNTY_COMPOUND.name } })), 'demo registry');
  return { fleetKeyFile, registry, devices };
}

/** Where the demo compounds are (WGS-84): two in Xihu district, Hangzhou (a city: 30 min rescue arrival). */
const DEMO_LOCATIONS: Record<string, { lat: number; lon: number }> = {
  c01: { lat: 30.2905, lon: 120.1229 },
  c02: { lat: 30.2878, lon: 120.1262 },
};

/** The demo compounds' property desks (fake numbers: 0571 is Hangzhou's area code). */
const DEMO_DESK_PHONES: Record<string, string> = { c01: '0571-8800-0101', c02: '0571-8800-0202', c03: '0571-6500-0303' };

/** The third demo compound is in Chun'an county (淳安县), where a rescue must arrive within 1 h. */
const COUNTY_COMPOUND = {
  id: 'c03',
  name: '千岛湖阳光苑',
  location: { lat: 29.6052, lon: 119.0421 },
  district: { id: 'chunan', name: '淳安县' },
  street: { id: 'qiandaohu', name: '千岛湖镇' },
  community: { id: 'yangguang', name: '阳光社区' },
} as const;

/** The fleet's registry with the demo's sites: locations, site plans, and the county compound in its own county, town and community. */
function withDemoSites(file: RegistryFile): RegistryFile {
  let county: RegistryFile['districts'][number]['streets'][number]['communities'][number]['compounds'][number] | undefined;
  const districts = file.districts.map((d) => ({
    ...d,
    streets: d.streets.map((s) => ({
      ...s,
      communities: s.communities.map((c) => ({
        ...c,
        compounds: c.compounds.flatMap((compound) => {
          const sitePlan = demoSitePlan(compound);
          if (compound.id === COUNTY_COMPOUND.id) {
            county = { ...compound, area: 'county', location: { ...COUNTY_COMPOUND.location }, deskPhone: DEMO_DESK_PHONES[compound.id]!, sitePlan };
            return [];
          }
          const location = DEMO_LOCATIONS[compound.id];
          const deskPhone = DEMO_DESK_PHONES[compound.id];
          return [{ ...compound, area: 'city' as const, ...(location ? { location } : {}), ...(deskPhone ? { deskPhone } : {}), sitePlan }];
        }),
      })),
    })),
  }));
  if (!county) return { districts };
  const { district, street, community } = COUNTY_COMPOUND;
  return { districts: [...districts, { ...district, streets: [{ ...street, communities: [{ ...community, compounds: [county] }] }] }] };
}

export function runDemo(setup: DemoSetup, brokerUrl: string, intervalMs: number, scenario: string, logger: Logger): Simulation {
  return startSimulation({
    url: brokerUrl,
    devices: setup.devices,
    intervalMs,
    scenario,
    seed: Date.now() % 1_000_000,
    logger: logger.child({ stage: 'demo' }),
  });
}

/** Names of the demo's people (the UI is zh-CN first). */
const DEMO_NAMES: Record<string, string> = {
  'wang-fang': '王芳', 'li-qiang': '李强', 'zhang-wei': '张伟', 'chen-jing': '陈静', 'liu-yang': '刘洋', 'zhao-min': '赵敏',
};
/** The property managers, one per demo compound. */
const MANAGER_NAMES = ['赵丽', '钱进', '孙悦', '李娜', '周杰', '吴敏'];

/**
 * Demo contacts (fake numbers, 138 0000 00xx) for the robots' @mentions: some with every id, some
 * with a mobile only, and 陈静 with none, so the roster shows who cannot be @mentioned.
 */
const DEMO_CONTACTS: Record<string, Contact> = {
  'wang-fang': { mobile: '13800000001', wecom: 'WangFang', dingtalk: 'demo-wang-fang', feishu: 'ou_demo_wang_fang' },
  'li-qiang': { mobile: '13800000002' },
  'zhang-wei': { mobile: '13800000003', dingtalk: 'demo-zhang-wei' },
  'liu-yang': { mobile: '13800000005', wecom: 'LiuYang' },
  'zhao-min': { mobile: '13800000006', feishu: 'ou_demo_zhao_min' },
  'zhou-min': { mobile: '13800000011', wecom: 'ZhouMin' },
  'sun-hao': { mobile: '13800000012' },
};
const contactOf = (id: string): Pick<NewUser, 'contact'> => (DEMO_CONTACTS[id] ? { contact: { ...DEMO_CONTACTS[id] } } : {});

/**
 * The demo's logins: an admin, one property manager per compound, the grid workers of the
 * demo grids, the escalation chain (community duty officer, street emergency desk, who may act
 * in every demo compound), the street's fire and elevator safety desks (departments), an owners'
 * committee member of the first compound, and a street operator (viewer). All share `password`, which the
 * caller makes fixed only while the hub is reachable from this machine alone.
 */
export function demoUsers(registry: RegistryData, grids: AlertsConfig['grids'], password: string): NewUser[] {
  const compounds = demoCompounds(registry);
  return [
    { id: 'admin', name: '系统管理员', role: 'admin', password },
    ...compounds.map((c, i): NewUser => ({ id: `manager-${c.id}`, name: MANAGER_NAMES[i % MANAGER_NAMES.length]!, role: 'manager', compounds: [c.id], password })),
    ...[...new Set(grids.flatMap((g) => g.workers))].map((id): NewUser => ({ id, name: DEMO_NAMES[id] ?? id, role: 'worker', ...contactOf(id), password })),
    ...DEMO_DESKS.map((d): NewUser => ({ id: d.id, name: d.name, role: 'worker', compounds: compounds.map((c) => c.id), ...contactOf(d.id), password })),
    ...DEMO_DEPARTMENTS.map((d): NewUser => ({ id: d.id, name: d.name, role: 'department', password })),
    ...(compounds[0] ? [{ id: DEMO_COMMITTEE.id, name: DEMO_COMMITTEE.name, role: 'committee' as const, compounds: [compounds[0].id], password }] : []),
    { id: 'street-ops', name: '吴静', role: 'viewer', password },
  ];
}

/** The demo password when the hub listens on loopback only (README lists it). */
export const DEMO_PASSWORD = 'compound-demo';

/** Whether a login id is one the demo makes (with DEMO_PASSWORD on loopback): its admin, managers, workers, desks and street operator. */
export function isDemoLoginId(id: string): boolean {
  const fixed: readonly string[] = ['admin', 'street-ops', ...DEMO_WORKERS.flat(), ...DEMO_DESKS.map((d) => d.id), ...DEMO_DEPARTMENTS.map((d) => d.id), DEMO_COMMITTEE.id];
  return fixed.includes(id) || /^manager-[a-z0-9-]+$/.test(id);
}
