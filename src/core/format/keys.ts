// Instance id <-> table key escaping, as DurableTask.AzureStorage `KeySanitation` (since 1.8.4).
// PartitionKeys may not contain / \ # ? or control characters.

const ESCAPE = '^';
const OFFSET = 0xc0; // 'À'

function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

/** Text without any of these is its own escaped and unescaped form (the common case: one test, no copy). */
const ESCAPED_OR_ESCAPING = /[\^/\\#?\u0000-\u001f\u007f-\u009f]/;

export function escapePartitionKey(instanceId: string): string {
  if (!ESCAPED_OR_ESCAPING.test(instanceId)) {
    return instanceId;
  }
  let out = '';
  for (const ch of instanceId) {
    switch (ch) {
      case '^':
        out += '^^';
        break;
      case '/':
        out += '^0';
        break;
      case '\\':
        out += '^1';
        break;
      case '#':
        out += '^2';
        break;
      case '?':
        out += '^3';
        break;
      default: {
        const code = ch.codePointAt(0) ?? 0;
        out += isControl(code) ? ESCAPE + String.fromCharCode(OFFSET + code) : ch;
      }
    }
  }
  return out;
}

export function unescapePartitionKey(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const ch = key[i];
    if (ch !== ESCAPE || i + 1 >= key.length) {
      out += ch;
      continue;
    }
    const next = key[++i];
    switch (next) {
      case '^':
        out += '^';
        break;
      case '0':
        out += '/';
        break;
      case '1':
        out += '\\';
        break;
      case '2':
        out += '#';
        break;
      case '3':
        out += '?';
        break;
      default: {
        const code = next.charCodeAt(0);
        out += code < OFFSET ? next : String.fromCharCode(code - OFFSET);
      }
    }
  }
  return out;
}

/**
 * The instance id a stored PartitionKey stands for. Rows written before 1.8.4 used the raw id as
 * the key; when unescaping and escaping again does not give the key back, the key was raw.
 */
export function instanceIdFromPartitionKey(key: string): string {
  if (!ESCAPED_OR_ESCAPING.test(key)) {
    return key;
  }
  const unescaped = unescapePartitionKey(key);
  return escapePartitionKey(unescaped) === key ? unescaped : key;
}
