/** The residents' report pages find what they are for in their address. */
import { describe, expect, it } from 'vitest';
import { reportTarget } from './report-address.ts';
import { reportFormPath, reportReceiptPath } from '../../../src/contracts/reports.ts';

describe('reportTarget', () => {
  it('reads the form’s compound and building and the receipt’s id and token, as the contract writes them', () => {
    expect(reportTarget(reportFormPath('h1', '1号楼'), '')).toEqual({ page: 'form', compound: 'h1', building: '1号楼' });
    const receipt = new URL(reportReceiptPath('a-x1-abc', 'tok_en-1'), 'http://hub');
    expect(reportTarget(receipt.pathname, receipt.search)).toEqual({ page: 'receipt', id: 'a-x1-abc', token: 'tok_en-1' });
  });

  it('is nothing for other paths, a receipt without token or a malformed escape', () => {
    expect(reportTarget('/report/a1', '')).toBeUndefined();
    expect(reportTarget('/report-form/h1', '')).toBeUndefined();
    expect(reportTarget('/report-form/%E0%A4%A/b1', '')).toBeUndefined();
    expect(reportTarget('/notice/h1/b1', '?t=x')).toBeUndefined();
  });
});
