/**
 * Administration (docs/administration.md): one service per concern over the operational
 * state, each write validated, then stored, then the hub told (AdminHooks), then audited.
 * hub.ts builds the AdminDeps and hands them to the HTTP server (`ApiDeps.admin`).
 */
export type { AdminDeps, AdminHooks } from './admin.types.ts';
export { UsersAdmin, adminUser } from './users.admin.ts';
export { PlacesAdmin, placesOf } from './places.admin.ts';
export { DevicesAdmin, adminDevice, newDeviceSecret, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS } from './devices.admin.ts';
export { RoutingAdmin, currentRouting } from './routing.admin.ts';
export { RulesAdmin } from './rules.admin.ts';
export { ValidationError, isValidationError } from './issues.ts';

import type { AdminDeps } from './admin.types.ts';
import { UsersAdmin } from './users.admin.ts';
import { PlacesAdmin } from './places.admin.ts';
import { DevicesAdmin } from './devices.admin.ts';
import { RoutingAdmin } from './routing.admin.ts';
import { RulesAdmin } from './rules.admin.ts';

export interface Admin {
  users: UsersAdmin;
  places: PlacesAdmin;
  devices: DevicesAdmin;
  routing: RoutingAdmin;
  rules: RulesAdmin;
}

export function createAdmin(deps: AdminDeps): Admin {
  return {
    users: new UsersAdmin(deps),
    places: new PlacesAdmin(deps),
    devices: new DevicesAdmin(deps),
    routing: new RoutingAdmin(deps),
    rules: new RulesAdmin(deps),
  };
}
