/** zh-CN first, English second: every UI string, and times in the browser's zone. */
const zh = {
  product: '智慧小区监测',
  'login.title': '登录',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.wrong': '用户名或密码错误',
  'login.limited': '尝试次数过多，请 {s} 秒后再试',
  'password.title': '首次登录请修改密码',
  'password.current': '当前密码',
  'password.next': '新密码（至少 10 个字符）',
  'password.submit': '修改密码',
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
  'alerts.none': '暂无告警',
  'alerts.mine': '我的告警',
  'alerts.mineNone': '没有待处理的告警',
  'alert.assignee': '处理人',
  'alert.raised': '发生',
  'alert.due': '时限',
  'alert.overdue': '已超时 {d}',
  'alert.left': '剩余 {d}',
  'alert.count': '{n} 次',
  'act.accept': '接单', 'act.resolve': '处置完成', 'act.close': '确认关闭', 'act.reopen': '重新打开',
  'act.reassign': '转派', 'act.comment': '备注', 'act.silence': '屏蔽 2 小时', 'act.send': '提交', 'act.cancel': '取消',
  'note.resolve': '现场情况和处置结果（必填）',
  'note.comment': '备注内容',
  'note.reopen': '重新打开的原因',
  'assignee.prompt': '转派给（用户名）',
  'waiting': '等待物业确认',
  'devices.title': '设备',
  'plan.title': '小区平面图',
  'history.title': '历史曲线',
  'history.pick': '点击平面图或列表中的设备查看历史',
  'history.none': '该时段没有数据',
  'history.liveOnly': '未配置 InfluxDB，历史数据不可用',
  'field': '字段',
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
  'error': '出错了：{m}',
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
  'lang': 'English',
  'f.tilt': '倾角', 'f.water': '水位', 'f.battery': '电量',
};

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  product: 'Compound Hub',
  'login.title': 'Log in',
  'login.username': 'User name',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.wrong': 'Wrong user name or password',
  'login.limited': 'Too many attempts: try again in {s} s',
  'password.title': 'Please change your password',
  'password.current': 'Current password',
  'password.next': 'New password (10+ characters)',
  'password.submit': 'Change password',
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
  'alerts.none': 'No alerts',
  'alerts.mine': 'My alerts',
  'alerts.mineNone': 'Nothing to do',
  'alert.assignee': 'Assignee',
  'alert.raised': 'Raised',
  'alert.due': 'Due',
  'alert.overdue': 'Overdue by {d}',
  'alert.left': '{d} left',
  'alert.count': '{n}×',
  'act.accept': 'Accept', 'act.resolve': 'Resolve', 'act.close': 'Confirm & close', 'act.reopen': 'Reopen',
  'act.reassign': 'Reassign', 'act.comment': 'Comment', 'act.silence': 'Silence 2 h', 'act.send': 'Submit', 'act.cancel': 'Cancel',
  'note.resolve': 'What you found and did (required)',
  'note.comment': 'Comment',
  'note.reopen': 'Why reopen',
  'assignee.prompt': 'Reassign to (user id)',
  'waiting': 'Waiting for the manager to confirm',
  'devices.title': 'Devices',
  'plan.title': 'Site plan',
  'history.title': 'History',
  'history.pick': 'Pick a device on the plan or in the list to see its history',
  'history.none': 'No data in this range',
  'history.liveOnly': 'No InfluxDB configured: history is not available',
  'field': 'Field',
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
  'error': 'Something went wrong: {m}',
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
  'lang': '中文',
  'f.tilt': 'Tilt', 'f.water': 'Water', 'f.battery': 'Battery',
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
  const key = `${prefix}.${value}` as Key;
  return key in zh ? t(key) : value;
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

export function clock(ts: number): string {
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ts);
}
