import { describe, expect, it } from 'vitest';
import { contactOrUndefined, contactSchema } from './contact.schema.ts';
import { UsersStore } from './users.store.ts';
import { isHubError } from '../errors.ts';

const HASH = `scrypt$16384$8$1$${'A'.repeat(22)}$${'B'.repeat(43)}`;

describe('contacts', () => {
  it('takes a mainland mobile as typed (spaces, dashes) and the robots\' ids', () => {
    expect(contactSchema.parse({ mobile: '138 0000-0001', wecom: 'Wang.Fang@corp', dingtalk: 'manager4220', feishu: 'ou_7d8a6e6df7621556ce0d21922b676706' })).toEqual({
      mobile: '13800000001',
      wecom: 'Wang.Fang@corp',
      dingtalk: 'manager4220',
      feishu: 'ou_7d8a6e6df7621556ce0d21922b676706',
    });
    expect(contactOrUndefined({})).toBeUndefined();
    expect(contactOrUndefined(null)).toBeUndefined();
    expect(contactOrUndefined({ mobile: '13800000001', wecom: '' })).toEqual({ mobile: '13800000001' });
  });

  it('is part of a USERS_FILE entry, and a bad one is refused with its path', () => {
    const file = (contact: object) => JSON.stringify({ users: [{ id: 'wang', role: 'worker', passwordHash: HASH, contact }] });
    expect(UsersStore.parse(file({ mobile: '13800000001' }), 'users.json').users[0]!.contact).toEqual({ mobile: '13800000001' });
    try {
      UsersStore.parse(file({ mobile: '+86 138', feishu: '<at id=all>' }), 'users.json');
      expect.unreachable();
    } catch (error) {
      expect(isHubError(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(/users\.0\.contact\.mobile: a mainland mobile number/);
      expect((error as Error).message).toMatch(/users\.0\.contact\.feishu: a Feishu open_id/);
    }
  });
});
