/**
 * Which errors Aedes reports for a connection are refusals of broken or hostile input, and
 * under which action they are counted. Aedes ends the connection on each of them; the
 * network going away (a device losing power) and the hub's own refusals, already counted
 * where they were made, are not counted again.
 */

/** Refusals the embedded broker counts besides its ACL decisions (connect, publish, subscribe). */
export type ProtocolRefusal = 'connect_timeout' | 'protocol';

/** Errors the broker made itself and has already counted. */
const counted = new WeakSet<Error>();

/** Marks an error the broker hands to Aedes after counting it. */
export function countedError(message: string): Error {
  const error = new Error(message);
  counted.add(error);
  return error;
}

/** Aedes errors that end a connection without anything wrong having been sent. */
const NOT_INPUT = new Set(['keep alive timeout', 'drain timeout', 'connection closed']);

export function refusalOf(error: Error & { code?: unknown }): ProtocolRefusal | undefined {
  if (counted.has(error)) return undefined;
  // Node's network and stream errors carry a code (ECONNRESET, EPIPE, ERR_STREAM_PREMATURE_CLOSE).
  if (typeof error.code === 'string') return undefined;
  if (error.message === 'connect did not arrive in time') return 'connect_timeout';
  if (NOT_INPUT.has(error.message)) return undefined;
  // Malformed packets, wildcards or too many levels in a PUBLISH topic, a packet before CONNECT, …
  return 'protocol';
}
