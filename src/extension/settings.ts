// Typed access to the `durableExplorer.*` settings (declared in package.json `configuration`).
import * as vscode from 'vscode';
import { DEFAULT_MANAGEMENT_HOST_URL } from '../core';

export interface Settings {
  pageSize: number;
  /** 0 = no time window. */
  timeWindowDays: number;
  showEntities: boolean;
  statusPollTimeoutSeconds: number;
  /** Instance page auto-refresh while the instance is not finished; 0 = off. */
  instancePageRefreshSeconds: number;
  hubPageStuckThresholdMinutes: number;
  hubPageBulkConcurrency: number;
  /** The function app's base URL the management URLs are built for (checked where they are built). */
  managementUrlsHostUrl: string;
  /** Where a local project's `func start` is looked for; '' = no detection. */
  runningHostDetectUrl: string;
}

/** The setting's full name, for messages that must name it. */
export const MANAGEMENT_HOST_URL_SETTING = 'durableExplorer.managementUrls.hostUrl';

function clampInt(value: unknown, min: number, max: number, fallback: number): number {
  const n = typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : fallback;
  return Math.min(max, Math.max(min, n));
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('durableExplorer');
  return {
    pageSize: clampInt(c.get('pageSize'), 1, 1000, 100),
    timeWindowDays: Math.max(0, Number(c.get('timeWindowDays') ?? 7) || 0),
    showEntities: c.get<boolean>('showEntities') ?? false,
    statusPollTimeoutSeconds: clampInt(c.get('statusPollTimeoutSeconds'), 0, 600, 30),
    instancePageRefreshSeconds: clampInt(c.get('instancePage.refreshSeconds'), 0, 3600, 5),
    hubPageStuckThresholdMinutes: clampInt(c.get('hubPage.stuckThresholdMinutes'), 1, 525_600, 60),
    hubPageBulkConcurrency: clampInt(c.get('hubPage.bulkConcurrency'), 1, 64, 16),
    managementUrlsHostUrl: c.get<string>('managementUrls.hostUrl')?.trim() || DEFAULT_MANAGEMENT_HOST_URL,
    runningHostDetectUrl: (c.get<string>('runningHost.detectUrl') ?? DEFAULT_MANAGEMENT_HOST_URL).trim(),
  };
}
