/**
 * The public building notice page (issue 18, residents), opened from the building's QR code at
 * /notice/{compound}/{building} without a login: what is out of service or blocked in the
 * building now, and what was fixed in the last 24 hours. Chinese first with an English toggle,
 * made for a phone, asked again every 30 s (and when the phone shows the page again). It reads
 * the public JSON only (GET /api/public/notice/…): no socket, no login, nothing personal.
 */
import './notice.css';
import { NOTICE_REFRESH_MS, noticeApiPath, type NoticeAnswer, type NoticeItem } from '../../../src/contracts/notice.ts';
import { reportFormPath } from '../../../src/contracts/reports.ts';
import { h, fill } from './dom.ts';
import { noticeText, stateText, typeText, type NoticeLang } from './i18n-notice.ts';
import { isoTime, noticeTime } from './notice-time.ts';
import { noticeTarget } from './notice-address.ts';

const root = document.getElementById('notice')!;
const target = noticeTarget(location.pathname, location.search);
let lang: NoticeLang = localStorage.getItem('lang') === 'en' ? 'en' : 'zh';
let answer: NoticeAnswer | undefined;
/** What went wrong with the last ask: shown above the last answer (kept while the hub is unreachable). */
let problem: 'notFound' | 'unreachable' | undefined;

const tx = (key: Parameters<typeof noticeText>[1], vars?: Record<string, string>) => noticeText(lang, key, vars);
const time = (ts: number) => h('time', { datetime: isoTime(ts) }, noticeTime(ts, Date.now(), lang));

/** A sentence with a <time> in it: `自 {time} 起` → 自 <time>14:05</time> 起. */
function withTime(key: 'since' | 'fixedAt', ts: number): Array<string | Node> {
  const [before = '', after = ''] = tx(key, { time: '\u0000' }).split('\u0000');
  return [before, time(ts), after];
}

function itemView(item: NoticeItem): HTMLLIElement {
  const what = lang === 'zh' ? item.what.zh : item.what.en;
  // Open: its state and since when (已上报，等待处理 · 自 14:05 起); fixed: when (已于 15:20 修复).
  const when =
    item.state === 'fixed' && item.fixedAt !== undefined
      ? [h('span', { class: 'state', 'data-testid': 'notice-state' }, withTime('fixedAt', item.fixedAt))]
      : [h('span', { class: 'state', 'data-testid': 'notice-state' }, stateText(lang, item.state)), ' · ', ...withTime('since', item.since)];
  return h(
    'li',
    { class: `notice-item state-${item.state}`, 'data-testid': 'notice-item', 'data-state': item.state, 'data-type': item.type },
    h('h3', {}, item.device ?? typeText(lang, item.type)),
    h('p', { class: 'what' }, what),
    h('p', { class: 'when' }, when),
  );
}

function section(id: string, title: string, items: NoticeItem[], none: string): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': id, 'data-testid': `notice-${id}` },
    h('h2', { id }, title),
    items.length ? h('ul', { class: 'notice-list' }, items.map(itemView)) : h('p', { class: 'none' }, none),
  );
}

function render(): void {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  const title = answer ? tx('title', { building: answer.building.name }) : tx('heading');
  document.title = answer ? `${title} · ${answer.compound.name}` : title;
  const toggle = h('button', { type: 'button', class: 'lang', lang: lang === 'zh' ? 'en' : 'zh-CN', 'aria-label': tx('toggleAria'), 'data-testid': 'notice-lang', onclick: () => setLang(lang === 'zh' ? 'en' : 'zh') }, tx('toggle'));
  const head = h('header', { class: 'notice-head' }, h('div', {}, answer ? h('p', { class: 'compound' }, answer.compound.name) : null, h('h1', {}, title)), toggle);
  const status = h('p', { class: 'problem', role: 'alert', 'data-testid': 'notice-problem' }, problem ? tx(problem) : '');
  const body = answer
    ? [
        // A resident's own report (随手拍) goes through the form; it is never listed here.
        h('p', { class: 'report-link' }, h('a', { href: reportFormPath(target!.compound, target!.building), 'data-testid': 'notice-report' }, tx('report'))),
        section('open', tx('open.title'), answer.open, tx('open.none')),
        section('fixed', tx('fixed.title'), answer.fixed, tx('fixed.none')),
        h('p', { class: 'updated', 'data-testid': 'notice-updated' }, tx('updated', { time: noticeTime(answer.at, Date.now(), lang) })),
        h('p', { class: 'privacy' }, tx('privacy')),
      ]
    : problem
      ? []
      : [h('p', { class: 'none' }, tx('loading'))];
  fill(root, head, h('main', {}, status, body));
}

function setLang(next: NoticeLang): void {
  lang = next;
  localStorage.setItem('lang', next);
  render();
  root.querySelector<HTMLButtonElement>('button.lang')?.focus();
}

async function load(): Promise<void> {
  if (!target) {
    problem = 'notFound';
    return render();
  }
  try {
    const res = await fetch(noticeApiPath(target.compound, target.building), { headers: { accept: 'application/json' } });
    if (res.status === 404 || res.status === 400) {
      answer = undefined;
      problem = 'notFound';
    } else if (!res.ok) problem = 'unreachable';
    else {
      answer = (await res.json()) as NoticeAnswer;
      problem = undefined;
    }
  } catch {
    problem = 'unreachable';
  }
  render();
}

render();
void load();
setInterval(() => void load(), NOTICE_REFRESH_MS);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void load();
});
