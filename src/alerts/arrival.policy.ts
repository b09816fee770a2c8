/**
 * Arrival on site (到场, design.md §7): which alerts need someone on site and by when. The
 * deadline counts from dispatch: the rule's own minutes, else the routing's `arrival` by the
 * compound's area (TSG T5002: 30 min in a city with districts, 1 h elsewhere). The alert book
 * and the closed-loop figures ask the same policy, so a deadline is the same wherever it is read.
 */
import type { Rule } from '../rules/rule.schema.ts';
import type { CompoundArea } from '../config/registry.schema.ts';
import { distanceM, type GeoPoint } from '../util/geo-distance.ts';
import type { AlertsConfig } from './sla.config.ts';

/** What the policy needs of a compound: its area and, when known, where it is. */
export interface CompoundSite {
  area: CompoundArea;
  location?: GeoPoint;
}

/** The compound's site from the registry (undefined: unknown compound, taken as a city one without a location). */
export type CompoundSites = (compound: string) => CompoundSite | undefined;

/** Minutes from dispatch to arrival for a rule in a compound; undefined when the rule needs no arrival. */
export function arrivalMinutes(arrival: Rule['arrival'], site: CompoundSite | undefined, defaults: AlertsConfig['arrival']): number | undefined {
  if (!arrival) return undefined;
  return (site?.area ?? 'city') === 'county' ? (arrival.countyMin ?? defaults.countyMin) : (arrival.cityMin ?? defaults.cityMin);
}

export class ArrivalPolicy {
  #byRule = new Map<string, Rule['arrival']>();

  constructor(
    private readonly defaults: AlertsConfig['arrival'],
    rules: readonly Rule[],
    private readonly sites: CompoundSites,
  ) {
    this.setRules(rules);
  }

  /** Rules were reloaded: alerts dispatched from now on take their arrival settings. */
  setRules(rules: readonly Rule[]): void {
    this.#byRule = new Map(rules.filter((r) => r.arrival).map((r) => [r.id, r.arrival]));
  }

  /** Minutes from dispatch to arrival, or undefined when the alert's rule needs no arrival. */
  minutes(ruleId: string, compound: string): number | undefined {
    return arrivalMinutes(this.#byRule.get(ruleId), this.sites(compound), this.defaults);
  }

  /** Metres from the compound's registry location, rounded to the metre; undefined when either point is unknown. */
  distanceFromSite(compound: string, position: GeoPoint | undefined): number | undefined {
    const location = this.sites(compound)?.location;
    return position && location ? Math.round(distanceM(position, location)) : undefined;
  }
}

/** The sites of a registry's compounds, for the policy. */
export function sitesOf(registry: { compound(id: string): { area: CompoundArea; location?: GeoPoint } | undefined }): CompoundSites {
  return (compound) => {
    const info = registry.compound(compound);
    return info && { area: info.area, ...(info.location ? { location: info.location } : {}) };
  };
}
