import type Koa from 'koa';

/** How long a long poll asks to wait: `?wait=<seconds>` (default: as long as core allows, which caps it). */
export function waitMsOf(ctx: Koa.Context): number {
  return (Number(ctx.query.wait ?? Number.POSITIVE_INFINITY) || 0) * 1000;
}

/** Aborts when the client goes away before the answer is written (a long poll stops waiting then). */
export function connectionGone(ctx: Koa.Context): AbortSignal {
  const gone = new AbortController();
  ctx.res.once('close', () => ctx.res.writableEnded || gone.abort());
  return gone.signal;
}
