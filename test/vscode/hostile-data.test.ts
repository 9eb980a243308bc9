// Hostile data in a real VS Code (code-server + Chromium): a task hub whose ids, names, inputs,
// outputs, custom status, event names, failures and stack traces are HTML, script, `</script>`,
// `javascript:` URLs, CSS injection, bidi overrides, zero-width characters and a 10 MB value
// (test/support/hostileHub.ts). The tree, the hub page and the instance pages show it, and:
// no script ran (a canary global stays unset in every frame), no request left for the payloads'
// URLs, the text is shown literally, the pages stay responsive, and each webview's CSP is strict.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Frame, Page } from 'playwright-core';
import type { Workbench } from '../support/vscodeEnvironment';
import { CANARY_HOST, HOSTILE_IDS, PAYLOADS, writeHostileHub } from '../support/hostileHub';
import { hubPageFrame, instancePageFrame, openHubPage } from '../support/webviewUi';
import { collapseTreeItem, expandTreeItem, openView, openViewContainer, revealTreeItem, screenshot, waitForWorkbench } from '../support/workbenchUi';
import { vscodeEnvironment } from './setup';

/** What `visibleText` (src/webview/model/hubFormat.ts) shows for an id with invisible characters. */
const ESCAPED_IDS: Record<string, RegExp> = {
  [HOSTILE_IDS.bidi]: /^xss-evil\\u\{?202e\}?gnp\.exe$/i,
  [HOSTILE_IDS.zeroWidth]: /^xss-zero\\u\{?200b\}?width$/i,
};

async function canaries(page: Page): Promise<{ url: string; value: unknown }[]> {
  const out: { url: string; value: unknown }[] = [];
  for (const frame of page.frames()) {
    const value = await frame.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned).catch(() => 'unreadable');
    if (value !== undefined && value !== 'unreadable') {
      out.push({ url: frame.url().slice(0, 80), value });
    }
  }
  return out;
}

/** A webview's CSP: default-src 'none', the one script by nonce, no inline code, nothing unsafe. */
async function assertStrictCsp(frame: Frame): Promise<void> {
  const csp = (await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
  assert.match(csp, /^default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]{16,}'; style-src [^;]+; font-src [^;]+; img-src [^;]+$/, csp);
  assert.ok(!/unsafe-/.test(csp), csp);
  const scripts = await frame.locator('script').evaluateAll((els) => els.map((e) => ({ src: e.getAttribute('src'), text: e.textContent ?? '' })));
  // Ours: the one bundle. VS Code itself adds one inline script to every webview document (the
  // `acquireVsCodeApi` shim), allowed by its own mechanism, not by our policy.
  const ours = scripts.filter((s) => s.src);
  assert.equal(ours.length, 1, JSON.stringify(ours));
  assert.match(ours[0].src ?? '', /\/dist\/webview\/(hub|instance)\.js$/);
  for (const inline of scripts.filter((s) => !s.src)) {
    assert.match(inline.text, /acquireVsCodeApi/, `an inline script that is not VS Code's: ${inline.text.slice(0, 200)}`);
  }
}

describe('Hostile data (tree and webviews in code-server)', () => {
  let wb: Workbench | undefined;
  const hub = `HostileHub${randomBytes(3).toString('hex')}`;
  const requests: string[] = [];
  let hubFrame: Frame | undefined;

  before(async function () {
    this.timeout(240_000);
    const env = vscodeEnvironment(this);
    await writeHostileHub(env.connectionString, hub);
    wb = await env.openWorkbench();
    wb.context.on('request', (r) => requests.push(r.url()));
    await waitForWorkbench(wb.page);
  });

  afterEach(async function () {
    if (wb && this.currentTest?.state === 'failed') {
      await screenshot(wb.page, `FAILED hostile ${this.currentTest.title}`).catch(() => undefined);
    }
  });

  after(async function () {
    this.timeout(60_000);
    await wb?.close();
  });

  function assertNothingRanOrLoaded(canaryValues: { url: string; value: unknown }[]): void {
    assert.deepEqual(canaryValues, [], 'an injected script ran');
    const leaked = requests.filter((u) => u.includes(CANARY_HOST) || /\/x(\?|$)/.test(u) || u.startsWith('javascript:'));
    assert.deepEqual(leaked, [], 'a payload made a request');
  }

  it('the tree shows hostile ids and names as text', async function () {
    this.timeout(120_000);
    const page = wb!.page;
    await openViewContainer(page, 'Durable Functions');
    const view = await openView(page, 'Task Hubs');
    // The project's SampleHub is expanded at start: fold it so 'Failed' below is the hostile hub's.
    await collapseTreeItem(await revealTreeItem(page, 'SampleHub', { within: view, byLabel: true, timeout: 60_000 }));
    await expandTreeItem(await revealTreeItem(page, hub, { within: view, byLabel: true, timeout: 60_000 }));
    await expandTreeItem(await revealTreeItem(page, 'Failed', { within: view, byLabel: true }));
    const item = await revealTreeItem(page, HOSTILE_IDS.markup, { within: view, byLabel: true });
    assert.equal(((await item.locator('.label-name').textContent()) ?? '').trim(), HOSTILE_IDS.markup);
    assert.equal(await view.locator('img').count(), 0, 'no element was made from a label');
    // A bidi override in an id is shown escaped, so it cannot reverse the rest of the row.
    const bidi = await revealTreeItem(page, 'xss-evil\\u202Egnp.exe', { within: view, byLabel: true });
    assert.equal(((await bidi.locator('.label-name').textContent()) ?? '').trim(), 'xss-evil\\u202Egnp.exe');
    await screenshot(page, 'hostile-tree');
    assertNothingRanOrLoaded(await canaries(page));
  });

  it('the hub page lists them literally (invisible characters escaped), and every id opens its page', async function () {
    this.timeout(240_000);
    const page = wb!.page;
    await openHubPage(page, hub);
    hubFrame = await hubPageFrame(page, hub, { timeout: 60_000 });
    await hubFrame.locator('#filter-range').selectOption('all');
    await hubFrame.locator('.apply-button').click();
    await hubFrame.locator('.list-summary').filter({ hasText: /\b5\b/ }).waitFor({ timeout: 30_000 });
    const shown = (await hubFrame.locator('.hub-row .hub-row-id').allTextContents()).map((t) => t.trim());
    for (const id of Object.values(HOSTILE_IDS)) {
      const escaped = ESCAPED_IDS[id];
      assert.ok(escaped ? shown.some((s) => escaped.test(s)) : shown.includes(id), `${JSON.stringify(id)} in ${JSON.stringify(shown)}`);
    }
    const names = (await hubFrame.locator('.hub-row').first().locator('.col-name').textContent()) ?? '';
    assert.ok(names.includes(PAYLOADS[0]), names);
    await assertStrictCsp(hubFrame);
    await screenshot(page, 'hostile-hub-page');
    assertNothingRanOrLoaded(await canaries(page));
  });

  it('instance pages show every hostile value as text, the 10 MB one included, and stay responsive', async function () {
    this.timeout(300_000);
    const page = wb!.page;
    for (const id of [HOSTILE_IDS.markup, HOSTILE_IDS.script, HOSTILE_IDS.large]) {
      // The hub page was hidden behind the last instance page (and its webview let go): bring it
      // back; it restores its filter from its saved state.
      await openHubPage(page, hub);
      hubFrame = await hubPageFrame(page, hub, { timeout: 60_000 });
      const link = hubFrame.locator('.hub-row .hub-row-id').filter({ hasText: id }).first().locator('button, a').first();
      await link.waitFor({ timeout: 30_000 });
      await link.click();
      const frame = await instancePageFrame(page, id, { timeout: 60_000 });
      await frame.locator('.status-badge .status-text').filter({ hasText: 'Failed' }).waitFor({ timeout: 60_000 });
      const text = (await frame.locator('main').textContent()) ?? '';
      // Fragments without quotes (JSON views show a string's quotes escaped).
      for (const fragment of ['<img src=x onerror=', '</script><script>window.__pwned=', 'click me</a>']) {
        assert.ok(text.includes(fragment), `${id}: ${fragment} shown literally`);
      }
      // Responsive: the tabs answer at once, even with a 10 MB input on the page.
      const started = Date.now();
      await frame.locator('#tab-timeline').click();
      await frame.locator('svg.timeline-svg').waitFor({ timeout: 30_000 });
      await frame.locator('#tab-history').click();
      await frame.locator('.h-row').first().waitFor({ timeout: 30_000 });
      assert.ok(Date.now() - started < 20_000, `tabs took ${Date.now() - started} ms`);
      assert.equal(await frame.locator('main img, main iframe, main script, main style, main link').count(), 0, `${id}: no element made from data`);
      await assertStrictCsp(frame);
      await screenshot(page, `hostile-instance-${Object.entries(HOSTILE_IDS).find(([, v]) => v === id)?.[0]}`);
    }
    assertNothingRanOrLoaded(await canaries(page));
  });
});
