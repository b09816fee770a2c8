/**
 * A local HTTP stand-in for InfluxDB's endpoints, for unit tests of request shapes and
 * failure handling (InfluxDB 2.x cannot be installed here; 1.6.7 is tested for real
 * under test/). Real sockets, real client library: only the server side is scripted.
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface CapturedRequest {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An answer to a write: an HTTP status, `hang` (never answer) or `reset` (drop the connection). */
export type WriteAnswer = number | 'hang' | 'reset';

export interface FakeInflux {
  url: string;
  port: number;
  requests: CapturedRequest[];
  /** Write requests (/write and /api/v2/write). */
  writes(): CapturedRequest[];
  /** Lines of every write that was answered 2xx, in order. */
  accepted: string[];
  /** Answers for the next writes; the last one repeats. */
  answerWrites(...answers: WriteAnswer[]): void;
  /** The body sent with 4xx/5xx write answers. */
  errorBody: string;
  answerPing(status: number | 'reset'): void;
  /** Holds write answers until the returned function is called. */
  hold(): () => void;
  /** Answer to /query (JSON text). */
  queryAnswer: string;
  close(): Promise<void>;
}

export async function startFakeInflux(options: { port?: number } = {}): Promise<FakeInflux> {
  let writeAnswers: WriteAnswer[] = [204];
  let pingAnswer: number | 'reset' = 204;
  let held: Promise<void> = Promise.resolve();
  const fake: FakeInflux = {
    url: '',
    port: 0,
    requests: [],
    accepted: [],
    writes: () => fake.requests.filter((r) => r.path === '/write' || r.path === '/api/v2/write'),
    answerWrites: (...answers) => (writeAnswers = answers),
    errorBody: '{"error":"test answer"}',
    answerPing: (status) => (pingAnswer = status),
    hold() {
      let release!: () => void;
      held = new Promise<void>((resolve) => (release = resolve));
      return () => release();
    },
    queryAnswer: '{"results":[{"statement_id":0}]}',
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const url = new URL(req.url ?? '/', 'http://fake');
      const captured: CapturedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: raw.toString('utf8'),
      };
      fake.requests.push(captured);
      if (captured.path === '/ping') {
        if (pingAnswer === 'reset') return req.socket.destroy();
        return res.writeHead(pingAnswer).end();
      }
      if (captured.path === '/query') return res.writeHead(200, { 'content-type': 'application/json' }).end(fake.queryAnswer);
      const answer = writeAnswers.length > 1 ? writeAnswers.shift()! : writeAnswers[0]!;
      if (answer === 'hang') return;
      if (answer === 'reset') return req.socket.destroy();
      void held.then(() => {
        if (answer >= 200 && answer < 300) fake.accepted.push(...captured.body.split('\n').filter(Boolean));
        res.writeHead(answer, { 'content-type': 'application/json' }).end(answer === 204 ? '' : fake.errorBody);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  fake.port = (server.address() as { port: number }).port;
  fake.url = `http://127.0.0.1:${fake.port}`;
  return fake;
}
