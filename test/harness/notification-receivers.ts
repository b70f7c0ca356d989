import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Waits (by event, not by polling) until `received` satisfies `done`; fails naming what arrived. */
function waiter<T>(received: T[], listeners: Set<() => void>) {
  return (done: (all: T[]) => boolean, what: string, timeoutMs = 60_000): Promise<T[]> =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (!done(received)) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve(received);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}; received ${received.length}: ${JSON.stringify(received).slice(0, 2000)}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
}

/**
 * A loopback webhook receiver (a generic notification endpoint or a Slack incoming webhook): it
 * records every POST and answers 200 "ok", or what `answer(path, n)` says for the n-th request
 * to that path (n from 1); `'hang'` never answers (a destination that times out).
 */
export async function startWebhookReceiver(answer: (path: string, n: number) => { status: number; body?: string } | 'hang' = () => ({ status: 200 })) {
  const received: ReceivedRequest[] = [];
  const listeners = new Set<() => void>();
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      const answered = answer(path, n);
      if (answered === 'hang') {
        received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        for (const l of [...listeners]) l();
        return;
      }
      const { status, body } = answered;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(body ?? (status < 300 ? 'ok' : 'failed'));
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      for (const l of [...listeners]) l();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    waitFor: waiter(received, listeners),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server (smtp-server) on loopback, without TLS or authentication, that keeps every message. */
export async function startSmtpReceiver() {
  const received: ReceivedMail[] = [];
  const listeners = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
        for (const l of [...listeners]) l();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = ((server as unknown as { server: http.Server }).server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    waitFor: waiter(received, listeners),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
