import { describe, expect, it } from 'vitest';
import { authHeaders, queryDatabase, toV1Path, v2WritePath } from './influx.endpoint.ts';

const v1 = { url: 'http://db', api: 'v1' as const, database: 'hub db', retentionPolicy: 'autogen', username: 'u', password: 'p:w' };
const v2 = { url: 'http://db', api: 'v2' as const, database: 'x', token: 'tok', org: 'my org', bucket: 'b1' };

describe('InfluxDB endpoints', () => {
  it('maps the client write path to /write for 1.x with database, rp and precision', () => {
    expect(toV1Path(v2WritePath(v1), v1)).toBe('/write?db=hub+db&rp=autogen&precision=n');
    expect(toV1Path('/api/v2/write?org=&bucket=b&precision=ms', v1)).toBe('/write?db=hub+db&rp=autogen&precision=ms');
    expect(toV1Path('/api/v2/write?org=&bucket=b&precision=ns', v1)).toBe('/write?db=hub+db&rp=autogen&precision=n');
    expect(toV1Path('/api/v2/write?org=&bucket=b&precision=us', { ...v1, retentionPolicy: undefined })).toBe('/write?db=hub+db&precision=u');
    expect(toV1Path('/ping', v1)).toBe('/ping');
  });

  it('writes to /api/v2/write with org, bucket and token for 2.x/3.x', () => {
    expect(v2WritePath(v2)).toBe('/api/v2/write?org=my+org&bucket=b1&precision=ns');
    expect(authHeaders(v2)).toEqual({ authorization: 'Token tok' });
    expect(queryDatabase(v2)).toBe('b1');
  });

  it('uses basic auth for 1.x when a username is set, none otherwise', () => {
    expect(authHeaders(v1)).toEqual({ authorization: `Basic ${Buffer.from('u:p:w').toString('base64')}` });
    expect(authHeaders({ ...v1, username: undefined })).toEqual({});
    expect(queryDatabase(v1)).toBe('hub db');
  });
});
