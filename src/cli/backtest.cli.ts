/**
 * `npm run backtest -- --from 2026-11-01 --to 2026-11-08 [--rule id …] [--rules-file f] [--compound c]`
 * Replays stored history through rules and prints what they would have raised.
 * Reads the same INFLUX_* and REGISTRY_FILE settings as the hub.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.loader.ts';
import { loadRegistryFile } from '../config/registry.loader.ts';
import { buildRegistry } from '../registry/registry.ts';
import { loadRules } from '../rules/rules.loader.ts';
import { backtest } from '../rules/backtest.ts';
import { isHubError } from '../errors.ts';

const USAGE = `Usage: npm run backtest -- --from DATE --to DATE [--rule ID]... [--rules-file FILE] [--compound ID]
  DATE is ISO 8601 (2026-11-01 or 2026-11-01T08:00:00+08:00) or ms since epoch.
  InfluxDB and the registry come from the hub's settings (INFLUX_URL, INFLUX_DATABASE, …, REGISTRY_FILE).`;

function time(name: string, value: string | undefined): number {
  const t = value === undefined ? NaN : /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`--${name}: expected a date like 2026-11-01 or ms since epoch`);
  return t;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        rule: { type: 'string', multiple: true },
        'rules-file': { type: 'string' },
        compound: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
    if (args.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const from = time('from', args.from);
    const to = time('to', args.to);
    if (to <= from) throw new Error('--to: must be after --from');
    const config = loadConfig(process.env);
    if (config.storage.kind !== 'external') throw new Error('INFLUX_URL: the backtest reads stored history; set INFLUX_URL (and INFLUX_DATABASE or the v2 settings)');
    let rules = await loadRules(args['rules-file'] ?? config.rulesFile);
    if (args.rule?.length) {
      const unknown = args.rule.filter((id) => !rules.some((r) => r.id === id));
      if (unknown.length) throw new Error(`--rule: unknown rule ${unknown.join(', ')} (known: ${rules.map((r) => r.id).join(', ')})`);
      rules = rules.filter((r) => args!.rule!.includes(r.id));
    }
    const registry = config.registryFile ? buildRegistry(await loadRegistryFile(config.registryFile)) : undefined;
    process.stderr.write(`backtest: ${rules.length} rule(s) over ${new Date(from).toISOString()} … ${new Date(to).toISOString()}\n`);
    const changes = await backtest({
      settings: config.storage.settings,
      rules,
      registry,
      from,
      to,
      ...(args.compound ? { compound: args.compound } : {}),
      onProgress: (day, n) => process.stderr.write(`backtest: day ${day}: ${n} readings\n`),
    });
    const raised = changes.filter((c) => c.change === 'raised');
    for (const c of changes.filter((x) => x.change !== 'repeated')) {
      process.stdout.write(`${new Date(c.at).toISOString()}  ${c.change.padEnd(7)}  ${c.severity.padEnd(8)}  ${c.ruleId.padEnd(34)}  ${c.deviceKey}${c.value !== undefined ? `  (${String(c.value)})` : ''}\n`);
    }
    const byRule = new Map<string, number>();
    for (const c of raised) byRule.set(c.ruleId, (byRule.get(c.ruleId) ?? 0) + 1);
    process.stdout.write(`\n${raised.length} raised${byRule.size ? `: ${[...byRule].map(([r, n]) => `${r} ×${n}`).join(', ')}` : ''}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`backtest: ${isHubError(error) ? error.message : (error as Error).message}\n`);
    return 2;
  }
}

process.exitCode = await main();
