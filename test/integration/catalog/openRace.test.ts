import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { SCHEMA_VERSION } from '../../../extension/catalog/migrations';

/**
 * Two first scans of a new catalog (the CLI and the VS Code scan worker) open the same fresh file
 * at the same moment. Real processes race on the file: every one must open it, the schema must be
 * migrated once, and all of them must agree on one replica id.
 */

const child = path.join(__dirname, 'openRaceChild.ts');

function openIn(file: string, startAt: number): Promise<{ ok: boolean; replicaId?: string; error?: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['-r', 'tsx/cjs', child, file, String(startAt)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as { ok: boolean; replicaId?: string; error?: string });
      } catch {
        resolve({ ok: false, error: `exit ${String(code)}: ${err || out}` });
      }
    });
  });
}

describe('catalog store: concurrent first opens of a new file', function () {
  this.timeout(240_000);
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('processes opening one fresh file at the same instant all succeed and share one replica id', async () => {
    const rounds = 6;
    const perRound = 3;
    for (let round = 0; round < rounds; round++) {
      const dir = mkdtempSync(path.join(tmpdir(), 'mallard-race-'));
      dirs.push(dir);
      const file = path.join(dir, 'catalog.db');
      // Far enough ahead for every child to have loaded tsx and better-sqlite3 (slow on a busy machine).
      const startAt = Date.now() + 4000;
      const results = await Promise.all(Array.from({ length: perRound }, () => openIn(file, startAt)));
      for (const r of results) assert.equal(r.ok, true, `round ${round}: ${r.error ?? ''}`);
      const ids = new Set(results.map((r) => r.replicaId));
      assert.equal(ids.size, 1, `round ${round}: one replica id, got ${[...ids].join(', ')}`);
      const store = CatalogStore.open(file);
      try {
        assert.equal(store.replicaId, [...ids][0]);
        assert.equal(store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      } finally {
        store.close();
      }
    }
  });
});
