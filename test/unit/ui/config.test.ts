import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, dialectFor, readConfig } from '../../../extension/config';

function reader(values: Record<string, unknown>): (key: string) => unknown {
  return (key) => values[key];
}

describe('config', () => {
  it('defaults every setting when nothing is set', () => {
    const { config, problems } = readConfig(reader({}));
    assert.deepEqual(config, DEFAULT_CONFIG);
    assert.deepEqual(problems, []);
  });

  it('reads valid values', () => {
    const { config, problems } = readConfig(
      reader({ dialect: 'snowflake', include: ['models/**'], exclude: ['target/**'], rescanOnSave: false, maxGraphNodes: 500, dialectByFolder: { 'bq/': 'bigquery' } }),
    );
    assert.deepEqual(problems, []);
    assert.equal(config.dialect, 'snowflake');
    assert.deepEqual(config.include, ['models/**']);
    assert.deepEqual(config.exclude, ['target/**']);
    assert.equal(config.rescanOnSave, false);
    assert.equal(config.maxGraphNodes, 500);
    assert.deepEqual(config.dialectByFolder, { bq: 'bigquery' });
  });

  it('falls back and reports invalid values instead of throwing', () => {
    const { config, problems } = readConfig(reader({ dialect: 'oracle', include: 'models', maxGraphNodes: 5, rescanOnSave: 'yes', dialectByFolder: { a: 'nope' } }));
    assert.equal(config.dialect, DEFAULT_CONFIG.dialect);
    assert.deepEqual(config.include, []);
    assert.equal(config.maxGraphNodes, 10, 'clamped to the minimum');
    assert.equal(config.rescanOnSave, true);
    assert.deepEqual(config.dialectByFolder, {});
    assert.equal(problems.length, 5);
    assert.ok(problems.some((p) => p.includes('oracle')));
  });

  it('picks the longest folder override for a file', () => {
    const { config } = readConfig(reader({ dialect: 'postgresql', dialectByFolder: { wh: 'snowflake', 'wh/bq': 'bigquery' } }));
    assert.equal(dialectFor(config, 'wh/bq/x.sql'), 'bigquery');
    assert.equal(dialectFor(config, 'wh/y.sql'), 'snowflake');
    assert.equal(dialectFor(config, 'whx/y.sql'), 'postgresql', 'a prefix that is not a folder does not match');
    assert.equal(dialectFor(config, 'other.sql'), 'postgresql');
  });
});
