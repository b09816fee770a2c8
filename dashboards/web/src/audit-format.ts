/**
 * How an audit entry reads to people: the action in words (an unknown one as it is), the target
 * by name (`user:wang` → 账号 王芳), and before → after as a compact list of changed fields.
 */
import { h } from './dom.ts';
import { stamp, t, tIf, yesNo } from './i18n.ts';
import { adminZh } from './i18n-admin.ts';

const ACTION_PREFIX = 'audit.action.';
/** The actions the dashboards have words for. */
export const KNOWN_ACTIONS: string[] = Object.keys(adminZh).filter((k) => k.startsWith(ACTION_PREFIX)).map((k) => k.slice(ACTION_PREFIX.length));

export const actionText = (action: string): string => tIf('audit.action', action) ?? action;

/** The hub and the seed files act without a login: 系统, 初始数据文件. */
export const systemActor = (id: string): string | undefined => (id === 'hub' || id === 'seed' ? tIf('actor', id) : undefined);

export interface TargetNames {
  user(id: string): string;
  compound(id: string): string;
  device(key: string): string;
}

/** 账号 王芳 · 小区 翠苑一区 · 设备 电梯 1号梯 · 告警规则; the raw target when its kind is unknown. */
export function targetText(target: string | undefined, names: TargetNames): string {
  if (!target) return '—';
  const at = target.indexOf(':');
  if (at < 0) return tIf('audit.kind', target) ?? target;
  const kind = target.slice(0, at);
  const id = target.slice(at + 1);
  const label = tIf('audit.kind', kind);
  if (!label) return target;
  const name = kind === 'user' ? names.user(id) : kind === 'compound' ? names.compound(id) : kind === 'device' ? names.device(id) : id;
  return `${label} ${name}`;
}

/** The hub writes a secret's change as this, never the secret. */
const SECRET_MARK = '(changed)';
const MAX_LINES = 8;
const MAX_CHARS = 60;

function valueText(key: string, value: unknown): string {
  if (value === SECRET_MARK) return t('audit.secret');
  if (typeof value === 'number' && /At$/.test(key) && value > 1e12) return stamp(value);
  if (typeof value === 'boolean') return yesNo(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1)}…` : text;
}

const isNested = (v: unknown): v is Record<string, unknown> | unknown[] => typeof v === 'object' && v !== null;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const MISSING = Symbol('missing');
type Side = unknown | typeof MISSING;

/** The changed leaves under `path`: a nested object or list is followed down to what differs. */
function leaves(path: string, b: Side, a: Side, out: Array<[string, Side, Side]>, depth = 0): void {
  if (out.length > MAX_LINES) return;
  // A secret that changed reads the same on both sides: said as changed, never shown.
  if (b === SECRET_MARK && a === SECRET_MARK) return void out.push([path, MISSING, a]);
  if (b !== MISSING && a !== MISSING && same(b, a) && !JSON.stringify(b).includes(SECRET_MARK)) return;
  if (depth < 5 && isNested(b) && isNested(a) && Array.isArray(b) === Array.isArray(a)) {
    const keys = new Set([...Object.keys(b), ...Object.keys(a)]);
    for (const k of keys) leaves(path ? `${path}.${k}` : k, k in b ? (b as Record<string, unknown>)[k] : MISSING, k in a ? (a as Record<string, unknown>)[k] : MISSING, out, depth + 1);
    return;
  }
  out.push([path, b, a]);
}

/** `name: 王芳 → 王芳芳`, `rules.elevator-trapped.enabled: 是 → 否`: one line per changed field; 新建/已删除 when only one side is there. */
export function changeView(before: unknown, after: unknown): HTMLElement | string {
  if (before === undefined && after === undefined) return '—';
  const lines: Array<[string, Side, Side]> = [];
  // A thing created (or removed) lists its fields, one a line.
  const empty = (other: unknown): Side => (isNested(other) && !Array.isArray(other) ? {} : MISSING);
  leaves('', before === undefined ? empty(after) : before, after === undefined ? empty(before) : after, lines);
  const side = (key: string, v: Side) => (v === MISSING ? '∅' : valueText(key, v));
  const text = ([path, b, a]: [string, Side, Side]) => {
    const key = path.split('.').at(-1) ?? '';
    const change = b === MISSING ? side(key, a) : `${side(key, b)} → ${side(key, a)}`;
    return path ? `${path}: ${change}` : change;
  };
  const shown = lines.slice(0, MAX_LINES).map((l) => h('li', {}, text(l)));
  if (lines.length > MAX_LINES) shown.push(h('li', { class: 'muted' }, t('audit.more', { n: lines.length - MAX_LINES })));
  const lead = before === undefined ? t('audit.created') : after === undefined ? t('audit.removed') : undefined;
  return h('div', { class: 'diff' }, lead ? h('span', { class: 'badge' }, lead) : null, shown.length ? h('ul', {}, ...shown) : null);
}
