/** zh-CN first, English second: every UI string, and times in the browser's zone. */
import { adminEn, adminZh } from './i18n-admin.ts';
import { workerEn, workerZh } from './i18n-worker.ts';
import { workflowEn, workflowZh } from './i18n-workflow.ts';
import { incidentsEn, incidentsZh } from './i18n-incidents.ts';
import { mfaEn, mfaZh } from './i18n-mfa.ts';
import { planEn, planZh } from './i18n-plan.ts';
import { districtEn, districtZh } from './i18n-district.ts';
import { deskEn, deskZh } from './i18n-desk.ts';
import { phoneEn, phoneZh } from './i18n-phone.ts';
import { partiesEn, partiesZh } from './i18n-parties.ts';
import { placesEn, placesZh } from './i18n-places.ts';
import { northboundEn, northboundZh } from './i18n-northbound.ts';

const zh = {
  product: '智慧小区监测',
  'skip.toContent': '跳到主要内容',
  'announce.critical': '紧急告警：{what} · {where}',
  'login.title': '登录',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.wrong': '用户名或密码错误',
  'login.limited': '尝试次数过多，请 {s} 秒后再试',
  'login.locked': '此账号登录失败次数过多，已锁定至 {until}；管理员可以解锁',
  'password.title': '首次登录请修改密码',
  'password.current': '当前密码',
  'password.next': '新密码（至少 12 个字符，不要用账号名或常见密码）',
  'password.weak.too_short': '新密码太短：至少 {min} 个字符',
  'password.weak.login_id': '新密码不能由账号名构成（加数字或符号也不行）',
  'password.weak.common': '这是最常见的密码之一，请换一个',
  'password.weak.repetitive': '新密码不能只是一个或几个字符的重复',
  'password.submit': '修改密码',
  'password.wrong': '当前密码不正确',
  logout: '退出',
  'conn.online': '实时',
  'conn.offline': '重连中…',
  'role.admin': '管理员', 'role.manager': '物业经理', 'role.worker': '网格员', 'role.viewer': '街道/区运营',
  'type.elevator': '电梯', 'type.manhole': '井盖', 'type.fire_lane': '消防通道', 'type.parking': '车位',
  'sev.critical': '紧急', 'sev.major': '重要', 'sev.minor': '一般', 'sev.info': '提示',
  'wf.new': '新建', 'wf.dispatched': '已派发', 'wf.accepted': '已接单', 'wf.resolved': '已处置，待确认', 'wf.closed': '已关闭',
  'cond.active': '仍在发生', 'cond.cleared': '已恢复',
  online: '在线', offline: '离线',
  'nav.district': '辖区总览', 'nav.worker': '我的工单', 'nav.compound': '小区',
  'totals.online': '设备在线',
  'totals.elevatorFault': '电梯故障',
  'totals.elevatorMaint': '电梯检修',
  'totals.manholeAbnormal': '井盖异常',
  'totals.laneBlocked': '消防通道占用',
  'totals.parkingFree': '空闲车位',
  'parking.resident': '业主', 'parking.visitor': '访客', 'parking.charging': '充电', 'parking.fire': '消防',
  'alerts.open': '未关闭告警',
  'notice.qr': '打印楼栋公告二维码（新窗口）',
  'alerts.none': '暂无告警',
  'alerts.mine': '我的告警',
  'alerts.mineNone': '没有待处理的告警',
  'alert.assignee': '处理人',
  'alert.raised': '发生',
  'alert.due': '时限',
  'alert.left': '剩余 {d}',
  'alert.count': '{n} 次',
  'act.accept': '接单', 'act.resolve': '处置完成', 'act.close': '确认关闭', 'act.reopen': '重新打开',
  'act.reassign': '转派', 'act.comment': '备注', 'act.silence': '屏蔽', 'act.send': '提交', 'act.cancel': '取消',
  'note.resolve': '现场情况和处置结果（必填）',
  'note.comment': '备注内容',
  'note.reopen': '重新打开的原因',
  'waiting': '等待物业确认',
  'devices.title': '设备',
  'plan.title': '小区平面图',
  'history.title': '历史曲线',
  'history.pick': '点击平面图或列表中的设备查看历史',
  'history.none': '该时段没有数据',
  'history.liveOnly': '未配置 InfluxDB，历史数据不可用',
  'field': '字段',
  'history.range': '时间范围',
  'range.1h': '1 小时', 'range.6h': '6 小时', 'range.24h': '24 小时', 'range.7d': '7 天',
  'district.title': '辖区总览',
  'district.compounds': '小区',
  'district.online': '在线率',
  'district.open': '未关闭告警',
  'stats.alerts': '告警数（7 天）',
  'stats.mtta': '平均接单用时',
  'stats.mttr': '平均处置用时',
  'stats.p90': 'P90',
  'stats.sla': 'SLA 达成率',
  'stats.perDay': '每日告警',
  'noAccess': '无权查看此内容',
  'blocked.for': '已占用 {d}',
  'clear': '畅通',
  'blocked': '占用',
  'free': '空闲',
  'occupied': '占用',
  'dir.up': '上行', 'dir.down': '下行', 'dir.idle': '停止',
  'door.open': '门开', 'door.closed': '门关',
  'mode.normal': '正常', 'mode.inspection': '检修', 'mode.maintenance': '维保', 'mode.fire': '消防',
  'floor': '{n} 层',
  'ago': '{d}前', 'just': '刚刚',
  'unit.s': '{n} 秒', 'unit.m': '{n} 分钟', 'unit.h': '{n} 小时', 'unit.d': '{n} 天',
  'login.expired': '登录已失效，请重新登录',
  'actor.hub': '系统',
  'alert.value': '{field} {value}',
  'overdue.accept': '接单已超时 {d}',
  'overdue.resolve': '处置已超时 {d}',
  'escalated': '已升级 {n} 次，现由 {who} 处理',
  'escalated.nobody': '已升级 {n} 次',
  'close.explain': '情况仍在发生，确认关闭需填写原因',
  'close.note': '关闭原因（必填）',
  'reassign.label': '转派给',
  'reassign.loading': '正在载入可转派人员…',
  'reassign.none': '没有可转派的人员',
  'reassign.done': '已转派给 {who}',
  'silence.title': '屏蔽此告警',
  'silence.duration': '屏蔽时长',
  'silence.reason': '屏蔽原因',
  'silence.done': '已屏蔽「{what}」至 {until}',
  'silence.merged': '已有相同屏蔽，已合并：「{what}」至 {until}',
  'silence.until': '已屏蔽至 {until}',
  'silences.title': '屏蔽中',
  'silences.none': '没有生效的屏蔽',
  'silences.allRules': '所有规则',
  'silences.compound': '整个小区',
  'silences.district': '全辖区',
  'silences.by': '{who} 设置',
  'silences.untilLabel': '至 {until}',
  'silences.end': '解除',
  'silences.endLabel': '解除屏蔽：{what}',
  'silences.ended': '已解除屏蔽：{what}',
  'district.overdue': '超时与升级告警',
  'district.overdueNone': '没有超时或升级的告警',
  'district.holder': '处理人 {who}',
  'district.nobody': '无人处理',
  'district.devices': '在线 {online}/{count} 台',
  'stats.slaDetail': '已到期 {counted} 条中 {missed} 条超时',
  'stats.openOverdue': '进行中超时',
  'stats.overdueEscalated': '超时与升级（进行中）',
  'chart.time': '时间',
  'yes': '是', 'no': '否',
  'field.floor': '楼层', 'field.direction': '运行方向', 'field.doorOpen': '门开', 'field.moving': '运行中', 'field.speed': '速度',
  'field.loadPct': '载重', 'field.occupied': '占用', 'field.mode': '模式', 'field.tiltDeg': '倾角', 'field.displaced': '移位',
  'field.open': '开启', 'field.waterLevelCm': '水位', 'field.gasPpm': '甲烷', 'field.h2sPpm': '硫化氢', 'field.batteryPct': '电量',
  'field.objectType': '占用物', 'field.confidence': '置信度', 'field.spaceKind': '车位类型',
  'err.NOT_FOUND': '找不到该内容，可能已被删除或关闭',
  'err.INVALID_TRANSITION': '该告警当前状态不允许此操作（可能已被他人处理）',
  'err.BAD_REQUEST': '填写的内容不完整或无效',
  'err.UNAUTHORIZED': '请先登录',
  'err.FORBIDDEN': '无权进行此操作或查看此内容',
  'err.RATE_LIMITED': '操作过于频繁，请稍后再试',
  'err.PASSWORD_CHANGE_REQUIRED': '请先修改一次性密码',
  'err.PASSWORD_WEAK': '新密码不符合密码要求（至少 12 个字符，不能是账号名或常见密码）',
  'err.CONDITION_ACTIVE': '情况仍在发生，不能直接关闭：请填写原因后确认关闭',
  'err.ASSIGNEE_INVALID': '此人不能处理该告警，请从列表中选择',
  'err.SILENCE_TOO_LONG': '屏蔽时间过长，最长 {max}',
  'err.SILENCE_NEEDS_ADMIN': '屏蔽紧急规则或整台设备需要管理员操作',
  'err.STORE_UNAVAILABLE': '未配置历史数据存储',
  'err.QUERY_INVALID': '历史查询条件无效',
  'err.QUERY_FAILED': '历史数据查询失败，请稍后再试',
  'err.CONFLICT': '内容已存在，或已被他人修改：请刷新后再试',
  'err.ROUTING_INVALID': '派单设置有误：有条目找不到能处理的人员',
  'err.RULES_INVALID': '告警规则有误，请按提示修改',
  'err.REGISTRY_INVALID': '设备信息有误，请按提示修改',
  'err.CONFIG_INVALID': '设置有误，请按提示修改',
  'err.STATE_UNAVAILABLE': '平台数据库暂时无法访问，请稍后再试',
  'err.STATE_UNSUPPORTED': '平台当前使用的数据库不支持此操作',
  'err.STATE_TOO_NEW': '平台数据库由更新版本写入，请升级平台',
  'err.INTERNAL': '平台内部错误，请稍后再试',
  'err.unknown': '操作未成功，请稍后再试',
  'err.network': '无法连接到平台，请检查网络',
  'lang': 'English',
  'lang.code': 'en',
  'nav.label': '页面',
  'object.car': '汽车', 'object.ebike': '电动车', 'object.goods': '杂物', 'object.unknown': '不明物体',
  ...adminZh,
  ...workerZh,
  ...workflowZh,
  ...incidentsZh,
  ...deskZh,
  ...mfaZh,
  ...planZh,
  ...districtZh,
  ...phoneZh,
  ...partiesZh,
  ...placesZh,
  ...northboundZh,
};

export type Key = keyof typeof zh;

const en: Record<Key, string> = {
  product: 'Compound Hub',
  'skip.toContent': 'Skip to main content',
  'announce.critical': 'Critical alert: {what} · {where}',
  'login.title': 'Log in',
  'login.username': 'User name',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.wrong': 'Wrong user name or password',
  'login.limited': 'Too many attempts: try again in {s} s',
  'login.locked': 'Too many failed logins for this account: locked until {until}. An admin can unlock it.',
  'password.title': 'Please change your password',
  'password.current': 'Current password',
  'password.next': 'New password (12+ characters, not your login id or a common password)',
  'password.weak.too_short': 'The new password is too short: use at least {min} characters',
  'password.weak.login_id': 'The new password must not be made of your login id (adding digits or symbols does not help)',
  'password.weak.common': 'This is one of the most common passwords: choose another',
  'password.weak.repetitive': 'The new password must not be one or a few characters repeated',
  'password.submit': 'Change password',
  'password.wrong': 'The current password is wrong',
  logout: 'Log out',
  'conn.online': 'Live',
  'conn.offline': 'Reconnecting…',
  'role.admin': 'Admin', 'role.manager': 'Property manager', 'role.worker': 'Grid worker', 'role.viewer': 'Street/district',
  'type.elevator': 'Elevator', 'type.manhole': 'Manhole', 'type.fire_lane': 'Fire lane', 'type.parking': 'Parking',
  'sev.critical': 'Critical', 'sev.major': 'Major', 'sev.minor': 'Minor', 'sev.info': 'Info',
  'wf.new': 'New', 'wf.dispatched': 'Dispatched', 'wf.accepted': 'Accepted', 'wf.resolved': 'Resolved, to confirm', 'wf.closed': 'Closed',
  'cond.active': 'Still happening', 'cond.cleared': 'Cleared',
  online: 'Online', offline: 'Offline',
  'nav.district': 'District', 'nav.worker': 'My alerts', 'nav.compound': 'Compound',
  'totals.online': 'Devices online',
  'totals.elevatorFault': 'Elevators in fault',
  'totals.elevatorMaint': 'Elevators in maintenance',
  'totals.manholeAbnormal': 'Manholes abnormal',
  'totals.laneBlocked': 'Fire lanes blocked',
  'totals.parkingFree': 'Free spaces',
  'parking.resident': 'Resident', 'parking.visitor': 'Visitor', 'parking.charging': 'Charging', 'parking.fire': 'Fire',
  'alerts.open': 'Open alerts',
  'notice.qr': 'Print building notice QR codes (new window)',
  'alerts.none': 'No alerts',
  'alerts.mine': 'My alerts',
  'alerts.mineNone': 'Nothing to do',
  'alert.assignee': 'Assignee',
  'alert.raised': 'Raised',
  'alert.due': 'Due',
  'alert.left': '{d} left',
  'alert.count': '{n}×',
  'act.accept': 'Accept', 'act.resolve': 'Resolve', 'act.close': 'Confirm & close', 'act.reopen': 'Reopen',
  'act.reassign': 'Reassign', 'act.comment': 'Comment', 'act.silence': 'Silence', 'act.send': 'Submit', 'act.cancel': 'Cancel',
  'note.resolve': 'What you found and did (required)',
  'note.comment': 'Comment',
  'note.reopen': 'Why reopen',
  'waiting': 'Waiting for the manager to confirm',
  'devices.title': 'Devices',
  'plan.title': 'Site plan',
  'history.title': 'History',
  'history.pick': 'Pick a device on the plan or in the list to see its history',
  'history.none': 'No data in this range',
  'history.liveOnly': 'No InfluxDB configured: history is not available',
  'field': 'Field',
  'history.range': 'Time range',
  'range.1h': '1 h', 'range.6h': '6 h', 'range.24h': '24 h', 'range.7d': '7 d',
  'district.title': 'District overview',
  'district.compounds': 'Compounds',
  'district.online': 'Online',
  'district.open': 'Open alerts',
  'stats.alerts': 'Alerts (7 days)',
  'stats.mtta': 'Mean time to accept',
  'stats.mttr': 'Mean time to resolve',
  'stats.p90': 'p90',
  'stats.sla': 'SLA kept',
  'stats.perDay': 'Alerts per day',
  'noAccess': 'You may not see this',
  'blocked.for': 'blocked for {d}',
  'clear': 'Clear',
  'blocked': 'Blocked',
  'free': 'Free',
  'occupied': 'Occupied',
  'dir.up': 'Up', 'dir.down': 'Down', 'dir.idle': 'Idle',
  'door.open': 'Door open', 'door.closed': 'Door closed',
  'mode.normal': 'Normal', 'mode.inspection': 'Inspection', 'mode.maintenance': 'Maintenance', 'mode.fire': 'Fire',
  'floor': 'Floor {n}',
  'ago': '{d} ago', 'just': 'just now',
  'unit.s': '{n} s', 'unit.m': '{n} min', 'unit.h': '{n} h', 'unit.d': '{n} d',
  'login.expired': 'Your login has expired: please log in again',
  'actor.hub': 'System',
  'alert.value': '{field} {value}',
  'overdue.accept': 'Accept overdue by {d}',
  'overdue.resolve': 'Resolve overdue by {d}',
  'escalated': 'Escalated {n}×, now with {who}',
  'escalated.nobody': 'Escalated {n}×',
  'close.explain': 'This is still happening: give a reason to close it anyway',
  'close.note': 'Why close it (required)',
  'reassign.label': 'Reassign to',
  'reassign.loading': 'Loading who can take it…',
  'reassign.none': 'Nobody else can take it',
  'reassign.done': 'Reassigned to {who}',
  'silence.title': 'Silence this alert',
  'silence.duration': 'For',
  'silence.reason': 'Reason',
  'silence.done': 'Silenced “{what}” until {until}',
  'silence.merged': 'Already silenced, merged: “{what}” until {until}',
  'silence.until': 'Silenced until {until}',
  'silences.title': 'Silenced',
  'silences.none': 'No silences in effect',
  'silences.allRules': 'all rules',
  'silences.compound': 'whole compound',
  'silences.district': 'district-wide',
  'silences.by': 'by {who}',
  'silences.untilLabel': 'until {until}',
  'silences.end': 'End',
  'silences.endLabel': 'End silence: {what}',
  'silences.ended': 'Silence ended: {what}',
  'district.overdue': 'Overdue and escalated',
  'district.overdueNone': 'Nothing overdue or escalated',
  'district.holder': 'with {who}',
  'district.nobody': 'nobody holds it',
  'district.devices': 'Online {online}/{count}',
  'stats.slaDetail': '{missed} of {counted} due missed',
  'stats.openOverdue': 'Open and overdue',
  'stats.overdueEscalated': 'Overdue or escalated (open)',
  'chart.time': 'Time',
  'yes': 'yes', 'no': 'no',
  'field.floor': 'Floor', 'field.direction': 'Direction', 'field.doorOpen': 'Door open', 'field.moving': 'Moving', 'field.speed': 'Speed',
  'field.loadPct': 'Load', 'field.occupied': 'Occupied', 'field.mode': 'Mode', 'field.tiltDeg': 'Tilt', 'field.displaced': 'Displaced',
  'field.open': 'Open', 'field.waterLevelCm': 'Water level', 'field.gasPpm': 'Methane', 'field.h2sPpm': 'H₂S', 'field.batteryPct': 'Battery',
  'field.objectType': 'Object', 'field.confidence': 'Confidence', 'field.spaceKind': 'Space kind',
  'err.NOT_FOUND': 'Not found: it may have been removed or closed',
  'err.INVALID_TRANSITION': 'The alert is not in a state that allows this (someone may have acted on it already)',
  'err.BAD_REQUEST': 'What was entered is incomplete or invalid',
  'err.UNAUTHORIZED': 'Please log in',
  'err.FORBIDDEN': 'You may not do or see this',
  'err.RATE_LIMITED': 'Too many attempts: please wait and try again',
  'err.PASSWORD_CHANGE_REQUIRED': 'Change your one-time password first',
  'err.PASSWORD_WEAK': 'The new password does not meet the policy (12+ characters, not the login id or a common password)',
  'err.CONDITION_ACTIVE': 'This is still happening and cannot simply be closed: give a reason to close it anyway',
  'err.ASSIGNEE_INVALID': 'That person cannot take this alert: pick someone from the list',
  'err.SILENCE_TOO_LONG': 'That silence is too long: at most {max}',
  'err.SILENCE_NEEDS_ADMIN': 'Silencing a critical rule or a whole device needs an admin',
  'err.STORE_UNAVAILABLE': 'No history storage is configured',
  'err.QUERY_INVALID': 'The history query is invalid',
  'err.QUERY_FAILED': 'The history query failed: please try again later',
  'err.CONFLICT': 'It exists already, or someone changed it meanwhile: reload and try again',
  'err.ROUTING_INVALID': 'The routing has an entry that resolves to nobody who can act',
  'err.RULES_INVALID': 'The rules are not valid: fix what is listed',
  'err.REGISTRY_INVALID': 'The device entries are not valid: fix what is listed',
  'err.CONFIG_INVALID': 'The settings are not valid: fix what is listed',
  'err.STATE_UNAVAILABLE': 'The hub cannot reach its database: please try again later',
  'err.STATE_UNSUPPORTED': 'The hub’s database does not support this',
  'err.STATE_TOO_NEW': 'The hub’s database was written by a newer version: upgrade the hub',
  'err.INTERNAL': 'Something went wrong in the hub: please try again later',
  'err.unknown': 'That did not work: please try again later',
  'err.network': 'Cannot reach the hub: check the network',
  'lang': '中文',
  'lang.code': 'zh-CN',
  'nav.label': 'Pages',
  'object.car': 'Car', 'object.ebike': 'E-bike', 'object.goods': 'Goods', 'object.unknown': 'Unknown object',
  ...adminEn,
  ...workerEn,
  ...workflowEn,
  ...incidentsEn,
  ...deskEn,
  ...mfaEn,
  ...planEn,
  ...districtEn,
  ...phoneEn,
  ...partiesEn,
  ...placesEn,
  ...northboundEn,
};

export type Lang = 'zh' | 'en';
let lang: Lang = localStorage.getItem('lang') === 'en' ? 'en' : 'zh';

export const currentLang = () => lang;

export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem('lang', next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
}
setLang(lang);

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = (lang === 'zh' ? zh : en)[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

/** A translated value of a known set (`type.elevator`, `sev.critical`, …), or the value itself. */
export function tOf(prefix: string, value: string): string {
  return tIf(prefix, value) ?? value;
}

/** The translation of `prefix.value` when there is one. */
export function tIf(prefix: string, value: string, vars: Record<string, string | number> = {}): string | undefined {
  const key = `${prefix}.${value}`;
  return Object.hasOwn(zh, key) ? t(key as Key, vars) : undefined;
}

/** 45 秒 / 12 分钟 / 3 小时 / 2 天. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return t('unit.s', { n: s });
  if (s < 3600) return t('unit.m', { n: Math.round(s / 60) });
  if (s < 86_400) return t('unit.h', { n: Math.round(s / 360) / 10 });
  return t('unit.d', { n: Math.round(s / 8640) / 10 });
}

export function ago(ts: number, now = Date.now()): string {
  return now - ts < 10_000 ? t('just') : t('ago', { d: duration(now - ts) });
}

/** The locale dates and numbers are written in: zh-CN, or the browser's English (en-GB when it has none). */
export function locale(): string {
  if (lang === 'zh') return 'zh-CN';
  return navigator.languages?.find((l) => l.toLowerCase().startsWith('en')) ?? 'en-GB';
}

/** Date and time formatting in the current language (24-hour clock in zh-CN). */
export function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(locale(), { ...(lang === 'zh' ? { hourCycle: 'h23' as const } : {}), ...options });
}

export function clock(ts: number): string {
  return dateFormat({ month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ts);
}

/** 14:30 today; 6月3日 14:30 on another day. */
export function until(ts: number, now = Date.now()): string {
  const sameDay = new Date(ts).toDateString() === new Date(now).toDateString();
  return dateFormat(sameDay ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(ts);
}

/** 2024/06/03 14:30:05: an absolute time with the date, in the browser's zone (logs, audit). */
export function stamp(ts: number): string {
  return dateFormat({ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ts);
}

/** 2024/06/03: a date alone. */
export function day(ts: number): string {
  return dateFormat({ year: 'numeric', month: '2-digit', day: '2-digit' }).format(ts);
}

export const yesNo = (value: boolean): string => t(value ? 'yes' : 'no');
