// The extension's LogOutputChannel. Every line passes through maskSecrets with the secrets of
// every connection opened so far, so a connection string or key never reaches the log.
import * as vscode from 'vscode';
import { maskSecrets } from '../core/errors';

export class Log implements vscode.Disposable {
  private readonly secrets = new Set<string>();
  readonly channel: vscode.LogOutputChannel;

  constructor(name = 'Durable Explorer') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  /** Values to mask from now on (keys, SAS tokens, whole connection strings). */
  addSecrets(values: readonly string[]): void {
    for (const v of values) {
      if (v && v.length >= 4) {
        this.secrets.add(v);
      }
    }
  }

  mask(text: string): string {
    // Longest first, so a connection string is masked whole before its key is.
    return maskSecrets(text, [...this.secrets].sort((a, b) => b.length - a.length));
  }

  info(message: string): void {
    this.channel.info(this.mask(message));
  }

  warn(message: string): void {
    this.channel.warn(this.mask(message));
  }

  trace(message: string): void {
    this.channel.trace(this.mask(message));
  }

  error(message: string, error?: unknown): void {
    const detail = error instanceof Error ? `${error.message}${error.stack ? `\n${error.stack}` : ''}` : error === undefined ? '' : String(error);
    this.channel.error(this.mask(detail ? `${message}: ${detail}` : message));
  }

  dispose(): void {
    this.channel.dispose();
  }
}
