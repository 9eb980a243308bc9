// A fresh process that loads the extension bundle under a stub `vscode` module, activates it and
// asks its tree for a first page of instances, as VS Code would when the view is expanded
// (bundled to .cache/bench/activation.cjs). It measures the extension's own code only: no VS Code,
// no extension host, no rendering. Arguments: <extension.js> <hub> <status group>;
// BENCH_CONNECTION holds the connection string, BENCH_EXTENSION_ROOT the extension folder.
//
// With an instrumented copy of the bundle (see activation.ts), `globalThis.__benchModules` lists
// every bundled module whose initialiser ran, in order: that is how it tells whether the Azure
// SDKs were loaded at activation or only on the first storage call.
/* eslint-disable @typescript-eslint/no-require-imports */
import { existsSync } from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';

type Listener = (e: unknown) => void;

const noop = (): { dispose(): void } => ({ dispose: () => undefined });

class EventEmitter {
  private listeners: Listener[] = [];
  readonly event = (listener: Listener): { dispose(): void } => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: unknown): void {
    for (const l of [...this.listeners]) {
      l(e);
    }
  }
  dispose(): void {
    this.listeners = [];
  }
}

class Disposable {
  constructor(private readonly fn: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  get path(): string {
    return this.fsPath;
  }
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static parse(s: string): Uri {
    return new Uri(s.split(':')[0], s.replace(/^[a-z]+:\/\//, '/'));
  }
  static from(c: { scheme: string; path?: string }): Uri {
    return new Uri(c.scheme, c.path ?? '/');
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, path.join(base.fsPath, ...parts));
  }
  with(): Uri {
    return this;
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

class TreeItem {
  [key: string]: unknown;
  constructor(
    readonly label: unknown,
    readonly collapsibleState?: number,
  ) {}
}

class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: unknown,
  ) {}
}

class ThemeColor {
  constructor(readonly id: string) {}
}

class MarkdownString {
  isTrusted = false;
  supportThemeIcons = false;
  constructor(public value = '') {}
  appendText(text: string): this {
    this.value += text;
    return this;
  }
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
  appendCodeblock(code: string): this {
    this.value += `\n\`\`\`\n${code}\n\`\`\`\n`;
    return this;
  }
}

class CancellationTokenSource {
  readonly token = { isCancellationRequested: false, onCancellationRequested: noop };
  cancel(): void {
    this.token.isCancellationRequested = true;
  }
  dispose(): void {}
}

/** Anything not modelled: a callable, constructible, awaitable-safe object that returns more of itself. */
function anything(name: string): unknown {
  const cache = new Map<PropertyKey, unknown>();
  const target = function () {
    return undefined;
  };
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === 'then' || prop === Symbol.iterator || prop === Symbol.asyncIterator) {
        return undefined;
      }
      if (prop === Symbol.toPrimitive) {
        return () => name;
      }
      if (prop === 'dispose') {
        return () => undefined;
      }
      if (!cache.has(prop)) {
        cache.set(prop, anything(`${name}.${String(prop)}`));
      }
      return cache.get(prop);
    },
    apply() {
      return anything(`${name}()`);
    },
    construct() {
      return anything(`new ${name}`) as object;
    },
  });
}

function withFallback<T extends object>(name: string, known: T): T {
  return new Proxy(known, {
    get(t, prop, receiver) {
      if (prop in t) {
        return Reflect.get(t, prop, receiver) as unknown;
      }
      if (prop === 'then') {
        return undefined;
      }
      return anything(`${name}.${String(prop)}`);
    },
  });
}

// Every top-level name the extension uses at run time must be here: the bundle copies the
// module's own properties (esbuild's __toESM), so a Proxy fallback does not reach them.
const vscodeStub = withFallback('vscode', {
  version: '1.90.0',
  EventEmitter,
  MarkdownString,
  CancellationTokenSource,
  Disposable,
  Uri,
  TreeItem,
  ThemeIcon,
  ThemeColor,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ViewColumn: { Active: -1, Beside: -2, One: 1 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  QuickPickItemKind: { Separator: -1, Default: 0 },
  languages: anything('vscode.languages'),
  l10n: { t: (message: string) => message },
  commands: withFallback('vscode.commands', {
    registerCommand: noop,
    executeCommand: async (): Promise<undefined> => undefined,
  }),
  window: withFallback('vscode.window', {
    createTreeView: () => withFallback('treeView', { onDidExpandElement: noop, onDidCollapseElement: noop, onDidChangeVisibility: noop, onDidChangeSelection: noop, dispose: () => undefined, reveal: async () => undefined }),
    createOutputChannel: () =>
      withFallback('outputChannel', {
        appendLine: () => undefined,
        append: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
        debug: () => undefined,
        trace: () => undefined,
        show: () => undefined,
        dispose: () => undefined,
      }),
    registerWebviewPanelSerializer: noop,
    registerTreeDataProvider: noop,
    onDidChangeActiveColorTheme: noop,
  }),
  workspace: withFallback('vscode.workspace', {
    workspaceFolders: undefined,
    getConfiguration: () => ({ get: (_key: string, fallback?: unknown) => fallback, has: () => false, inspect: () => undefined, update: async () => undefined }),
    onDidChangeConfiguration: noop,
    onDidChangeWorkspaceFolders: noop,
    createFileSystemWatcher: () => ({ onDidChange: noop, onDidCreate: noop, onDidDelete: noop, dispose: () => undefined }),
    registerTextDocumentContentProvider: noop,
  }),
  env: withFallback('vscode.env', { isTelemetryEnabled: false, onDidChangeTelemetryEnabled: noop, language: 'en', machineId: 'bench', sessionId: 'bench' }),
  extensions: withFallback('vscode.extensions', { getExtension: () => undefined }),
  authentication: withFallback('vscode.authentication', { onDidChangeSessions: noop }),
});

function memento(): { get(key: string, fallback?: unknown): unknown; update(key: string, value: unknown): Promise<void>; keys(): string[] } {
  const values = new Map<string, unknown>();
  return {
    get: (key, fallback) => (values.has(key) ? values.get(key) : fallback),
    update: async (key, value) => {
      values.set(key, value);
    },
    keys: () => [...values.keys()],
  };
}

function secrets(): unknown {
  const values = new Map<string, string>();
  const changed = new EventEmitter();
  return {
    get: async (key: string) => values.get(key),
    store: async (key: string, value: string) => {
      values.set(key, value);
      changed.fire({ key });
    },
    delete: async (key: string) => {
      values.delete(key);
      changed.fire({ key });
    },
    onDidChange: changed.event,
  };
}

interface TreeNodeLike {
  type: string;
  spec?: { kind: string };
  info?: { name: string };
  status?: string;
}

interface ExtensionApi {
  connections: { addConnectionString(connectionString: string, label?: string): Promise<unknown> };
  tree: { getChildren(node?: TreeNodeLike): Promise<TreeNodeLike[]>; getTreeItem(node: TreeNodeLike): unknown };
}

/** The package each chunk of dist/sdk/ bundles (scripts/build.mjs). */
const CHUNK_PACKAGES: Record<string, string> = {
  tables: '@azure/data-tables',
  queues: '@azure/storage-queue',
  blobs: '@azure/storage-blob',
  identity: '@azure/identity',
  telemetry: '@vscode/extension-telemetry',
};

/** Distinct `@azure/<name>` packages among bundled module paths. */
function azurePackages(modules: readonly string[]): string[] {
  return [...new Set(modules.map((m) => /node_modules\/(@azure\/[^/]+)/.exec(m)?.[1]).filter((p): p is string => Boolean(p)))].sort();
}

async function main(): Promise<void> {
  const [extensionPath, hubName, groupName] = process.argv.slice(2);
  const g = globalThis as { __benchModules?: string[] };
  g.__benchModules = [];
  const moduleInternals = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const load = moduleInternals._load;
  const root = process.env.BENCH_EXTENSION_ROOT ?? path.dirname(path.dirname(extensionPath));
  moduleInternals._load = function (request: string, parent: unknown, isMain: boolean): unknown {
    if (request === 'vscode') {
      return vscodeStub;
    }
    const chunk = /^\.\/sdk\/([a-z]+)\.js$/.exec(request)?.[1];
    if (chunk) {
      // The SDKs are separate bundles (dist/sdk/*.js) the extension requires on first use: list
      // the package as loaded (they are not instrumented), and let the instrumented copy, which
      // is not in dist/, find them there.
      g.__benchModules?.push(`node_modules/${CHUNK_PACKAGES[chunk] ?? `@azure/${chunk}`}/index.js`);
      const parentFile = (parent as { filename?: string } | undefined)?.filename;
      if (parentFile && !existsSync(path.join(path.dirname(parentFile), request))) {
        return load.call(this, path.join(root, 'dist', request), parent, isMain);
      }
    }
    return load.call(this, request, parent, isMain);
  };
  const context = {
    subscriptions: [] as unknown[],
    globalState: memento(),
    workspaceState: memento(),
    secrets: secrets(),
    extensionUri: Uri.file(root),
    extensionPath: root,
    globalStorageUri: Uri.file(path.join(os.tmpdir(), 'durable-bench-global')),
    storageUri: undefined,
    logUri: Uri.file(os.tmpdir()),
    extensionMode: 1,
    asAbsolutePath: (p: string) => path.join(root, p),
  };

  const t0 = performance.now();
  const extension = require(extensionPath) as { activate(ctx: unknown): ExtensionApi };
  const t1 = performance.now();
  const atLoad = [...g.__benchModules];
  const api = extension.activate(context);
  const t2 = performance.now();
  const atActivate = [...g.__benchModules];

  // The user's stored connection (not timed: in VS Code it is already in storage at activation).
  await api.connections.addConnectionString(process.env.BENCH_CONNECTION ?? '', 'bench');
  const t3 = performance.now();
  const roots = await api.tree.getChildren();
  roots.forEach((n) => api.tree.getTreeItem(n));
  const connection = roots.find((n) => n.type === 'connection' && n.spec?.kind === 'connectionString');
  if (!connection) {
    throw new Error(`No connection node among ${roots.map((n) => n.type).join(', ')}`);
  }
  const hubs = await api.tree.getChildren(connection);
  hubs.forEach((n) => api.tree.getTreeItem(n));
  const hub = hubs.find((n) => n.type === 'hub' && n.info?.name === hubName);
  if (!hub) {
    throw new Error(`No hub '${hubName}' in the tree: ${JSON.stringify(hubs).slice(0, 300)}`);
  }
  const groups = await api.tree.getChildren(hub);
  const group = groups.find((n) => n.status === groupName);
  if (!group) {
    throw new Error(`No group '${groupName}' under the hub`);
  }
  const items = await api.tree.getChildren(group);
  items.forEach((n) => api.tree.getTreeItem(n));
  const t4 = performance.now();
  const atFirstPage = [...g.__benchModules];

  process.stdout.write(
    `${JSON.stringify({
      loadMs: t1 - t0,
      activateMs: t2 - t1,
      firstPageMs: t4 - t3,
      instances: items.filter((n) => n.type === 'instance').length,
      instrumented: atFirstPage.length > 0,
      modules: { load: atLoad.length, activate: atActivate.length, firstPage: atFirstPage.length },
      azure: { load: azurePackages(atLoad), activate: azurePackages(atActivate), firstPage: azurePackages(atFirstPage) },
    })}\n`,
  );
  // The extension keeps timers (status followers, watchers) alive; the measurement is done.
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`activation child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
