/** The sign-in page `terraform login` opens in a browser: plain HTML, no script, the request carried in hidden fields. Pure. */

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function loginPage(params: Record<string, string>, message?: string): string {
  const hidden = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`)
    .join('\n      ');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Atlantas: terraform login</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}label{display:block;margin-top:1rem}
input[type=email],input[type=password]{width:100%;padding:.4rem}button{margin-top:1.2rem;padding:.5rem 1.2rem}.error{color:#b00020}</style></head>
<body>
  <h1>Sign in to Atlantas</h1>
  <p>Terraform is asking for an API token. Sign in to give it one; the token acts as you.</p>
  ${message ? `<p class="error" role="alert">${escape(message)}</p>` : ''}
  <form method="post" action="/oauth/authorize">
      ${hidden}
    <label>Email <input type="email" name="email" autocomplete="username" required></label>
    <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
    <button type="submit">Sign in and return to terraform</button>
  </form>
</body>
</html>
`;
}

export function errorPage(message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Atlantas: terraform login</title></head>
<body><h1>This login request cannot be used</h1><p>${escape(message)}</p><p>Run <code>terraform login</code> again.</p></body></html>
`;
}
