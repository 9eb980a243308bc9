// UI smoke test: the real workbench (code-server in headless Chromium) on the seeded workspace
// folder, driven and read through the DOM. Screenshots go to test-results/screenshots/.
import assert from 'node:assert/strict';
import type { Workbench } from '../support/vscodeEnvironment';
import { findTreeItem, openView, openViewContainer, screenshot, waitForWorkbench } from '../support/workbenchUi';
import { vscodeEnvironment } from './setup';

describe('Workbench UI (code-server + Chromium)', () => {
  let wb: Workbench | undefined;

  before(async function () {
    this.timeout(120_000);
    const env = vscodeEnvironment(this);
    wb = await env.openWorkbench();
    await waitForWorkbench(wb.page);
  });

  afterEach(async function () {
    if (wb && this.currentTest?.state === 'failed') {
      await screenshot(wb.page, `FAILED workbench ${this.currentTest.title}`).catch(() => undefined);
    }
  });

  after(async () => {
    await wb?.close();
  });

  it('loads the workbench on the prepared workspace folder', async function () {
    const { page } = wb!;
    const env = vscodeEnvironment(this);
    const folderName = env.workspaceFolder.split('/').pop() ?? '';
    // The window title names the open folder.
    const deadline = Date.now() + 30_000;
    while (!(await page.title()).includes(folderName) && Date.now() < deadline) {
      await page.waitForTimeout(200);
    }
    assert.ok((await page.title()).includes(folderName), `window title '${await page.title()}' does not name ${folderName}`);
    // The Explorer lists the prepared Functions app files.
    await openViewContainer(page, 'Explorer');
    await findTreeItem(page, 'host.json', { exact: true });
    await findTreeItem(page, 'local.settings.json', { exact: true });
    await screenshot(page, 'workbench-loaded');
  });

  it('shows SampleHub under Durable Functions › Task Hubs', async () => {
    const { page } = wb!;
    await openViewContainer(page, 'Durable Functions');
    try {
      const view = await openView(page, 'Task Hubs');
      await findTreeItem(page, 'SampleHub', { within: view });
    } finally {
      await screenshot(page, 'durable-functions-view');
    }
  });
});
