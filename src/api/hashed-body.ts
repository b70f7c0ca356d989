import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HashedBody } from '../core/state/state-document.js';

/**
 * Reads a request body once, into one buffer, hashing (MD5) each chunk as it arrives: what a state
 * push needs, without a second pass over megabytes. A declared length over `limit` is refused
 * before a byte is read; a body that turns out longer than `limit`, or shorter or longer than it
 * declared, is refused too. Errors carry an HTTP status, as raw-body's do (classify.ts renders them).
 */
export function readHashedBody(req: IncomingMessage, limit: number): Promise<HashedBody> {
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (declared !== undefined && !(Number.isSafeInteger(declared) && declared >= 0)) return Promise.reject(httpError(400, 'Content-Length is not a number of bytes'));
  if (declared !== undefined && declared > limit) return Promise.reject(tooLarge(req));
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    let bytes = declared === undefined ? null : Buffer.allocUnsafe(declared);
    const chunks: Buffer[] = [];
    let received = 0;
    const fail = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return fail(tooLarge(req));
      if (bytes && received > bytes.length) return fail(httpError(400, `request body is longer than its Content-Length (${bytes.length} bytes)`));
      hash.update(chunk);
      if (bytes) chunk.copy(bytes, received - chunk.length);
      else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (bytes && received !== bytes.length) return reject(httpError(400, `request body ended after ${received} of the ${bytes.length} bytes its Content-Length declared`));
      bytes ??= Buffer.concat(chunks, received);
      resolve({ bytes, md5: hash.digest('hex') });
    };
    const onAborted = () => fail(httpError(400, 'request aborted before its body was read'));
    const cleanup = () => {
      req.off('data', onData).off('end', onEnd).off('error', fail).off('aborted', onAborted);
    };
    req.on('data', onData).on('end', onEnd).on('error', fail).on('aborted', onAborted);
  });
}

function tooLarge(req: IncomingMessage): Error {
  req.resume(); // drain what is left so the connection can answer
  return httpError(413, 'request body is too large');
}

function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status, expose: true });
}
