// The manifest (package.json `contributes`) against the code: every command registered, every
// menu's `viewItem` pattern matching a contextValue the tree produces, when clauses unambiguous.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMAND_IDS } from '../../src/extension/commandIds';
import { actionsForStatus, allContextValues, instanceContextValue } from '../../src/extension/tree/contextValues';

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}

const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  main: string;
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, MenuEntry[]>;
    views: Record<string, { id: string }[]>;
    viewsWelcome: { view: string; contents: string; when?: string }[];
    configuration: { properties: Record<string, { default: unknown }> };
  };
};

const menuEntries = Object.entries(manifest.contributes.menus).flatMap(([menu, entries]) => entries.map((e) => ({ menu, ...e })));
const whenClauses = [
  ...menuEntries.map((e) => e.when).filter((w): w is string => !!w),
  ...manifest.contributes.viewsWelcome.map((w) => w.when).filter((w): w is string => !!w),
];

function viewItemRegexes(when: string): RegExp[] {
  return [...when.matchAll(/viewItem\s*=~\s*\/((?:\\\/|[^/])+)\/([a-z]*)/g)].map((m) => new RegExp(m[1], m[2]));
}

/** The menu commands whose `when` a node with this contextValue satisfies, in view/item/context. */
function itemMenuCommands(contextValue: string): string[] {
  return menuEntries
    .filter((e) => e.menu === 'view/item/context' && e.when && !e.group?.startsWith('inline'))
    .filter((e) => viewItemRegexes(e.when as string).every((r) => r.test(contextValue)))
    .filter((e) => !/viewItem\s*==/.test(e.when as string))
    .map((e) => e.command);
}

describe('package.json manifest', () => {
  it('contributes exactly the commands the code registers', () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, [...COMMAND_IDS].sort());
  });

  it('gives every command a title and the Durable Functions category', () => {
    for (const c of manifest.contributes.commands) {
      assert.ok(c.title.trim(), c.command);
      assert.equal(c.category, 'Durable Functions', c.command);
    }
  });

  it('menus only reference contributed commands', () => {
    const known = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const e of menuEntries) {
      assert.ok(known.has(e.command), `${e.menu}: ${e.command}`);
    }
  });

  it('every viewItem pattern matches at least one contextValue the tree produces', () => {
    const values = allContextValues();
    for (const when of whenClauses) {
      for (const regex of viewItemRegexes(when)) {
        assert.ok(values.some((v) => regex.test(v)), `no contextValue matches ${regex} (in "${when}")`);
      }
    }
  });

  it('no when clause mixes && and || without grouping', () => {
    for (const when of whenClauses) {
      // Strip regex literals first: their `|` is alternation, not the `||` operator.
      const bare = when.replace(/=~\s*\/((?:\\\/|[^/])+)\/[a-z]*/g, '=~ RE');
      if (bare.includes('&&') && bare.includes('||')) {
        assert.match(bare, /\(.*\|\|.*\)/, `ambiguous: ${when}`);
      }
    }
  });

  it('node-only commands are hidden from the Command Palette', () => {
    const hidden = new Set(manifest.contributes.menus.commandPalette.filter((e) => e.when === 'false').map((e) => e.command));
    assert.ok(hidden.has('durableExplorer.loadMore'));
    assert.ok(hidden.has('durableExplorer.copyInstanceId'));
  });

  it('activates lazily (no "*") from the dist bundle, and contributes the view the code uses', () => {
    assert.ok(!manifest.activationEvents.includes('*'));
    assert.equal(manifest.main, './dist/extension.js');
    assert.deepEqual(manifest.contributes.views.durableExplorer.map((v) => v.id), ['durableExplorer.taskHubs']);
  });

  it('declares every setting the extension reads', () => {
    const settingsSource = readFileSync(path.join(__dirname, '..', '..', '..', 'src', 'extension', 'settings.ts'), 'utf8');
    const read = [...settingsSource.matchAll(/c\.get(?:<[^>]+>)?\('([^']+)'\)/g)].map((m) => `durableExplorer.${m[1]}`);
    assert.ok(read.length >= 4);
    for (const key of read) {
      assert.ok(key in manifest.contributes.configuration.properties, key);
    }
  });
});

describe('instance context menus follow the status', () => {
  const menu = (status: string): string[] => itemMenuCommands(instanceContextValue(status));

  it('running instances: terminate, suspend, raise event; never resume, rewind or plain purge', () => {
    const m = menu('Running');
    for (const c of ['terminate', 'suspend', 'raiseEvent', 'forcePurge', 'showInstance']) {
      assert.ok(m.includes(`durableExplorer.${c}`), c);
    }
    for (const c of ['resume', 'rewind', 'purgeInstance']) {
      assert.ok(!m.includes(`durableExplorer.${c}`), c);
    }
  });

  it('suspended instances offer resume, not suspend', () => {
    const m = menu('Suspended');
    assert.ok(m.includes('durableExplorer.resume'));
    assert.ok(!m.includes('durableExplorer.suspend'));
  });

  it('failed instances offer rewind and purge; terminated ones purge but not terminate', () => {
    assert.ok(menu('Failed').includes('durableExplorer.rewind'));
    assert.ok(menu('Failed').includes('durableExplorer.purgeInstance'));
    // `+terminated` must not satisfy the `\+terminate\b` pattern.
    assert.ok(!menu('Terminated').includes('durableExplorer.terminate'));
    assert.ok(menu('Terminated').includes('durableExplorer.purgeInstance'));
    assert.ok(!menu('Completed').includes('durableExplorer.forcePurge'));
  });

  it('a node with a pending operation offers no control action until the runtime answers', () => {
    const m = itemMenuCommands(instanceContextValue('Running', { pending: true }));
    assert.ok(m.includes('durableExplorer.showInstance'));
    assert.ok(!m.includes('durableExplorer.terminate'));
  });

  it('entities are only viewed and purged', () => {
    const m = itemMenuCommands(instanceContextValue('Running', { entity: true }));
    assert.deepEqual(m.filter((c) => !/showInstance|copyInstanceId/.test(c)), ['durableExplorer.forcePurge']);
  });

  it('actions are defined for every runtime status', () => {
    for (const s of ['Running', 'Pending', 'Suspended', 'Failed', 'Completed', 'Terminated', 'Canceled', 'ContinuedAsNew', 'Weird']) {
      assert.ok(actionsForStatus(s).length > 0, s);
    }
  });
});
