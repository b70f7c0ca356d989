import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LlmRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** the raw body, as it arrived */
  raw: string;
  body: { model: string; messages: { role: string; content: string }[] };
}

/**
 * An OpenAI-compatible chat completions API on loopback: records every request and answers with
 * `reply(request)`, or with an HTTP error while `failWith` is set.
 */
export interface FakeLlm {
  url: string;
  requests: LlmRequest[];
  reply: (req: LlmRequest) => string;
  failWith: number | null;
  close(): Promise<void>;
}

export async function startFakeLlm(reply: (req: LlmRequest) => string = () => 'fake analysis'): Promise<FakeLlm> {
  const fake: Omit<FakeLlm, 'url' | 'close'> = { requests: [], reply, failWith: null };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const request: LlmRequest = { path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw || '{}') };
      fake.requests.push(request);
      res.setHeader('content-type', 'application/json');
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
        return;
      }
      if (fake.failWith) {
        res.statusCode = fake.failWith;
        res.end(JSON.stringify({ error: { message: 'the server had an error', type: 'server_error' } }));
        return;
      }
      let content: string;
      try {
        content = fake.reply(request);
      } catch (err) {
        res.statusCode = 500;
        res.end(JSON.stringify({ error: { message: `fake reply failed: ${(err as Error).message}`, type: 'server_error' } }));
        return;
      }
      res.end(JSON.stringify({
        id: `chatcmpl-${fake.requests.length}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: request.body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  }) as FakeLlm;
}
