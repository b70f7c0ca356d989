import { EventEmitter } from 'node:events';
import type { RunStatus } from './run-status.js';

export type RunEvent =
  | { type: 'log'; runId: string; seq: number; phase: string; chunk: string }
  | { type: 'status'; runId: string; status: RunStatus }
  | { type: 'enqueued' }
  /** the notifications outbox got rows: every replica's dispatcher may deliver them */
  | { type: 'notification' };

/** Carries enqueue and status events to the other replicas (PostgreSQL NOTIFY); best effort. */
export interface RunEventBus {
  publish(event: Exclude<RunEvent, { type: 'log' }>): void;
}

/**
 * Notifications: wake the local worker on enqueue/confirm, push logs and statuses to live
 * followers. With a bus attached, enqueue and status events also reach the other replicas at once
 * (their `receive`); log chunks stay local. Polling the database remains the fallback either way.
 */
export class RunEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private bus: RunEventBus | undefined;

  attach(bus: RunEventBus | undefined): void {
    this.bus = bus;
  }

  emit(event: RunEvent): void {
    this.receive(event);
    if (event.type !== 'log') this.bus?.publish(event);
  }

  /** An event from another replica (or this one): delivered locally only. */
  receive(event: RunEvent): void {
    this.emitter.emit(event.type === 'enqueued' || event.type === 'notification' ? event.type : `run:${event.runId}`, event);
    if (event.type === 'status') this.emitter.emit('status', event);
  }

  /** Every run's status changes (a workspace's live run list): the listener gets the run's id. */
  onStatus(listener: (runId: string, status: RunStatus) => void): () => void {
    const l = (e: { runId: string; status: RunStatus }) => listener(e.runId, e.status);
    this.emitter.on('status', l);
    return () => this.emitter.off('status', l);
  }

  onRun(runId: string, listener: (e: RunEvent) => void): () => void {
    this.emitter.on(`run:${runId}`, listener);
    return () => this.emitter.off(`run:${runId}`, listener);
  }

  /**
   * Resolves at the next event of any of these runs (of `type`, if given), after `timeoutMs` at
   * the latest (the poll that notices work done on other replicas), or when `signal` aborts.
   */
  next(runIds: string[], options: { timeoutMs: number; type?: RunEvent['type']; signal?: AbortSignal }): Promise<void> {
    return new Promise((resolve) => {
      const offs = runIds.map((id) => this.onRun(id, (e) => (!options.type || e.type === options.type) && done()));
      const timer = setTimeout(done, options.timeoutMs);
      options.signal?.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        offs.forEach((off) => off());
        options.signal?.removeEventListener('abort', done);
        resolve();
      }
    });
  }

  onNotification(listener: () => void): () => void {
    this.emitter.on('notification', listener);
    return () => this.emitter.off('notification', listener);
  }

  onEnqueued(listener: () => void): () => void {
    this.emitter.on('enqueued', listener);
    return () => this.emitter.off('enqueued', listener);
  }
}
