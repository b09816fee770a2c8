/**
 * Units of the telemetry fields (design.md §4), for people: the dashboards show every value
 * with its unit. No dependencies, so the browser bundle can import it.
 */
export const FIELD_UNITS: Readonly<Record<string, string>> = {
  floor: '',
  speed: 'm/s',
  loadPct: '%',
  tiltDeg: '°',
  waterLevelCm: 'cm',
  gasPpm: 'ppm',
  h2sPpm: 'ppm',
  batteryPct: '%',
  confidence: '',
};
