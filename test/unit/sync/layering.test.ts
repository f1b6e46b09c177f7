import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The layering rule of `scripts/checkImports.mjs` (run by `npm run typecheck`). */
interface CheckImports {
  checkImports(root: string): string[];
  importProblems(file: string, specifier: string): string[];
}

const repoRoot = path.resolve(__dirname, '../../..');
const load = async (): Promise<CheckImports> => (await import(path.join(repoRoot, 'scripts/checkImports.mjs'))) as CheckImports;

describe('layering: the import rule', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'mallard-layering-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function write(file: string, text: string): void {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }

  it('holds on this repository', async () => {
    const { checkImports } = await load();
    assert.deepEqual(checkImports(repoRoot), []);
  });

  it('reports each forbidden import with file, line and column', async () => {
    const { checkImports } = await load();
    write('core/sync/a.ts', "import { z } from 'zod';\nimport { readFileSync } from 'node:fs';\nimport type { Uri } from 'vscode';\n// import x from 'path' (a comment is not an import)\n");
    write('core/model/b.ts', "import path from 'path';\nexport * from '../../extension/catalog/catalogTypes';\nimport { x } from 'yaml';\nimport { y } from 'better-sqlite3';\n");
    write('core/sync/c.ts', "import { parse } from 'yaml';\n");
    write('sync/engine.ts', "import { CatalogStore } from '../extension/catalog/catalogStore';\nimport type { SyncOp } from '../core/sync/ops';\nconst c = require('crypto');\n");
    write('cloud-functions/sync-push/index.ts', "import { createHash } from 'node:crypto';\nimport { jwtVerify } from 'jose';\nconst m = await import('../../sync/engine');\n");
    write('webviews/docs/main.ts', "import * as fs from 'fs';\nimport { h } from '../../core/model/entities';\n");
    write('extension/catalog/store.ts', "import * as vscode from 'vscode';\nimport * as fs from 'node:fs';\n");
    write('extension/ui/view.ts', "import * as vscode from 'vscode';\n");
    write('extension/main.ts', "import * as vscode from 'vscode';\n");
    // Columns point at the opening quote of the module name.
    const found = checkImports(root).map((v) => v.split(': ')[0]).sort();
    assert.deepEqual(found, [
      'cloud-functions/sync-push/index.ts:1:28',
      'cloud-functions/sync-push/index.ts:3:24',
      'core/model/b.ts:1:18',
      'core/model/b.ts:2:15',
      'core/model/b.ts:4:19',
      'core/sync/a.ts:2:30',
      'core/sync/a.ts:3:26',
      'core/sync/c.ts:1:23',
      'extension/catalog/store.ts:1:25',
      'sync/engine.ts:1:30',
      'sync/engine.ts:3:19',
      'webviews/docs/main.ts:1:21',
    ]);
  });

  it('explains why an import is refused', async () => {
    const { importProblems } = await load();
    assert.match(importProblems('core/sql/x.ts', 'node:path')[0] ?? '', /Node built-in 'node:path' is imported in core\//);
    assert.match(importProblems('sync/x.ts', 'fs/promises')[0] ?? '', /Node built-in/);
    assert.match(importProblems('sync/x.ts', '../extension/catalog/catalogStore')[0] ?? '', /sync\/ may not import from extension\//);
    assert.match(importProblems('extension/scanner/x.ts', 'vscode')[0] ?? '', /outside the VS Code layer/);
    assert.match(importProblems('core/sync/x.ts', 'yaml')[0] ?? '', /not on the allow-list of core\/sync\//);
    assert.deepEqual(importProblems('extension/scanner/x.ts', 'node:fs'), [], 'the extension is Node');
    assert.deepEqual(importProblems('sync/x.ts', '../core/sync/ops'), []);
  });
});
