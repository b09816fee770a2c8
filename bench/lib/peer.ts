/**
 * The peer: Node-RED 4 with the flow a user would build for the same job (mqtt in → json →
 * function: point + threshold → join 5,000 → node-red-contrib-influxdb batch out). Installed
 * on demand into bench/.peer (git-ignored); nothing of it is committed.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { StoreSettings } from '../../src/store/index.ts';
import { freePort } from '../../src/store/index.ts';
import { ROOT, track, waitForOutput, type Child } from './children.ts';

const PEER_DIR = path.join(ROOT, 'bench/.peer');
export const PEER_PACKAGES = ['node-red@4.1.8', 'node-red-contrib-influxdb@0.7.0'];
const RED = path.join(PEER_DIR, 'node_modules/node-red/red.js');

/** Installs Node-RED and the InfluxDB nodes into bench/.peer unless they are there. */
export async function ensureNodeRed(say: (text: string) => void): Promise<void> {
  if (existsSync(RED) && existsSync(path.join(PEER_DIR, 'node_modules/node-red-contrib-influxdb'))) return;
  say(`installing the peer (${PEER_PACKAGES.join(', ')}) into bench/.peer …`);
  await mkdir(PEER_DIR, { recursive: true });
  await writeFile(path.join(PEER_DIR, 'package.json'), '{ "name": "bench-peer", "private": true }\n');
  const child = track(spawn('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...PEER_PACKAGES], { cwd: PEER_DIR, stdio: ['ignore', 'pipe', 'pipe'] }));
  const code = await child.exited;
  if (code !== 0) throw new Error(`npm install of the peer failed (${code}):\n${child.output().slice(-2000)}`);
}

/** The flow, as Node-RED's editor would export it. */
function flow(brokerPort: number, qos: 0 | 1, influx: StoreSettings) {
  const influxUrl = new URL(influx.url);
  const toPoint = `
const [, compound, type, device] = msg.topic.split('/');
const p = msg.payload;
const fields = Object.assign({}, p);
delete fields.ts;
const point = { measurement: type, tags: { compound, device }, fields, timestamp: new Date(p.ts || Date.now()) };
const alert = (type === 'manhole' && p.gasPpm > 5000) || (type === 'elevator' && p.event === 'alarm_button');
return [{ payload: point }, alert ? { topic: 'alert', payload: { compound, type, device } } : null];`;
  // Ids as the editor makes them: a config node whose id equals a property value elsewhere
  // (a name, say) reads to Node-RED as a dependency cycle.
  return [
    { id: 'f0a1', type: 'tab', label: 'compounds' },
    { id: 'c0b1', type: 'mqtt-broker', name: 'compounds', broker: '127.0.0.1', port: String(brokerPort), clientid: 'node-red-peer', autoConnect: true, usetls: false, protocolVersion: '4', keepalive: '60', cleansession: true },
    { id: 'c0d1', type: 'influxdb', hostname: influxUrl.hostname, port: influxUrl.port, protocol: 'http', database: influx.database, name: '', usetls: false, influxdbVersion: '1.x' },
    { id: 'a001', type: 'mqtt in', z: 'f0a1', name: 'devices', topic: 'compounds/+/+/+/+', qos: String(qos), datatype: 'utf8', broker: 'c0b1', nl: false, rap: true, inputs: 0, wires: [['a002']] },
    { id: 'a002', type: 'json', z: 'f0a1', name: '', property: 'payload', action: 'obj', pretty: false, wires: [['a003']] },
    { id: 'a003', type: 'function', z: 'f0a1', name: 'point + threshold', func: toPoint, outputs: 2, wires: [['a004'], ['a006']] },
    { id: 'a004', type: 'join', z: 'f0a1', name: 'batch 5000', mode: 'custom', build: 'array', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '\\n', joinerType: 'str', accumulate: false, timeout: '1', count: '5000', reduceRight: false, wires: [['a005']] },
    { id: 'a005', type: 'influxdb batch', z: 'f0a1', influxdb: 'c0d1', precision: 'ms', retentionPolicy: '', name: 'store', database: '', wires: [] },
    { id: 'a006', type: 'debug', z: 'f0a1', name: 'alerts', active: false, tosidebar: false, console: false, complete: 'payload', wires: [] },
  ];
}

export async function startNodeRed(dir: string, brokerPort: number, qos: 0 | 1, influx: StoreSettings): Promise<Child> {
  const port = await freePort();
  await writeFile(path.join(dir, 'flows.json'), JSON.stringify(flow(brokerPort, qos, influx)));
  await writeFile(
    path.join(dir, 'settings.js'),
    `module.exports = { uiHost: '127.0.0.1', uiPort: ${port}, flowFile: 'flows.json', credentialSecret: false, httpAdminRoot: false, httpNodeRoot: false, logging: { console: { level: 'info', metrics: false, audit: false } } };\n`,
  );
  await fetch(`${influx.url}/query?q=${encodeURIComponent(`CREATE DATABASE "${influx.database}"`)}`, { method: 'POST' });
  const child = track(spawn(process.execPath, [RED, '--userDir', dir, '--settings', path.join(dir, 'settings.js')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
  await waitForOutput(child, /Started flows/, 60_000);
  await waitForOutput(child, /Connected to broker/, 30_000);
  return child;
}
