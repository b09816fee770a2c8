/**
 * The pull API's bearer tokens: made at random (`chnb_` + 32 random bytes, base64url), shown once,
 * kept only as their SHA-256 (northbound-tokens.repo.ts). A token is checked by its digest: unknown
 * or revoked is TOKEN_INVALID. Its last use is noted at most once a minute per token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { HubError } from '../errors.ts';
import type { NorthboundToken, NorthboundTokensRepo } from '../state/state.types.ts';
import type { TokenScope } from '../contracts/northbound.ts';

export const TOKEN_PREFIX = 'chnb_';
const TOUCH_EVERY_MS = 60_000;

export const digestOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

export class FeedTokens {
  readonly #repo: NorthboundTokensRepo;
  readonly #touched = new Map<string, number>();

  constructor(repo: NorthboundTokensRepo) {
    this.#repo = repo;
  }

  /** A new token: the record and its secret (to be shown once). */
  async create(input: { name: string; scope: TokenScope; by: string; at: number }): Promise<{ token: NorthboundToken; secret: string }> {
    const secret = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const token: NorthboundToken = { id: `nbt-${randomBytes(6).toString('hex')}`, name: input.name, scope: input.scope, createdBy: input.by, createdAt: input.at, revokedAt: null, lastUsedAt: null };
    await this.#repo.insert(token, digestOf(secret));
    return { token, secret };
  }

  list(): Promise<NorthboundToken[]> {
    return this.#repo.list();
  }

  async revoke(id: string, at: number): Promise<NorthboundToken> {
    const token = await this.#repo.revoke(id, at);
    if (!token) throw new HubError('NOT_FOUND', `no northbound token ${id}`, { params: { id } });
    return token;
  }

  /** The token in force for this `Authorization` header, or TOKEN_INVALID. */
  async check(authorization: string | undefined, now: number): Promise<NorthboundToken> {
    const secret = /^Bearer (\S{1,200})$/.exec(authorization ?? '')?.[1];
    if (!secret) throw new HubError('TOKEN_INVALID', 'send Authorization: Bearer <token> (POST /api/admin/northbound/tokens makes one)');
    const token = await this.#repo.findByDigest(digestOf(secret));
    if (!token) throw new HubError('TOKEN_INVALID', 'unknown token');
    if (token.revokedAt !== null) throw new HubError('TOKEN_INVALID', 'the token was revoked');
    if (now - (this.#touched.get(token.id) ?? 0) >= TOUCH_EVERY_MS) {
      this.#touched.set(token.id, now);
      await this.#repo.touch(token.id, now);
    }
    return token;
  }
}
