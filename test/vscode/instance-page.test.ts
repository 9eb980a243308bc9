// The instance page in the real workbench (code-server in headless Chromium): opened from the
// Command Palette, rendered inside the webview's iframe, read from its DOM and photographed.
// The 10,000-event history must render as a virtualized list that scrolls; the timeline must draw;
// a failed instance shows its failure and links to its sub-orchestrations; an action done in the
// page's own form (with JSON checked as typed) takes effect through the worker.
// Screenshots go to test-results/screenshots/instance-page*.png.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Frame } from 'playwright-core';
import { createStorageClients, openTaskHub, purgeInstance, startNew, waitForStatus } from '../../src/core';
import type { TaskHub } from '../../src/core';
import type { Workbench } from '../support/vscodeEnvironment';
import { instancePageFrame, openInstancePage, renderedHistoryRows, scrollHistory } from '../support/webviewUi';
import { runCommand, screenshot, waitForWorkbench } from '../support/workbenchUi';
import { vscodeEnvironment } from './setup';

const HUB = 'SampleHub';

describe('Instance page (webview in code-server)', () => {
  let wb: Workbench | undefined;
  let hub: TaskHub | undefined;
  const own = `page-ui-approval-${randomBytes(4).toString('hex')}`;
  // Hostile data in the id itself and in every value: it must show as text and never run.
  const hostile = `page-ui-xss-<img src=x onerror=window.__pwned=1>-${randomBytes(3).toString('hex')}`;
  const hostileInput = [
    '<img src=x onerror="window.__pwned=2">',
    '</script><script>window.__pwned=3</script>',
    'javascript:window.__pwned=4',
    '<a href="javascript:window.__pwned=5">click</a><style>body{display:none}</style>',
  ];

  before(async function () {
    this.timeout(180_000);
    const env = vscodeEnvironment(this);
    hub = await openTaskHub({ clients: await createStorageClients({ kind: 'connectionString', connectionString: env.connectionString }), name: HUB });
    await startNew(hub, { name: 'ApprovalWorkflow', instanceId: own, input: '{"timeoutSeconds": 600}' });
    await startNew(hub, { name: 'HelloCities', instanceId: hostile, input: JSON.stringify(hostileInput) });
    const running = await waitForStatus(hub, { instanceId: own, until: (s) => s.runtimeStatus === 'Running', timeoutMs: 60_000, intervalMs: 250 });
    assert.ok(!running.timedOut, `${own} did not start`);
    const done = await waitForStatus(hub, { instanceId: hostile, until: (s) => s.runtimeStatus === 'Completed', timeoutMs: 60_000, intervalMs: 250 });
    assert.ok(!done.timedOut, `${hostile} did not complete`);
    wb = await env.openWorkbench();
    await waitForWorkbench(wb.page);
  });

  afterEach(async function () {
    if (wb && this.currentTest?.state === 'failed') {
      await screenshot(wb.page, `FAILED instance-page ${this.currentTest.title}`).catch(() => undefined);
    }
  });

  after(async function () {
    this.timeout(60_000);
    await wb?.close();
    for (const id of [own, hostile]) {
      await (hub ? purgeInstance(hub, { instanceId: id, force: true }).catch(() => undefined) : undefined);
    }
  });

  async function open(instanceId: string): Promise<Frame> {
    await openInstancePage(wb!.page, HUB, instanceId);
    const frame = await instancePageFrame(wb!.page, instanceId, { timeout: 60_000 });
    await frame.locator('.status-badge .status-text').filter({ hasNotText: 'Loading…' }).waitFor({ timeout: 30_000 });
    return frame;
  }

  it('renders the 10,000-event history as a virtualized list that scrolls, and its timeline', async function () {
    this.timeout(180_000);
    const frame = await open('long-history');
    assert.equal((await frame.locator('.instance-name').textContent())?.trim(), 'HelloCities');
    assert.equal((await frame.locator('.status-badge .status-text').textContent())?.trim(), 'Completed');
    // Every page of the history read.
    await frame.locator('.history-count').filter({ hasText: /^10,000 events$/ }).waitFor({ timeout: 90_000 });
    assert.equal((await frame.locator('#tab-history').textContent())?.trim(), 'History (10,000)');
    const top = await renderedHistoryRows(frame);
    assert.ok(top.count > 5 && top.count < 100, `${top.count} rows in the DOM for 10,000 events`);
    assert.equal(top.first, 0);
    assert.equal((await frame.locator('.h-row').first().locator('.h-type').textContent())?.trim(), 'OrchestratorStarted');
    // Durations of activities are shown (scheduled → completed).
    const activity = frame.locator('.h-row.kind-activity').filter({ hasText: 'TaskScheduled' }).first();
    assert.match((await activity.locator('.h-dur').textContent()) ?? '', /^\d+ ms$/);
    assert.equal((await activity.locator('.h-name').textContent())?.trim(), 'SayHello');
    // The values section shows the output read from its blob.
    assert.match((await frame.locator('.section-output .section-summary').textContent()) ?? '', /Output.*KB/);
    await screenshot(wb!.page, 'instance-page-long-history');

    await scrollHistory(frame, 0.5);
    const middle = await renderedHistoryRows(frame);
    assert.ok(middle.count < 100, `${middle.count} rows after scrolling`);
    assert.ok(middle.first > 4000 && middle.last < 6000, JSON.stringify(middle));
    await scrollHistory(frame, 1);
    const bottom = await renderedHistoryRows(frame);
    assert.equal(bottom.last, 9999);
    assert.equal((await frame.locator('.h-row[data-index="9999"] .h-type').textContent())?.trim(), 'OrchestratorCompleted');
    // Expanding a row loads its event.
    await frame.locator('.h-row[data-index="9997"] .h-main').click();
    await frame.locator('.h-row[data-index="9997"] .h-details .json-tree').waitFor({ timeout: 15_000 });
    assert.match((await frame.locator('.h-row[data-index="9997"] .h-details').textContent()) ?? '', /Result/);
    // Its details are scrolled into view.
    const details = await frame.locator('.h-row[data-index="9997"] .h-details').boundingBox();
    const list = await frame.locator('.history-scroller').boundingBox();
    assert.ok(details && list && details.y + details.height <= list.y + list.height + 1, `details at ${JSON.stringify(details)} below the list ${JSON.stringify(list)}`);
    await screenshot(wb!.page, 'instance-page-long-history-scrolled');

    // Newest first, filtered to activities.
    await frame.locator('.order-button').click();
    await frame.locator('.history .toolbar select').selectOption('activities');
    // 2,499 calls: each scheduled and completed.
    await frame.locator('.history-count').filter({ hasText: /^4,998 of 10,000 events$/ }).waitFor({ timeout: 10_000 });
    const newest = frame.locator('.h-row').first();
    assert.equal((await newest.locator('.h-type').textContent())?.trim(), 'TaskCompleted');
    assert.match((await newest.locator('.h-summary').textContent()) ?? '', /Hello City-2499!/);

    await frame.locator('#tab-timeline').click();
    const svg = frame.locator('svg.timeline-svg');
    await svg.waitFor({ timeout: 30_000 });
    const bars = await frame.locator('svg.timeline-svg g.bar-activity').count();
    assert.equal(bars, 2499);
    await screenshot(wb!.page, 'instance-page-long-history-timeline');
    await frame.locator('.timeline button[aria-label="Zoom in"]').click();
    await frame.locator('.timeline button[aria-label="Zoom in"]').click();
    assert.equal((await frame.locator('.zoom-label').textContent())?.trim(), '200%');
    const width = Number(await svg.getAttribute('width'));
    assert.ok(width > 1500, `zoomed width ${width}`);
    await frame.locator('#tab-history').click();
  });

  it('shows a failed instance: its failure, failed events, and links to its sub-orchestrations', async function () {
    this.timeout(120_000);
    const frame = await open('parent-failed');
    assert.equal((await frame.locator('.status-badge .status-text').textContent())?.trim(), 'Failed');
    await frame.locator('.copy-status-url').click();
    await frame.locator('.banner').filter({ hasText: 'Copied the status URL.' }).waitFor({ timeout: 10_000 });
    await screenshot(wb!.page, 'instance-page-copied-status-url');
    const failure = frame.locator('.section-failure');
    await failure.waitFor();
    assert.match((await failure.textContent()) ?? '', /ChildOrchestration/);
    assert.equal(await frame.locator('.section-output').count(), 0, 'a failed instance shows its failure, not an "output"');
    // Actions for a failed instance: the tree's (rewind, restart, purge).
    const actions = await frame.locator('.actions button').allTextContents();
    assert.deepEqual(actions.map((a) => a.trim()), ['Rewind…', 'Restart…', 'Purge…', 'Open as JSON Document']);
    await frame.locator('.history-count').filter({ hasText: /events$/ }).waitFor({ timeout: 30_000 });
    assert.ok((await frame.locator('.h-row.failed').count()) >= 1, 'the failed events are marked');
    await frame.locator('#tab-timeline').click();
    await frame.locator('svg.timeline-svg g.bar-subOrchestration').first().waitFor();
    assert.equal(await frame.locator('svg.timeline-svg g.bar-subOrchestration').count(), 3);
    assert.equal(await frame.locator('svg.timeline-svg g.bar-subOrchestration.failed').count(), 1);
    await screenshot(wb!.page, 'instance-page-failed-timeline');
    await frame.locator('#tab-history').click();
    await screenshot(wb!.page, 'instance-page-failed');

    // The failed child's link opens its page, which links back to the parent.
    await frame.locator('.child-link', { hasText: 'parent-failed:1' }).first().click();
    const child = await instancePageFrame(wb!.page, 'parent-failed:1', { timeout: 60_000 });
    await child.locator('.parent-link').waitFor({ timeout: 30_000 });
    assert.match((await child.locator('.parent-link').textContent()) ?? '', /parent-failed \(ParentOrchestration\)/);
    await screenshot(wb!.page, 'instance-page-sub-orchestration');
  });

  it('raises an event from the page\'s own form, checking the JSON as it is typed; the page follows the status', async function () {
    this.timeout(120_000);
    const frame = await open(own);
    assert.equal((await frame.locator('.status-badge .status-text').textContent())?.trim(), 'Running');
    // A destructive action confirms in the page, with a button named for it; Cancel sends nothing.
    await frame.locator('.actions button', { hasText: 'Terminate…' }).click();
    const terminate = frame.locator('.action-form form');
    await terminate.waitFor();
    assert.match((await terminate.textContent()) ?? '', /Terminate this instance\?.*cannot be resumed/);
    assert.match((await terminate.locator('button', { hasText: /^Terminate$/ }).getAttribute('class')) ?? '', /\bdanger\b/);
    await terminate.locator('#action-reason').fill('not now');
    await screenshot(wb!.page, 'instance-page-terminate-form');
    await terminate.locator('button', { hasText: 'Cancel' }).click();
    await terminate.waitFor({ state: 'detached' });
    await frame.locator('.actions button', { hasText: 'Raise Event…' }).click();
    const form = frame.locator('.action-form form');
    await form.waitFor();
    await form.locator('#event-name').fill('Approval');
    await form.locator('#event-data').fill('yes');
    await form.locator('#event-data-problem').filter({ hasText: /Strings need quotes/ }).waitFor({ timeout: 5_000 });
    const send = form.locator('button', { hasText: 'Send Event' });
    assert.equal(await send.isDisabled(), true, 'invalid JSON cannot be sent');
    await screenshot(wb!.page, 'instance-page-raise-event-form');
    await form.locator('#event-data').fill('true');
    assert.equal(await send.isDisabled(), false);
    await send.click();
    await frame.locator('.banner', { hasText: "Event 'Approval' sent." }).waitFor({ timeout: 15_000 });
    // The page polls until the runtime has processed the event.
    await frame.locator('.status-badge .status-text', { hasText: 'Completed' }).waitFor({ timeout: 60_000 });
    await frame.locator('.section-output', { hasText: 'Approved' }).waitFor({ timeout: 15_000 });
    await screenshot(wb!.page, 'instance-page-after-event');
  });

  it('timelines: a fan-out gets a lane per parallel call; a monitor\'s idle waits collapse', async function () {
    this.timeout(120_000);
    const fanOut = await open('fanout-completed');
    await fanOut.locator('#tab-timeline').click();
    await fanOut.locator('svg.timeline-svg g.bar-activity').first().waitFor({ timeout: 30_000 });
    const lanes = await fanOut.locator('svg.timeline-svg g.bar-activity rect').evaluateAll((els) => new Set(els.map((e) => e.getAttribute('y'))).size);
    assert.equal(lanes, 25, 'FanOutFanIn(25): 25 activities at once, one lane each');
    await screenshot(wb!.page, 'instance-page-timeline-fan-out');

    const monitor = await open('monitor-completed');
    await monitor.locator('#tab-timeline').click();
    await monitor.locator('svg.timeline-svg g.bar-timer').first().waitFor({ timeout: 30_000 });
    const collapsedBreaks = await monitor.locator('svg.timeline-svg .idle-break').count();
    assert.ok(collapsedBreaks >= 2, `${collapsedBreaks} idle gaps collapsed`);
    await screenshot(wb!.page, 'instance-page-timeline-monitor');
    await monitor.locator('#collapse-idle').uncheck();
    await monitor.locator('svg.timeline-svg g.bar-timer').first().waitFor();
    assert.equal(await monitor.locator('svg.timeline-svg .idle-break').count(), 0);
  });

  it('shows instance data full of HTML and script as text, and none of it runs', async function () {
    this.timeout(120_000);
    const frame = await open(hostile);
    assert.equal((await frame.locator('.instance-id').textContent())?.trim(), hostile);
    await frame.locator('.history-count').filter({ hasText: /^\d+ events$/ }).waitFor({ timeout: 30_000 });
    const input = (await frame.locator('.section-input').textContent()) ?? '';
    for (const payload of hostileInput) {
      assert.ok(input.includes(JSON.stringify(payload).slice(1, -1)) || input.includes(payload), `input does not show ${payload} as text: ${input}`);
    }
    // The JSON view shows strings as JSON (quotes escaped), as text.
    assert.ok(((await frame.locator('.section-output').textContent()) ?? '').includes('"Hello <img src=x onerror=\\"window.__pwned=2\\">!"'));
    // Expand the first activity: its input, shown as text too.
    await frame.locator('.h-row.kind-activity .h-main').first().click();
    await frame.locator('.h-details .json-tree').first().waitFor({ timeout: 15_000 });
    assert.match((await frame.locator('.h-details').first().textContent()) ?? '', /<img src=x onerror/);
    await frame.locator('#tab-timeline').click();
    await frame.locator('svg.timeline-svg').waitFor({ timeout: 30_000 });
    await frame.locator('#tab-history').click();
    // No element came from the data, and nothing ran, in the page or in the workbench.
    // (VS Code itself adds one <style id="_defaultStyles"> with the theme's variables.)
    const injected = await frame.locator('img, a, iframe, object, embed, style:not(#_defaultStyles), link[href*="javascript"]').evaluateAll((els) => els.map((e) => e.outerHTML.slice(0, 200)));
    assert.deepEqual(injected, []);
    // Scripts: our bundle, and what VS Code injects into every webview (its API); none from the data.
    const scripts = await frame.locator('script').evaluateAll((els) => els.map((e) => ({ src: e.getAttribute('src') ?? '', text: (e.textContent ?? '').slice(0, 100000) })));
    assert.equal(scripts.filter((sc) => sc.src.endsWith('/dist/webview/instance.js')).length, 1, JSON.stringify(scripts.map((sc) => sc.src)));
    assert.ok(scripts.every((sc) => !sc.src.includes('pwned') && !sc.text.includes('__pwned')), 'a script from the data');
    assert.equal(await frame.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.equal(await wb!.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.equal(await frame.locator('body').isVisible(), true);
    await screenshot(wb!.page, 'instance-page-hostile-data');
  });

  it('survives a window reload: the panel is restored on its instance', async function () {
    this.timeout(180_000);
    const p = wb!.page;
    const frame = await open('approval-timed-out');
    await frame.locator('.history .toolbar select').selectOption('timers');
    await frame.locator('#tab-timeline').click();
    await frame.locator('svg.timeline-svg').waitFor({ timeout: 30_000 });
    // Let the page's setState reach the workbench before it goes away.
    await p.waitForTimeout(1500);
    // Reload as a user does ("Developer: Reload Window"): the workbench shuts down in order and
    // saves its editors first, which a browser reload (Playwright's page.reload) does not wait for.
    const reloaded = p.waitForEvent('domcontentloaded', { timeout: 60_000 });
    await runCommand(p, 'Developer: Reload Window');
    await reloaded;
    await waitForWorkbench(p);
    // The editor tab comes back; its webview is restored (by the serializer) once it is shown.
    const tab = p.locator('.tabs-container [role="tab"]', { hasText: 'approval-timed-out' }).first();
    await tab.waitFor({ timeout: 60_000 });
    await tab.click();
    const restored = await instancePageFrame(p, 'approval-timed-out', { timeout: 90_000 });
    await restored.locator('.status-badge .status-text').filter({ hasNotText: 'Loading…' }).waitFor({ timeout: 30_000 });
    assert.equal((await restored.locator('.status-badge .status-text').textContent())?.trim(), 'Completed');
    // Its UI state came back with it: the Timeline tab, as it was left.
    assert.equal(await restored.locator('#tab-timeline').getAttribute('aria-selected'), 'true');
    await screenshot(p, 'instance-page-restored-after-reload');
  });
});
