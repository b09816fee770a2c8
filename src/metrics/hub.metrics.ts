/**
 * The hub's Prometheus metrics. One registry per hub instance (no global default
 * registry), created in hub.ts and passed to the stages that count things.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { REJECT_REASONS } from '../contracts/readings.ts';

export function createHubMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'compound_hub_process_' });
  const messagesIn = new Counter({
    name: 'compound_hub_messages_received_total',
    help: 'MQTT messages received from devices, by channel',
    labelNames: ['channel'] as const,
    registers: [registry],
  });
  const accepted = new Counter({
    name: 'compound_hub_readings_accepted_total',
    help: 'Readings that passed validation, by device type and kind',
    labelNames: ['type', 'kind'] as const,
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'compound_hub_messages_rejected_total',
    help: 'Messages refused at ingest, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of REJECT_REASONS) rejected.inc({ reason }, 0);
  const brokerRefused = new Counter({
    name: 'compound_hub_broker_refused_total',
    help: 'Embedded broker refusals, once per connection, action (connect, publish, subscribe, packet_too_large, connect_timeout, protocol) and reason',
    labelNames: ['action', 'reason'] as const,
    registers: [registry],
  });
  const brokerRateLimited = new Counter({
    name: 'compound_hub_broker_rate_limited_total',
    help: 'Device messages over the per-device rate (MQTT_DEVICE_RATE): QoS 0 dropped, QoS 1/2 delayed; by device and outcome',
    labelNames: ['device', 'outcome'] as const,
    registers: [registry],
  });
  const pointsWritten = new Counter({
    name: 'compound_hub_points_written_total',
    help: 'Points acknowledged by InfluxDB (live writes and spool replay)',
    registers: [registry],
  });
  const pointsDropped = new Counter({
    name: 'compound_hub_points_dropped_total',
    help: 'Points InfluxDB refused as invalid (4xx) or that could not be spooled, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const writeLatency = new Histogram({
    name: 'compound_hub_write_latency_seconds',
    help: 'Latency of InfluxDB write requests',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const spoolBytes = new Gauge({
    name: 'compound_hub_spool_bytes',
    help: 'Bytes waiting in the on-disk spool for InfluxDB',
    registers: [registry],
  });
  const spoolLines = new Gauge({
    name: 'compound_hub_spool_lines',
    help: 'Points waiting in the on-disk spool for InfluxDB',
    registers: [registry],
  });
  const devicesOnline = new Gauge({
    name: 'compound_hub_devices_online',
    help: 'Registered devices currently online',
    registers: [registry],
  });
  const devicesRegistered = new Gauge({
    name: 'compound_hub_devices_registered',
    help: 'Devices in the registry',
    registers: [registry],
  });
  const conditions = new Counter({
    name: 'compound_hub_conditions_total',
    help: 'Rule condition changes, by rule, severity and change (raised, repeated, cleared)',
    labelNames: ['rule', 'severity', 'change'] as const,
    registers: [registry],
  });
  const partitionsOwned = new Gauge({
    name: 'compound_hub_partitions_owned',
    help: 'Partitions this cluster instance acts on now (CLUSTER=on)',
    registers: [registry],
  });
  const partitionChanges = new Counter({
    name: 'compound_hub_partition_changes_total',
    help: 'Partitions taken over, handed over (rebalance, stop) and lost (lease not renewed in time) by this instance',
    labelNames: ['change'] as const,
    registers: [registry],
  });
  const conditionsHeld = new Gauge({
    name: 'compound_hub_conditions_held',
    help: 'Active conditions raising no alert of their own, by reason (waiting for their group, grouped in an incident, inhibited)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const loginFailures = new Counter({
    name: 'compound_hub_login_failures_total',
    help: 'Failed logins (wrong user or password)',
    registers: [registry],
  });
  const liveClients = new Gauge({
    name: 'compound_hub_live_clients',
    help: 'Dashboard sockets connected',
    registers: [registry],
  });
  const liveBatches = new Counter({
    name: 'compound_hub_live_batches_total',
    help: 'Update batches sent to dashboard sockets',
    registers: [registry],
  });
  const liveRefused = new Counter({
    name: 'compound_hub_live_refused_total',
    help: 'Socket handshakes and subscriptions refused, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const residentReports = new Counter({
    name: 'compound_hub_resident_reports_total',
    help: 'Resident reports (随手拍) sent to the public route, by outcome (accepted, or refused by which rate limit)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const northboundEntries = new Counter({
    name: 'compound_hub_northbound_entries_total',
    help: 'Entries added to the northbound feed, by kind and by whether this hub made them (own) or received them (forwarded)',
    labelNames: ['kind', 'origin'] as const,
    registers: [registry],
  });
  const northboundDropped = new Counter({
    name: 'compound_hub_northbound_dropped_total',
    help: 'Northbound entries not delivered: push queue full (the oldest dropped), push failed after its attempts, MQTT bridge publish failed',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const northboundRefused = new Counter({
    name: 'compound_hub_northbound_refused_total',
    help: 'Northbound requests refused: bad or revoked pull tokens, rate limited pulls, ingest with a bad signature or body',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  return {
    registry,
    northboundEntries,
    northboundDropped,
    northboundRefused,
    loginFailures,
    residentReports,
    liveClients,
    liveBatches,
    liveRefused,
    conditions,
    conditionsHeld,
    partitionsOwned,
    partitionChanges,
    messagesIn,
    accepted,
    rejected,
    brokerRefused,
    brokerRateLimited,
    pointsWritten,
    pointsDropped,
    writeLatency,
    spoolBytes,
    spoolLines,
    devicesOnline,
    devicesRegistered,
  };
}

export type HubMetrics = ReturnType<typeof createHubMetrics>;
