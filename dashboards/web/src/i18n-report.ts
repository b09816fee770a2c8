/**
 * Words of the residents' report pages (report-page.ts: the form and the receipt), zh-CN first,
 * English second, with the hub's error codes these pages can meet. Kept apart from i18n.ts so
 * the residents' pages load no dashboard dictionaries; the language is the same `lang` setting.
 */
import type { ReportState } from '../../../src/contracts/reports.ts';
import type { DeviceType } from '../../../src/contracts/device-types.ts';
import type { NoticeLang } from './i18n-notice.ts';

const zh = {
  'form.title': '{building} 报告问题',
  'form.heading': '报告问题',
  'form.intro': '发现电梯、井盖、消防通道或车位的问题？请告诉物业。无需登录。',
  'form.category': '问题类别',
  'form.text': '问题描述',
  'form.textHint': '在哪里、发生了什么（最多 {max} 字）。请不要填写他人的个人信息。',
  'form.count': '还可输入 {left} 字',
  'form.photo': '照片（可选）',
  'form.photoHint': 'JPEG、PNG 或 WebP，会自动压缩。',
  'form.submit': '提交报告',
  'form.sending': '正在提交…',
  'form.needCategory': '请选择问题类别。',
  'form.needText': '请填写问题描述。',
  'form.privacy': '您的报告只有物业和处理人员能看到，不会出现在楼栋公告上。',
  'form.back': '返回楼栋公告',
  'receipt.title': '报告进度',
  'receipt.keep': '请收藏或保存本页链接：凭此链接查看处理进度，他人无法看到您的报告内容。',
  'receipt.created': '提交于 {time}',
  'receipt.where': '{compound} · {building}',
  'receipt.steps': '处理经过',
  'receipt.updated': '更新于 {time}，每 30 秒自动刷新',
  'state.reported': '已提交，等待处理',
  'state.in_progress': '正在处理',
  'state.fixed': '已处理完毕',
  'state.closed_as_spam': '已关闭（经物业核实为无效报告）',
  'type.elevator': '电梯',
  'type.manhole': '井盖',
  'type.fire_lane': '消防通道',
  'type.parking': '车位',
  loading: '正在加载…',
  unreachable: '暂时无法连接，稍后自动重试。',
  toggle: 'English',
  toggleAria: 'Show this page in English',
  'err.NOT_FOUND': '找不到该报告或楼栋，请核对链接或二维码。',
  'err.BAD_REQUEST': '填写的内容不完整或无效，请检查后再提交。',
  'err.RATE_LIMITED': '提交过于频繁，请约 {min} 分钟后再试。',
  'err.PHOTO_TYPE': '照片须为 JPEG、PNG 或 WebP 图片。',
  'err.PHOTO_TOO_LARGE': '照片太大，请换一张或重新拍摄。',
  'err.unknown': '提交未成功，请稍后再试。',
  'err.network': '无法连接到平台，请检查网络后再试。',
};
export type ReportKey = keyof typeof zh;

const en: Record<ReportKey, string> = {
  'form.title': '{building}: report a problem',
  'form.heading': 'Report a problem',
  'form.intro': 'Something wrong with an elevator, a manhole cover, a fire lane or a parking space? Tell the property desk. No login needed.',
  'form.category': 'What kind of problem',
  'form.text': 'What is wrong',
  'form.textHint': 'Where, and what happened (at most {max} characters). Please give no one else’s personal details.',
  'form.count': '{left} characters left',
  'form.photo': 'Photo (optional)',
  'form.photoHint': 'JPEG, PNG or WebP; made smaller before sending.',
  'form.submit': 'Send report',
  'form.sending': 'Sending…',
  'form.needCategory': 'Choose what kind of problem it is.',
  'form.needText': 'Say what is wrong.',
  'form.privacy': 'Only the property desk and the people handling it see your report; it is never shown on the building notice.',
  'form.back': 'Back to the building notice',
  'receipt.title': 'Report progress',
  'receipt.keep': 'Bookmark or keep this page’s link: it is how you follow the progress, and nobody else can see your report.',
  'receipt.created': 'Sent {time}',
  'receipt.where': '{compound} · {building}',
  'receipt.steps': 'What happened',
  'receipt.updated': 'Updated {time}; refreshes every 30 seconds',
  'state.reported': 'Reported, waiting to be handled',
  'state.in_progress': 'Being handled',
  'state.fixed': 'Handled',
  'state.closed_as_spam': 'Closed (the property desk found the report invalid)',
  'type.elevator': 'Elevator',
  'type.manhole': 'Manhole cover',
  'type.fire_lane': 'Fire lane',
  'type.parking': 'Parking space',
  loading: 'Loading…',
  unreachable: 'Cannot reach the hub right now; trying again shortly.',
  toggle: '中文',
  toggleAria: '用中文显示本页',
  'err.NOT_FOUND': 'There is no such report or building: check the link or the QR code.',
  'err.BAD_REQUEST': 'Something is missing or invalid: check and send again.',
  'err.RATE_LIMITED': 'Too many reports: try again in about {min} minutes.',
  'err.PHOTO_TYPE': 'The photo must be a JPEG, PNG or WebP image.',
  'err.PHOTO_TOO_LARGE': 'The photo is too large: choose another or take it again.',
  'err.unknown': 'The report was not sent: try again later.',
  'err.network': 'Cannot reach the hub: check the network and try again.',
};

export function reportText(lang: NoticeLang, key: ReportKey, vars: Record<string, string | number> = {}): string {
  return (lang === 'zh' ? zh : en)[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

export const reportStateText = (lang: NoticeLang, state: ReportState): string => reportText(lang, `state.${state}`);
export const categoryText = (lang: NoticeLang, type: DeviceType): string => reportText(lang, `type.${type}`);

/** The sentence for a hub error code these pages can meet (others: the generic one). */
export function reportErrorText(lang: NoticeLang, code: string | undefined, params: Record<string, unknown> = {}): string {
  const key = `err.${code}` as ReportKey;
  if (!code || !(key in zh)) return reportText(lang, 'err.unknown');
  const min = typeof params.retryAfterSec === 'number' ? Math.max(1, Math.ceil(params.retryAfterSec / 60)) : 60;
  return reportText(lang, key, { min });
}
