// What every webview page's host does alike, whatever the page shows: the panel's options and icon,
// the static HTML shell, the protocol channel wired to the panel, telemetry of user requests, the
// masking of errors, one AbortSignal for the panel's lifetime, and disposal. The instance page and
// the task hub page each own one and add their own request handlers.
import * as vscode from 'vscode';
import { isDurableError } from '../../core';
import type { InstanceClient, TaskHub } from '../../core';
import type { ErrorInfo, RequestType, ViewProtocol } from '../../shared/protocol';
import type { Log } from '../log';
import type { Telemetry } from '../telemetry';
import type { HubNode } from '../tree/nodes';
import { storageHub } from '../tree/nodes';
import { errorCode, oneLine } from '../tree/treeProvider';
import type { ReceiveOutcome, RequestHandlers } from './channel';
import { WebviewChannel } from './channel';
import { createNonce, webviewShell } from './html';

/** Raised for requests that are well-formed but cannot be honoured (a stale page, a bad date…). */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code = 'BadRequest',
  ) {
    super(message);
  }
}

export interface PageHostDeps {
  extensionUri: vscode.Uri;
  log: Log;
  telemetry: Telemetry;
}

export interface PageHostOptions<T extends Record<string, RequestType<string, unknown, unknown>>> {
  /** The bundle and stylesheet name under dist/webview (`instance`, `hub`), also the telemetry view. */
  view: string;
  /** The document title (fixed text, never instance data). */
  documentTitle: string;
  protocol: ViewProtocol;
  requests: T;
  handlers: RequestHandlers<T>;
  hello: () => unknown;
  /** Undefined when the hub could not be found (a panel restored after a reload). */
  hubNode: HubNode | undefined;
  /** Why the page cannot show its subject, when it can't. */
  unavailable?: string;
}

export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableFindWidget: true,
    // Only the bundle folder (which holds the copied codicons): nothing else can be loaded.
    localResourceRoots: [webviewRoot(extensionUri)],
  };
}

/** A tab title from untrusted text: no control or bidi characters, not too long. */
export function panelTitle(text: string, fallback: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  return clean.length > 48 ? `${clean.slice(0, 47)}…` : clean || fallback;
}

export class PageHost<T extends Record<string, RequestType<string, unknown, unknown>>> implements vscode.Disposable {
  readonly channel: WebviewChannel<T>;
  private readonly controller = new AbortController();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly onDisposeCallbacks: (() => void)[] = [];
  private html = '';
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PageHostDeps,
    private readonly o: PageHostOptions<T>,
  ) {
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'durable.svg');
    panel.webview.options = webviewOptions(deps.extensionUri);
    this.channel = new WebviewChannel(panel.webview, {
      protocol: o.protocol,
      requests: o.requests,
      handlers: o.handlers,
      hello: o.hello,
      describeError: (e) => this.describeError(e),
      warn: (text) => deps.log.warn(text),
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.channel.receive(raw)),
      panel.onDidChangeViewState((e) => {
        if (!e.webviewPanel.visible) {
          // Not retained when hidden: the page starts again (and says ready) when shown.
          this.channel.pageGone();
        }
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    this.setHtml();
  }

  /** The HTML last set (tests check its CSP and that it holds no instance data). */
  get currentHtml(): string {
    return this.html;
  }

  /** Aborted when the panel closes: every storage call of the page passes it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The hub the page works on, or a RequestError saying why there is none. */
  requireHub(): HubNode {
    if (!this.o.hubNode) {
      throw new RequestError(this.o.unavailable ?? 'The task hub of this page is not available.', 'Unavailable');
    }
    return this.o.hubNode;
  }

  /** The hub's storage handle, for what only storage can do; a hub reached through a running host refuses. */
  get hub(): TaskHub {
    return storageHub(this.requireHub(), `The ${this.o.view === 'hub' ? 'task hub page (counts, stuck instances, bulk actions)' : this.o.view + ' page'}`);
  }

  /** The hub's instance operations, over either transport. */
  get client(): InstanceClient {
    return this.requireHub().client;
  }

  /** Handles a message as if the page had posted it (tests). */
  receive(raw: unknown): Promise<ReceiveOutcome> {
    return this.channel.receive(raw);
  }

  reveal(onAlive: () => void): void {
    this.panel.reveal(undefined, false);
    // A page that is alive reads again; one coming back from hidden reads anyway after `ready`.
    if (this.channel.isReady) {
      onAlive();
    }
  }

  /** Runs a user-initiated request with telemetry (its kind and outcome, never its data). */
  async tracked<R>(request: string, work: () => Promise<R>, measurements: () => { count?: number } = () => ({})): Promise<R> {
    const started = Date.now();
    try {
      const result = await work();
      this.deps.telemetry.send('webviewRequest', { view: this.o.view, request, result: 'Succeeded' }, { durationMs: Date.now() - started, ...measurements() });
      return result;
    } catch (e) {
      this.deps.telemetry.send(
        'webviewRequest',
        { view: this.o.view, request, result: 'Failed', errorCode: e instanceof RequestError ? e.code : errorCode(e) },
        { durationMs: Date.now() - started, ...measurements() },
      );
      throw e;
    }
  }

  onDispose(callback: () => void): void {
    this.onDisposeCallbacks.push(callback);
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    this.controller.abort();
    this.channel.dispose();
    for (const d of this.disposables.splice(0)) {
      d.dispose();
    }
    this.panel.dispose();
    for (const callback of this.onDisposeCallbacks.splice(0)) {
      callback();
    }
  }

  private describeError(e: unknown): ErrorInfo {
    const message = this.deps.log.mask(e instanceof Error ? e.message : String(e));
    if (!(e instanceof RequestError) && !isDurableError(e)) {
      this.deps.log.error(`The ${this.o.view} page's request failed`, e);
    }
    return { message: oneLine(message), code: e instanceof RequestError ? e.code : errorCode(e) };
  }

  private setHtml(): void {
    const webview = this.panel.webview;
    const root = webviewRoot(this.deps.extensionUri);
    const uri = (...path: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(root, ...path)).toString();
    this.html = webviewShell({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: uri(`${this.o.view}.js`),
      styleUris: [uri('codicons', 'codicon.css'), uri(`${this.o.view}.css`)],
      title: this.o.documentTitle,
      view: this.o.view,
    });
    webview.html = this.html;
  }
}
