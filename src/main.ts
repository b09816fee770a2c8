/**
 * `npm start`: read the environment, start the hub, print where everything is, and
 * stop cleanly on SIGTERM/SIGINT (a second signal forces the exit).
 */
import { pino } from 'pino';
import { loadConfig } from './config/config.loader.ts';
import { startHub, type HubInfo } from './hub.ts';
import { isHubError } from './errors.ts';

function banner(info: HubInfo): string {
  const lines = [
    '',
    'Compound Hub is running / 智慧小区物联网平台已启动',
    `  MQTT broker   ${info.brokerUrl}`,
    `  HTTP API      ${info.httpUrl}   (OpenAPI: ${info.httpUrl}/docs, health: ${info.httpUrl}/readyz)`,
    `  Dashboard     ${info.dashboardUrl}`,
    `  Storage       ${info.storage}`,
    `  Devices       ${info.devices} registered in ${info.compounds} compounds`,
    `  Data dir      ${info.dataDir}`,
  ];
  if (info.demo) {
    lines.push(
      `  Demo          ${info.demo.devices} simulated devices publishing; join the fleet with`,
      `                npm run sim -- --url ${info.brokerUrl} --fleet-key "$(cat ${info.demo.fleetKeyFile})"`,
    );
  }
  lines.push(`  Logins        ${info.logins.usersFile}`);
  if (info.logins.created && !info.demo?.password) {
    lines.push('  First start: these logins were made; the passwords are shown only now / 首次启动，请记下密码:');
    for (const u of info.logins.created) lines.push(`                ${u.id} (${u.role})  password: ${u.password}`);
  }
  if (info.demo?.password) {
    lines.push(`  Demo logins   password "${info.demo.password}" for each / 演示账号密码均为 ${info.demo.password}:`);
    for (const u of info.demo.users) lines.push(`                ${u.id.padEnd(14)} ${u.role.padEnd(8)} ${u.name}`);
  }
  if (info.liveOnly) lines.push('', '  !! LIVE-ONLY: no InfluxDB, readings are NOT stored. Set INFLUX_URL or install influxd. !!');
  lines.push('');
  return lines.join('\n');
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`compound-hub: invalid configuration\n${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.logLevel });
  let hub;
  try {
    hub = await startHub(config, logger);
  } catch (error) {
    if (isHubError(error)) {
      process.stderr.write(`compound-hub: ${error.message}\n`);
    } else {
      logger.fatal({ err: error }, 'hub failed to start');
    }
    process.exit(1);
  }
  process.stdout.write(banner(hub.info));

  let stoppingSince = 0;
  const shutdown = (signal: string) => {
    // One Ctrl-C can arrive twice (from the terminal and relayed by npm/tsx): only a
    // second signal a moment later means "exit now".
    if (stoppingSince && Date.now() - stoppingSince < 1000) return;
    if (stoppingSince) {
      process.stderr.write(`compound-hub: second ${signal}, exiting now\n`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'stopping');
    hub.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // `kill -HUP <pid>` reloads the rules; a broken file is reported and the old rules stay.
  process.on('SIGHUP', () => {
    hub.reloadRules().catch((error: unknown) => process.stderr.write(`compound-hub: rules not reloaded\n${(error as Error).message}\n`));
  });
  process.on('SIGINT', () => shutdown('SIGINT'));
}

await main();
