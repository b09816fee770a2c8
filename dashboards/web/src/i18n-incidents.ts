/** Strings of incident alerts (one alert for many devices), zh-CN first; merged into i18n.ts (English must name every key). */
export const incidentsZh = {
  'incident.where': '{n} 台设备 · {place}',
  'incident.members': '涉及设备：当前 {n} 台，最多 {peak} 台',
  'incident.ownAlert': '另有单独告警',
  'incident.left': '已恢复',
  'incident.listSep': '、',
  'incident.silenceScope': '将屏蔽：{what}。屏蔽期间本小区此类异常不再告警，也不加入此事件；此事件本身仍需处理。',
};

export const incidentsEn: Record<keyof typeof incidentsZh, string> = {
  'incident.where': '{n} devices · {place}',
  'incident.members': 'Devices: {n} now, {peak} at most',
  'incident.ownAlert': 'has its own alert',
  'incident.left': 'recovered',
  'incident.listSep': ', ',
  'incident.silenceScope': 'Silences: {what}. Meanwhile such conditions in this compound raise no alert and do not join this incident; the incident itself stays to be handled.',
};
