/** Which building a notice page is for, from its address. */
import { describe, expect, it } from 'vitest';
import { noticeTarget } from './notice-address.ts';

describe('noticeTarget', () => {
  it('reads /notice/{compound}/{building}, decoding the building', () => {
    expect(noticeTarget('/notice/h1/b2', '')).toEqual({ compound: 'h1', building: 'b2' });
    expect(noticeTarget('/notice/h1/%E4%B8%80%E5%8F%B7%E6%A5%BC/', '')).toEqual({ compound: 'h1', building: '一号楼' });
  });

  it('reads ?notice={compound}/{building} on any path', () => {
    expect(noticeTarget('/notice.html', '?notice=h1/b3')).toEqual({ compound: 'h1', building: 'b3' });
  });

  it('knows no building from anything else', () => {
    expect(noticeTarget('/notice/h1', '')).toBeUndefined();
    expect(noticeTarget('/notice/h1/b1/x', '')).toBeUndefined();
    expect(noticeTarget('/notice/h1/%E4', '')).toBeUndefined();
    expect(noticeTarget('/', '?notice=h1')).toBeUndefined();
  });
});
