// Webview first paint: dist/webview/instance.js in the page the host would build (the same HTML
// shell and CSP), opened in headless Chromium through playwright-core, with `acquireVsCodeApi`
// stubbed by a host that answers the real protocol (src/shared/protocol) at once from memory:
// `hello`, `instance/status`, then `instance/history` pages of the rows the host would send,
// answered by a worker that fetches each page as it is asked for. The clock starts at navigation; what is measured is the
// page's own work (load, parse, run, render), not the host's storage reads (measured separately
// by the caller).
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { HistoryRow, InstanceHello, InstanceSnapshot } from '../../../src/shared/protocol';
import { webviewShell } from '../../../src/extension/webviews/html';
import { rootRequire } from '../env';

export interface FirstPaintSample {
  /** Navigation start → the first `.h-row` is in the DOM. */
  firstRowMs: number;
  /** → the animation frame after it (the row is painted by then). */
  firstFrameMs: number;
  /** → every row read and the list rendered (the tab says "History (N)"). */
  allRowsMs: number;
  /** Page milestones (ms from navigation): DOMContentLoaded, ready, each request, first row. */
  steps: [string, number][];
  /**
   * The harness's own floor, measured in the same run: a new context navigating to a page that is
   * one `.h-row` and nothing else, to the frame after it (Chromium's start of a page, no script).
   */
  blankFrameMs: number;
}

/** The smallest page with a row: what any first paint in this harness costs before our code runs. */
const BLANK_PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>blank</title></head><body><div class="h-row">row</div>' +
  '<script>requestAnimationFrame(() => { window.__blankFrame = performance.now(); });</script></body></html>';

interface StubData {
  hello: InstanceHello;
  snapshot: InstanceSnapshot;
  rows: HistoryRow[];
  executionId: string | null;
}

/** Runs in the page before its scripts: the VS Code API stub and the first-row observer. */
function pageInit(headJson: string): void {
  const w = window as unknown as Record<string, unknown>;
  const head = JSON.parse(headJson) as { hello: unknown; snapshot: unknown };
  const marks: { firstRow: number | null; firstFrame: number | null; steps: [string, number][] } = { firstRow: null, firstFrame: null, steps: [] };
  w.__benchMarks = marks;
  const step = (label: string): void => {
    marks.steps.push([label, performance.now()]);
  };
  document.addEventListener('DOMContentLoaded', () => step('DOMContentLoaded'));
  const observer = new MutationObserver(() => {
    if (marks.firstRow === null && document.querySelector('.h-row')) {
      marks.firstRow = performance.now();
      step('first .h-row');
      requestAnimationFrame(() => {
        marks.firstFrame = performance.now();
      });
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });

  // The host answers as window `message` events: hello and status at once from here, history
  // pages from a worker that fetches and parses each page off the page's thread (as the real
  // host's work happens in the extension host).
  const rowsHost = new Worker('/bench-host.js');
  rowsHost.onmessage = (e: MessageEvent) => window.postMessage(e.data, '*');
  window.addEventListener('message', (e: MessageEvent) => {
    const t = (e.data as { type?: string; result?: { rows?: unknown[] } }).type;
    if (t === 'hello' || (t === 'reply' && marks.steps.filter(([l]) => l.startsWith('reply')).length < 3)) {
      step(t === 'hello' ? 'hello received' : 'reply received');
    }
  });
  const answer = (message: unknown): void => {
    setTimeout(() => window.postMessage(message, '*'), 0);
  };
  let state: unknown;
  w.acquireVsCodeApi = () => ({
    getState: () => state,
    setState: (s: unknown) => {
      state = s;
    },
    postMessage: (m: { type: string; method?: string; params?: { continuationToken?: string | null } }) => {
      step(m.type === 'ready' ? 'ready' : m.method === 'instance/history' ? `history ${m.params?.continuationToken ?? 'first'}` : String(m.method));
      const request = m as { type: string; id?: number; method?: string };
      if (request.type === 'ready') {
        answer({ type: 'hello', protocol: 1, params: head.hello });
      } else if (request.method === 'instance/history') {
        rowsHost.postMessage(m);
      } else if (request.type === 'request') {
        const result = request.method === 'instance/status' ? { found: true, instance: head.snapshot, readAt: new Date().toISOString() } : {};
        answer({ type: 'reply', id: request.id, ok: true, result });
      }
    },
  });
}

/**
 * Answers `instance/history` (source of /bench-host.js, a worker): each page is fetched as the page
 * asks for it (/bench-rows?start=…&size=…, sliced by the server), as the host sends only the page
 * asked for. (Fetching all 10,000 rows up front made the first answer wait for that whole
 * download and parse whenever the page asked early: a cost of the stub, not of the page.)
 */
const HOST_WORKER = `
onmessage = async (e) => {
  const m = e.data;
  const start = m.params && m.params.continuationToken ? Number(m.params.continuationToken) : 0;
  const size = (m.params && m.params.pageSize) || 1000;
  const page = await (await fetch('/bench-rows?start=' + start + '&size=' + size)).json();
  const result = { generation: 1, executionId: EXECUTION_ID, rows: page.rows, continuationToken: page.next };
  postMessage({ type: 'reply', id: m.id, ok: true, result });
};
`;

export async function measureFirstPaint(o: {
  root: string;
  chromium: string;
  snapshot: InstanceSnapshot;
  rows: HistoryRow[];
  executionId: string | null;
  runs: number;
  hubName: string;
}): Promise<FirstPaintSample[]> {
  const { chromium } = rootRequire(o.root)('playwright-core') as typeof import('playwright-core');
  const webviewDir = path.join(o.root, 'dist', 'webview');
  const types: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.html': 'text/html' };
  const data: StubData = {
    hello: {
      target: { connectionId: 'bench', hubName: o.hubName, instanceId: o.snapshot.instanceId },
      hubName: o.hubName,
      connectionLabel: 'bench',
      settings: { refreshSeconds: 0, pollTimeoutSeconds: 30 },
    },
    snapshot: o.snapshot,
    rows: o.rows,
    executionId: o.executionId,
  };
  const headJson = JSON.stringify({ hello: data.hello, snapshot: data.snapshot });
  // Each page's JSON, as the host would serialize it for postMessage (made ahead, off the clock).
  const pageJson = new Map<string, string>();
  const rowsPage = (start: number, size: number): string => {
    const key = `${start}:${size}`;
    let json = pageJson.get(key);
    if (json === undefined) {
      const end = Math.min(data.rows.length, start + size);
      json = JSON.stringify({ rows: data.rows.slice(start, end), next: end < data.rows.length ? String(end) : null });
      pageJson.set(key, json);
    }
    return json;
  };
  const worker = HOST_WORKER.replace('EXECUTION_ID', JSON.stringify(data.executionId));
  // A plain local HTTP server (not Playwright request interception, which adds a round trip
  // through this process to every resource): the page's own loading is what is measured.
  let html = '';
  const server = createServer((req, res) => {
    const rel = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/^\/+/, '');
    if (rel === '' || rel === 'index.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      return;
    }
    if (rel === 'blank.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(BLANK_PAGE);
      return;
    }
    if (rel === 'bench-rows') {
      const q = new URL(req.url ?? '/', 'http://localhost').searchParams;
      res.writeHead(200, { 'content-type': 'application/json' }).end(rowsPage(Number(q.get('start') ?? 0), Number(q.get('size') ?? 1000)));
      return;
    }
    const served: Record<string, [string, string]> = {
      'bench-host.js': ['text/javascript', worker],
    };
    if (served[rel]) {
      res.writeHead(200, { 'content-type': served[rel][0] }).end(served[rel][1]);
      return;
    }
    try {
      const body = readFileSync(path.join(webviewDir, path.normalize(rel).replace(/^(\.\.[/\\])+/, '')));
      res.writeHead(200, { 'content-type': types[path.extname(rel)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ORIGIN = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const nonce = 'YmVuY2htYXJrbm9uY2UxMjM0';
  html = webviewShell({
    cspSource: ORIGIN,
    nonce,
    scriptUri: `${ORIGIN}/instance.js`,
    styleUris: [`${ORIGIN}/codicons/codicon.css`, `${ORIGIN}/instance.css`],
    title: 'Instance',
    view: 'instance',
  });
  const browser = await chromium.launch({ executablePath: o.chromium, headless: true, args: ['--no-sandbox'] });
  const samples: FirstPaintSample[] = [];
  try {
    for (let run = 0; run < o.runs; run++) {
      // A new context per run: nothing cached from the previous page.
      // bypassCSP: the shell's CSP (kept as the host writes it) would forbid the stub's worker.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.addInitScript(pageInit, headJson);
      // BENCH_WEBVIEW_PROFILE=file.cpuprofile: a CPU profile of the first run (Chrome DevTools format).
      const profileFile = run === 0 ? process.env.BENCH_WEBVIEW_PROFILE : undefined;
      const cdp = profileFile ? await context.newCDPSession(page) : undefined;
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      await page.goto(`${ORIGIN}/index.html`);
      const total = o.rows.length.toLocaleString('en-US');
      const allRowsMs = await (
        await page.waitForFunction(
          (label: string) => {
            const tab = document.getElementById('tab-history');
            return tab && tab.textContent === label ? performance.now() : null;
          },
          `History (${total})`,
          { polling: 'raf', timeout: 60_000 },
        )
      ).jsonValue();
      const marks = (await page.evaluate(() => (window as unknown as { __benchMarks: unknown }).__benchMarks)) as {
        firstRow: number | null;
        firstFrame: number | null;
        steps: [string, number][];
      };
      if (marks.firstRow === null || marks.firstFrame === null) {
        throw new Error(`The instance page rendered no .h-row${errors.length ? ` (page errors: ${errors.join('; ')})` : ''}`);
      }
      if (cdp && profileFile) {
        const { profile } = await cdp.send('Profiler.stop');
        writeFileSync(profileFile, JSON.stringify(profile));
      }
      await context.close();
      // The floor right after, in a context as fresh as the page's.
      const blankContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const blank = await blankContext.newPage();
      await blank.goto(`${ORIGIN}/blank.html`);
      const blankFrameMs = (await (await blank.waitForFunction(() => (window as unknown as { __blankFrame?: number }).__blankFrame ?? null, undefined, { polling: 'raf' })).jsonValue()) as number;
      await blankContext.close();
      samples.push({ firstRowMs: marks.firstRow, firstFrameMs: marks.firstFrame, allRowsMs: allRowsMs as number, steps: marks.steps, blankFrameMs });
    }
  } finally {
    await browser.close();
    server.close();
  }
  return samples;
}
