import { describe, expect, it } from 'vitest';
import { inertMarkup, MAX_TEXT, plainLine } from './escape.ts';
import { FORGED_COMMENT } from '../../testing/channels.fixture.ts';

describe('escaping user-written text for robot markup', () => {
  it('folds every kind of line break, drops controls and bidi overrides, and shortens long text', () => {
    expect(plainLine('a\r\nb\rc\nd\u2028e\u2029f\u0085g')).toBe('a ⏎ b ⏎ c ⏎ d ⏎ e ⏎ f ⏎ g');
    expect(plainLine('  x\t\ty\u0000\u202e z  ')).toBe('x y z');
    const long = plainLine('长'.repeat(MAX_TEXT + 50));
    expect([...long]).toHaveLength(MAX_TEXT);
    expect(long.endsWith('…')).toBe(true);
  });

  it('turns a forged heading and a phishing link into text', () => {
    const text = inertMarkup(FORGED_COMMENT);
    expect(text).not.toMatch(/[\n\r]/);
    expect(text).toBe(
      '已处理 ⏎ ＃＃＃ ✅ 已关闭 Closed ⏎ ［点此确认关闭］（https：//evil.example/login） ！［x］（https：//evil.example/p.png） ＜＠all＞ ＜at id=all＞＜/at＞ ＜font color="info"＞ok＜/font＞ ＠13900000009',
    );
  });

  it.each([
    ['**bold** _it_ ~~gone~~ `code`', '＊＊bold＊＊ ＿it＿ ～～gone～～ ｀code｀'],
    ['<a href="x">y</a> &lt;b&gt;', '＜a href="x"＞y＜/a＞ ＆lt;b＆gt;'],
    ['see www.evil.example or javascript:alert(1)', 'see www．evil.example or javascript：alert（1）'],
    ['- item', '－ item'],
    ['+ item', '＋ item'],
    ['=====', '＝===='],
    ['1. first', '1． first'],
    ['2) second', '2） second'],
    ['> quote | table |', '＞ quote ｜ table ｜'],
    ['\\*escaped\\*', '＼＊escaped＼＊'],
    ['$x^2$ {a}', '＄x＾2＄ ｛a｝'],
    ['普通的备注：电梯已恢复运行', '普通的备注：电梯已恢复运行'],
  ])('%s → %s', (input, output) => {
    expect(inertMarkup(input)).toBe(output);
  });
});
