/**
 * Every migration this hub knows, in order: `NNNN-what`. Add a file and a line here; never change
 * a migration that has shipped. The newest number is the schema version.
 */
import type { Migration } from 'kysely';
import * as initial from './0001-initial.ts';
import * as contactsAndSites from './0002-contacts-and-sites.ts';
import * as mfa from './0003-mfa.ts';
import * as sitePlans from './0004-site-plans.ts';
import * as workerPhotos from './0005-worker-photos.ts';
import * as alertDesk from './0006-alert-desk.ts';
import * as partitionLeases from './0007-partition-leases.ts';
import * as cluster from './0008-cluster.ts';
import * as clusterLogins from './0009-cluster-logins.ts';
import * as northboundTokens from './0010-northbound-tokens.ts';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-contacts-and-sites': contactsAndSites,
  '0003-mfa': mfa,
  '0004-site-plans': sitePlans,
  '0005-worker-photos': workerPhotos,
  '0006-alert-desk': alertDesk,
  '0007-partition-leases': partitionLeases,
  '0008-cluster': cluster,
  '0009-cluster-logins': clusterLogins,
  '0010-northbound-tokens': northboundTokens,
};
