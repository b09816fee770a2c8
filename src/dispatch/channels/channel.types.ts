/**
 * A webhook channel (design.md §7): turns one alert message into the HTTP request its receiver
 * documents (body, signature), and reads the receiver's answer. Channels are pure: the
 * dispatcher owns the queue, the retries and the clock.
 */
import type { WebhookConfig } from '../../alerts/sla.config.ts';
import type { Contact } from '../../contracts/api.ts';
import type { AlertMessage } from './message-text.ts';

/** A person as a message names and mentions them. */
export interface Person {
  id: string;
  name: string;
  contact?: Contact;
}

/** What messages need to use names, not ids: passed in by the dispatch stage (registry, logins, routing). */
export interface Directory {
  compoundName(id: string): string | undefined;
  /** The registry's name of a device and of the building / zone it is in. */
  device(key: string): { name?: string; building?: string; zone?: string } | undefined;
  person(id: string): Person | undefined;
  /** Offset of the compounds' local time from UTC, in minutes (the routing's `utcOffsetMin`). */
  utcOffsetMin(): number;
}

export interface ChannelRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What the receiver's answer means: vendors answer HTTP 200 with an error code in the body. */
export type ChannelOutcome = { delivered: true } | { delivered: false; error: string; retry: boolean };

export interface Channel {
  /** The request for one message, signed at `at` (ms epoch): each attempt is signed anew. */
  request(message: AlertMessage, hook: WebhookConfig, at: number): ChannelRequest;
  outcome(status: number, body: string): ChannelOutcome;
}
