import assert from 'node:assert/strict';
import { dialectNamed, parseInvocation, UsageError } from '../../../extension/cli/cliArgs';
import { oneLine, plural, table, testText } from '../../../extension/cli/cliFormat';
import { commandHelpText, COMMANDS, helpText } from '../../../extension/cli/cliSpec';
import { ScanProgressPrinter } from '../../../extension/cli/scanProgress';

/** The CLI's pure pieces: argument parsing, help, tables, plurals, progress lines, test chips. */

function usageError(argv: string[]): UsageError {
  try {
    parseInvocation(argv);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  assert.fail(`no usage error for ${argv.join(' ')}`);
}

describe('CLI pieces', () => {
  it('dialects: names, dbt adapter types and common aliases, case-insensitive', () => {
    assert.equal(dialectNamed('postgres'), 'postgresql');
    assert.equal(dialectNamed('BigQuery'), 'bigquery');
    assert.equal(dialectNamed('databricks'), 'hive');
    assert.equal(dialectNamed('tsql'), 'transactsql');
    assert.equal(dialectNamed('cobol'), undefined);
    assert.equal(parseInvocation(['scan', '.', '--dialect', 'duckdb']).dialect, 'postgresql');
    assert.match(usageError(['scan', '.', '--dialect', 'snowflak']).message, /did you mean "snowflake"\?\nDialects: postgresql, snowflake/);
  });

  it('usage errors say what is wrong, suggest the closest command or option, and carry the usage line', () => {
    const cmd = usageError(['serach', 'x']);
    assert.equal(cmd.message, 'unknown command "serach"; did you mean "search"?');
    const far = usageError(['frobnicate']);
    assert.match(far.message, /unknown command "frobnicate" \(one of scan, lineage, search/);
    const opt = usageError(['search', 'x', '--limt', '3']);
    assert.equal(opt.message, 'unknown option --limt for "search"; did you mean --limit?');
    assert.match(opt.usage, /^Usage: mallard search <query> \[--limit N\] \[--kind K\]$/);
    assert.match(usageError(['stats', '--db']).message, /--db needs a value/);
    assert.match(usageError(['stats', '--db', '--json']).message, /--db needs a value/);
    assert.match(usageError(['stats', '--json=yes']).message, /--json takes no value/);
    assert.match(usageError(['show']).message, /"show" needs <entity>/);
    assert.match(usageError(['stats', 'x']).message, /"stats" takes no arguments, got "x"/);
    assert.equal(parseInvocation(['lineage', 'x', '--indirect']).indirect, true);
    assert.equal(parseInvocation(['lineage', 'x']).indirect, false);
    assert.equal(parseInvocation(['help', 'scan']).command, 'scan');
  });

  it('help lists every command; a command help lists its options', () => {
    for (const c of COMMANDS) assert.match(helpText(), new RegExp(`^  ${c}\\b`, 'm'));
    assert.match(helpText(), /^ {2}export --format json\s/m);
    assert.match(commandHelpText('diagnostics'), /--file PATH\s+only this file/);
  });

  it('table cells stay on one line; plurals', () => {
    assert.equal(oneLine('a\n\n b\tc '), 'a b c');
    assert.equal(table(['k', 'v'], [['x', 'one\ntwo']]), 'k  v\n-  -------\nx  one two');
    assert.equal(plural(1, 'file'), '1 file');
    assert.equal(plural(0, 'file'), '0 files');
    assert.equal(plural(2, 'entity', 'entities'), '2 entities');
  });

  it('progress: a log gets one line per finished phase with its completed count; a terminal is redrawn and cleared', () => {
    let t = 0;
    const lines: string[] = [];
    const log = new ScanProgressPrinter((s) => void lines.push(s), false, () => t);
    log.update({ phase: 'walk', done: 0, total: 0 });
    t = 100;
    log.update({ phase: 'plan', done: 0, total: 1 });
    t = 350;
    log.update({ phase: 'parse', done: 0, total: 1 });
    log.update({ phase: 'parse', done: 1, total: 1 });
    t = 400;
    log.update({ phase: 'write', done: 0, total: 1 });
    log.finish(true);
    assert.deepEqual(lines, ['mallard: walk (0.10 s)\n', 'mallard: plan 1/1 (0.25 s)\n', 'mallard: parse 1/1 file (0.05 s)\n', 'mallard: write 1/1 (0.00 s)\n']);

    const tty: string[] = [];
    const term = new ScanProgressPrinter((s) => void tty.push(s), true, () => 0);
    term.update({ phase: 'parse', done: 3, total: 19 });
    term.finish(true);
    assert.match(tty[0] ?? '', /^\rmallard: parse 3\/19 files\s+$/);
    assert.match(tty.at(-1) ?? '', /^\r\s+\r$/);

    const cancelled: string[] = [];
    const stopped = new ScanProgressPrinter((s) => void cancelled.push(s), false, () => 0);
    stopped.update({ phase: 'parse', done: 2, total: 9 });
    stopped.finish(false);
    assert.deepEqual(cancelled, [], 'an unfinished phase is not reported as complete');
  });

  it('a data test reads as name(arguments)', () => {
    assert.equal(testText({ name: 'unique', args: {} }), 'unique');
    assert.equal(testText({ name: 'accepted_values', args: { values: ['a', 'b'], quote: false } }), 'accepted_values(values: [a, b], quote: false)');
    assert.equal(testText({ name: 'relationships', args: { to: "ref('c')", field: 'id' } }), "relationships(to: ref('c'), field: id)");
  });
});
