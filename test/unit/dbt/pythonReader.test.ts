import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readPythonModel, type PythonModelInfo } from '../../../core/dbt/python/pythonModel';
import { parseModule } from '../../../core/dbt/python/statements';
import { tokenize } from '../../../core/dbt/python/tokenizer';

/** The Python reader of dbt Python models: tokenizer, parser and dbt's own reading rules. */

const model = (body: string): string => `def model(dbt, session):\n${body}\n    return df\n`;
const refs = (info: PythonModelInfo): string[] => info.refs.map((r) => `${r.first ? `${r.first}.` : ''}${r.name}${r.version !== undefined ? `@${r.version}` : ''}`);
const where = (text: string, offset: number): string => {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
};
const findings = (text: string): string[] => readPythonModel(text).findings.map((f) => `${where(text, f.offset)} ${f.severity} ${f.code}: ${f.message}`);

describe('Python model reader: dbt calls', () => {
  it('reads every ref form, sources and config calls with literal arguments', () => {
    const text = model([
      '    a = dbt.ref("orders")',
      "    b = dbt.ref('pkg', 'customers')",
      '    c = dbt.ref("versioned", v=2)',
      '    d = dbt.ref("versioned", version="1")',
      '    e = dbt.ref("""triple""")',
      '    f = dbt.ref("con" \'cat\')',
      '    g = dbt.ref(r"raw\\name")',
      '    h = dbt.ref("esc\\x61ped")',
      '    s = dbt.source("raw", "events")',
      '    dbt.config(materialized="table", packages=["numpy", "pandas"], enabled=False)',
      '    dbt.config({"tags": ["a"], "meta": {"owner": "ana", "n": 1, "x": None}})',
      '    df = a',
    ].join('\n'));
    const info = readPythonModel(text);
    assert.deepEqual(findings(text), []);
    assert.equal(info.isModel, true);
    assert.deepEqual(refs(info), ['orders', 'pkg.customers', 'versioned@2', 'versioned@1', 'triple', 'concat', 'raw\\name', 'escaped']);
    assert.deepEqual(info.sources.map((s) => `${s.source}.${s.table}`), ['raw.events']);
    assert.deepEqual(info.configCalls.map((c) => c.opts), [
      { materialized: 'table', packages: ['numpy', 'pandas'], enabled: false },
      { tags: ['a'], meta: { owner: 'ana', n: 1, x: null } },
    ]);
    // Calls are located where `dbt` is written.
    assert.equal(where(text, info.refs[0]?.offset ?? 0), '2:9');
  });

  it('ignores dbt calls inside strings, comments, docstrings and f-string text', () => {
    const text = [
      '# dbt.ref("in_comment")',
      'def model(dbt, session):',
      '    """Reads dbt.ref("in_docstring") and dbt.source("a", "b")."""',
      "    sql = 'select * from dbt.ref(\"in_string\")'",
      '    doc = f"dbt.ref(\'in_fstring_text\') {1 + 1}"',
      "    raw = rb'dbt.config(enabled=False)'",
      '    multi = """',
      '    dbt.ref("in_triple")',
      '    """  # dbt.ref("trailing_comment")',
      '    df = dbt.ref("real") \\',
      '        .to_pandas()',
      '    return df',
    ].join('\n');
    const info = readPythonModel(text);
    assert.deepEqual(refs(info), ['real']);
    assert.deepEqual(info.sources, []);
    assert.deepEqual(info.configCalls, []);
    assert.deepEqual(findings(text), []);
  });

  it('sees calls where dbt sees them (method chains, arguments, list/dict items, f-string fields) and flags the ones dbt misses', () => {
    const text = model([
      '    a = dbt.ref("chain").to_pandas().head()',
      '    b = pd.concat([dbt.ref("in_list"), dbt.ref("in_list2")])',
      '    c = f(x={"k": dbt.ref("in_dict")}, y=(dbt.ref("in_tuple"),))',
      '    d = f"{dbt.ref(\'in_field\')}"',
      '    e = g(1 + dbt.ref("hidden"))',
      '    df = a',
    ].join('\n'));
    const info = readPythonModel(text);
    assert.deepEqual(refs(info), ['chain', 'in_list', 'in_list2', 'in_dict', 'in_tuple', 'in_field']);
    assert.deepEqual(findings(text), ['6:15 warning dbt-python-unseen-call: dbt does not detect this dbt.ref() call: it reads dbt calls only in statements, call arguments, list/tuple/dict items and method chains, so the model lacks this dependency and fails when it runs; assign dbt.ref(…) to a variable first']);
  });

  it('reports non-literal arguments where they are written, as dbt rejects them', () => {
    const text = model(['    name = "orders"', '    a = dbt.ref(name)', '    b = dbt.source("raw", "t" + "x")', '    dbt.config(materialized=MAT)', '    df = a'].join('\n'));
    const info = readPythonModel(text);
    assert.deepEqual(findings(text), [
      '3:17 error dbt-python-args: dbt.ref() arguments must be Python literals (dbt reads them with ast.literal_eval): `name` is not one',
      '4:27 error dbt-python-args: dbt.source() arguments must be Python literals (dbt reads them with ast.literal_eval): `"t" + "x"` is not one',
      '5:16 error dbt-python-args: dbt.config() arguments must be Python literals (dbt reads them with ast.literal_eval): `MAT` is not one',
    ]);
    assert.deepEqual(info.refs, []);
    assert.deepEqual(info.configCalls, []);
  });

  it('checks call shapes the way dbt does', () => {
    const text = model(['    a = dbt.ref("a", "b", "c")', '    b = dbt.source("only")', '    dbt.config({"a": 1}, b=2)', '    x = dbt.config.get()', '    y = dbt.config.get("k", "d")', '    df = a'].join('\n'));
    assert.deepEqual(findings(text).map((f) => f.split(': ').slice(1).join(': ')), [
      'ref() takes at most two arguments (3 given)',
      'source() takes exactly two arguments (1 given)',
      'invalid inline model config: dbt.config() takes either one dict or keyword arguments',
      'dbt.config.get() requires at least one argument',
    ]);
  });
});

describe('Python model reader: what dbt rejects', () => {
  it('a file without def model, or with two, or a wrong signature or return', () => {
    assert.deepEqual(findings('import pandas\n\ndef helper(x):\n    return x\n'), ['1:1 error dbt-python-model: dbt allows exactly one model defined per python file, found 0']);
    assert.equal(readPythonModel('import pandas\n').isModel, false);
    assert.deepEqual(findings('def model(dbt, session):\n    return 1\n\nif True:\n    def model(dbt, session):\n        return 2\n'), ['5:5 error dbt-python-model: dbt allows exactly one model defined per python file, found 2']);
    assert.deepEqual(findings('def model(session, dbt, extra):\n    return a, b\n'), [
      "1:1 error dbt-python-model: 'dbt' not provided for model as the first argument",
      '1:1 error dbt-python-model: model function should have two args, `dbt` and a session to current warehouse',
      '2:5 error dbt-python-model: In current version, model function should return only one dataframe object',
    ]);
    // A model function nested in another function is invisible to dbt; one in a class is not.
    assert.equal(readPythonModel('def outer():\n    def model(dbt, session):\n        return 1\n    return 2\n').isModel, false);
    assert.equal(readPythonModel('class K:\n    def model(dbt, session):\n        return 1\n').isModel, true);
    const empty = readPythonModel('# nothing here\n\n');
    assert.equal(empty.empty, true);
    assert.deepEqual(empty.findings, []);
  });

  it('syntax errors are located (one, as CPython reports one) and calls before them are kept', () => {
    const cases: [string, string][] = [
      ['def model(dbt, session):\n    a = dbt.ref("x")\n    b = "unterminated\n    return a\n', '3:9 error python-syntax: Python syntax error: unterminated string literal'],
      ['def model(dbt, session)\n    a = dbt.ref("x")\n    return a\n', "1:24 error python-syntax: Python syntax error: expected ':'"],
      ['def model(dbt, session):\n    a = dbt.ref("x")\n    b = foo(1,\n    return a\n', "3:12 error python-syntax: Python syntax error: '(' was never closed"],
      ['def model(dbt, session):\n    a = dbt.ref("x")\n      b = 1\n    return a\n', '3:7 error python-syntax: Python syntax error: unexpected indent'],
      ['def model(dbt, session):\n    a = dbt.ref("x")\n  return a\n', '3:3 error python-syntax: Python syntax error: unindent does not match any outer indentation level'],
      ['def model(dbt, session):\n    a = dbt.ref("x")\n    b = a $ 2\n    return a\n', "3:11 error python-syntax: Python syntax error: invalid character '$' (U+0024)"],
      ['def model(dbt, session):\n    a = dbt.ref("x")\n    if a:\n    return a\n', "4:5 error python-syntax: Python syntax error: expected an indented block after 'if' statement on line 3"],
    ];
    for (const [text, want] of cases) {
      assert.deepEqual(findings(text), [want], text);
      assert.deepEqual(refs(readPythonModel(text)), ['x'], text);
      assert.equal(readPythonModel(text).isModel, true, text);
    }
  });

  it('Jinja in Python code is an error, as in dbt', () => {
    const text = 'def model(dbt, session):\n    df = dbt.ref("{{ var(\'m\') }}")\n    return df\n';
    assert.deepEqual(findings(text), ["2:19 error dbt-python-jinja: dbt does not allow Jinja in Python model code: `{{` starts a Jinja expression"]);
    // An f-string's escaped braces are Jinja to dbt too.
    const fstring = 'def model(dbt, session):\n    s = f"{{x}}"\n    return s\n';
    assert.deepEqual(findings(fstring), ['2:11 error dbt-python-jinja: dbt does not allow Jinja in Python model code: `{{` starts a Jinja expression']);
    assert.deepEqual(parseModule(fstring).errors, []);
  });
});

describe('Python tokenizer and parser', () => {
  it('reads Python 3.12 syntax without false syntax errors', () => {
    const text = [
      'from __future__ import annotations',
      'import numpy as np, pandas as pd',
      'from .x import (a as b, c,)',
      'type Alias[T] = list[T]',
      'class K[T](Base, metaclass=M):',
      '    x: int = 1',
      '    @property',
      '    def v(self, /, a, *args, b=2, **kw) -> T: ...',
      'async def g(xs):',
      '    async with a as (b, c), d:',
      '        async for x in xs:',
      '            yield x',
      '    return [y async for y in xs if (z := y) > 0]',
      'def model(dbt, session):',
      '    match dbt.config.get("mode", "a"):',
      '        case {"k": [1, *rest]} | None if rest:',
      '            pass',
      '        case _:',
      '            pass',
      '    try:',
      '        x = 1_000.5e-3j + 0x_ff + 0o17 + 0b1',
      '    except* (ValueError, TypeError) as err:',
      '        raise RuntimeError("x") from err',
      '    finally:',
      '        del x',
      '    with (open("a") as f, open("b") as g):',
      '        lam = lambda a, *b, c=1, **d: (a, b, c, d)',
      '    s = {k: v for k, v in d.items()} | {*a, *b}',
      '    t = f"{x!r:>{width}} {y=} {d["key"]:{fmt}}"',
      '    u = x[1:2, ::3, ...] if not a is not b else -~x ** 2',
      '    global G; G = 1',
      '    assert x, "msg"',
      '    df = dbt.ref("m")',
      '    return df',
    ].join('\n');
    const m = parseModule(text);
    assert.deepEqual(m.errors, []);
    assert.deepEqual(findings(text), []);
    assert.deepEqual(refs(readPythonModel(text)), ['m']);
  });

  it('tokenizes strings of every form and joins lines inside brackets and after a backslash', () => {
    const tokens = tokenize('x = (1,\n  2) + \\\n  3\ny = b"a\\"b" R\'\\q\' u"\\u00e9" """a\n"b"\n"""\n').tokens;
    const strings = tokens.filter((t) => t.kind === 'string').map((t) => t.str?.value);
    assert.deepEqual(strings, ['a"b', '\\q', 'é', 'a\n"b"\n']);
    assert.equal(tokens.filter((t) => t.kind === 'newline').length, 2);
    // A byte order mark and CRLF line ends are what Windows editors write.
    assert.deepEqual(findings('\uFEFFdef model(dbt, session):\r\n    return dbt.ref("a")\r\n'), []);
  });

  it('never throws and keeps offsets inside the text, whatever the input', () => {
    const piece = fc.constantFrom('def model(dbt, session):\n', '    ', 'dbt.ref(', '"x"', "'", '"""', 'f"{', '}', ')', '(', '[', ']', '{', ':', '\n', '\\', '#', 'return ', 'lambda', '=', ',', '*', 'async ', 'match ', 'case ', '\t', '\r\n', 'é', '{{', '%}');
    fc.assert(fc.property(fc.array(piece, { maxLength: 60 }).map((xs) => xs.join('')), (text) => {
      const info = readPythonModel(text);
      for (const f of info.findings) assert.ok(f.offset >= 0 && f.offset <= text.length);
      for (const r of info.refs) assert.ok(r.offset >= 0 && r.offset < text.length);
    }), { numRuns: 400 });
    const deep = readPythonModel(`x = ${'('.repeat(20000)}`);
    assert.equal(deep.findings[0]?.code, 'python-syntax');
  });
});
