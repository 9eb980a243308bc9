// Validators shared by the extension's input boxes and the webviews' forms. Pure: no `vscode`,
// no Node built-ins, nothing from core, so the browser bundle can use them too.

/** A JSON value typed into a box; empty means "no value" when allowed. Returns the problem, or null. */
export function jsonProblem(text: string, allowEmpty = true): string | null {
  if (!text.trim()) {
    return allowEmpty ? null : 'A JSON value is required.';
  }
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    return `Not valid JSON: ${(e as Error).message}. Strings need quotes: "text".`;
  }
}
