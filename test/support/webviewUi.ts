// Playwright helpers for the extension's webview pages inside the workbench. A webview is an
// iframe (VS Code's host page) holding another iframe with our HTML; Playwright lists both among
// `page.frames()`, so the page is the frame whose document is our shell (`main#app[data-view]`).
//
//   await openInstancePage(page, 'SampleHub', 'long-history');
//   const frame = await instancePageFrame(page, 'long-history');
//   await frame.locator('.history-count').filter({ hasText: '10,000 events' }).waitFor();
import type { Frame, Page } from 'playwright-core';
import { pickQuickPickItem, quickInput, runCommand } from './workbenchUi';

const DEFAULT_TIMEOUT = 30_000;

/**
 * Opens an instance page as a user would from the Command Palette: "Durable Functions: Show
 * Instance", the hub (when there are several), then the id typed into the suggestion box.
 */
export async function openInstancePage(page: Page, hubName: string, instanceId: string, o: { timeout?: number } = {}): Promise<void> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  // Right after the workbench loads, the extension's commands may not be in the palette yet.
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(page, 'Durable Functions: Show Instance', { timeout: 5_000 });
      break;
    } catch (e) {
      if (attempt * 5_000 >= timeout) {
        throw e;
      }
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1_000);
    }
  }
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible', timeout });
  const title = async (): Promise<string> => ((await widget.locator('.quick-input-title').textContent().catch(() => '')) ?? '').trim();
  const deadline = Date.now() + timeout;
  // The hub picker (several hubs) or straight to the instance box.
  while (!/Task hub|Show instance/i.test(await title())) {
    if (Date.now() > deadline) {
      throw new Error(`No hub or instance prompt after "Show Instance" (title: '${await title()}')`);
    }
    await page.waitForTimeout(100);
  }
  if (/Task hub/i.test(await title())) {
    await pickQuickPickItem(page, new RegExp(`^${hubName}$`), { timeout });
    while (!/Show instance/i.test(await title())) {
      if (Date.now() > deadline) {
        throw new Error(`No instance prompt after picking ${hubName} (title: '${await title()}')`);
      }
      await page.waitForTimeout(100);
    }
  }
  const input = widget.locator('input').first();
  await input.fill(instanceId);
  // Wait for the suggestions computed for what was typed, then pick the id itself.
  const row = widget.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${instanceId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
  await row.waitFor({ state: 'visible', timeout });
  await row.click();
}

/** The frames holding an extension webview page of kind `view` (e.g. 'instance'). */
export async function webviewPageFrames(page: Page, view: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (const frame of page.frames()) {
    try {
      if ((await frame.locator(`main#app[data-view="${view}"]`).count()) > 0) {
        frames.push(frame);
      }
    } catch {
      // A frame that navigated or closed meanwhile.
    }
  }
  return frames;
}

/** Waits for the instance page showing `instanceId` (its header rendered) and returns its frame. */
export async function instancePageFrame(page: Page, instanceId: string, o: { timeout?: number } = {}): Promise<Frame> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  const deadline = Date.now() + timeout;
  for (;;) {
    const seen: string[] = [];
    for (const frame of await webviewPageFrames(page, 'instance')) {
      const id = ((await frame.locator('.instance-id').first().textContent({ timeout: 500 }).catch(() => null)) ?? '').trim();
      seen.push(id || '(loading)');
      if (id === instanceId) {
        return frame;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`No instance page for '${instanceId}' within ${timeout / 1000} s. Instance pages found: ${JSON.stringify(seen)}; frames: ${JSON.stringify(page.frames().map((f) => f.url().slice(0, 120)))}`);
    }
    await page.waitForTimeout(250);
  }
}

/** How many history rows are in the DOM, and the range of event indexes they show. */
export async function renderedHistoryRows(frame: Frame): Promise<{ count: number; first: number; last: number }> {
  return frame.locator('.h-row').evaluateAll((els) => {
    const indexes = els.map((e) => Number(e.getAttribute('data-index')));
    return { count: els.length, first: Math.min(...indexes), last: Math.max(...indexes) };
  });
}

/** Scrolls the history list to a fraction (0–1) of its height and waits for rows to be rendered there. */
export async function scrollHistory(frame: Frame, fraction: number): Promise<void> {
  await frame.locator('.history-scroller').evaluate((el, f) => {
    el.scrollTop = (el.scrollHeight - el.clientHeight) * f;
    el.dispatchEvent(new Event('scroll'));
  }, fraction);
  // The list re-renders on the next animation frame.
  await frame.waitForTimeout(200);
}
