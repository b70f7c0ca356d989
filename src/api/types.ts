import type Router from '@koa/router';
import type { Actor } from '../core/actor.js';
import type { Logger } from '../logger.js';
import type { Surface } from './error-middleware.js';

export interface AppState {
  requestId: string;
  log: Logger;
  actor: Actor;
  surface?: Surface;
}

export type AppRouter = Router<AppState>;
