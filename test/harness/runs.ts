import type { TestApp } from './start-app.js';

/** Polls GET /api/v1/runs/{id} until `until(status)`; returns the run with its log. */
export async function waitForRun(app: TestApp, id: string, until: (status: string) => boolean = settled, timeoutMs = 90_000, token = app.admin.token): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.req('GET', `/api/v1/runs/${id}`, { token });
    if (until(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${res.body.status}: ${res.body.log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function settled(status: string): boolean {
  return ['planned', 'applied', 'planned_and_finished', 'errored', 'canceled', 'discarded'].includes(status);
}
