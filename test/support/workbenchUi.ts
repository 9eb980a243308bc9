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
  /**
   * Match the label the row shows (its `.label-name`, e.g. an instance id or 'Running') instead of
   * the accessible name, which an extension's tooltip or accessibility label may replace; a
   * string must equal the label.
   */
  byLabel?: boolean;
}

/**
 * The first tree item in `scope` matching `name` as FindTreeItemOptions say, and the pattern used.
 * Never a sticky-scroll copy of a row (the parents a tree pins above its rows as it scrolls).
 */
export function treeItemLocator(scope: Page | Locator, name: string | RegExp, o: FindTreeItemOptions = {}): { item: Locator; pattern: RegExp } {
  const page = 'goto' in scope ? scope : scope.page();
  const notSticky = page.locator(':not(.monaco-tree-sticky-row)');
  if (o.byLabel) {
    const pattern = typeof name === 'string' ? new RegExp(`^${escapeRegExp(name)}$`) : name;
    return { item: scope.getByRole('treeitem').and(notSticky).filter({ has: page.locator('.label-name', { hasText: pattern }) }).first(), pattern };
  }
  const pattern = typeof name === 'string' ? new RegExp(o.exact ? `^${escapeRegExp(name)}$` : `(^|[^\\w-])${escapeRegExp(name)}($|[^\\w-])`) : name;
  return { item: scope.getByRole('treeitem', { name: pattern }).and(notSticky).first(), pattern };
}

/**
 * Waits for a tree item (`role=treeitem`) whose accessible name contains `name` as a whole word
 * (an extension's TreeItem accessibility label may add words around the label, e.g. 'Task hub
 * SampleHub, 4 partitions…'), or is exactly `name` with `exact`, and returns it.
 */
export async function findTreeItem(page: Page, name: string | RegExp, o: FindTreeItemOptions = {}): Promise<Locator> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  const scope = o.within ?? page;
  const { item, pattern } = treeItemLocator(scope, name, o);
  try {
    await item.waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`No tree item ${o.byLabel ? 'labelled' : 'named'} ${String(pattern)} appeared within ${timeout / 1000} s. Tree items shown: ${JSON.stringify(await visibleTreeItems(scope))}`);
  }
  return item;
}

/** Expands a collapsed tree item (no-op if it is expanded or a leaf). */
export async function expandTreeItem(item: Locator): Promise<void> {
  await toggleTreeItem(item, true, () => item.click());
}

/**
 * Clicks until the item's aria-expanded is `expanded`, re-finding the item each time (the tree may
 * re-render its rows meanwhile, and a click on a row being replaced is lost).
 */
async function toggleTreeItem(item: Locator, expanded: boolean, click: () => Promise<void>): Promise<void> {
  const want = String(expanded);
  // 'true', 'false', null for a leaf, 'gone' while no row matches.
  const state = (): Promise<string | null> => item.getAttribute('aria-expanded', { timeout: 5000 }).catch(() => 'gone');
  const deadline = Date.now() + DEFAULT_TIMEOUT;
  let now = await state();
  if (now === 'gone') {
    throw new Error(`No such tree item (${String(item)}).`);
  }
  while (now !== want && now !== null) {
    if (Date.now() > deadline) {
      throw new Error(`The tree item ${String(item)} stays aria-expanded=${now} after clicking it for ${DEFAULT_TIMEOUT / 1000} s.`);
    }
    if (now !== 'gone') {
      await click();
    }
    // The twistie turns at once (children may load later); click again only if it did not.
    for (const until = Date.now() + 2000; Date.now() < until; ) {
      now = await state();
      if (now === want) {
        return;
      }
      await item.page().waitForTimeout(100);
    }
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

// ---------------------------------------------------------------------------------------------
// Trees in depth: reading rows, scrolling the virtualized list, watching a row change.
//
// VS Code's lists render only the rows in view (a tree with 40 instances under a group has rows
// that are not in the DOM at all), so these helpers scroll the list with the mouse wheel, as a
// user would, to find a row or to read the whole tree.

/** One rendered tree row: its position in the flattened tree, its label and its description. */
export interface TreeRow {
  /** Position in the flattened (expanded) tree, from 0. */
  index: number;
  /** Depth, from 1. */
  level: number;
  /** The label as shown. */
  name: string;
  /** The description as shown ('' when none). */
  description: string;
  /** The accessible name. */
  ariaLabel: string;
  /** null for a leaf. */
  expanded: boolean | null;
}

/** The visible tree (`role=tree`) in `scope` (a view pane from openView; default the side bar). */
export function treeList(scope: Page | Locator): Locator {
  const root = 'locator' in scope && 'goto' in scope ? scope.locator('.part.sidebar') : scope;
  return root.locator('.monaco-list[role="tree"]').filter({ visible: true }).first();
}

/** The rows of the tree that are rendered now, in tree order (not the sticky-scroll copies). */
export async function renderedTreeRows(scope: Page | Locator): Promise<TreeRow[]> {
  const rows = await treeList(scope)
    .locator('.monaco-list-rows > .monaco-list-row[role="treeitem"]')
    .evaluateAll((els) =>
      els.map((e) => ({
        index: Number(e.getAttribute('data-index')),
        level: Number(e.getAttribute('aria-level')),
        name: (e.querySelector('.label-name')?.textContent ?? '').trim(),
        description: (e.querySelector('.label-description')?.textContent ?? '').trim(),
        ariaLabel: e.getAttribute('aria-label') ?? '',
        expanded: e.hasAttribute('aria-expanded') ? e.getAttribute('aria-expanded') === 'true' : null,
      })),
    );
  return rows.sort((a, b) => a.index - b.index);
}

/** The sticky-scroll container of a tree (the parents it pins above the rows as it scrolls). */
function stickyRows(list: Locator): Locator {
  return list.locator('.monaco-tree-sticky-container').filter({ visible: true }).first();
}

interface ListScroll {
  /** How far the list is scrolled, in pixels. */
  top: number;
  /** The height of the visible part. */
  viewport: number;
  /** The height of all rows. */
  total: number;
}

/** Where the list is scrolled (VS Code moves its rows container, not a native scroll). */
async function listScroll(list: Locator): Promise<ListScroll> {
  return list.evaluate((el) => {
    type Styled = { style: { transform: string; top: string; height: string }; clientHeight: number };
    const rows = el.querySelector('.monaco-list-rows') as unknown as Styled | null;
    const viewport = (el.querySelector('.monaco-scrollable-element') as unknown as Styled | null)?.clientHeight ?? 0;
    if (!rows) {
      return { top: 0, viewport, total: 0 };
    }
    const m = /translate3d\([^,]+,\s*(-?[\d.]+)px/.exec(rows.style.transform);
    const top = -(m ? Number(m[1]) : 0) - (Number.parseFloat(rows.style.top) || 0);
    return { top, viewport, total: Number.parseFloat(rows.style.height) || 0 };
  });
}

/**
 * Scrolls the tree by about `deltaY` pixels (never more, unless one wheel notch is more) with the
 * mouse wheel over it. Returns false when it did not move (at the top or the bottom already).
 */
export async function scrollTree(scope: Page | Locator, deltaY: number): Promise<boolean> {
  const list = treeList(scope);
  const page = list.page();
  const box = await list.boundingBox();
  if (!box) {
    throw new Error('The tree is not visible, so it cannot be scrolled.');
  }
  const before = await listScroll(list);
  const room = deltaY < 0 ? before.top : before.total - before.viewport - before.top;
  if (room <= 0 || (deltaY > 0 && before.total === 0)) {
    return false;
  }
  const wanted = Math.min(Math.abs(deltaY), room);
  // Over the rows' indent on the left: no label there, so no tooltip shows.
  await page.mouse.move(box.x + 6, box.y + Math.min(box.height / 2, 200));
  // The workbench scrolls one notch (~50 px) per wheel event, whatever its delta: one first, to
  // measure the notch, then as many as make up the distance.
  const notch = async (): Promise<number> => {
    const from = (await listScroll(list)).top;
    await page.mouse.wheel(0, Math.sign(deltaY) * 100);
    // The list re-renders on the next animation frame; give it up to a second to move.
    const deadline = Date.now() + 1000;
    for (;;) {
      const to = (await listScroll(list)).top;
      if (to !== from || Date.now() > deadline) {
        return Math.abs(to - from);
      }
      await page.waitForTimeout(20);
    }
  };
  const first = await notch();
  if (first === 0) {
    return false;
  }
  const more = Math.floor(wanted / first) - 1;
  if (more > 0) {
    for (let i = 0; i < more; i++) {
      await page.mouse.wheel(0, Math.sign(deltaY) * 100);
    }
    // Until it has settled (two reads a frame or two apart agree).
    let last = Number.NaN;
    for (let i = 0; i < 50; i++) {
      const now = (await listScroll(list)).top;
      if (now === last) {
        break;
      }
      last = now;
      await page.waitForTimeout(50);
    }
  }
  return true;
}

/** Scrolls the tree to its top. */
export async function scrollTreeToTop(scope: Page | Locator): Promise<void> {
  // One wheel event scrolls only so far: repeat until at the top (or it stops moving).
  while (await scrollTree(scope, -100_000)) {
    // until it is at the top
  }
}

/**
 * Every row of the tree as expanded now, read by scrolling it from top to bottom (it ends
 * scrolled to the top again).
 */
export async function allTreeRows(scope: Page | Locator): Promise<TreeRow[]> {
  const list = treeList(scope);
  await scrollTreeToTop(scope);
  const byIndex = new Map<number, TreeRow>();
  const height = (await list.boundingBox())?.height ?? 400;
  for (;;) {
    for (const row of await renderedTreeRows(scope)) {
      byIndex.set(row.index, row);
    }
    if (!(await scrollTree(scope, Math.max(100, Math.floor(height * 0.7))))) {
      break;
    }
  }
  await scrollTreeToTop(scope);
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

/** The names of a row's ancestors in `rows` (from allTreeRows), nearest first. */
export function treeRowAncestors(rows: readonly TreeRow[], row: TreeRow): string[] {
  const names: string[] = [];
  let level = row.level;
  for (let i = rows.indexOf(row) - 1; i >= 0 && level > 1; i--) {
    if (rows[i].level < level) {
      names.push(rows[i].name);
      level = rows[i].level;
    }
  }
  return names;
}

/** One line per row, indented by depth (for error messages). */
export function formatTreeRows(rows: readonly TreeRow[]): string {
  return rows.map((r) => `${'  '.repeat(Math.max(0, r.level - 1))}${r.name}${r.description ? ` — ${r.description}` : ''}`).join('\n');
}

/**
 * Like findTreeItem, but scrolls the tree (mouse wheel) until the item is rendered, and then until
 * it is wholly in view: for items under long status groups.
 */
export async function revealTreeItem(page: Page, name: string | RegExp, o: FindTreeItemOptions = {}): Promise<Locator> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  const scope = o.within ?? page;
  const { item, pattern } = treeItemLocator(scope, name, o);
  const list = treeList(scope);
  const deadline = Date.now() + timeout;
  let direction = -1;
  for (;;) {
    if (await item.isVisible()) {
      // Short timeouts: a row can leave the DOM at any moment (a group above it expands, the tree reloads).
      const box = (l: Locator): Promise<{ x: number; y: number; width: number; height: number } | null> => l.boundingBox({ timeout: 1000 }).catch(() => null);
      const sticky = stickyRows(list);
      const stickyBox = (await sticky.count()) > 0 ? await box(sticky) : null;
      const [itemBox, listBox] = await Promise.all([box(item), box(list)]);
      if (itemBox && listBox) {
        // The parents pinned at the top (sticky scroll) cover the rows under them.
        const top = stickyBox && stickyBox.height > 0 ? Math.max(listBox.y, stickyBox.y + stickyBox.height) : listBox.y;
        const above = top - itemBox.y;
        const below = itemBox.y + itemBox.height - (listBox.y + listBox.height);
        // Wholly in view, or as far in as the list scrolls (or out of time to get it further in).
        if ((above <= 0 && below <= 0) || Date.now() > deadline || !(await scrollTree(scope, above > 0 ? -above - 4 : below + 4))) {
          return item;
        }
        continue;
      }
    }
    if (Date.now() > deadline) {
      const rows = await allTreeRows(scope).catch(() => [] as TreeRow[]);
      // What matched the label or name, visible or not (a row covered, hidden or pinned by sticky scroll).
      const candidates = await scope
        .locator('.monaco-list-row')
        .evaluateAll((els) =>
          els.map((e) => {
            const r = e.getBoundingClientRect();
            return `${(e.querySelector('.label-name')?.textContent ?? '').trim()} [${e.className}; in ${e.parentElement?.className}; ${Math.round(r.top)}+${Math.round(r.height)}px; aria-label ${JSON.stringify(e.getAttribute('aria-label'))}]`;
          }),
        )
        .catch(() => [] as string[]);
      const close = candidates.filter((c) => pattern.test(c.split(' [')[0]) || pattern.test(c));
      throw new Error(
        `No tree item ${o.byLabel ? 'labelled' : 'named'} ${String(pattern)} within ${timeout / 1000} s (scrolling the whole tree). ` +
          `Rows with that text: ${JSON.stringify(close)}. The tree:\n${formatTreeRows(rows) || '(empty)'}`,
      );
    }
    // Top first, then down a page at a time; from the bottom, back to the top (it may still load).
    if (direction < 0) {
      await scrollTreeToTop(scope);
      direction = 1;
      continue;
    }
    const height = (await list.boundingBox())?.height ?? 400;
    if (!(await scrollTree(scope, Math.max(100, Math.floor(height * 0.7))))) {
      direction = -1;
      await page.waitForTimeout(250);
    }
  }
}

/** Collapses an expanded tree item (no-op if it is collapsed or a leaf). */
export async function collapseTreeItem(item: Locator): Promise<void> {
  await toggleTreeItem(item, false, () => item.locator('.monaco-tl-twistie').click());
}

/** The description a tree item shows ('' when none), e.g. "HelloCities · Completed · 5m ago". */
export async function treeItemDescription(item: Locator): Promise<string> {
  const description = item.locator('.label-description').first();
  return (await description.count()) > 0 ? ((await description.textContent()) ?? '').trim() : '';
}

/**
 * Waits until the tree item matching `name` (re-found each time; rows are re-rendered as the tree
 * updates) shows a description matching `expected`, and returns it.
 */
export async function waitForTreeItemDescription(
  page: Page,
  name: string | RegExp,
  expected: string | RegExp,
  o: FindTreeItemOptions = {},
): Promise<string> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  const scope = o.within ?? page;
  const { item, pattern } = treeItemLocator(scope, name, o);
  const matches = (d: string): boolean => (typeof expected === 'string' ? d.includes(expected) : expected.test(d));
  const deadline = Date.now() + timeout;
  let last = '(not rendered)';
  for (;;) {
    if ((await item.count()) > 0) {
      last = await treeItemDescription(item).catch(() => last);
      if (matches(last)) {
        return last;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Tree item ${String(pattern)} did not show a description matching ${String(expected)} within ${timeout / 1000} s; it shows '${last}'. ` +
          `Rendered rows:\n${formatTreeRows(await renderedTreeRows(scope).catch(() => []))}`,
      );
    }
    await page.waitForTimeout(100);
  }
}

/** What a DescriptionRecorder saw. */
export interface DescriptionRecorder {
  /** Every distinct description the row showed since recording began, in order. */
  seen(): Promise<string[]>;
  /** Stops recording (also done when the page closes). */
  stop(): Promise<void>;
}

/**
 * Records, in the page, every description a tree row labelled exactly `label` shows from now on
 * (a MutationObserver, so a state shown for only a moment, such as "Terminating…", is not missed
 * between two polls).
 */
export async function recordTreeItemDescriptions(page: Page, label: string): Promise<DescriptionRecorder> {
  const key = `__durableRecorder_${Math.random().toString(36).slice(2)}`;
  await page.evaluate(
    ({ label, key }) => {
      interface Observer {
        observe(target: unknown, options: Record<string, unknown>): void;
        disconnect(): void;
      }
      const g = globalThis as unknown as Record<string, unknown> & {
        document: { body: unknown; querySelectorAll(s: string): Iterable<{ querySelector(s: string): { textContent: string | null } | null }> };
        MutationObserver: new (callback: () => void) => Observer;
      };
      const seen: string[] = [];
      const record = (): void => {
        for (const row of g.document.querySelectorAll('.monaco-list-rows > .monaco-list-row[role="treeitem"]')) {
          if ((row.querySelector('.label-name')?.textContent ?? '').trim() === label) {
            const d = (row.querySelector('.label-description')?.textContent ?? '').trim();
            if (seen[seen.length - 1] !== d) {
              seen.push(d);
            }
          }
        }
      };
      const observer = new g.MutationObserver(record);
      observer.observe(g.document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['aria-label'] });
      record();
      g[key] = { seen, observer };
    },
    { label, key },
  );
  return {
    seen: () => page.evaluate((k) => [...((globalThis as unknown as Record<string, { seen: string[] }>)[k]?.seen ?? [])], key),
    stop: () => page.evaluate((k) => (globalThis as unknown as Record<string, { observer: { disconnect(): void } }>)[k]?.observer.disconnect(), key),
  };
}

/**
 * Clicks an action of the side bar's view title (e.g. 'Refresh'), by its accessible label. With
 * a single view in the container, its actions are in the side bar's title; otherwise in the view's
 * pane header (shown on hover).
 */
export async function clickViewTitleAction(page: Page, label: string | RegExp, o: WaitOptions = {}): Promise<void> {
  const timeout = o.timeout ?? DEFAULT_TIMEOUT;
  const pattern = typeof label === 'string' ? new RegExp(`^${escapeRegExp(label)}`) : label;
  const bars = page.locator('.part.sidebar .composite.title .title-actions, .part.sidebar .pane-header .actions');
  const action = bars.getByRole('button', { name: pattern }).first();
  try {
    await bars.first().hover();
    await action.waitFor({ state: 'visible', timeout });
  } catch {
    const shown = await bars.getByRole('button').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    throw new Error(`The view title has no action ${String(pattern)}. Actions: ${JSON.stringify(shown)}`);
  }
  await action.click();
}

/** The entries of the open context menu (labels), without separators. */
export async function contextMenuEntries(page: Page): Promise<string[]> {
  const menu = contextMenu(page);
  await menu.waitFor({ state: 'visible', timeout: DEFAULT_TIMEOUT });
  const labels = await menu.getByRole('menuitem').evaluateAll((els) => els.map((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').trim()));
  return labels.filter(Boolean);
}

/**
 * Drags the sash on the side bar's edge so the side bar is `width` pixels wide (so tree rows are
 * not cut off in screenshots).
 */
export async function resizeSideBar(page: Page, width: number): Promise<void> {
  const sidebar = page.locator('.part.sidebar').first();
  const box = await sidebar.boundingBox();
  if (!box) {
    throw new Error('The side bar is not visible.');
  }
  const edge = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(edge, y);
  await page.mouse.down();
  await page.mouse.move(edge + (box.x + width - edge) / 2, y, { steps: 5 });
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
  const deadline = Date.now() + 5000;
  for (;;) {
    const now = (await sidebar.boundingBox())?.width ?? 0;
    if (Math.abs(now - width) <= 8) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`The side bar is ${Math.round(now)} px wide after dragging its edge to ${width} px.`);
    }
    await page.waitForTimeout(50);
  }
}

/**
 * Waits (at most `timeoutMs`) until the page's finite CSS animations and transitions have finished,
 * e.g. a context menu's fade-in, so a screenshot does not catch them halfway (endless ones, such as
 * spinners, are not waited for).
 */
export async function waitForAnimations(page: Page, timeoutMs = 2000): Promise<void> {
  await page.evaluate(async (ms) => {
    interface Anim {
      effect: { getTiming(): { iterations?: number } } | null;
      finished: Promise<unknown>;
    }
    const doc = (globalThis as unknown as { document: { getAnimations(): Anim[] } }).document;
    const finite = doc.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity);
    await Promise.race([Promise.all(finite.map((a) => a.finished.catch(() => undefined))), new Promise((resolve) => setTimeout(resolve, ms))]);
  }, timeoutMs);
}

/** The hover (tooltip) widgets shown now. */
export function hovers(page: Page): Locator {
  return page.locator('.workbench-hover, .monaco-hover:not(.hidden)').filter({ visible: true });
}

/**
 * Moves the mouse over the editor area, away from trees and toolbars, and waits until no hover
 * (tooltip) shows, dismissing a lingering one with Escape unless `dismiss` is false (Escape would
 * also close an open input box or dialog): for screenshots.
 */
export async function moveMouseAway(page: Page, o: { dismiss?: boolean } = {}): Promise<void> {
  const size = page.viewportSize() ?? { width: 1400, height: 900 };
  // Down the right edge first, then in: never across a hover that is showing.
  await page.mouse.move(size.width - 10, size.height - 60);
  await page.mouse.move(Math.round(size.width * 0.8), Math.round(size.height * 0.6), { steps: 3 });
  for (const dismiss of o.dismiss === false ? [false] : [false, true]) {
    if (dismiss) {
      await page.keyboard.press('Escape');
    }
    const deadline = Date.now() + 1500;
    while ((await hovers(page).count()) > 0 && Date.now() < deadline) {
      await page.waitForTimeout(100);
    }
    if ((await hovers(page).count()) === 0) {
      return;
    }
  }
}
