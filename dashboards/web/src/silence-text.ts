/** What a silence mutes, for people: 电梯 1号梯 · 电梯困人, 整个小区 · 所有规则, 全辖区 · 井盖倾斜. */
import type { SilenceView } from '../../../src/contracts/api.ts';
import { t, tOf } from './i18n.ts';
import { ruleName } from './rule-names.ts';

export function silenceWhat(s: Pick<SilenceView, 'compound' | 'deviceKey' | 'type' | 'ruleId'>, deviceName: (deviceKey: string) => string, compoundName: (id: string) => string = (id) => id): string {
  const scope = s.deviceKey
    ? deviceName(s.deviceKey)
    : s.compound
      ? `${compoundName(s.compound)} ${t('silences.compound')}`
      : t('silences.district');
  const type = !s.deviceKey && s.type ? tOf('type', s.type) : undefined;
  return [scope, type, s.ruleId ? ruleName(s.ruleId) : t('silences.allRules')].filter(Boolean).join(' · ');
}
