/**
 * The period's closed-loop figures per grid worker (by name) and per alert rule (by name), as
 * GET /api/alerts/stats gives them (byWorker, byRule): most alerts first.
 */
import type { Figures } from '../../../src/contracts/api.ts';
import { dataTable } from './data-table.ts';
import { t } from './i18n.ts';
import { percent, seconds } from './figure-tiles.ts';
import { ruleName } from './rule-names.ts';
import type { People } from './people.ts';

const figureCells = (f: Figures) => [String(f.alerts), String(f.accepted), String(f.resolved), seconds(f.timeToAccept.mean), seconds(f.timeToResolve.mean), percent(f.slaKept), percent(f.arrivalRate)];
const figureColumns = () => [t('dist.col.alerts'), t('dist.col.accepted'), t('dist.col.resolved'), t('dist.col.mtta'), t('dist.col.mttr'), t('dist.col.sla'), t('dist.col.arrival')];
const byAlerts = ([, a]: [string, Figures], [, b]: [string, Figures]) => b.alerts - a.alerts;

export function workerTable(byWorker: Readonly<Record<string, Figures>>, people: People, period: string): HTMLElement {
  return dataTable({
    caption: t('dist.workers', { period }),
    columns: [t('dist.col.worker'), ...figureColumns()],
    rows: Object.entries(byWorker)
      .sort(byAlerts)
      .map(([id, f]) => ({ attrs: { 'data-worker': id }, cells: [id ? people.name(id) : t('dist.nobody'), ...figureCells(f)] })),
    empty: t('alerts.none'),
    testid: 'worker-figures',
    rowHeader: true,
  });
}

export function ruleTable(byRule: Readonly<Record<string, Figures>>, period: string): HTMLElement {
  return dataTable({
    caption: t('dist.rules', { period }),
    columns: [t('dist.col.rule'), ...figureColumns()],
    rows: Object.entries(byRule)
      .sort(byAlerts)
      .map(([id, f]) => ({ attrs: { 'data-rule': id }, cells: [ruleName(id), ...figureCells(f)] })),
    empty: t('alerts.none'),
    testid: 'rule-figures',
    rowHeader: true,
  });
}
