import { EventEmitter } from 'node:events';
import type { RunStatus } from './run-status.js';

export type RunEvent =
  | { type: 'log'; runId: string; seq: number; phase: string; chunk: string }
  | { type: 'status'; runId: string; status: RunStatus }
  | { type: 'enqueued' };

/**
 * In-process notifications: wake the local worker on enqueue/confirm, push logs and statuses to
 * live followers. Other replicas learn the same facts by polling the database.
 */
export class RunEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  emit(event: RunEvent): void {
    this.emitter.emit(event.type === 'enqueued' ? 'enqueued' : `run:${event.runId}`, event);
  }

  onRun(runId: string, listener: (e: RunEvent) => void): () => void {
    this.emitter.on(`run:${runId}`, listener);
    return () => this.emitter.off(`run:${runId}`, listener);
  }

  onEnqueued(listener: () => void): () => void {
    this.emitter.on('enqueued', listener);
    return () => this.emitter.off('enqueued', listener);
  }
}
