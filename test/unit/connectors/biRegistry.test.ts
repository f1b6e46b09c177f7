import assert from 'node:assert/strict';
import { BiConfig } from '../../../core/connectors/biFiles';
import { ConnectorError, validateInput } from '../../../core/connectors/connector';
import { connectorDefinition } from '../../../core/connectors/registry';
import { FIXTURES, folderFiles } from './biHelpers';

/**
 * The three BI file connectors through the registry: "Test connection" and "discover" look only at
 * the repository's files (no network), a missing file port is a typed `bad-host` answer, and the
 * config is validated with the definitions' zod schemas.
 */

describe('BI file connectors in the registry', () => {
  it('registers tableau, looker and powerbi', () => {
    assert.deepEqual(['tableau', 'looker', 'powerbi'].map((t) => connectorDefinition(t)?.label), ['Tableau', 'Looker', 'Power BI']);
  });

  it('test: counts matching files in the folder, fails with not-found when there are none', async () => {
    const files = folderFiles(FIXTURES);
    const def = connectorDefinition('looker');
    assert.ok(def);
    assert.deepEqual(await def.test(validateInput(def, { folder: 'looker' }, {}), { files }), { ok: true, detail: '6 LookML files in folder "looker".' });
    assert.deepEqual(await def.test(validateInput(def, { folder: 'powerbi' }, {}), { files }), { ok: false, reason: 'not-found', message: 'No .lkml, .lookml files in folder "powerbi".' });
    assert.deepEqual(await def.test(validateInput(def, {}, {}), {}), { ok: false, reason: 'bad-host', message: 'The LookML connector reads files from a repository, but the host gave it no file source.' });
  });

  it('discover: lists the files, narrowed by include globs', async () => {
    const files = folderFiles(FIXTURES);
    const def = connectorDefinition('tableau');
    assert.ok(def);
    assert.deepEqual((await def.discover(validateInput(def, { folder: 'tableau/' }, {}), { files })).map((d) => `${d.kind}:${d.name}`), ['file:tableau/Broken.twb', 'file:tableau/Customers.tds', 'file:tableau/Published and Files.twb', 'file:tableau/Sales Overview.twb']);
    assert.deepEqual((await def.discover(validateInput(def, { include: ['**/*.tds'] }, {}), { files })).map((d) => d.name), ['tableau/Customers.tds']);
  });

  it('extract without a file port is a bad-host ConnectorError; a bad config is bad-config', async () => {
    const def = connectorDefinition('powerbi');
    assert.ok(def);
    await assert.rejects(def.extract({ config: BiConfig.parse({}), secrets: {} }, {}), (e: unknown) => e instanceof ConnectorError && e.reason === 'bad-host');
    assert.throws(() => validateInput(def, { project: 'has space' }, {}), (e: unknown) => e instanceof ConnectorError && e.reason === 'bad-config' && /config\.project/.test(e.message));
  });

  it('a connector reads only its folder: Tableau files elsewhere in the repository are not extracted', async () => {
    const def = connectorDefinition('tableau');
    assert.ok(def);
    const r = await def.extract(validateInput(def, { folder: 'looker' }, {}), { files: folderFiles(FIXTURES) });
    assert.deepEqual(r.stats.files, 0);
  });
});
