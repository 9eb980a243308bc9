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

/** Runs a command from the palette, retrying while the extension's commands are not there yet. */
async function runExtensionCommand(page: Page, title: string, timeout: number): Promise<void> {
  // Right after the workbench loads, the extension's commands may not be in the palette yet.
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(page, title, { timeout: 5_000 });
      return;
    } catch (e) {
      if (attempt * 5_000 >= timeout) {
        throw e;
      }
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1_000);
    }
  }
}

/** Waits for the quick input's title to match one of `patterns`; returns the one that matched. */
async function waitForPrompt(page: Page, patterns: readonly RegExp[], deadline: number, after: string): Promise<RegExp> {
  const widget = quickInput(page);
  for (;;) {
    const title = ((await widget.locator('.quick-input-title').textContent().catch(() => '')) ?? '').trim();
    const match = patterns.find((p) => p.test(title));
    if (match) {
      return match;
    }
    if (Date.now() > deadline) {
      throw new Error(`No ${patterns.join(' or ')} prompt after ${after} (title: '${title}')`);
    }
    await page.waitForTimeout(100);
  }
}

/**
 * Opens an instance page as a user would from the Command Palette: "Durable Functions: Show
 * Instance", the hub (when there are several), then the id typed into the suggestion box.
 */
export async function openInstancePage(page: Page, hubName: string, instanceId: string, o: { timeout?: number } = {}): Promise<void> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  const deadline = Date.now() + timeout;
  await runExtensionCommand(page, 'Durable Functions: Show Instance', timeout);
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible', timeout });
  // The hub picker (several hubs) or straight to the instance box.
  if ((await waitForPrompt(page, [/Task hub/i, /Show instance/i], deadline, '"Show Instance"')).source === 'Task hub') {
    await pickQuickPickItem(page, new RegExp(`^${hubName}$`), { timeout });
    await waitForPrompt(page, [/Show instance/i], deadline, `picking ${hubName}`);
  }
  const input = widget.locator('input').first();
  await input.fill(instanceId);
  // Wait for the suggestions computed for what was typed, then pick the id itself.
  const row = widget.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(instanceId)}$`) }) }).first();
  await row.waitFor({ state: 'visible', timeout });
  await row.click();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Opens a task hub page from the Command Palette: "Durable Functions: Open Task Hub Page", then the hub. */
export async function openHubPage(page: Page, hubName: string, o: { timeout?: number } = {}): Promise<void> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  await runExtensionCommand(page, 'Durable Functions: Open Task Hub Page', timeout);
  await quickInput(page).waitFor({ state: 'visible', timeout });
  await waitForPrompt(page, [/Task hub/i], Date.now() + timeout, '"Open Task Hub Page"');
  await pickQuickPickItem(page, new RegExp(`^${escapeRegExp(hubName)}$`), { timeout });
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

/** Waits for the task hub page of `hubName` (its header rendered) and returns its frame. */
export async function hubPageFrame(page: Page, hubName: string, o: { timeout?: number } = {}): Promise<Frame> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of await webviewPageFrames(page, 'hub')) {
      const name = ((await frame.locator('.hub-name').first().textContent({ timeout: 500 }).catch(() => null)) ?? '').trim();
      if (name === hubName) {
        return frame;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`No task hub page for '${hubName}' within ${timeout / 1000} s.`);
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
