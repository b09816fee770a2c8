/**
 * Shapes of HTTP API answers that the dashboards read (the server's zod schemas say the
 * same): closed-loop figures, people, silences and coded errors.
 */
import type { DeviceType } from './device-types.ts';
import type { Role } from './access.ts';

/** Every refused request: a code from the catalogue (src/errors.ts) the UI translates, an English message, and values for the translation. */
export interface ApiErrorBody {
  error: string;
  message: string;
  params?: Record<string, string | number>;
}

/** Someone the logged-in user may see by name. */
export interface Person {
  id: string;
  name: string;
  role: Role;
}

/** A party of the loop (a routing group, docs/parties.md), as `GET /api/parties` names it: no members. */
export interface PartyView {
  id: string;
  name: string;
  nameEn?: string;
  kind: 'property' | 'community' | 'committee' | 'department';
  /** The compounds it covers; absent: every compound. */
  compounds?: string[];
}

/** `GET /api/parties`: the parties that cover the user's compounds. */
export interface PartiesAnswer {
  parties: PartyView[];
}

/** `GET /api/people`: everyone the user works with, by name. `GET /api/alerts/{id}/assignees`: who may take that alert. */
export interface PeopleAnswer {
  people: Person[];
}

import type { EvaluatingParty } from '../alerts/alert.types.ts';

/** Closed-loop figures. Times are in seconds. */
export interface Figures {
  alerts: number;
  accepted: number;
  resolved: number;
  closed: number;
  escalated: number;
  timeToAccept: { mean: number | null; p90: number | null };
  timeToResolve: { mean: number | null; p90: number | null };
  /** Alerts whose SLA outcome is known: kept (accepted and resolved in time) or missed (a deadline passed, done or not). */
  slaCounted: number;
  slaMissed: number;
  /** slaKept = (slaCounted - slaMissed) / slaCounted; null when nothing is counted yet. */
  slaKept: number | null;
  /** Alerts not closed whose current step is past its deadline now. */
  openOverdue: number;
  /** Rescues: dispatched alerts of rules that need arrival on site (到场, elevator rescue). */
  rescues: number;
  /** Rescues checked in on site, in time or late. */
  arrived: number;
  /** Dispatch → check-in on site. */
  timeToArrive: { mean: number | null; p90: number | null };
  /** Rescues whose arrival outcome is known: on site (in time or late), or not on site once the deadline passed (open, or resolved after it). */
  arrivalCounted: number;
  /** On site within the deadline (30 min in a city, 1 h in a county, or the rule's own). */
  arrivedInTime: number;
  /** 30 分钟到达率: arrivedInTime / arrivalCounted; null when nothing is counted yet. */
  arrivalRate: number | null;
  /** Alerts handed over (流转) to another party at least once. */
  handedOver: number;
  /** Evaluation (评价) of the closed alerts: every rating, and by the party that rated. */
  satisfaction: Satisfaction & { byParty: Record<EvaluatingParty, Satisfaction> };
}

/** Ratings 1–5: how many, their mean, and the share of satisfied ones (4 or 5). */
export interface Satisfaction {
  ratings: number;
  mean: number | null;
  /** Ratings of 4 or 5. */
  satisfied: number;
  /** satisfied / ratings; null without ratings. */
  rate: number | null;
}

export interface StatsAnswer {
  from: number;
  to: number;
  overall: Figures;
  byCompound: Record<string, Figures>;
  byWorker: Record<string, Figures>;
  /** By street (街道) id: the registry's street of each compound. */
  byStreet: Record<string, Figures>;
  byRule: Record<string, Figures>;
  /** By party (routing group) the alerts were handed over to (last hand-over). */
  byParty: Record<string, Figures>;
  perDay: Record<string, number>;
}

/** A silence (maintenance window): matching conditions raise no alert until `until`. */
export interface SilenceView {
  id: string;
  compound?: string;
  deviceKey?: string;
  type?: DeviceType;
  ruleId?: string;
  from: number;
  until: number;
  reason: string;
  /** Login of who made it. */
  actor: string;
}

/** How to reach a person on their phone: the mobile number and the ids WeCom, DingTalk and Feishu robots @mention. */
export interface Contact {
  /** Mainland mobile number, 11 digits (WeCom `mentioned_mobile_list`, DingTalk `at.atMobiles`). */
  mobile?: string;
  /** WeCom (企业微信) userid. */
  wecom?: string;
  /** DingTalk (钉钉) userId. */
  dingtalk?: string;
  /** Feishu (飞书) open_id / user_id for `<at user_id=…>`. */
  feishu?: string;
}

/** `POST /api/alerts/{id}/arrive`: the assignee checks in on site; the position is the browser's, when allowed. */
export interface ArriveBody {
  position?: { lat: number; lon: number; accuracyM?: number };
  note?: string;
}
