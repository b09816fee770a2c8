/**
 * Test logins with people's names (password TEST_PASSWORD), for browser tests that check
 * people are shown by name: admin 系统管理员, workers 王芳 and 李强, manager 赵敏 of the test
 * compounds, manager 钱多多 of `h2` only, street operator 孙丽 (viewer, every compound).
 */
import type { NewUser } from '../../src/auth/users.store.ts';
import { TEST_PASSWORD, writeUsersFile } from '../../src/testing/access.fixture.ts';

export const NAMED_USERS: NewUser[] = [
  { id: 'root', name: '系统管理员', role: 'admin', password: TEST_PASSWORD },
  { id: 'wang', name: '王芳', role: 'worker', password: TEST_PASSWORD },
  { id: 'li', name: '李强', role: 'worker', password: TEST_PASSWORD },
  { id: 'zhao', name: '赵敏', role: 'manager', compounds: ['h1', 'h2'], password: TEST_PASSWORD },
  { id: 'qian', name: '钱多多', role: 'manager', compounds: ['h2'], password: TEST_PASSWORD },
  { id: 'sun', name: '孙丽', role: 'viewer', password: TEST_PASSWORD },
];

/** A users file with NAMED_USERS, for USERS_FILE. */
export const writeNamedUsers = (): Promise<string> => writeUsersFile(NAMED_USERS);
