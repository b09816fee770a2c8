/**
 * A compound's site plan, as administration changes it: the geometry (kept with the compound in
 * the registry, so the registry is rebuilt) and the uploaded plan image. Every change is audited.
 */
import type { AuditActor } from '../audit/audit.log.ts';
import type { PlanImageInfo, SitePlan } from '../contracts/site-plan.ts';
import { sitePlanSchema } from '../config/site-plan.schema.ts';
import { HubError } from '../errors.ts';
import type { AdminDeps } from './admin.types.ts';
import { changedAnything, changes, entry } from './audit.diff.ts';
import { parseWith } from './issues.ts';
import { checkPlanImage } from './plan-image.check.ts';

export class SitePlanAdmin {
  readonly #deps: AdminDeps;

  constructor(deps: AdminDeps) {
    this.#deps = deps;
  }

  async #compound(id: string) {
    const compound = await this.#deps.state.places.getCompound(id);
    if (!compound) throw new HubError('NOT_FOUND', `compound ${id} does not exist`, { params: { compound: id } });
    return compound;
  }

  /** Sets (or with null removes) the compound's geometry. */
  async putGeometry(id: string, body: unknown, by: AuditActor): Promise<SitePlan | undefined> {
    const { state, hooks, audit, now } = this.#deps;
    const plan = body === null ? undefined : parseWith(sitePlanSchema, body, 'BAD_REQUEST', 'sitePlan');
    const before = await this.#compound(id);
    const diff = changes({ sitePlan: before.sitePlan }, { sitePlan: plan });
    if (!changedAnything(diff)) return plan;
    const { sitePlan: _old, ...rest } = before;
    await state.places.upsertCompound({ ...rest, ...(plan ? { sitePlan: plan } : {}) }, now());
    await hooks.registryChanged([]);
    // The whole geometry before and after would be long: the audit says what it holds.
    const summary = (p: SitePlan | undefined) => p && { buildings: p.buildings.length, zones: p.zones.length, roads: p.roads.length, gates: p.gates.length };
    audit.record(entry(by, { action: 'site_plan_updated', target: `compound:${id}`, compound: id, before: summary(before.sitePlan) ?? null, after: summary(plan) ?? null }));
    return plan;
  }

  async putImage(id: string, data: Buffer, declared: string | undefined, by: AuditActor): Promise<PlanImageInfo> {
    const { state, audit, now } = this.#deps;
    await this.#compound(id);
    const type = checkPlanImage(data, declared);
    const before = await state.planImages.info(id);
    const at = now();
    await state.planImages.put({ compound: id, type, data, updatedAt: at, updatedBy: by.actor });
    const info: PlanImageInfo = { type, bytes: data.length, updatedAt: at };
    audit.record(entry(by, { action: 'plan_image_uploaded', target: `compound:${id}`, compound: id, before: before ? { type: before.type, bytes: before.bytes } : null, after: { type, bytes: data.length } }));
    return info;
  }

  async removeImage(id: string, by: AuditActor): Promise<void> {
    const { state, audit } = this.#deps;
    const before = await state.planImages.info(id);
    if (!before) throw new HubError('NOT_FOUND', `compound ${id} has no plan image`, { params: { compound: id } });
    await state.planImages.remove(id);
    audit.record(entry(by, { action: 'plan_image_removed', target: `compound:${id}`, compound: id, before: { type: before.type, bytes: before.bytes }, after: null }));
  }
}
