// Input-box validators (pure, so unit tests cover them): each returns the problem, or null.
import { validateInstanceId } from '../../core/operations/start';
import { validateHubName } from '../../core/format/names';
import { parseConnectionString } from '../../core/storage/connectionString';
import { managementWebhookBase } from '../../core/managementUrls';

// The webviews validate JSON the same way: one implementation, in src/shared.
export { jsonProblem } from '../../shared/validation';

export function instanceIdProblem(text: string, allowEmpty: boolean): string | null {
  if (!text && allowEmpty) {
    return null;
  }
  try {
    validateInstanceId(text);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

export function hubNameProblem(text: string): string | null {
  try {
    validateHubName(text);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

export function requiredProblem(text: string, what: string): string | null {
  return text.trim() ? null : `The ${what} is required.`;
}

/** Storage account names: 3 to 24 lowercase letters and digits. */
export function accountNameProblem(text: string): string | null {
  return /^[a-z0-9]{3,24}$/.test(text.trim()) ? null : 'A storage account name has 3 to 24 lowercase letters and digits.';
}

/** `YYYY-MM-DD` or a full ISO date-time, in the past or future. */
export function dateProblem(text: string): string | null {
  return text.trim() && !Number.isNaN(Date.parse(text.trim())) ? null : 'Enter a date such as 2026-01-31 or 2026-01-31T12:00:00Z.';
}

/** The problem with a pasted connection string; the message never repeats the string. */
export function connectionStringProblem(text: string): string | null {
  if (!text.trim()) {
    return 'Paste a connection string.';
  }
  try {
    parseConnectionString(text.trim(), 'connection string');
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A function app system key: base64-like text, empty to remove the stored one. */
export function managementKeyProblem(text: string): string | null {
  return /\s/.test(text.trim()) ? 'A key has no spaces or line breaks.' : null;
}

/** A function app's base URL, checked as core checks a host URL (http or https, no query: the key goes separately). */
export function hostUrlProblem(text: string): string | null {
  if (!text.trim()) {
    return 'Enter the function app\'s base URL, e.g. http://localhost:7071.';
  }
  try {
    managementWebhookBase(text.trim());
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
