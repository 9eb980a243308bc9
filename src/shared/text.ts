// Showing untrusted text (instance ids, names) without letting it reorder or hide what is around
// it: used by the webviews and by the tree. Pure: no `vscode`, no Node built-ins.

/** Characters that would move or hide text around them: C0/C1 controls, bidi embeddings,
 *  overrides and isolates, zero-width characters, line/paragraph separators, the BOM. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * The text with every control, bidi and zero-width character shown as a visible escape (`\n`,
 * `\u202E`), so a hostile id can neither reorder the row nor hide part of itself. Nothing else is
 * changed; the exact value stays in the title attribute and in what is sent back to the host.
 */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Whether visibleText changes the text (the cell then gets a marker class). */
export function hasInvisible(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  const found = INVISIBLE.test(text);
  INVISIBLE.lastIndex = 0;
  return found;
}
