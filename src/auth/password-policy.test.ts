import { describe, expect, it } from 'vitest';
import { checkPassword, passwordProblem } from './password-policy.ts';
import { generatePassword } from './password.ts';
import { isHubError } from '../errors.ts';

describe('password policy', () => {
  it('refuses the five passwords the review found accepted, each for a clear reason', () => {
    expect(passwordProblem(' '.repeat(10), 'wang-fang')).toBe('too_short');
    expect(passwordProblem('aaaaaaaaaa', 'wang-fang')).toBe('too_short');
    expect(passwordProblem('1234567890', 'wang-fang')).toBe('too_short');
    expect(passwordProblem('password12', 'wang-fang')).toBe('too_short');
    expect(passwordProblem('li-qiang123', 'li-qiang')).toBe('too_short');
  });

  it('refuses them at 12 characters and more too', () => {
    expect(passwordProblem(' '.repeat(12), 'wang-fang')).toBe('repetitive');
    expect(passwordProblem('aaaaaaaaaaaa', 'wang-fang')).toBe('repetitive');
    expect(passwordProblem('abababababab', 'wang-fang')).toBe('repetitive');
    expect(passwordProblem('123456789012', 'wang-fang')).toBe('common');
    expect(passwordProblem('password1234', 'wang-fang')).toBe('common');
    expect(passwordProblem('Password2024!!', 'wang-fang')).toBe('common');
    expect(passwordProblem('qwerty123456', 'wang-fang')).toBe('common');
    expect(passwordProblem('li-qiang123456', 'li-qiang')).toBe('login_id');
    expect(passwordProblem('LI_QIANG!!2024', 'li-qiang')).toBe('login_id');
    expect(passwordProblem('2024 LiQiang !!', 'li-qiang')).toBe('login_id');
    expect(passwordProblem('li-qiangli-qiang', 'li-qiang')).toBe('login_id');
    expect(passwordProblem('manager-c01!!!!', 'manager-c01')).toBe('login_id');
  });

  it('takes long passwords of the user’s own making, the login id inside a longer phrase included', () => {
    for (const ok of ['correct horse battery', 'li-qiang-walks-the-dog', '电梯维保每周二上午九点半', 'Tr0ub4dor&3-xyz']) expect(passwordProblem(ok, 'li-qiang'), ok).toBeUndefined();
    expect(passwordProblem('any-twelve-chars')).toBeUndefined();
  });

  it('passes every generated one-time password', () => {
    for (let i = 0; i < 2000; i++) expect(passwordProblem(generatePassword(), 'admin')).toBeUndefined();
  });

  it('throws PASSWORD_WEAK with the reason and the minimum for the dashboards', () => {
    try {
      checkPassword('password12', 'zhao');
      expect.unreachable();
    } catch (error) {
      expect(isHubError(error, 'PASSWORD_WEAK')).toBe(true);
      expect((error as Error).message).toBe('next: use at least 12 characters');
      expect((error as { params?: object }).params).toEqual({ reason: 'too_short', min: 12 });
    }
  });
});
