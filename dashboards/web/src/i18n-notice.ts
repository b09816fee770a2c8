/**
 * Words of the public building notice page (notice-page.ts), zh-CN first, English second. Kept
 * apart from i18n.ts so the residents' page loads no dashboard dictionaries; the chosen language
 * is the same `lang` setting the dashboards keep.
 */
import type { NoticeState } from '../../../src/contracts/notice.ts';
import type { DeviceType } from '../../../src/contracts/device-types.ts';

export type NoticeLang = 'zh' | 'en';

const zh = {
  title: '{building} 设施公告',
  heading: '楼栋设施公告',
  'open.title': '当前停用或受阻',
  'open.none': '目前没有停用或受阻的设施。',
  'fixed.title': '最近 24 小时已修复',
  'fixed.none': '最近 24 小时没有修复记录。',
  since: '自 {time} 起',
  fixedAt: '已于 {time} 修复',
  'state.reported': '已上报，等待处理',
  'state.in_progress': '正在维修',
  'state.fixed': '已修复',
  updated: '更新于 {time}，每 30 秒自动刷新',
  loading: '正在加载…',
  notFound: '找不到这栋楼的公告，请核对二维码或联系物业。',
  unreachable: '暂时无法连接，稍后自动重试。',
  toggle: 'English',
  toggleAria: 'Show this page in English',
  privacy: '本页只显示设施状态，不含任何个人信息。',
  report: '报告问题',
  'type.elevator': '电梯',
  'type.manhole': '井盖',
  'type.fire_lane': '消防通道',
  'type.parking': '车位',
};
type Key = keyof typeof zh;

const en: Record<Key, string> = {
  title: '{building}: building notice',
  heading: 'Building notice',
  'open.title': 'Out of service or blocked now',
  'open.none': 'Nothing is out of service or blocked at the moment.',
  'fixed.title': 'Fixed in the last 24 hours',
  'fixed.none': 'Nothing was fixed in the last 24 hours.',
  since: 'since {time}',
  fixedAt: 'Fixed at {time}',
  'state.reported': 'Reported, waiting for repair',
  'state.in_progress': 'Being repaired',
  'state.fixed': 'Fixed',
  updated: 'Updated {time}; refreshes every 30 seconds',
  loading: 'Loading…',
  notFound: 'There is no notice for this building: check the QR code or ask the property desk.',
  unreachable: 'Cannot reach the hub right now; trying again shortly.',
  toggle: '中文',
  toggleAria: '用中文显示本页',
  privacy: 'This page shows the state of the facilities only, never personal data.',
  report: 'Report a problem',
  'type.elevator': 'Elevator',
  'type.manhole': 'Manhole cover',
  'type.fire_lane': 'Fire lane',
  'type.parking': 'Parking space',
};

export function noticeText(lang: NoticeLang, key: Key, vars: Record<string, string> = {}): string {
  return (lang === 'zh' ? zh : en)[key].replace(/\{(\w+)\}/g, (_, name: string) => vars[name] ?? '');
}

export const stateText = (lang: NoticeLang, state: NoticeState): string => noticeText(lang, `state.${state}`);
export const typeText = (lang: NoticeLang, type: DeviceType): string => noticeText(lang, `type.${type}`);
