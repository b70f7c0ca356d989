import Router from '@koa/router';
import type Koa from 'koa';
import getRawBody from 'raw-body';
import type { Core } from '../../core/index.js';
import { InputError, LockedError, NotFoundError } from '../../core/errors.js';
import { parseLockInfo } from '../../core/state/lock-info.js';
import { requireActor } from '../actor-from-request.js';
import { readHashedBody } from '../hashed-body.js';
import type { AppState } from '../types.js';

/** Paths whose bodies this router reads raw (the JSON body parser must leave them alone). */
export const TFSTATE_RAW_BODY = /^\/api\/v1\/tfstate\//;

const PATH = '/api/v1/tfstate/:name/:workspace';

export interface TfstateRouterOptions {
  /** largest state body (ATLANTAS_STATE_BODY_LIMIT) */
  stateBodyLimit: number;
  /** largest LOCK/UNLOCK body (ATLANTAS_BODY_LIMIT) */
  bodyLimit: number;
}

/**
 * Terraform's `http` backend: GET/POST(PUT)/LOCK/UNLOCK/DELETE on /api/v1/tfstate/{name}/{workspace}.
 * Basic auth (password = API token) or Bearer. A refused LOCK (or a write while someone else holds
 * the lock) answers with the holder's LockInfo as the whole body, which terraform prints.
 */
export function tfstateRouter(core: Core, options: TfstateRouterOptions) {
  const router = new Router<AppState>({ methods: ['HEAD', 'OPTIONS', 'GET', 'PUT', 'POST', 'DELETE', 'LOCK', 'UNLOCK'] });
  const state = core.state;
  const auth = requireActor(core, 'tfstate');

  router.get(PATH, auth, async (ctx) => {
    const current = await state.download(ctx.state.actor, ctx.params.name, ctx.params.workspace);
    // 404 is what terraform reads as "no state yet"; another tenant's state of that name looks the same.
    if (!current) throw new NotFoundError(`no state stored at ${ctx.params.name}/${ctx.params.workspace} yet`, { code: 'state_not_found' });
    ctx.type = 'application/json';
    ctx.set('Content-MD5', Buffer.from(current.md5, 'hex').toString('base64'));
    ctx.body = current.bytes;
  });
  router.register(PATH, ['POST', 'PUT'], [auth, lockConflict(423), async (ctx) => {
    // Read once, hashed as it streams in; core validates it without parsing the whole document.
    const body = await readHashedBody(ctx.req, options.stateBodyLimit);
    const result = await state.push(ctx.state.actor, ctx.params.name, ctx.params.workspace, body, {
      lockId: queryString(ctx, 'ID'), md5: contentMd5Hex(ctx.get('content-md5')), force: queryFlag(ctx, 'force'),
    });
    ctx.status = 200;
    ctx.body = { version: result.version.version, serial: result.version.serial, written: result.written };
  }]);
  router.register(PATH, ['LOCK'], [auth, lockConflict(423), async (ctx) => {
    await state.lock(ctx.state.actor, ctx.params.name, ctx.params.workspace, parseLockInfo(await readBody(ctx, options.bodyLimit)));
    ctx.status = 200;
  }]);
  router.register(PATH, ['UNLOCK'], [auth, lockConflict(409), async (ctx) => {
    const body = await readBody(ctx, options.bodyLimit);
    // An empty body is `terraform force-unlock`: the CLI never sends the ID the user typed.
    const lockId = body.length === 0 ? null : parseLockInfo(body).ID;
    await state.unlock(ctx.state.actor, ctx.params.name, ctx.params.workspace, lockId);
    ctx.status = 200;
  }]);
  router.delete(PATH, auth, lockConflict(423), async (ctx) => {
    await state.delete(ctx.state.actor, { name: ctx.params.name, workspace: ctx.params.workspace });
    ctx.status = 204;
  });
  return router;
}

/** Renders a LockedError the way terraform reads it: the status and the holder's LockInfo JSON as the body. */
function lockConflict(status: 409 | 423): Koa.Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof LockedError) || !err.holder) throw err;
      ctx.state.log?.debug({ code: err.code }, err.message);
      ctx.status = status;
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(err.holder);
    }
  };
}

async function readBody(ctx: Koa.Context, limit: number): Promise<Buffer> {
  const length = ctx.get('content-length');
  return getRawBody(ctx.req, { limit, length: length ? Number(length) : undefined });
}

function queryString(ctx: Koa.Context, key: string): string | undefined {
  const value = ctx.query[key];
  return typeof value === 'string' && value ? value : undefined;
}

function queryFlag(ctx: Koa.Context, key: string): boolean {
  const value = queryString(ctx, key);
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new InputError(`query parameter "${key}" must be true or false`, { code: 'invalid_query' });
}

/** `Content-MD5` (base64 of the 16-byte digest, RFC 1864) as hex; null when absent. */
function contentMd5Hex(header: string): string | null {
  if (!header) return null;
  const value = header.trim();
  if (!/^[A-Za-z0-9+/]{22}==$/.test(value)) {
    throw new InputError('Content-MD5 header is not a base64 MD5 digest (24 characters ending in "==")', { code: 'invalid_content_md5' });
  }
  return Buffer.from(value, 'base64').toString('hex');
}
