// The static HTML shell every webview gets: a strict Content-Security-Policy, the stylesheets and
// ONE bundled script, allowed by a fresh nonce. No data goes into the HTML — instance data arrives
// by postMessage after the page's `ready` — so nothing here needs escaping except the few
// host-made strings (URIs, title), which are escaped anyway. Pure (no `vscode`), for unit tests.
import { randomBytes } from 'node:crypto';

/** 128 random bits, base64: a new one for every HTML the host sets. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * `default-src 'none'` and nothing else than: our script by nonce, our stylesheets and fonts
 * (codicons) and images from the webview's resource origin. No 'unsafe-inline', no 'unsafe-eval'.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(nonce)) {
    throw new Error('The nonce must be base64 of at least 16 characters.');
  }
  // A list of sources ("'self' https://*.vscode-cdn.net" in VS Code for the web), never a directive.
  if (/[;,"\r\n]/.test(cspSource) || !cspSource.trim()) {
    throw new Error('The webview cspSource must be a list of sources, without semicolons, commas or double quotes.');
  }
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
  ].join('; ');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface ShellOptions {
  cspSource: string;
  nonce: string;
  /** The bundle (dist/webview/<view>.js) as a webview URI. */
  scriptUri: string;
  /** Stylesheets (codicons first, then the view's), as webview URIs. */
  styleUris: readonly string[];
  /** The document title (a fixed string: never instance data). */
  title: string;
  /** Which page the bundle renders (`instance`, later `hub`). */
  view: string;
}

export function webviewShell(o: ShellOptions): string {
  const styles = o.styleUris.map((u) => `<link rel="stylesheet" href="${escapeHtml(u)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(o.cspSource, o.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeHtml(o.title)}</title>
  </head>
  <body>
    <main id="app" data-view="${escapeHtml(o.view)}" aria-busy="true"><p class="loading">Loading…</p></main>
    <script nonce="${escapeHtml(o.nonce)}" src="${escapeHtml(o.scriptUri)}"></script>
  </body>
</html>
`;
}
