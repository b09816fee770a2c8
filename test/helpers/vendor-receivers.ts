/**
 * Local stand-ins for the group robots of WeCom, DingTalk and Feishu, for integration tests.
 * Each listens on loopback at the vendor's path, checks the request against the vendor's
 * documented message format, verifies the signature with the vendor's algorithm (implemented
 * here on node:crypto, not taken from the hub), and answers like the vendor: HTTP 200 with
 * `errcode` / `code` 0, or the vendor's error code (a bad signature, a bad body, or an answer
 * queued with `answerOnce`).
 *
 *   const dd = await startVendorReceiver('dingtalk', { secret: 'SEC…' });
 *   // webhook { kind: 'dingtalk', url: dd.url, secret: 'SEC…' }
 *   dd.answerOnce({ errcode: 130101, errmsg: 'send too fast' });
 *   expect(dd.received.map((r) => r.problems)).toEqual([[]]);
 *   await dd.close();
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

export type Vendor = 'wecom' | 'dingtalk' | 'feishu';

export interface ReceivedMessage {
  /** Path and query as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The JSON body (undefined when it was not JSON). */
  body: any;
  /** Where the request departs from the vendor's documented format (empty: none). */
  problems: string[];
  /** Whether the signature checked out (true for WeCom, which signs nothing but checks the key). */
  signed: boolean;
  /** What the receiver answered. */
  answer: Record<string, unknown>;
}

export interface VendorReceiver {
  readonly vendor: Vendor;
  /** The robot's webhook URL, as the vendor's robot settings show it. */
  readonly url: string;
  readonly received: ReceivedMessage[];
  /** The next request (whatever it is) gets this answer, after it was checked and recorded. */
  answerOnce(answer: Record<string, unknown>): void;
  close(): Promise<void>;
}

const HOUR_MS = 3_600_000;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** WeCom 群机器人: `POST /cgi-bin/webhook/send?key=KEY`; text ≤ 2048 bytes with mentioned_list / mentioned_mobile_list, or markdown ≤ 4096 bytes (no mention lists). */
function checkWecom(query: URLSearchParams, body: any, key: string): { problems: string[]; signed: boolean; answer: Record<string, unknown> } {
  const problems: string[] = [];
  if (query.get('key') !== key) return { problems: ['wrong key'], signed: false, answer: { errcode: 93000, errmsg: 'invalid webhook url' } };
  if (body?.msgtype === 'markdown') {
    const content = body.markdown?.content;
    if (typeof content !== 'string' || !content) problems.push('markdown.content missing');
    else if (bytes(content) > 4096) problems.push('markdown.content longer than 4096 bytes');
    if (body.markdown?.mentioned_mobile_list || body.markdown?.mentioned_list) problems.push('markdown cannot carry mention lists (only text can)');
    for (const key of Object.keys(body.markdown ?? {})) if (key !== 'content') problems.push(`markdown.${key} is not a WeCom field`);
  } else if (body?.msgtype === 'text') {
    const content = body.text?.content;
    if (typeof content !== 'string' || !content) problems.push('text.content missing');
    else if (bytes(content) > 2048) problems.push('text.content longer than 2048 bytes');
    for (const list of ['mentioned_list', 'mentioned_mobile_list']) if (body.text?.[list] !== undefined && !isStrings(body.text[list])) problems.push(`text.${list} must be a list of strings`);
    for (const m of body.text?.mentioned_mobile_list ?? []) if (m !== '@all' && !/^1\d{10}$/.test(m)) problems.push(`mentioned_mobile_list: ${m} is no mobile number`);
  } else problems.push(`msgtype ${String(body?.msgtype)} is not text or markdown`);
  return { problems, signed: true, answer: problems.length ? { errcode: 40008, errmsg: `invalid message type: ${problems.join('; ')}` } : { errcode: 0, errmsg: 'ok' } };
}

/**
 * DingTalk 自定义机器人: `POST /robot/send?access_token=TOKEN[&timestamp=ms&sign=…]`; with 加签 the
 * sign is urlencode(base64(HmacSHA256(key = secret, msg = timestamp + "\n" + secret))) and the
 * timestamp within an hour. A mention needs at.atMobiles / atUserIds AND `@…` in the text.
 */
function checkDingtalk(query: URLSearchParams, body: any, token: string, secret: string | undefined, now: number) {
  const problems: string[] = [];
  if (query.get('access_token') !== token) return { problems: ['wrong access_token'], signed: false, answer: { errcode: 300001, errmsg: 'token is not exist' } };
  let signed = true;
  if (secret) {
    const timestamp = query.get('timestamp') ?? '';
    const sign = query.get('sign') ?? '';
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${timestamp}\n${secret}`, 'utf8')).digest('base64');
    if (!/^\d{13}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > HOUR_MS) return { problems: ['timestamp not in ms or not within an hour'], signed: false, answer: { errcode: 310000, errmsg: 'invalid timestamp' } };
    if (!sameText(sign, expected)) return { problems: ['sign not match'], signed: false, answer: { errcode: 310000, errmsg: 'sign not match' } };
  } else signed = !query.has('sign');
  if (body?.msgtype !== 'markdown') problems.push(`msgtype ${String(body?.msgtype)}: expected markdown`);
  const { title, text } = body?.markdown ?? {};
  if (typeof title !== 'string' || !title) problems.push('markdown.title missing');
  if (typeof text !== 'string' || !text) problems.push('markdown.text missing');
  const at = body?.at;
  if (at !== undefined) {
    if (at.atMobiles !== undefined && !isStrings(at.atMobiles)) problems.push('at.atMobiles must be a list of strings');
    if (at.atUserIds !== undefined && !isStrings(at.atUserIds)) problems.push('at.atUserIds must be a list of strings');
    if (at.isAtAll !== undefined && typeof at.isAtAll !== 'boolean') problems.push('at.isAtAll must be a boolean');
    for (const who of [...(at.atMobiles ?? []), ...(at.atUserIds ?? [])]) if (typeof text === 'string' && !text.includes(`@${who}`)) problems.push(`@${who} is not in the text: DingTalk would not show the mention`);
  }
  if (bytes(JSON.stringify(body)) > 20_000) problems.push('body longer than 20000 bytes');
  return { problems, signed, answer: problems.length ? { errcode: 40035, errmsg: `缺少参数 ${problems.join('; ')}` } : { errcode: 0, errmsg: 'ok' } };
}

/**
 * Feishu 自定义机器人: `POST /open-apis/bot/v2/hook/TOKEN`; with 签名校验 the body has `timestamp`
 * (seconds) and `sign` = base64(HmacSHA256(key = timestamp + "\n" + secret, msg = empty)). An
 * interactive card has a header title and elements; a request is at most 20 KB.
 */
function checkFeishu(path: string, body: any, token: string, secret: string | undefined, now: number) {
  const problems: string[] = [];
  if (path !== `/open-apis/bot/v2/hook/${token}`) return { problems: ['wrong hook'], signed: false, answer: { code: 19001, msg: 'param invalid: incoming webhook access token invalid' } };
  let signed = true;
  if (secret) {
    const timestamp = String(body?.timestamp ?? '');
    const expected = createHmac('sha256', Buffer.from(`${timestamp}\n${secret}`, 'utf8')).update(Buffer.alloc(0)).digest('base64');
    if (!/^\d{10}$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > 3600 || !sameText(String(body?.sign ?? ''), expected)) {
      return { problems: ['sign match fail'], signed: false, answer: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time', data: {} } };
    }
  } else signed = body?.sign === undefined;
  if (body?.msg_type !== 'interactive') problems.push(`msg_type ${String(body?.msg_type)}: expected interactive`);
  const card = body?.card;
  const title = card?.header?.title;
  if (!title || !['plain_text', 'lark_md'].includes(title.tag) || typeof title.content !== 'string' || !title.content) problems.push('card.header.title must be { tag: plain_text, content }');
  if (!Array.isArray(card?.elements) || !card.elements.length) problems.push('card.elements missing');
  for (const [i, el] of (card?.elements ?? []).entries()) {
    if (el.tag === 'div') {
      if (!el.text || !['plain_text', 'lark_md'].includes(el.text.tag) || typeof el.text.content !== 'string') problems.push(`card.elements.${i}.text must be { tag: plain_text | lark_md, content }`);
    } else if (!['hr', 'note', 'markdown', 'action', 'img'].includes(el.tag)) problems.push(`card.elements.${i}.tag ${String(el.tag)} is not a card element`);
  }
  for (const key of Object.keys(body ?? {})) if (!['msg_type', 'card', 'content', 'timestamp', 'sign'].includes(key)) problems.push(`${key} is not a Feishu field`);
  if (bytes(JSON.stringify(body)) > 20 * 1024) problems.push('request body larger than 20 KB');
  return { problems, signed, answer: problems.length ? { code: 9499, msg: `Bad Request: ${problems.join('; ')}`, data: {} } : { code: 0, msg: 'success', data: {} } };
}

/** Starts one vendor's receiver on 127.0.0.1 (`now` is the receiver's clock for the timestamp window). */
export async function startVendorReceiver(vendor: Vendor, options: { secret?: string; now?: () => number } = {}): Promise<VendorReceiver> {
  const token = `tok${Math.random().toString(36).slice(2, 10)}`;
  const now = options.now ?? Date.now;
  const received: ReceivedMessage[] = [];
  const queued: Array<Record<string, unknown>> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://robot.invalid');
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const pathOk =
        vendor === 'wecom' ? url.pathname === '/cgi-bin/webhook/send' : vendor === 'dingtalk' ? url.pathname === '/robot/send' : url.pathname.startsWith('/open-apis/bot/v2/hook/');
      const checked = !pathOk
        ? { problems: [`wrong path ${url.pathname}`], signed: false, answer: { errcode: 404, errmsg: 'not found' } }
        : req.method !== 'POST' || !String(req.headers['content-type']).startsWith('application/json') || body === undefined
          ? { problems: ['not a JSON POST'], signed: false, answer: vendor === 'feishu' ? { code: 9499, msg: 'Bad Request' } : { errcode: 40035, errmsg: 'invalid json' } }
          : vendor === 'wecom'
            ? checkWecom(url.searchParams, body, token)
            : vendor === 'dingtalk'
              ? checkDingtalk(url.searchParams, body, token, options.secret, now())
              : checkFeishu(url.pathname, body, token, options.secret, now());
      const answer = queued.shift() ?? checked.answer;
      received.push({ url: req.url ?? '', headers: req.headers, body, problems: checked.problems, signed: checked.signed, answer });
      // The vendors answer HTTP 200 whatever the code says.
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const url =
    vendor === 'wecom' ? `${base}/cgi-bin/webhook/send?key=${token}` : vendor === 'dingtalk' ? `${base}/robot/send?access_token=${token}` : `${base}/open-apis/bot/v2/hook/${token}`;
  return {
    vendor,
    url,
    received,
    answerOnce: (answer) => void queued.push(answer),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
