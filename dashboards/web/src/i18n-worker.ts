/** The worker phone app's strings (installable app, offline list, system notifications), zh-CN first (merged into i18n.ts; English must name every key). */
export const workerZh = {
  'offline.since': '离线 · 最后更新 {time}',
  'offline.never': '离线 · 尚未取得告警列表',
  'act.notSent': '无法连接到平台，操作未发送：恢复连接后请重试',
  'notify.enable': '开启通知',
  'notify.on': '通知已开启',
  'notify.blocked': '通知已被浏览器禁止：请在浏览器的网站设置中允许',
  'notify.unsupported': '此浏览器不能显示系统通知',
  'notify.dispatched': '新告警',
  'notify.escalated': '已升级，由你处理',
  'notify.reassigned': '已转派给你',
  'notify.reminded': '提醒：尚未接单',
  'notify.called': '请你协助处理',
  'update.ready': '有新版本',
  'update.apply': '更新',
};

export type WorkerKey = keyof typeof workerZh;

export const workerEn: Record<WorkerKey, string> = {
  'offline.since': 'Offline · last updated {time}',
  'offline.never': 'Offline · no alert list yet',
  'act.notSent': 'Cannot reach the hub: nothing was sent. Try again when back online',
  'notify.enable': 'Turn on notifications',
  'notify.on': 'Notifications on',
  'notify.blocked': 'Notifications are blocked: allow them in the browser’s site settings',
  'notify.unsupported': 'This browser cannot show notifications',
  'notify.dispatched': 'New alert',
  'notify.escalated': 'Escalated to you',
  'notify.reassigned': 'Reassigned to you',
  'notify.reminded': 'Reminder: not accepted yet',
  'notify.called': 'You are called to help',
  'update.ready': 'A new version is ready',
  'update.apply': 'Update',
};
