/**
 * The period's closed-loop figures per grid worker (by name), per party handed to (by name) and
 * per alert rule (by name), as GET /api/alerts/stats gives them (byWorker, byParty, byRule),
 * with the satisfaction of their ratings: most alerts first.
 */
import type { Figures } from '../../../src/contracts/api.ts';
import { dataTable } from './data-table.ts';
import { t } from './i18n.ts';
import { percent, ratingText, seconds } from './figure-tiles.ts';
import { ruleName } from './rule-names.ts';
import type { People } from './people.ts';

const figureCells = (f: Figures) => [String(f.alerts), String(f.accepted), String(f.resolved), seconds(f.timeToAccept.mean), seconds(f.timeToResolve.mean), percent(f.slaKept), percent(f.arrivalRate), ratingText(f.satisfaction)];
const figureColumns = () => [t('dist.col.alerts'), t('dist.col.accepted'), t('dist.col.resolved'), t('dist.col.mtta'), t('dist.col.mttr'), t('dist.col.sla'), t('dist.col.arrival'), t('dist.col.satisfaction')];
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

/** Per party the alerts were handed over to (流转): a street department's handling and its satisfaction. */
export function partyTable(byParty: Readonly<Record<string, Figures>>, people: People, period: string): HTMLElement {
  return dataTable({
    caption: t('dist.parties', { period }),
    columns: [t('dist.col.party'), ...figureColumns()],
    rows: Object.entries(byParty)
      .sort(byAlerts)
      .map(([id, f]) => ({ attrs: { 'data-party': id }, cells: [people.party(id), ...figureCells(f)] })),
    empty: t('alerts.none'),
    testid: 'party-figures',
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
