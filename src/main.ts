/**
 * `npm start` (`node --import tsx src/main.ts`) and `npx compound-hub`: read the environment,
 * claim the data dir (DATA_DIR/hub.json; a second start on it is refused, naming the first),
 * start the hub, print where everything is, and stop everything it started (the demo fleet, the
 * managed influxd) on SIGTERM/SIGINT, then exit (a second signal forces the exit). Started
 * through npm, it also stops when the npm process or the shell npm ran it in goes away, so no
 * hub is left holding the ports.
 */
import { pino, type Logger } from 'pino';
import { loadConfig, type HubConfig } from './config/config.loader.ts';
import type { Hub, HubInfo } from './hub.ts';
import { isHubError } from './errors.ts';
import { claimDataDir, type Instance, type Listener } from './util/instance-file.ts';

function banner(info: HubInfo): string {
  const lines = [
    '',
    'Compound Hub is running / 智慧小区物联网平台已启动',
    ...info.brokerListeners.map(
      ({ url, clientCertificates }, i) => `${i === 0 ? '  MQTT broker   ' : '                '}${url}${clientCertificates ? '   (client certificates: MQTT_TLS_CA)' : ''}`,
    ),
    `  HTTP API      ${info.httpUrl}   (OpenAPI: ${info.httpUrl}/docs, health: ${info.httpUrl}/readyz)`,
    `  Dashboard     ${info.dashboardUrl}${info.publicUrl ? `   (public address, PUBLIC_URL: ${info.publicUrl}/)` : ''}`,
    `  Storage       ${info.storage}`,
    `  Database      ${info.state}`,
    `  Devices       ${info.devices} registered in ${info.compounds} compounds`,
    ...(info.cluster ? [`  Cluster       instance ${info.cluster.instance}: takes its share of ${info.cluster.partitions} partitions (GET ${info.httpUrl}/api/cluster)`] : []),
    `  Data dir      ${info.dataDir}`,
  ];
  if (info.demo) {
    lines.push(
      `  Demo          ${info.demo.devices} simulated devices publishing; join the fleet with`,
      `                npm run sim -- --url ${info.brokerUrl} --fleet-key "$(cat ${info.demo.fleetKeyFile})"`,
    );
  }
  if (info.logins.created && !info.demo?.password) {
    lines.push('  First start: these logins were made; the passwords are shown only now / 首次启动，请记下密码:');
    for (const u of info.logins.created) lines.push(`                ${u.id} (${u.role})  password: ${u.password}`);
  }
  if (info.logins.rekeyed) {
    lines.push('  Not loopback: the demo password "compound-demo" no longer logs in. New one-time passwords, shown only now /');
    lines.push('                非本机访问：演示密码已停用，以下新密码仅显示一次，首次登录须修改:');
    for (const u of info.logins.rekeyed) lines.push(`                ${u.id} (${u.role})  password: ${u.password}`);
  }
  if (info.demo?.password) {
    lines.push(`  Demo logins   password "${info.demo.password}" for each / 演示账号密码均为 ${info.demo.password}:`);
    for (const u of info.demo.users) lines.push(`                ${u.id.padEnd(14)} ${u.role.padEnd(10)} ${u.name}`);
  }
  lines.push(`  Stop          Ctrl-C, or kill -TERM ${process.pid} (also stops the demo and the local influxd) / 停止: Ctrl-C`);
  if (info.liveOnly) lines.push('', '  !! LIVE-ONLY: no InfluxDB, readings are NOT stored. Set INFLUX_URL or install influxd. !!');
  lines.push('');
  return lines.join('\n');
}

/** Where the hub listens: the configured ports before it is up. */
function wantedListeners(config: HubConfig): { http: Listener; mqtt?: Listener } {
  return {
    http: { host: config.http.host, port: config.http.port },
    ...(config.broker.kind === 'embedded' && config.broker.port !== 'off' ? { mqtt: { host: config.broker.host, port: config.broker.port } } : {}),
  };
}

/** Where it listens once it is up (the port is the last part of each URL). */
function actualListeners(config: HubConfig, info: HubInfo): { http: Listener; mqtt?: Listener } {
  const port = (url: string, fallback: number) => Number(/:(\d+)\/?$/.exec(url)?.[1] ?? fallback);
  const wanted = wantedListeners(config);
  return {
    http: { host: wanted.http.host, port: port(info.httpUrl, wanted.http.port) },
    ...(wanted.mqtt ? { mqtt: { host: wanted.mqtt.host, port: port(info.brokerUrl, wanted.mqtt.port) } } : {}),
  };
}

/**
 * Started by `npm start` or `npx compound-hub`, the hub lives as long as that command: npx runs it
 * in a shell that dies of SIGTERM without passing it on, and a killed npm passes nothing on.
 * When the process that started the hub is gone, `onGone` is called once.
 */
function watchLauncher(onGone: () => void): void {
  const event = process.env.npm_lifecycle_event;
  if (event !== 'start' && event !== 'npx') return;
  const launcher = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    onGone();
  }, 200);
  timer.unref();
}

/** Claims the data dir; exits with the refusal when another hub runs on it. */
async function claim(config: HubConfig, logger: Logger): Promise<Instance | undefined> {
  try {
    const claimed = await claimDataDir(config.dataDir, wantedListeners(config));
    if (!claimed.ok) {
      process.stderr.write(`compound-hub: ${claimed.message}\n`);
      process.exit(1);
    }
    const instance = claimed.instance;
    process.on('exit', () => instance.release());
    return instance;
  } catch (error) {
    logger.warn({ err: (error as Error).message, dataDir: config.dataDir }, 'hub.json not written: a second start on this data dir will not be refused');
    return undefined;
  }
}

async function main(): Promise<void> {
  // What the hub and its children (the managed influxd) create is the owner's only: directories
  // 0700, files 0600 (DATA_DIR holds login hashes, sessions, contacts, device secrets' hashes, readings).
  process.umask(0o077);
  // `compound-hub backup FILE` / `compound-hub seed [--dry-run]`: a command on the database, not a hub.
  if (process.argv[2] === 'backup' || process.argv[2] === 'seed') {
    const { runStateCommand } = await import('./cli/state.cli.ts');
    process.exit(await runStateCommand(process.argv.slice(2), process.env));
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`compound-hub: invalid configuration\n${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.logLevel });
  // Before anything touches the data dir (spool, open alerts, influxd): is another hub running on it?
  const instance = await claim(config, logger);

  let hub: Hub | undefined;
  let stoppingSince = 0;
  const stop = (running: Hub) => {
    running.stop().then(
      () => {
        instance?.release();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  const shutdown = (signal: string) => {
    // One Ctrl-C can arrive twice (from the terminal and relayed by npm): only a
    // second signal a moment later means "exit now".
    if (stoppingSince && Date.now() - stoppingSince < 1000) return;
    if (stoppingSince) {
      process.stderr.write(`compound-hub: second ${signal}, exiting now\n`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'stopping');
    // While starting, the hub is stopped as soon as it is up (or has failed).
    if (hub) stop(hub);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // `kill -HUP <pid>` reloads the rules and the HTTPS certificate; a broken file is reported and the old one stays.
  process.on('SIGHUP', () => {
    hub?.reloadRules().catch((error: unknown) => process.stderr.write(`compound-hub: rules not reloaded\n${(error as Error).message}\n`));
    hub
      ?.reloadCertificate()
      .then((reloaded) => reloaded && logger.info({ stage: 'api' }, 'HTTPS certificate reloaded'))
      .catch((error: unknown) => process.stderr.write(`compound-hub: HTTPS certificate not reloaded (the old one is served)\n${(error as Error).message}\n`));
  });
  watchLauncher(() => {
    if (!stoppingSince) shutdown('launcher gone');
  });

  try {
    // Loaded only now: a refused second start answers before the whole hub is loaded.
    const { startHub } = await import('./hub.ts');
    hub = await startHub(config, logger);
  } catch (error) {
    if (isHubError(error)) {
      process.stderr.write(`compound-hub: ${error.message}\n`);
    } else {
      logger.fatal({ err: error }, 'hub failed to start');
    }
    process.exit(1);
  }
  if (stoppingSince) {
    stop(hub);
    return;
  }
  await instance?.update(actualListeners(config, hub.info)).catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'hub.json not updated'));
  process.stdout.write(banner(hub.info));
}

await main();
