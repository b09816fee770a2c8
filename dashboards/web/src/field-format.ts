/** Telemetry fields for people: their names in the user's language and their values with units (FIELD_UNITS). */
import { FIELD_UNITS } from '../../../src/contracts/field-units.ts';
import type { FieldValue } from '../../../src/contracts/live-events.ts';
import { locale, t, tOf } from './i18n.ts';

/** 楼层 / Floor; the field's own name when the UI does not know it. */
export const fieldLabel = (field: string): string => tOf('field', field);

export const unitOf = (field: string): string => FIELD_UNITS[field] ?? '';

/** 29.3°, 180 cm, 80%: a number with its field's unit (no space before ° and %). */
export function withUnit(field: string, value: number, maxDigits = 1): string {
  const unit = unitOf(field);
  const text = new Intl.NumberFormat(locale(), { maximumFractionDigits: maxDigits, useGrouping: false }).format(value);
  if (!unit) return text;
  return unit === '°' || unit === '%' ? `${text}${unit}` : `${text} ${unit}`;
}

/** Any field value as text: numbers with units, yes/no, known enum values translated. */
export function valueText(field: string, value: FieldValue | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number') return withUnit(field, value);
  if (typeof value === 'boolean') return value ? t('yes') : t('no');
  return value;
}

/** 倾角 29.3° */
export const fieldValueText = (field: string, value: FieldValue): string => t('alert.value', { field: fieldLabel(field), value: valueText(field, value) });

/** 倾角（°） / Tilt (°): a label for a chart or a picker. */
export function fieldWithUnit(field: string): string {
  const unit = unitOf(field);
  return unit ? `${fieldLabel(field)} (${unit})` : fieldLabel(field);
}
