import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../logger.js';
import { RUN_STATUSES } from './run-status.js';
import type { RunEvent, RunEventBus, RunEvents } from './run-events.js';
import type { RunStatus } from './run-status.js';

export interface RunNotifierOptions {
  /** a dedicated connection (never one of the pool's: LISTEN holds its session) */
  clientConfig: pg.ClientConfig;
  /** NOTIFY is database-wide: the channel is scoped to the schema so replicas of other schemas stay quiet */
  schema: string;
  log: Logger;
  /** first reconnect delay; doubles up to 5 s */
  reconnectMs?: number;
}

type Wire = { o: string; t: 'enqueued' } | { o: string; t: 'notification' } | { o: string; t: 'status'; r: string; s: string };

/**
 * Wakes this replica the moment another one queues a run, changes a run's status or fills the
 * notifications outbox: one
 * dedicated pg client LISTENs on the schema's channel and also sends this replica's NOTIFYs.
 * Reconnects with backoff when the connection drops (events meanwhile are caught by polling);
 * `stop()` closes it. Payloads carry only ids and statuses.
 */
export class PgRunNotifier implements RunEventBus {
  readonly channel: string;
  readonly #origin = randomBytes(6).toString('hex');
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #delay: number;
  #connected = 0;

  constructor(
    private readonly events: RunEvents,
    private readonly opts: RunNotifierOptions,
  ) {
    this.channel = `atlantas_runs:${opts.schema}`.slice(0, 63);
    this.#delay = opts.reconnectMs ?? 100;
  }

  /** Connects and attaches to `events`; resolves once listening (or after the first failure, retrying behind). */
  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.events.attach(this);
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.events.attach(undefined);
    clearTimeout(this.#timer);
    await this.#connecting;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  /** How many times a LISTEN session was established (tests: a reconnect happened). */
  get sessions(): number {
    return this.#connected;
  }

  /** The backend pid of the listening session, if connected (tests kill it). */
  get pid(): number | undefined {
    return (this.#client as unknown as { processID?: number } | undefined)?.processID;
  }

  publish(event: Exclude<RunEvent, { type: 'log' }>): void {
    const client = this.#client;
    if (!client) return;
    const wire: Wire = event.type === 'status' ? { o: this.#origin, t: 'status', r: event.runId, s: event.status } : { o: this.#origin, t: event.type };
    client.query('SELECT pg_notify($1, $2)', [this.channel, JSON.stringify(wire)]).catch((err) => {
      this.opts.log.debug({ err: String(err) }, 'could not send a run notification; replicas will poll');
    });
  }

  #connect(): Promise<void> {
    this.#connecting = (async () => {
      const client = new pg.Client(this.opts.clientConfig);
      client.on('error', () => this.#lost(client));
      client.on('end', () => this.#lost(client));
      client.on('notification', (msg) => msg.channel === this.channel && this.#deliver(msg.payload));
      try {
        await client.connect();
        await client.query(`LISTEN "${this.channel.replace(/"/g, '""')}"`);
        if (this.#stopped) {
          await client.end().catch(() => {});
          return;
        }
        this.#client = client;
        this.#connected++;
        this.#delay = this.opts.reconnectMs ?? 100;
        this.opts.log.debug({ channel: this.channel }, 'listening for run notifications');
        // Whatever was sent while disconnected: let the worker and waiters look once.
        this.events.receive({ type: 'enqueued' });
      } catch (err) {
        await client.end().catch(() => {});
        this.opts.log.warn({ err: String(err) }, 'cannot listen for run notifications; retrying (polling meanwhile)');
        this.#retry();
      }
    })().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => {});
    if (this.#stopped) return;
    this.opts.log.warn('run notification connection lost; reconnecting (polling meanwhile)');
    this.#retry();
  }

  #retry(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#connect(), this.#delay);
    this.#delay = Math.min(this.#delay * 2, 5000);
  }

  #deliver(payload: string | undefined): void {
    let wire: Wire;
    try {
      wire = JSON.parse(payload ?? '');
    } catch {
      return;
    }
    if (wire.o === this.#origin) return; // already delivered in-process
    if (wire.t === 'enqueued' || wire.t === 'notification') this.events.receive({ type: wire.t });
    else if (wire.t === 'status' && typeof wire.r === 'string' && (RUN_STATUSES as readonly string[]).includes(wire.s)) this.events.receive({ type: 'status', runId: wire.r, status: wire.s as RunStatus });
  }
}
