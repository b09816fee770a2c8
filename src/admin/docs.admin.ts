/**
 * Documents edited whole (the routing and SLA config, the rules), with versions: a write names
 * the version it read and is refused with 409 CONFLICT (params.version = the current one) when
 * someone saved in between. Before the first save the state holds none: reading gives the
 * defaults as version 0, and a write naming version 0 creates the document.
 */
import { HubError } from '../errors.ts';
import type { DocAnswer } from '../contracts/admin.ts';
import type { DocName, StateStore, StoredDoc } from '../state/state.types.ts';

const LABEL: Record<DocName, string> = { alerts: 'routing', rules: 'rules' };

export async function readDoc(state: StateStore, name: DocName, defaults: () => unknown): Promise<DocAnswer> {
  const stored = await state.docs.get(name);
  return stored ?? { body: defaults(), version: 0, updatedAt: 0, updatedBy: '' };
}

/** Refuses a write that names another version than the current one (0: none saved yet). */
export async function checkVersion(state: StateStore, name: DocName, version: number): Promise<StoredDoc | undefined> {
  const stored = await state.docs.get(name);
  const current = stored?.version ?? 0;
  if (version !== current) {
    throw new HubError('CONFLICT', `${LABEL[name]}: version ${version} is not the current one (${current}): someone saved in between; read it again`, { params: { version: current } });
  }
  return stored;
}

/** Writes the document if it is still at `version` (the state checks again, in its transaction). */
export function writeDoc(state: StateStore, name: DocName, body: unknown, version: number, by: string, at: number): Promise<StoredDoc> {
  return state.docs.put(name, body, { expectedVersion: version, by, at });
}
