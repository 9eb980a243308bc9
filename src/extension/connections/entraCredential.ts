// A TokenCredential backed by VS Code's built-in `microsoft` authentication provider, so an
// Entra ID connection needs no Azure CLI, no app registration and no secret of ours.
import * as vscode from 'vscode';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { jwtExpiry } from './jwt';

export const STORAGE_SCOPE = 'https://storage.azure.com/user_impersonation';

export function vscodeTokenCredential(options: { tenantId?: string; createIfNone: boolean }): TokenCredential {
  const scopes = [STORAGE_SCOPE, ...(options.tenantId ? [`VSCODE_TENANT:${options.tenantId}`] : [])];
  let interactive = options.createIfNone;
  return {
    async getToken(): Promise<AccessToken | null> {
      // VS Code caches and refreshes the session; asking each time keeps the token fresh.
      const session = await vscode.authentication.getSession('microsoft', scopes, interactive ? { createIfNone: true } : { silent: true });
      if (!session) {
        throw new Error('Not signed in to Microsoft: sign in from the Accounts menu, or re-add the connection.');
      }
      interactive = false;
      const exp = jwtExpiry(session.accessToken);
      // Without a readable expiry, claim a short life so the SDK asks again soon.
      return { token: session.accessToken, expiresOnTimestamp: exp ? exp * 1000 : Date.now() + 5 * 60_000 };
    },
  };
}
