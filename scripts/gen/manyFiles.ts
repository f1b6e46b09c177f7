/**
 * A workspace of many small files, for "does a scan of 100,000 files finish" (the integration test
 * and `npm run bench -- manyFiles`): one dbt project of tiny models whose refs form a binary tree
 * (every model but the first refs the model at half its index; the deepest chain is ~17 models), a
 * schema YAML per folder of models, and plain SQL files beside it whose CTAS statements chain in
 * tens. Small files keep the run about the count, not about the size: the dbt context of a big
 * project (every node file, ref and path) is what the parse workers must hold.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Shape of a generated workspace. */
export interface ManyFilesSpec {
  /** dbt models (`dbt/models/gNNN/mN.sql`). */
  models: number;
  /** Plain SQL files (`sql/gNNN/sN.sql`), outside the dbt project. */
  sqlFiles: number;
  /** Files per folder (default 1,000). */
  perFolder?: number;
}

/** What was generated, for assertions: parse jobs and every file written. */
export interface ManyFilesLayout {
  /** Files written, including dbt_project.yml and the schema YAML files. */
  files: number;
  /** Files the scanner renders or parses (models + plain SQL). */
  parsed: number;
  /** Entities expected: the dbt project, its models, and one table per plain SQL file. */
  entities: number;
}

const folder = (i: number, per: number): string => `g${String(Math.floor(i / per)).padStart(3, '0')}`;

/** The text of model `i`: a root, or a `ref()` to model `floor((i - 1) / 2)` with two columns. */
export function modelText(i: number): string {
  if (i === 0) return "select 1 as id, 'root' as label\n";
  return `select id, label, ${i} as n${i % 10}\nfrom {{ ref('m${Math.floor((i - 1) / 2)}') }}\n`;
}

/** The text of plain SQL file `j`: a CTAS from the previous file's table within its chain of ten. */
export function sqlText(j: number): string {
  if (j % 10 === 0) return `create table t${j} as select ${j} as a, 'x' as b;\n`;
  return `create table t${j} as select a, b, a + ${j} as c from t${j - 1};\n`;
}

/** Writes the workspace under `root` (which must exist and be empty). */
export function writeManyFiles(root: string, spec: ManyFilesSpec): ManyFilesLayout {
  const per = spec.perFolder ?? 1_000;
  const made = new Set<string>();
  const write = (rel: string, text: string): void => {
    const file = path.join(root, rel);
    const dir = path.dirname(file);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(file, text);
  };
  let files = 0;
  write('dbt/dbt_project.yml', "name: many\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n");
  files++;
  for (let i = 0; i < spec.models; i++) {
    write(`dbt/models/${folder(i, per)}/m${i}.sql`, modelText(i));
    files++;
    // One documented model per folder: the YAML side of the context grows with the project too.
    if (i % per === 0) {
      write(`dbt/models/${folder(i, per)}/_schema.yml`, `version: 2\nmodels:\n  - name: m${i}\n    description: First model of ${folder(i, per)}.\n    columns:\n      - name: id\n        description: Key.\n`);
      files++;
    }
  }
  for (let j = 0; j < spec.sqlFiles; j++) {
    write(`sql/${folder(j, per)}/s${j}.sql`, sqlText(j));
    files++;
  }
  return { files, parsed: spec.models + spec.sqlFiles, entities: 1 + spec.models + spec.sqlFiles };
}
