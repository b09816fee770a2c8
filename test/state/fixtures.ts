/** Data for the state tests: a small registry, logins, alerts, deliveries. */
import { createHash } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { RegistryData } from '../../src/config/registry.schema.ts';
import type { User } from '../../src/auth/users.schema.ts';
import type { Alert } from '../../src/alerts/alert.types.ts';
import type { Delivery } from '../../src/dispatch/webhook.dispatcher.ts';

/** Times past 2^31 ms (and seconds): bigint columns must come back as exact JS numbers. */
export const T0 = 1_780_000_000_123;

export const sha = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** A syntactically valid scrypt hash (PASSWORD_HASH_PATTERN); nobody logs in with it. */
export const HASH_A = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo';
export const HASH_B = 'scrypt$16384$8$1$b3RoZXJzYWx0$b3RoZXJoYXNob3RoZXJoYXNo';

export function registry(): RegistryData {
  return {
    districts: [
      {
        id: 'xihu',
        name: '西湖区',
        streets: [
          {
            id: 'lingyin',
            name: '灵隐街道',
            communities: [
              {
                id: 'm1',
                name: '一社区',
                compounds: [
                  {
                    id: 'c1',
                    name: '金色家园',
                    grid: 'g1',
                    area: 'city',
                    buildings: { b1: '1号楼', b2: '2号楼' },
                    zones: { north: '北区' },
                    devices: [
                      { id: 'e1', type: 'elevator', name: '1号梯', building: 'b1', secretSha256: sha('e1'), reportIntervalSec: 30, position: { x: 12.5, y: 40 } },
                      { id: 'e2', type: 'elevator', building: 'b2', secretSha256: sha('e2'), reportIntervalSec: 60 },
                      { id: 'p3', type: 'parking', zone: 'north', secretSha256: sha('p3'), reportIntervalSec: 300 },
                    ],
                  },
                  // A county compound with its site (migration 0002's columns).
                  { id: 'c2', name: '银色家园', area: 'county', location: { lat: 29.6052, lon: 119.0421 }, devices: [{ id: 'm1', type: 'manhole', secretSha256: sha('m1'), reportIntervalSec: 600 }] },
                ],
              },
            ],
          },
          { id: 'beishan', name: '北山街道', communities: [] },
        ],
      },
    ],
  };
}

export function users(): User[] {
  return [
    { id: 'admin', name: 'Admin', role: 'admin', passwordHash: HASH_A, mustChangePassword: true },
    { id: 'li-qiang', name: '李强', role: 'worker', grids: ['g1'], passwordHash: HASH_B, mustChangePassword: false },
    { id: 'wang', role: 'manager', compounds: ['c1', 'c2'], passwordHash: HASH_A, mustChangePassword: false },
  ];
}

export function alert(id: string, raisedAt: number, workflow: Alert['workflow'] = 'new'): Alert {
  return {
    id,
    ruleId: 'elevator-trapped',
    name: { zh: '困人', en: 'Passenger trapped' },
    severity: 'critical',
    deviceKey: 'c1/elevator/e1',
    compound: 'c1',
    type: 'elevator',
    device: 'e1',
    workflow,
    condition: 'active',
    raisedAt,
    lastSeenAt: raisedAt + 5000,
    count: 2,
    value: true,
    escalationLevel: 0,
    dueAt: raisedAt + 300_000,
    history: [
      { alertId: id, kind: 'raised', at: raisedAt, actor: 'hub' },
      { alertId: id, kind: 'dispatched', at: raisedAt + 10, actor: 'hub', assignee: 'li-qiang' },
    ],
    assignee: 'li-qiang',
  };
}

export function delivery(at: number, status: Delivery['status'] = 'pending'): Delivery {
  return { webhook: 'wecom', alertId: 'a-1', kind: 'raised', at, attempts: 1, status };
}

/** A logger whose lines the test can read. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

export const silent = pino({ level: 'silent' });
