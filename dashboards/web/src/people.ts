/**
 * People by name: `GET /api/people` loaded once per view (and again on demand, e.g. when an
 * alert names someone not known yet), mapping login ids to names. The hub itself acts as 系统.
 * Parties (departments, `GET /api/parties`) by name too, for hand-overs.
 */
import type { PartiesAnswer, PartyView, PeopleAnswer, Person } from '../../../src/contracts/api.ts';
import type { Me } from '../../../src/contracts/live-events.ts';
import { api } from './api.client.ts';
import { currentLang, t } from './i18n.ts';

/** Unknown ids ask for the list again at most this often. */
const REFRESH_GAP_MS = 30_000;

export interface People {
  /** The person's name; 系统/System for the hub; the id itself when unknown. */
  name(id: string | undefined): string;
  /** Changes each time the list changes (for redrawing what shows names). */
  readonly version: number;
  refresh(): Promise<void>;
  /** A party's name in the user's language; the id itself when unknown. */
  party(id: string | undefined): string;
  /** The parties that cover a compound (hand-over targets). */
  partiesOf(compound: string): PartyView[];
}

export function loadPeople(me: Me, changed: () => void): People {
  const byId = new Map<string, Person>([[me.id, { id: me.id, name: me.name, role: me.role }]]);
  let parties: PartyView[] = [];
  let version = 0;
  let last = 0;
  let loading: Promise<void> | undefined;
  const refresh = () => {
    last = Date.now();
    loading ??= Promise.all([api<PeopleAnswer>('GET', '/api/people'), api<PartiesAnswer>('GET', '/api/parties').catch(() => ({ parties }))])
      .then(([{ people }, answer]) => {
        for (const p of people) byId.set(p.id, p);
        parties = answer.parties;
        version += 1;
        changed();
      })
      // Without the list, ids are shown: nothing else depends on it.
      .catch(() => undefined)
      .finally(() => (loading = undefined));
    return loading;
  };
  void refresh();
  return {
    name(id) {
      if (!id) return '';
      if (id === 'hub') return t('actor.hub');
      const person = byId.get(id);
      if (!person && !loading && Date.now() - last > REFRESH_GAP_MS) void refresh();
      return person?.name ?? id;
    },
    get version() {
      return version;
    },
    refresh,
    party(id) {
      const party = parties.find((p) => p.id === id);
      if (!party) return id ?? '';
      return currentLang() === 'en' && party.nameEn ? party.nameEn : party.name;
    },
    partiesOf: (compound) => parties.filter((p) => !p.compounds || p.compounds.includes(compound)),
  };
}
