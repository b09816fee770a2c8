/**
 * The residents' report pages (随手拍, issue 18), no login, Chinese first with an English toggle,
 * made for a phone:
 * - the form at /report-form/{compound}/{building} (linked from the building's notice): the
 *   category (a fieldset of choices), what is wrong, an optional photo (scaled in the browser);
 *   sent to POST /api/public/reports, it lands on the receipt;
 * - the receipt at /report/{id}?t={token}: the report's coarse state and steps, asked again every
 *   30 s (and when the phone shows the page again). It reads GET /api/public/reports/… only.
 * Refusals are said by the hub's code, in the page's language, announced (role="alert").
 */
import './notice.css';
import './report.css';
import { noticeApiPath, noticePagePath, type NoticeAnswer } from '../../../src/contracts/notice.ts';
import { REPORT_CATEGORY_LIST, REPORT_REFRESH_MS, REPORT_TEXT_MAX, REPORTS_API_PATH, reportProgressApiPath, type ReportBody, type ReportProgress, type ReportReceipt } from '../../../src/contracts/reports.ts';
import { PHOTO_MAX_BYTES } from '../../../src/contracts/alert-photos.ts';
import type { DeviceType } from '../../../src/contracts/device-types.ts';
import { h, fill } from './dom.ts';
import type { NoticeLang } from './i18n-notice.ts';
import { categoryText, reportErrorText, reportStateText, reportText, type ReportKey } from './i18n-report.ts';
import { isoTime, noticeTime } from './notice-time.ts';
import { reportTarget } from './report-address.ts';
import { downscale } from './photo-scale.ts';

const root = document.getElementById('report')!;
const target = reportTarget(location.pathname, location.search);
let lang: NoticeLang = localStorage.getItem('lang') === 'en' ? 'en' : 'zh';
const tx = (key: ReportKey, vars?: Record<string, string | number>) => reportText(lang, key, vars);
const time = (ts: number) => h('time', { datetime: isoTime(ts) }, noticeTime(ts, Date.now(), lang));

/** What the page says went wrong (role="alert"): a hub code with its params, or a sentence key. */
let problem: { code?: string; params?: Record<string, unknown>; key?: ReportKey } | undefined;
const problemText = () => (problem?.key ? tx(problem.key) : problem ? reportErrorText(lang, problem.code, problem.params) : '');

// ---- the form ----
let names: NoticeAnswer | undefined;
/** What was typed and chosen: kept across a language switch and a refused send. */
const draft: { category?: DeviceType; text: string; photo?: File } = { text: '' };
let sending = false;

function header(title: string, sub?: string): HTMLElement {
  const toggle = h('button', { type: 'button', class: 'lang', lang: lang === 'zh' ? 'en' : 'zh-CN', 'aria-label': tx('toggleAria'), 'data-testid': 'report-lang', onclick: () => setLang(lang === 'zh' ? 'en' : 'zh') }, tx('toggle'));
  return h('header', { class: 'notice-head' }, h('div', {}, sub ? h('p', { class: 'compound' }, sub) : null, h('h1', {}, title)), toggle);
}
const problemBox = () => h('p', { class: 'problem', role: 'alert', 'data-testid': 'report-problem' }, problemText());

function formView(compound: string, building: string): HTMLElement[] {
  const title = names ? tx('form.title', { building: names.building.name }) : tx('form.heading');
  document.title = title;
  const radios = REPORT_CATEGORY_LIST.map((type) =>
    h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'category', value: type, checked: draft.category === type, required: true, onchange: () => (draft.category = type) }), ' ', categoryText(lang, type)),
  );
  const counter = h('p', { class: 'hint', id: 'report-count' }, tx('form.count', { left: REPORT_TEXT_MAX - draft.text.length }));
  const text = h('textarea', { id: 'report-text', name: 'text', rows: 5, maxlength: REPORT_TEXT_MAX, required: true, 'aria-describedby': 'report-text-hint report-count', 'data-testid': 'report-text' });
  text.value = draft.text;
  text.addEventListener('input', () => {
    draft.text = text.value;
    counter.textContent = tx('form.count', { left: REPORT_TEXT_MAX - text.value.length });
  });
  const photo = h('input', { id: 'report-photo', type: 'file', name: 'photo', accept: 'image/jpeg,image/png,image/webp', 'aria-describedby': 'report-photo-hint', 'data-testid': 'report-photo', onchange: () => (draft.photo = photo.files?.[0]) });
  const submit = h('button', { type: 'submit', class: 'send', disabled: sending, 'aria-busy': sending ? 'true' : undefined, 'data-testid': 'report-submit' }, tx(sending ? 'form.sending' : 'form.submit'));
  const form = h(
    'form',
    { class: 'report-form', novalidate: true, 'data-testid': 'report-form', onsubmit: (event: Event) => void send(event, compound, building) },
    h('p', {}, tx('form.intro')),
    h('fieldset', { 'data-testid': 'report-categories' }, h('legend', {}, tx('form.category')), radios),
    h('label', { for: 'report-text', class: 'field' }, tx('form.text')),
    h('p', { class: 'hint', id: 'report-text-hint' }, tx('form.textHint', { max: REPORT_TEXT_MAX })),
    text,
    counter,
    h('label', { for: 'report-photo', class: 'field' }, tx('form.photo')),
    h('p', { class: 'hint', id: 'report-photo-hint' }, tx('form.photoHint')),
    photo,
    problemBox(),
    submit,
    h('p', { class: 'privacy' }, tx('form.privacy')),
    h('p', {}, h('a', { href: noticePagePath(compound, building) }, tx('form.back'))),
  );
  return [header(title, names?.compound.name), h('main', {}, form)];
}

/** The photo as a data URL: scaled when the browser can decode it, else as picked. */
async function photoData(file: File): Promise<string> {
  const scaled = (await downscale(file)) ?? file;
  if (scaled.size > PHOTO_MAX_BYTES) throw Object.assign(new Error('too large'), { code: 'PHOTO_TOO_LARGE' });
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new Error('unreadable'));
    reader.readAsDataURL(scaled);
  });
}

async function send(event: Event, compound: string, building: string): Promise<void> {
  event.preventDefault();
  if (sending) return;
  problem = !draft.category ? { key: 'form.needCategory' } : !draft.text.trim() ? { key: 'form.needText' } : undefined;
  if (problem) return render();
  sending = true;
  render();
  try {
    const body: ReportBody = { compound, building, category: draft.category!, text: draft.text.trim(), ...(draft.photo ? { photo: await photoData(draft.photo) } : {}) };
    const res = await fetch(REPORTS_API_PATH, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    const answer = (await res.json().catch(() => ({}))) as Partial<ReportReceipt> & { error?: string; params?: Record<string, unknown> };
    if (res.ok && answer.receipt) {
      location.assign(answer.receipt);
      return;
    }
    problem = { code: answer.error ?? (res.status === 413 ? 'PHOTO_TOO_LARGE' : undefined), ...(answer.params ? { params: answer.params } : {}) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    problem = code ? { code } : { key: 'err.network' };
  }
  sending = false;
  render();
  root.querySelector<HTMLElement>('[data-testid="report-problem"]')?.focus();
}

async function loadNames(compound: string, building: string): Promise<void> {
  try {
    const res = await fetch(noticeApiPath(compound, building), { headers: { accept: 'application/json' } });
    if (res.ok) names = (await res.json()) as NoticeAnswer;
    else if (res.status === 404 || res.status === 400) problem = { code: 'NOT_FOUND' };
  } catch {
    problem = { key: 'unreachable' };
  }
  render();
}

// ---- the receipt ----
let progress: ReportProgress | undefined;

function receiptView(): HTMLElement[] {
  const title = tx('receipt.title');
  document.title = progress ? `${title} · ${categoryText(lang, progress.category)}` : title;
  const body = progress
    ? [
        h('p', { class: `report-state state-${progress.state}`, 'data-testid': 'report-state', 'data-state': progress.state }, reportStateText(lang, progress.state)),
        h('p', {}, categoryText(lang, progress.category), ' · ', ...withTime('receipt.created', progress.createdAt)),
        h(
          'section',
          { 'aria-labelledby': 'report-steps' },
          h('h2', { id: 'report-steps' }, tx('receipt.steps')),
          h('ol', { class: 'report-steps', 'data-testid': 'report-steps' }, progress.steps.map((s) => h('li', { 'data-state': s.state }, reportStateText(lang, s.state), ' · ', time(s.at)))),
        ),
        h('p', { class: 'keep' }, tx('receipt.keep')),
        h('p', { class: 'updated' }, tx('receipt.updated', { time: noticeTime(Date.now(), Date.now(), lang) })),
      ]
    : problem
      ? []
      : [h('p', { class: 'none' }, tx('loading'))];
  const where = progress ? tx('receipt.where', { compound: progress.compound.name, building: progress.building.name }) : undefined;
  return [header(title, where), h('main', {}, problemBox(), body)];
}

/** A sentence with a <time> in it. */
function withTime(key: ReportKey, ts: number): Array<string | Node> {
  const [before = '', after = ''] = tx(key, { time: '\u0000' }).split('\u0000');
  return [before, time(ts), after];
}

async function loadProgress(id: string, token: string): Promise<void> {
  try {
    const res = await fetch(reportProgressApiPath(id, token), { headers: { accept: 'application/json' } });
    if (res.ok) {
      progress = (await res.json()) as ReportProgress;
      problem = undefined;
    } else if (res.status === 404 || res.status === 400) {
      progress = undefined;
      problem = { code: 'NOT_FOUND' };
    } else problem = { key: 'unreachable' };
  } catch {
    problem = { key: 'unreachable' };
  }
  render();
}

// ---- both ----
function render(): void {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  if (!target) {
    problem = { code: 'NOT_FOUND' };
    return fill(root, header(tx('form.heading')), h('main', {}, problemBox()));
  }
  fill(root, ...(target.page === 'form' ? formView(target.compound, target.building) : receiptView()));
}

function setLang(next: NoticeLang): void {
  lang = next;
  localStorage.setItem('lang', next);
  render();
  root.querySelector<HTMLButtonElement>('button.lang')?.focus();
}

render();
if (target?.page === 'form') void loadNames(target.compound, target.building);
if (target?.page === 'receipt') {
  const { id, token } = target;
  void loadProgress(id, token);
  setInterval(() => void loadProgress(id, token), REPORT_REFRESH_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void loadProgress(id, token);
  });
}
