import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadDbtProject } from '../../../core/dbt/api';
import { dirFileSource } from '../../unit/dbt/helpers';
import { checkNode } from '../../unit/dbt/renderMapCheck';
import { corporaDir } from '../corpora';

/** The render map is truthful on every node of a real, Jinja-heavy project (dbt_shopify). */

describe('dbt render map on a corpus', () => {
  it('is truthful on every node of a Jinja-heavy real project', () => {
    const fs = dirFileSource(path.join(corporaDir(), 'dbt_shopify'));
    const ctx = loadDbtProject(fs, '');
    for (const f of ctx.nodeFiles) checkNode(fs.read(f.path) ?? '', f.path, ctx);
    assert.ok(ctx.nodeFiles.length > 100);
  });
});
