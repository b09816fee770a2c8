/**
 * What an uploaded site-plan image is, by its first bytes (not by what the client says): PNG by
 * its signature, SVG by its root element. An SVG with scripts, event handlers, `javascript:` links
 * or foreign objects is refused; the hub also serves it with a CSP that runs nothing.
 */
import { PLAN_IMAGE_MAX_BYTES, type PlanImageType } from '../contracts/site-plan.ts';
import { HubError } from '../errors.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Anything that could run in a document: refused outright rather than rewritten. */
const SVG_ACTIVE = /<\s*script|<\s*foreignObject|<\s*iframe|<\s*embed|<\s*object|\son[a-z]+\s*=|javascript:|<!ENTITY/i;

function isSvg(data: Buffer): boolean {
  // BOM, XML declaration, comments, doctype, then the root element.
  const head = data.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '');
  return /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(head);
}

export function checkPlanImage(data: Buffer, declared: string | undefined): PlanImageType {
  if (data.length > PLAN_IMAGE_MAX_BYTES) throw new HubError('PLAN_IMAGE_TOO_LARGE', `at most ${PLAN_IMAGE_MAX_BYTES} bytes`, { params: { max: PLAN_IMAGE_MAX_BYTES, bytes: data.length } });
  let type: PlanImageType | undefined;
  if (data.length >= PNG_SIGNATURE.length && data.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) type = 'image/png';
  else if (isSvg(data)) type = 'image/svg+xml';
  if (!type) throw new HubError('PLAN_IMAGE_TYPE', 'not a PNG or SVG file', { params: { declared: declared ?? '' } });
  if (declared && declared !== type) throw new HubError('PLAN_IMAGE_TYPE', `the file is ${type}, not ${declared}`, { params: { declared } });
  if (type === 'image/svg+xml' && SVG_ACTIVE.test(data.toString('utf8'))) throw new HubError('PLAN_IMAGE_TYPE', 'an SVG plan may not hold scripts, event handlers or embedded documents', { params: { declared: declared ?? '' } });
  return type;
}
