import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlSession } from '../../../core/connectors/connector';
import { startBigQueryStandIn } from '../../support/bigqueryStandIn';
import { startSnowflakeStandIn } from '../../support/snowflakeStandIn';
import { buildCli, repoRoot } from '../cli/spawnCli';
import { PROJECT, bigqueryProject } from './bigqueryWarehouse';
import { snowflakeWarehouse } from './snowflakeWarehouse';

/**
 * The warehouse drivers as shipped: esbuild bundles of `snowflake-sdk` and `@google-cloud/bigquery`
 * next to the extension host bundle (in the VSIX) and the CLI, loaded on first use by
 * `sqlDrivers.ts`. Each bundle runs against the stand-ins, and a host bundle that imports the
 * driver registry stays small because the SDKs are left to those files.
 */

type Opener = (config: unknown, secrets: unknown) => Promise<SqlSession>;

describe('bundled warehouse drivers (dist/, stand-ins)', function () {
  this.timeout(180_000);
  before(() => buildCli());

  for (const dir of ['dist/extension', 'dist/cli']) {
    it(`stand-in: ${dir}/snowflakeDriver.js logs in, queries, and maps a wrong password to auth-failed`, async () => {
      const standIn = await startSnowflakeStandIn({ user: 'MALLARD', password: 's3cret', answer: snowflakeWarehouse() });
      try {
        const { openSnowflake } = require(path.join(repoRoot, dir, 'snowflakeDriver.js')) as { openSnowflake: Opener };
        const config = { account: 'acme', user: 'MALLARD', databases: ['ANALYTICS'], accessUrl: standIn.url };
        const session = await openSnowflake(config, { password: 's3cret' });
        const rows = await session.query('SELECT CURRENT_ACCOUNT() AS ACCOUNT, CURRENT_ROLE() AS ROLE, CURRENT_WAREHOUSE() AS WAREHOUSE, CURRENT_VERSION() AS VERSION');
        await session.close();
        assert.deepEqual(rows, [{ ACCOUNT: 'ACME', ROLE: 'CATALOG_READER', WAREHOUSE: 'COMPUTE_WH', VERSION: '9.38.2' }]);
        await assert.rejects(openSnowflake(config, { password: 'wrong' }), (e: unknown) => (e as { name?: string; reason?: string }).name === 'ConnectorError' && (e as { reason?: string }).reason === 'auth-failed');
      } finally {
        await standIn.close();
      }
    });

    it(`stand-in: ${dir}/bigqueryDriver.js authenticates with the key and queries`, async () => {
      const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
      const email = 'sa@acme-analytics.iam.gserviceaccount.com';
      const standIn = await startBigQueryStandIn({ projectId: PROJECT, clientEmail: email, publicKeyPem: keys.publicKey, answer: bigqueryProject() });
      try {
        const { openBigQuery } = require(path.join(repoRoot, dir, 'bigqueryDriver.js')) as { openBigQuery: Opener };
        const session = await openBigQuery({ projectId: PROJECT, apiEndpoint: standIn.url }, { serviceAccountJson: JSON.stringify({ type: 'service_account', client_email: email, private_key: keys.privateKey }) });
        const rows = await session.query('SELECT COUNT(*) AS datasets FROM `acme-analytics`.`region-us`.INFORMATION_SCHEMA.SCHEMATA');
        assert.deepEqual(rows, [{ datasets: 4 }]);
      } finally {
        await standIn.close();
      }
    });
  }

  it('a host bundle importing the driver registry loads the SDK files at run time instead of containing them', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'mallard-drivers-'));
    try {
      const { targetsOf } = (await import(path.join(repoRoot, 'scripts/buildTargets.mjs'))) as { targetsOf: () => { name: string; plugins?: unknown[] }[] };
      const node = targetsOf().find((t) => t.name === 'node');
      const esbuild = await import('esbuild');
      await esbuild.build({ entryPoints: [path.join(repoRoot, 'extension/connectors/sqlDrivers.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: path.join(out, 'host.js'), logLevel: 'silent', plugins: node?.plugins as never });
      const host = readFileSync(path.join(out, 'host.js'), 'utf8');
      assert.match(host, /require\("\.\/snowflakeDriver\.js"\)/);
      assert.match(host, /require\("\.\/bigqueryDriver\.js"\)/);
      // esbuild marks every bundled module with a `// node_modules/<package>/…` comment.
      assert.doesNotMatch(host, /\/\/ node_modules\/(snowflake-sdk|@google-cloud|google-auth-library|@aws-sdk|@azure)\//, 'an SDK was bundled into the registry');
      assert.ok(host.length < 2_000_000, `the registry bundle is ${host.length} bytes (the SDKs are ten times that)`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
