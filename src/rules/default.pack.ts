/**
 * The built-in rule pack for residential compounds, with debounce presets from field
 * practice (design.md §6). Loaded when no RULES_FILE is given; docs/rules.md lists it.
 */
import type { RulesFile } from './rule.schema.ts';

const FAULT_MODES_SILENCE = ['maintenance', 'inspection'] as ('maintenance' | 'inspection')[];
const elevatorEvent = (id: string, event: string, severity: 'critical' | 'major' | 'minor', zh: string, en: string, clearAfterSec = 600) => ({
  id,
  name: { zh, en },
  severity,
  match: { types: ['elevator' as const] },
  condition: { kind: 'event' as const, event, clearAfterSec },
  silenceInModes: FAULT_MODES_SILENCE,
});

export const DEFAULT_RULES: RulesFile = {
  rules: [
    // Rescue: someone must be on site within 30 min in a city, 1 h in a county (TSG T5002).
    { ...elevatorEvent('elevator-trapped', 'trapped', 'critical', '电梯困人', 'Passenger trapped in elevator', 1800), arrival: {} },
    elevatorEvent('elevator-door-open-moving', 'door_open_while_moving', 'critical', '电梯开门走梯', 'Elevator moving with door open'),
    elevatorEvent('elevator-overspeed', 'overspeed', 'critical', '电梯超速', 'Elevator overspeed'),
    elevatorEvent('elevator-stopped-outside-door-zone', 'stopped_outside_door_zone', 'major', '电梯非平层停梯', 'Elevator stopped outside door zone'),
    elevatorEvent('elevator-top-overrun', 'top_overrun', 'major', '电梯冲顶', 'Elevator top overrun'),
    elevatorEvent('elevator-bottom-overrun', 'bottom_overrun', 'major', '电梯蹲底', 'Elevator bottom overrun'),
    { ...elevatorEvent('elevator-alarm-button', 'alarm_button', 'major', '电梯报警按钮', 'Elevator alarm button pressed'), arrival: {} },
    elevatorEvent('elevator-ebike', 'ebike_detected', 'minor', '电动车进电梯', 'E-bike detected in elevator', 300),
    elevatorEvent('elevator-power-loss', 'power_loss', 'major', '电梯停电', 'Elevator power loss'),
    {
      id: 'elevator-repeated-faults',
      name: { zh: '电梯频繁故障', en: 'Repeated elevator faults' },
      severity: 'major',
      match: { types: ['elevator'] },
      condition: { kind: 'count', event: 'fault', count: 3, windowSec: 3600, clearAfterSec: 3600 },
      silenceInModes: FAULT_MODES_SILENCE,
    },
    {
      id: 'manhole-tilt',
      name: { zh: '井盖倾斜', en: 'Manhole cover tilted' },
      severity: 'major',
      match: { types: ['manhole'] },
      // A passing vehicle tilts a cover for under 2 s: only a tilt held for 30 s counts.
      condition: { kind: 'threshold', field: 'tiltDeg', op: '>', value: 15, forSec: 30, clear: { op: '<=', value: 10 } },
    },
    {
      id: 'manhole-displaced',
      name: { zh: '井盖移位', en: 'Manhole cover displaced' },
      severity: 'critical',
      match: { types: ['manhole'] },
      condition: { kind: 'threshold', field: 'displaced', op: '==', value: true, forSec: 5 },
    },
    {
      id: 'manhole-open',
      name: { zh: '井盖开启', en: 'Manhole cover open' },
      severity: 'critical',
      match: { types: ['manhole'] },
      condition: { kind: 'threshold', field: 'open', op: '==', value: true, forSec: 5 },
    },
    {
      id: 'manhole-water-high',
      name: { zh: '井下水位过高', en: 'High water level in manhole' },
      severity: 'major',
      match: { types: ['manhole'] },
      condition: { kind: 'threshold', field: 'waterLevelCm', op: '>', value: 150, clear: { op: '<', value: 120 } },
    },
    {
      id: 'manhole-gas-high',
      name: { zh: '井下可燃气体超标', en: 'Combustible gas in manhole' },
      severity: 'critical',
      match: { types: ['manhole'] },
      // 5,000 ppm CH4 = 10 % of the lower explosive limit.
      condition: { kind: 'threshold', field: 'gasPpm', op: '>', value: 5000, clear: { op: '<', value: 2500 } },
    },
    {
      id: 'manhole-battery-low',
      name: { zh: '井盖传感器电量低', en: 'Manhole sensor battery low' },
      severity: 'minor',
      match: { types: ['manhole'] },
      condition: { kind: 'threshold', field: 'batteryPct', op: '<', value: 20, clear: { op: '>', value: 25 } },
    },
    {
      id: 'fire-lane-blocked',
      name: { zh: '消防通道占用', en: 'Fire lane blocked' },
      severity: 'major',
      match: { types: ['fire_lane'] },
      condition: { kind: 'duration', field: 'occupied', op: '==', value: true, forSec: 300 },
    },
    {
      id: 'fire-lane-blocked-long',
      name: { zh: '消防通道长时间占用', en: 'Fire lane blocked for 15 minutes' },
      severity: 'critical',
      match: { types: ['fire_lane'] },
      condition: { kind: 'duration', field: 'occupied', op: '==', value: true, forSec: 900 },
    },
    {
      id: 'parking-zombie-car',
      name: { zh: '僵尸车', en: 'Zombie car (space occupied 7 days)' },
      severity: 'minor',
      match: { types: ['parking'] },
      condition: { kind: 'state_age', field: 'occupied', op: '==', value: true, forSec: 7 * 86_400 },
    },
    {
      id: 'parking-fire-space-occupied',
      name: { zh: '消防车位被占', en: 'Fire-engine space occupied' },
      severity: 'major',
      match: { types: ['parking'] },
      when: [{ field: 'spaceKind', op: '==', value: 'fire' }],
      condition: { kind: 'duration', field: 'occupied', op: '==', value: true, forSec: 300 },
    },
    {
      id: 'parking-charging-space-overstay',
      name: { zh: '充电车位超时占用', en: 'Charging space occupied over 8 hours' },
      severity: 'minor',
      match: { types: ['parking'] },
      when: [{ field: 'spaceKind', op: '==', value: 'charging' }],
      condition: { kind: 'state_age', field: 'occupied', op: '==', value: true, forSec: 8 * 3600 },
    },
    {
      id: 'device-offline',
      name: { zh: '设备离线', en: 'Device offline' },
      severity: 'major',
      match: { types: ['elevator', 'manhole', 'fire_lane', 'parking'] },
      condition: { kind: 'absence', factor: 3 },
    },
  ],
  // One incident per real-world problem (docs/alerts.md "Incidents"). The compound-wide offline
  // group is listed before the building one, which settles 30 s so the wider one can take its devices.
  groups: [
    {
      id: 'power-cut-building',
      name: { zh: '{place} {count} 台电梯停电 · 疑似停电', en: '{place}: {count} elevators lost power · likely power cut' },
      rules: ['elevator-power-loss'],
      by: 'building',
      min: 2,
      windowSec: 300,
      waitSec: 30,
      // A building's elevators lose power at one moment, but their last reports reach the hub over a
      // few seconds: the incident waits for them, so its first notification counts them all.
      settleSec: 5,
    },
    {
      id: 'offline-compound',
      name: { zh: '{place} {count} 台设备离线 · 疑似网关/网络故障', en: '{place}: {count} devices offline · likely gateway or network failure' },
      rules: ['device-offline'],
      by: 'compound',
      min: 5,
      share: 0.8,
      windowSec: 600,
      waitSec: 60,
    },
    {
      id: 'offline-building',
      name: { zh: '{place} {count} 台设备离线 · 疑似停电', en: '{place}: {count} devices offline · likely power cut' },
      rules: ['device-offline'],
      by: 'building',
      min: 3,
      share: 0.5,
      windowSec: 600,
      waitSec: 60,
      settleSec: 30,
    },
    {
      id: 'water-zone',
      name: { zh: '{place} {count} 个井盖水位过高 · 疑似暴雨积水', en: '{place}: {count} manholes with high water · likely rainstorm' },
      rules: ['manhole-water-high'],
      by: 'zone',
      min: 2,
      windowSec: 1800,
      waitSec: 120,
    },
  ],
  inhibit: [
    // A building without power: its devices going silent is the power cut, not N problems.
    { id: 'power-cut-offline', source: ['power-cut-building'], targets: ['device-offline'], equal: ['compound', 'building'] },
    // An elevator without power stops where it is and goes silent: that is its power loss.
    { id: 'power-loss-elevator', source: ['elevator-power-loss'], targets: ['elevator-stopped-outside-door-zone', 'elevator-repeated-faults', 'device-offline'], equal: ['compound', 'device'] },
  ],
  flapping: { toggles: 4, windowSec: 900 },
};
