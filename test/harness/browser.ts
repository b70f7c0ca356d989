/**
 * A browser as far as SSO needs one: a cookie jar per host, redirects followed one by one, and
 * HTML forms submitted with their hidden fields. Enough to walk a real IdP's login pages.
 */
export interface Page {
  status: number;
  url: string;
  headers: Headers;
  text: string;
}

export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  /** One request, no redirect followed; cookies stored and sent. */
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    const u = new URL(url);
    const headers: Record<string, string> = {};
    const cookies = this.jar.get(u.host);
    if (cookies?.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const jar = this.jar.get(u.host) ?? new Map<string, string>();
      const value = pair.slice(eq + 1).trim();
      if (value && !/expires=Thu, 01 Jan 1970/i.test(line)) jar.set(pair.slice(0, eq).trim(), value);
      else jar.delete(pair.slice(0, eq).trim());
      this.jar.set(u.host, jar);
    }
    return { status: res.status, url, headers: res.headers, text: await res.text() };
  }

  /**
   * Follows redirects from `url`, filling each HTML form with `fill(fields)`, until a redirect
   * points at a URL starting with `stopAt`: that URL is returned, not fetched.
   */
  async walk(url: string, stopAt: string, fill: (fields: Record<string, string>) => Record<string, string>): Promise<string> {
    let next: { url: string; form?: Record<string, string> } = { url };
    for (let step = 0; step < 20; step++) {
      const page = await this.request(next.url, { form: next.form });
      const location = page.headers.get('location');
      if (page.status >= 300 && page.status < 400 && location) {
        const target = new URL(location, page.url).href;
        if (target.startsWith(stopAt)) return target;
        next = { url: target };
        continue;
      }
      const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.text);
      if (page.status !== 200 || !form) throw new Error(`browser: stuck at ${page.url} (HTTP ${page.status}): ${page.text.slice(0, 300)}`);
      const fields: Record<string, string> = {};
      for (const input of form[2].matchAll(/<input[^>]*name="([^"]+)"[^>]*>/g)) fields[input[1]] = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
      next = { url: new URL(form[1].replace(/&amp;/g, '&'), page.url).href, form: fill(fields) };
    }
    throw new Error('browser: too many steps');
  }
}
