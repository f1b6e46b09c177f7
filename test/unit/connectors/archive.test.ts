import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConnectorError } from '../../../core/connectors/connector';
import { addArchive, archiveFileSource, type ArchiveFiles } from '../../../core/connectors/githubArchive';
import { gunzip } from '../../../core/connectors/gunzip';
import { globToRegExp, patternFilter } from '../../../core/connectors/patterns';
import { readTar, TarError } from '../../../core/connectors/tarReader';

/**
 * The runtime-neutral archive reading of the GitHub connector, on archives made by the system's
 * `tar` in each format it writes (ustar with a prefix, pax, GNU long names) and by `git archive`.
 */

describe('repository archives (tar reader, gunzip, archive FileSource)', () => {
  let work: string;
  const deep = `top/${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(40)}.sql`;
  before(() => {
    work = mkdtempSync(path.join(tmpdir(), 'mallard-tar-'));
    const src = path.join(work, 'src');
    mkdirSync(path.join(src, path.dirname(deep)), { recursive: true });
    writeFileSync(path.join(src, deep), 'select 1');
    writeFileSync(path.join(src, 'top/ünïcode.sql'), 'select ü');
    writeFileSync(path.join(src, 'top/blob.bin'), Buffer.from([1, 0, 2]));
    writeFileSync(path.join(src, 'top/latin1.sql'), Buffer.from([0x73, 0xe9]));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const make = (format: string): Uint8Array => {
    const file = path.join(work, `${format}.tar`);
    execFileSync('tar', ['-c', `--format=${format}`, '-f', file, '-C', path.join(work, 'src'), 'top']);
    return new Uint8Array(readFileSync(file));
  };

  for (const format of ['pax', 'gnu', 'ustar']) {
    it(`reads long and non-ASCII names and contents (${format})`, () => {
      const { entries } = readTar(make(format));
      const files = new Map(entries.filter((e) => e.type === 'file').map((e) => [e.path, Buffer.from(e.data).toString('utf8')]));
      assert.equal(files.get(deep), 'select 1');
      assert.equal(files.get('top/ünïcode.sql'), 'select ü');
      assert.ok(entries.some((e) => e.type === 'directory' && e.path.replace(/\/$/, '') === 'top'));
    });
  }

  it('reports a damaged header and a truncated member with the byte offset', () => {
    const bytes = make('pax');
    const damaged = bytes.slice();
    damaged[0] = (damaged[0] ?? 0) ^ 0xff;
    assert.throws(() => readTar(damaged), (err: unknown) => err instanceof TarError && err.message === 'The archive has a damaged header at byte 0.');
    const ustar = make('ustar');
    const member = readTar(ustar).entries.find((e) => e.path === deep);
    assert.ok(member);
    // Cut the archive inside that member's data.
    const cut = ustar.slice(0, member.data.byteOffset + 4);
    assert.throws(() => readTar(cut), (err: unknown) => err instanceof TarError && err.message === `The archive ends inside the member whose header is at byte ${member.data.byteOffset - 512}.`);
  });

  it('gunzips with the runtime decompressor and rejects bytes that are not gzip', async () => {
    const gz = execFileSync('gzip', ['-c'], { input: 'hello archive' });
    assert.equal(Buffer.from(await gunzip(new Uint8Array(gz), 'x')).toString(), 'hello archive');
    await assert.rejects(gunzip(new Uint8Array([1, 2, 3, 4]), 'The archive of a/b'), (err: unknown) => err instanceof ConnectorError && err.reason === 'source-error' && /^The archive of a\/b is not a valid gzip archive/.test(err.message));
  });

  it('an archive FileSource strips the top folder, applies filters, lists unreadable files and warns when they are read', async () => {
    const file = path.join(work, 'x.tar.gz');
    execFileSync('tar', ['-czf', file, '-C', path.join(work, 'src'), 'top']);
    const files: ArchiveFiles = new Map();
    const { added } = await addArchive(files, new Uint8Array(readFileSync(file)), 'repo/', patternFilter([], ['d*']), 'x');
    assert.equal(added, 3);
    const { source, diagnostics } = archiveFileSource(files);
    assert.deepEqual(source.list(), ['repo/blob.bin', 'repo/latin1.sql', 'repo/ünïcode.sql']);
    assert.equal(source.read('repo/ünïcode.sql'), 'select ü');
    assert.equal(source.read('repo/blob.bin'), undefined);
    assert.equal(source.read('repo/latin1.sql'), undefined);
    assert.equal(source.read('repo/none.sql'), undefined);
    assert.deepEqual(
      diagnostics().map((d) => `${d.file}: ${d.message}`),
      ['repo/blob.bin: skipped: binary content (a NUL byte at byte 1), not text.', 'repo/latin1.sql: skipped: not valid UTF-8 text.'],
    );
  });

  it('path patterns: * within a folder, ** across folders, a folder name keeps its files', () => {
    assert.ok(globToRegExp('models/*.sql').test('models/a.sql'));
    assert.ok(!globToRegExp('models/*.sql').test('models/x/a.sql'));
    assert.ok(globToRegExp('models/**/*.sql').test('models/a.sql'));
    assert.ok(globToRegExp('models/**/*.sql').test('models/x/y/a.sql'));
    assert.ok(globToRegExp('a.b?').test('a.bc') && !globToRegExp('a.b?').test('axbc'));
    const keep = patternFilter(['models', 'dbt_project.yml'], ['models/legacy/**']);
    assert.deepEqual(['models/a.sql', 'models/legacy/b.sql', 'dbt_project.yml', 'seeds/c.csv'].filter(keep), ['models/a.sql', 'dbt_project.yml']);
    assert.deepEqual(['raw', 'pg_temp_1', 'staging_x'].filter(patternFilter([], ['pg_*', 'staging_*'])), ['raw']);
  });
});
