// The local storage emulator (Azurite) at its default endpoints: is it up, and starting it.
import * as vscode from 'vscode';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';

export const EMULATOR_CONNECTION_STRING = 'UseDevelopmentStorage=true';
const EMULATOR_PORTS = [10000, 10001, 10002];
const AZURITE_EXTENSION_ID = 'Azurite.azurite';

function portOpen(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when all three emulator ports accept connections (a TCP probe: no SDK load, ~1 ms). */
export async function isEmulatorReachable(timeoutMs = 1000): Promise<boolean> {
  const open = await Promise.all(EMULATOR_PORTS.map((p) => portOpen(p, timeoutMs)));
  return open.every(Boolean);
}

/** True when an endpoint is the emulator's (so "unreachable" can offer to start it). */
export function isEmulatorEndpoint(endpoint: string | undefined): boolean {
  return !!endpoint && /^https?:\/\/(127\.0\.0\.1|localhost):1000[0-2]\b/i.test(endpoint);
}

function findAzuriteBinary(): string | undefined {
  const candidates: string[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    candidates.push(path.join(folder.uri.fsPath, 'node_modules', '.bin', 'azurite'));
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir) {
      candidates.push(path.join(dir, process.platform === 'win32' ? 'azurite.cmd' : 'azurite'));
    }
  }
  return candidates.find((c) => existsSync(c));
}

export type EmulatorStart = 'already-running' | 'azurite-extension' | 'background-process' | 'terminal';

/** Starts Azurite and waits for it; stops a process it started itself when disposed. */
export class EmulatorLauncher implements vscode.Disposable {
  private process: ChildProcess | undefined;

  constructor(private readonly storageFolder: string) {}

  async start(token?: vscode.CancellationToken): Promise<EmulatorStart> {
    if (await isEmulatorReachable()) {
      return 'already-running';
    }
    const location = this.dataFolder();
    let how: EmulatorStart;
    if (vscode.extensions.getExtension(AZURITE_EXTENSION_ID)) {
      await vscode.commands.executeCommand('azurite.start');
      how = 'azurite-extension';
    } else {
      const binary = findAzuriteBinary();
      const args = ['--location', location, '--disableTelemetry', '--skipApiVersionCheck', '--loose', '--silent'];
      if (binary) {
        this.process = spawn(binary, args, { stdio: 'ignore', shell: process.platform === 'win32' });
        this.process.once('exit', () => (this.process = undefined));
        how = 'background-process';
      } else {
        // Not installed: npx fetches it from the npm registry, in a terminal the user can see and stop.
        const terminal = vscode.window.createTerminal({ name: 'Azurite' });
        terminal.sendText(`npx --yes azurite ${args.filter((a) => a !== '--silent').map((a) => JSON.stringify(a)).join(' ')}`);
        terminal.show(true);
        how = 'terminal';
      }
    }
    const deadline = Date.now() + (how === 'terminal' ? 120_000 : 20_000);
    while (Date.now() < deadline && !token?.isCancellationRequested) {
      if (await isEmulatorReachable(500)) {
        return how;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    if (token?.isCancellationRequested) {
      return how;
    }
    throw new Error('The local emulator did not start within the expected time: see the Azurite terminal or output for details.');
  }

  private dataFolder(): string {
    const configured = vscode.workspace.getConfiguration('durableExplorer').get<string>('emulator.azuriteLocation');
    const folder = configured && configured.trim() ? configured : path.join(this.storageFolder, 'azurite');
    mkdirSync(folder, { recursive: true });
    return folder;
  }

  dispose(): void {
    this.process?.kill();
    this.process = undefined;
  }
}
