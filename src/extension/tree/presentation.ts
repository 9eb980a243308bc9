// How statuses and times look in the tree (labels, icons, tooltips). Untrusted instance data
// goes into tooltips only through MarkdownString.appendText, which escapes it.
import * as vscode from 'vscode';
import type { ClientInstanceStatus } from '../../core';

const STATUS_ICONS: Record<string, [string, string | undefined]> = {
  Running: ['play-circle', 'charts.blue'],
  Pending: ['clock', 'charts.yellow'],
  Suspended: ['debug-pause', 'charts.orange'],
  Completed: ['pass', 'testing.iconPassed'],
  Failed: ['error', 'testing.iconFailed'],
  Terminated: ['circle-slash', 'charts.red'],
  Canceled: ['circle-slash', 'disabledForeground'],
  ContinuedAsNew: ['debug-restart', 'charts.blue'],
  All: ['list-flat', undefined],
};

export function statusIcon(status: string): vscode.ThemeIcon {
  const [icon, color] = STATUS_ICONS[status] ?? ['question', undefined];
  return new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
}

function compactJson(value: unknown, max = 300): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function instanceTooltip(instance: ClientInstanceStatus, pending?: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  const row = (label: string, value: string | null | undefined): void => {
    if (value !== null && value !== undefined && value !== '') {
      md.appendMarkdown(`**${label}:** `);
      md.appendText(value);
      md.appendMarkdown('  \n');
    }
  };
  row('Instance', instance.instanceId);
  row('Name', instance.name);
  row('Status', String(instance.runtimeStatus));
  if (pending) {
    row('Pending', pending);
  }
  row('Created', instance.createdTime);
  row('Last updated', instance.lastUpdatedTime);
  row('Completed', instance.completedTime);
  row('Scheduled start', instance.scheduledStartTime);
  row('Execution', instance.executionId);
  if (instance.customStatus !== null && instance.customStatus !== undefined) {
    row('Custom status', compactJson(instance.customStatus));
  }
  return md;
}
