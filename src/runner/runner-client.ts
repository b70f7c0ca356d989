/** HTTP to the server's runner protocol (/api/v1/runner/…) with the runner token; nothing else. */
export class RunnerClient {
  runnerId = '';

  constructor(private readonly baseUrl: string, private readonly token: string) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...(this.runnerId ? { 'x-atlantas-runner': this.runnerId } : {}), ...extra };
  }

  /** JSON in, JSON out (null for 204); a non-2xx answer throws with the server's message. */
  async send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}/api/v1/runner${path}`, {
      method, signal, headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return this.read(res, path);
  }

  async upload(path: string, data: Buffer): Promise<void> {
    const res = await fetch(`${this.baseUrl}/api/v1/runner${path}`, {
      method: 'PUT', headers: this.headers({ 'content-type': 'application/octet-stream' }), body: new Uint8Array(data),
    });
    await this.read(res, path);
  }

  private async read(res: Response, path: string): Promise<unknown> {
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 500);
      try {
        const parsed = JSON.parse(text) as { error?: string; message?: string };
        message = parsed.message ?? parsed.error ?? message;
      } catch {
        // not JSON
      }
      throw Object.assign(new Error(`${path}: ${res.status} ${message}`), { status: res.status });
    }
    return text ? JSON.parse(text) : null;
  }
}
