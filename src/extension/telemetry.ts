// Typed usage telemetry through @vscode/extension-telemetry, which honours the user's
// `telemetry.telemetryLevel`. Events carry command names, outcomes, error codes, counts and
// durations — never an instance id, hub name, account name, connection string or message text.
import type * as vscode from 'vscode';

export type CommandResult = 'Succeeded' | 'Failed' | 'Canceled';

export interface TelemetryEvents {
  /** Sent once per activation. */
  activate: { properties: Record<string, never>; measurements: { durationMs: number } };
  /** Sent after each command. `errorCode` is a DurableError code or 'Other'. */
  command: {
    properties: { command: string; result: CommandResult; errorCode?: string; invokedFrom: 'tree' | 'palette' };
    measurements: { durationMs: number; count?: number };
  };
  /** Sent after each action or document request of a webview page (never its data). */
  webviewRequest: {
    properties: { view: string; request: string; result: CommandResult; errorCode?: string };
    /** count: instances a bulk action attempted. */
    measurements: { durationMs: number; count?: number };
  };
  /** Sent when a tree level loads. */
  treeLoad: {
    properties: { level: 'roots' | 'hubs' | 'instances'; connectionKind?: string; result: CommandResult; errorCode?: string };
    measurements: { durationMs: number; count?: number };
  };
}

export interface RecordedEvent {
  name: string;
  properties: Record<string, string>;
  measurements: Record<string, number>;
}

interface Reporter {
  sendTelemetryEvent(name: string, properties?: Record<string, string>, measurements?: Record<string, number>): void;
  dispose(): Promise<unknown> | unknown;
}

/**
 * The Application Insights connection string events go to. Empty in this repository: builds
 * that publish set it; without one nothing is sent anywhere.
 */
const CONNECTION_STRING = '';

export class Telemetry implements vscode.Disposable {
  private reporter: Reporter | undefined;
  private sink: ((event: RecordedEvent) => void) | undefined;

  constructor(connectionString = CONNECTION_STRING) {
    if (connectionString) {
      // Loaded only when there is somewhere to send to.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { TelemetryReporter } = require('@vscode/extension-telemetry') as typeof import('@vscode/extension-telemetry');
      this.reporter = new TelemetryReporter(connectionString);
    }
  }

  send<K extends keyof TelemetryEvents>(name: K, properties: TelemetryEvents[K]['properties'], measurements: TelemetryEvents[K]['measurements']): void {
    const props: Record<string, string> = {};
    for (const [k, v] of Object.entries(properties)) {
      if (v !== undefined) {
        props[k] = String(v);
      }
    }
    const measures: Record<string, number> = {};
    for (const [k, v] of Object.entries(measurements)) {
      if (typeof v === 'number') {
        measures[k] = v;
      }
    }
    this.sink?.({ name, properties: props, measurements: measures });
    this.reporter?.sendTelemetryEvent(name, props, measures);
  }

  /** Tests capture every event here (in addition to the reporter, if any). */
  setSink(sink: ((event: RecordedEvent) => void) | undefined): void {
    this.sink = sink;
  }

  dispose(): void {
    void this.reporter?.dispose();
  }
}
