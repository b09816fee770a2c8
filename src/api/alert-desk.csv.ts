/**
 * The alert desk's list as a CSV file Excel opens (issue 16): UTF-8 with a byte-order mark, a
 * header row in the reader's language (zh-CN default), names and not ids (compound, building,
 * device, rule, people), times as ISO 8601 (UTC) and as local time in the reader's zone, every
 * cell escaped and formula-safe (csvCell: a cell starting with = + - @ gets a leading `'`). A list
 * cut at the export's limit ends with a line that says so (`truncated`).
 */
import type { DeskRow } from '../contracts/alert-desk.ts';
import type { Alert, AlertEventKind } from '../alerts/alert.types.ts';
import { csvCell, csvFile } from './csv.ts';

export type CsvLang = 'zh' | 'en';

const WORDS = {
  zh: {
    header: ['告警编号', '发生时间 (ISO)', '发生时间 (本地)', '级别', '告警', '小区', '楼栋', '设备', '状态', '现状', '处理人', '接单时间 (本地)', '处置时间 (本地)', '关闭时间 (本地)', '最后备注'],
    sev: { critical: '紧急', major: '重要', minor: '一般', info: '提示' },
    wf: { new: '新建', dispatched: '已派发', accepted: '已接单', resolved: '已处置，待确认', closed: '已关闭' },
    cond: { active: '仍在发生', cleared: '已恢复' },
    hub: '系统',
    cut: (shown: number, total: number) => `（仅导出前 ${shown} 条，共 ${total} 条：请缩小筛选范围）`,
  },
  en: {
    header: ['Alert id', 'Raised (ISO)', 'Raised (local)', 'Severity', 'Alert', 'Compound', 'Building', 'Device', 'State', 'Condition', 'Assignee', 'Accepted (local)', 'Resolved (local)', 'Closed (local)', 'Last note'],
    sev: { critical: 'Critical', major: 'Major', minor: 'Minor', info: 'Info' },
    wf: { new: 'New', dispatched: 'Dispatched', accepted: 'Accepted', resolved: 'Resolved, to confirm', closed: 'Closed' },
    cond: { active: 'Still happening', cleared: 'Cleared' },
    hub: 'System',
    cut: (shown: number, total: number) => `(Only the first ${shown} of ${total} alerts are exported: narrow the filters)`,
  },
} as const;

/** Whether `zone` is an IANA time zone this Node knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `2026-06-03 14:30:05` in `zone`. */
function localTime(zone: string): (at: number | undefined) => string {
  const format = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return (at) => (at === undefined ? '' : format.format(at));
}

/** The day of `at` in `zone`, `2026-06-03` (the export's file name). */
export function dayIn(zone: string, at: number): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

const lastAt = (a: Alert, kind: AlertEventKind) => a.history.findLast((e) => e.kind === kind)?.at;

export interface CsvOptions {
  lang: CsvLang;
  zone: string;
  /** A person's name by login id. */
  personName(id: string): string;
  /** How many alerts the filters match, when more than the rows (the export was cut): a last line says so. */
  total?: number;
}

export function deskCsvHeader(lang: CsvLang): string {
  return WORDS[lang].header.map(csvCell).join(',');
}

function csvLine(row: DeskRow, options: CsvOptions, local: (at: number | undefined) => string): string {
  const words = WORDS[options.lang];
  const a = row.alert;
  const person = (id: string | undefined) => (id === undefined ? '' : id === 'hub' ? words.hub : options.personName(id));
  // People's notes only: the hub's own notes are English log lines.
  const note = a.history.findLast((e) => e.note && e.actor !== 'hub');
  const cells = [
    a.id,
    new Date(a.raisedAt).toISOString(),
    local(a.raisedAt),
    words.sev[a.severity],
    a.name[options.lang],
    row.compoundName,
    row.buildingName ?? row.building ?? '',
    row.deviceName ?? a.device,
    words.wf[a.workflow],
    words.cond[a.condition],
    person(a.assignee),
    local(lastAt(a, 'accepted')),
    local(lastAt(a, 'resolved')),
    local(lastAt(a, 'closed')),
    note ? `${note.note} — ${person(note.actor)}` : '',
  ];
  return cells.map(csvCell).join(',');
}

/** The whole file: BOM, header, one line per row, CRLF line ends; when cut, a last line saying how many of how many. */
export function deskCsv(rows: readonly DeskRow[], options: CsvOptions): string {
  const local = localTime(options.zone);
  const cut = options.total !== undefined && options.total > rows.length ? [csvCell(WORDS[options.lang].cut(rows.length, options.total))] : [];
  return csvFile([deskCsvHeader(options.lang), ...rows.map((r) => csvLine(r, options, local)), ...cut]);
}
