/**
 * Prints the diagnostics of a workspace folder by severity and code, and the first error
 * diagnostics, using the in-process pipeline (`extractWorkspace`). For measuring how many error
 * diagnostics real projects get: `npx tsx scripts/diag/diagnosticCounts.ts <dir> [errorsToShow]`.
 */
import { dirFileSource } from '../../test/unit/dbt/helpers';
import { extractWorkspace } from '../../core/pipeline/extractWorkspace';

const dir = process.argv[2] ?? '.';
const show = Number(process.argv[3] ?? 15);
const { facts } = extractWorkspace(dirFileSource(dir), { workspaceName: 'ws' });
const counts: Record<string, number> = {};
for (const d of facts.diagnostics) counts[`${d.severity}:${d.code}`] = (counts[`${d.severity}:${d.code}`] ?? 0) + 1;
const errors = facts.diagnostics.filter((d) => d.severity === 'error');
process.stdout.write(`${dir}: ${errors.length} errors, ${facts.diagnostics.length} diagnostics\n${JSON.stringify(counts, null, 1)}\n`);
for (const d of errors.slice(0, show)) process.stdout.write(`${d.file}:${d.line}:${d.column} ${d.code} ${d.message.slice(0, 300)}\n`);
