// Playwright helpers for VS Code's workbench (code-server 1.139 in Chromium), for UI tests that
// assert on what the workbench actually renders. Each helper waits for what it needs and fails
// with a message that says what was on screen instead.
//
//   await waitForWorkbench(page);
//   await openViewContainer(page, 'Durable Functions');
//   const hub = await findTreeItem(page, 'SampleHub');
//   await rightClick(hub);
//   await pickContextMenuEntry(page, 'Delete Task Hub…');
//   await answerInputBox(page, 'SampleHub');
//   const { message } = await confirmDialog(page, 'Delete');
//   await screenshot(page, 'after-delete');
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';

/** test-results/screenshots/ of the repository (this file compiles to out/test/support/). */
export const SCREENSHOTS_DIR = path.resolve(__dirname, '..', '..', '..', 'test-results', 'screenshots');

export interface WaitOptions {
  /** Milliseconds (default 30 s). */
  timeout?: number;
}

const DEFAULT_TIMEOUT = 30_000;

/** Escapes a string for use inside a RegExp. */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Saves a PNG of the page (viewport) as test-results/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'screenshot'}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Waits until the workbench is laid out (`.monaco-workbench` with its activity bar). */
export async function waitForWorkbench(page: Page, o: WaitOptions = {}): Promise<void> {
  const timeout = o.timeout ?? 60_000;
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
  await page.locator('.part.activitybar').first().waitFor({ state: 'visible', timeout });
}

/** The accessible labels of the activity bar's entries (for error messages). */
export async function activityBarEntries(page: Page): Promise<string[]> {
  const labels = await page.locator('.part.activitybar [aria-label]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  return [...new Set(labels.filter(Boolean))];
}

/**
 * Clicks the activity-bar entry whose label starts with `title` (a view container's title, e.g.
 * 'Durable Functions'), unless its container is already showing, and waits for the side bar.
 */
export async function openViewContainer(page: Page, title: string, o: WaitOptions = {}): Promise<void> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  const entry = page.locator(`.part.activitybar [aria-label^="${title.replace(/"/g, '\\"')}"]`).first();
  try {
    await entry.waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`The activity bar has no entry '${title}…' after ${timeout / 1000} s. Entries: ${JSON.stringify(await activityBarEntries(page))}`);
  }
  // Clicking the entry of the container already showing would hide the side bar.
  const showing = await entry.evaluate((el) => el.closest('.action-item')?.classList.contains('checked') === true);
  if (!showing) {
    await entry.click();
  }
  await page.locator('.part.sidebar').first().waitFor({ state: 'visible', timeout });
}

/**
 * The pane of a view in the side bar, by its title (e.g. 'Task Hubs'), expanded if collapsed.
 * A container with a single view shows no pane header ('Durable Functions: Task Hubs' is the side
 * bar's title then); its only pane is returned.
 */
export async function openView(page: Page, viewTitle: string, o: WaitOptions = {}): Promise<Locator> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  const title = new RegExp(escapeRegExp(viewTitle), 'i');
  const header = page.locator('.part.sidebar .pane-header', { hasText: title }).filter({ visible: true }).first();
  const merged = page.locator('.part.sidebar .composite.title .title-label', { hasText: title }).first();
  try {
    await header.or(merged).first().waitFor({ state: 'visible', timeout });
  } catch {
    const shown = await page.locator('.part.sidebar .composite.title .title-label, .part.sidebar .pane-header').allTextContents();
    throw new Error(`No view '${viewTitle}' in the side bar after ${timeout / 1000} s. Shown: ${JSON.stringify(shown.map((t) => t.trim()))}`);
  }
  if (await header.isVisible()) {
    if ((await header.getAttribute('aria-expanded')) === 'false') {
      await header.click();
    }
    return page.locator('.part.sidebar .pane', { has: header }).first();
  }
  return page.locator('.part.sidebar .pane').first();
}

/** The labels of the tree items currently rendered (for error messages). */
export async function visibleTreeItems(scope: Page | Locator): Promise<string[]> {
  return scope.getByRole('treeitem').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''));
}

export interface FindTreeItemOptions extends WaitOptions {
  /** Where to look (a view pane from openView; default the whole page). */
  within?: Locator;
  /** Match the whole accessible name (default: `name` appears in it as a whole word). */
  exact?: boolean;
}

/**
 * Waits for a tree item (`role=treeitem`) whose accessible name contains `name` as a whole word
 * (an extension's TreeItem accessibility label may add words around the label, e.g. 'Task hub
 * SampleHub, 4 partitions…'), or is exactly `name` with `exact`, and returns it.
 */
export async function findTreeItem(page: Page, name: string | RegExp, o: FindTreeItemOptions = {}): Promise<Locator> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  const scope = o.within ?? page;
  const pattern = typeof name === 'string' ? new RegExp(o.exact ? `^${escapeRegExp(name)}$` : `(^|[^\\w-])${escapeRegExp(name)}($|[^\\w-])`) : name;
  const item = scope.getByRole('treeitem', { name: pattern }).first();
  try {
    await item.waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`No tree item named ${String(pattern)} appeared within ${timeout / 1000} s. Tree items shown: ${JSON.stringify(await visibleTreeItems(scope))}`);
  }
  return item;
}

/** Expands a collapsed tree item (no-op if it is expanded or a leaf). */
export async function expandTreeItem(item: Locator): Promise<void> {
  if ((await item.getAttribute('aria-expanded')) === 'false') {
    await item.click();
    await item.page().waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await item.elementHandle(), { timeout: DEFAULT_TIMEOUT });
  }
}

/** The context menu that is open now (VS Code renders it in `.context-view`, possibly in a shadow root). */
export function contextMenu(page: Page): Locator {
  return page.locator('.context-view .monaco-menu').first();
}

/** Right-clicks an element and waits for its context menu. */
export async function rightClick(target: Locator, o: WaitOptions = {}): Promise<Locator> {
  await target.click({ button: 'right' });
  const menu = contextMenu(target.page());
  await menu.waitFor({ state: 'visible', timeout: o.timeout ?? DEFAULT_TIMEOUT });
  return menu;
}

/** Clicks the entry of the open context menu whose label starts with `label`. */
export async function pickContextMenuEntry(page: Page, label: string | RegExp, o: WaitOptions = {}): Promise<void> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  const menu = contextMenu(page);
  const pattern = typeof label === 'string' ? new RegExp(`^${escapeRegExp(label)}`) : label;
  const entry = menu.getByRole('menuitem', { name: pattern }).first();
  try {
    await entry.waitFor({ state: 'visible', timeout });
  } catch {
    const entries = await menu.getByRole('menuitem').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? '')).catch(() => []);
    throw new Error(`The context menu has no entry ${String(pattern)}. Entries: ${JSON.stringify(entries)}`);
  }
  await entry.click();
}

/** The modal dialog that is open now. */
export function dialog(page: Page): Locator {
  return page.locator('.monaco-dialog-box').first();
}

export interface DialogText {
  /** The question, e.g. "Terminate instance 'x'?". */
  message: string;
  /** The text under it ('' when none). */
  detail: string;
}

/**
 * Waits for a modal dialog, clicks its button `button` (e.g. 'Terminate', 'Cancel'), waits for the
 * dialog to close and returns what it said (to assert on what it asked).
 */
export async function confirmDialog(page: Page, button: string | RegExp, o: WaitOptions = {}): Promise<DialogText> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  const box = dialog(page);
  await box.waitFor({ state: 'visible', timeout });
  const part = async (selector: string): Promise<string> =>
    (await box.locator(selector).count()) > 0 ? ((await box.locator(selector).first().textContent()) ?? '').trim() : '';
  const said: DialogText = { message: await part('.dialog-message-text'), detail: await part('.dialog-message-detail') };
  const pattern = typeof button === 'string' ? new RegExp(`^${escapeRegExp(button)}$`) : button;
  const target = box.locator('.dialog-buttons').getByRole('button', { name: pattern }).first();
  try {
    await target.waitFor({ state: 'visible', timeout: 5000 });
  } catch {
    const buttons = await box.locator('.dialog-buttons').getByRole('button').allTextContents();
    throw new Error(`The dialog '${said.message}' has no button ${String(pattern)}. Buttons: ${JSON.stringify(buttons)}`);
  }
  await target.click();
  await box.waitFor({ state: 'hidden', timeout });
  return said;
}

/** The quick input (input box or quick pick) that is open now. */
export function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget').filter({ visible: true }).first();
}

/**
 * Answers the open input box: types `value` and presses Enter. Returns the box's prompt text
 * (its title and message) as shown before answering.
 */
export async function answerInputBox(page: Page, value: string, o: WaitOptions = {}): Promise<string> {
  const widget = quickInput(page);
  const input = widget.locator('input').first();
  await input.waitFor({ state: 'visible', timeout: o.timeout ?? DEFAULT_TIMEOUT });
  const title = ((await widget.locator('.quick-input-title').textContent().catch(() => '')) ?? '').trim();
  const message = ((await widget.locator('.quick-input-message').textContent().catch(() => '')) ?? '').trim();
  await input.fill(value);
  await input.press('Enter');
  return [title, message].filter(Boolean).join('\n');
}

/** Picks the item of the open quick pick whose label starts with `label` (clicks it). */
export async function pickQuickPickItem(page: Page, label: string | RegExp, o: WaitOptions = {}): Promise<void> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible', timeout });
  const pattern = typeof label === 'string' ? new RegExp(`^${escapeRegExp(label)}`) : label;
  const rows = widget.locator('.monaco-list-row');
  const row = rows.filter({ has: page.locator('.label-name', { hasText: pattern }) }).first();
  try {
    await row.waitFor({ state: 'visible', timeout });
  } catch {
    const shown = await widget.locator('.monaco-list-row .label-name').allTextContents();
    throw new Error(`The quick pick has no item ${String(pattern)}. Items: ${JSON.stringify(shown)}`);
  }
  await row.click();
}

/** Runs a command by its palette title (e.g. 'Durable Functions: Refresh') through F1. */
export async function runCommand(page: Page, title: string, o: WaitOptions = {}): Promise<void> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  await page.keyboard.press('F1');
  const widget = quickInput(page);
  const input = widget.locator('input').first();
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(`>${title}`);
  const row = widget.locator('.monaco-list-row', { hasText: title }).first();
  try {
    await row.waitFor({ state: 'visible', timeout });
  } catch {
    const shown = await widget.locator('.monaco-list-row').allTextContents();
    await page.keyboard.press('Escape');
    throw new Error(`The command palette has no command '${title}'. Shown: ${JSON.stringify(shown)}`);
  }
  await row.click();
}

/**
 * Opens the notification center (the status bar's bell) unless it is open. Notifications always
 * land there; the workbench in a headless page does not always show them as toasts.
 */
export async function showNotificationCenter(page: Page, o: WaitOptions = {}): Promise<void> {
  const center = page.locator('.notifications-center');
  if (!(await center.isVisible())) {
    await page.locator('[id="status.notifications"]').click();
    await center.waitFor({ state: 'visible', timeout: o.timeout ?? DEFAULT_TIMEOUT });
  }
}

/** The texts of the notifications shown now (toasts, and the notification center's if open). */
export async function notifications(page: Page): Promise<string[]> {
  return page
    .locator('.notification-list-item-message')
    .filter({ visible: true })
    .evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
}

/**
 * Waits for a notification whose text contains `textOrPattern` (as a toast, or in the
 * notification center, which it opens) and returns its full text.
 */
export async function waitForNotification(page: Page, textOrPattern: string | RegExp, o: WaitOptions = {}): Promise<string> {
  const deadline = Date.now() + (o.timeout ?? DEFAULT_TIMEOUT);
  const message = page.locator('.notification-list-item-message', { hasText: textOrPattern }).filter({ visible: true }).first();
  for (;;) {
    if ((await message.count()) > 0) {
      return ((await message.textContent()) ?? '').trim();
    }
    if (Date.now() > deadline) {
      throw new Error(`No notification ${String(textOrPattern)} within ${(o.timeout ?? DEFAULT_TIMEOUT) / 1000} s. Shown: ${JSON.stringify(await notifications(page))}`);
    }
    await showNotificationCenter(page).catch(() => undefined);
    await page.waitForTimeout(250);
  }
}
