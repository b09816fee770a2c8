import { describe, expect, it } from 'vitest';
import { checkPlanImage } from './plan-image.check.ts';
import { isHubError } from '../errors.ts';
import { PLAN_IMAGE_MAX_BYTES } from '../contracts/site-plan.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (error) {
    return isHubError(error) ? error.code : String(error);
  }
};

describe('checkPlanImage', () => {
  it('knows PNG by its signature and SVG by its root element, whatever the file is called', () => {
    expect(checkPlanImage(PNG, 'image/png')).toBe('image/png');
    expect(checkPlanImage(PNG, undefined)).toBe('image/png');
    expect(checkPlanImage(Buffer.from('<?xml version="1.0"?>\n<!-- plan -->\n<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'), 'image/svg+xml')).toBe('image/svg+xml');
  });

  it('refuses other bytes, a type that does not match, active SVG content, and files over the limit', () => {
    expect(code(() => checkPlanImage(Buffer.from('GIF89a....'), 'image/png'))).toBe('PLAN_IMAGE_TYPE');
    expect(code(() => checkPlanImage(PNG, 'image/svg+xml'))).toBe('PLAN_IMAGE_TYPE');
    expect(code(() => checkPlanImage(Buffer.from('<html><svg></svg></html>'), undefined))).toBe('PLAN_IMAGE_TYPE');
    for (const active of ['<script>alert(1)</script>', '<rect onload="alert(1)"/>', '<a href="javascript:alert(1)">x</a>', '<foreignObject><div/></foreignObject>']) {
      expect(code(() => checkPlanImage(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${active}</svg>`), 'image/svg+xml')), active).toBe('PLAN_IMAGE_TYPE');
    }
    expect(code(() => checkPlanImage(Buffer.concat([PNG, Buffer.alloc(PLAN_IMAGE_MAX_BYTES)]), 'image/png'))).toBe('PLAN_IMAGE_TOO_LARGE');
  });
});
