import * as assert from 'assert';
import { evaluate, evaluateCondition, ExprContext, ExpressionError, StatusContext } from '../../../cli/pipeline/expressions';

const ctx = (roots: Record<string, unknown> = {}, status?: StatusContext): ExprContext => ({ roots, status });

describe('pipeline expressions', () => {
  const vars = { variables: { 'Build.SourceBranch': 'refs/heads/main', flag: 'true', empty: '', count: '10' } };

  it('compares case-insensitively and casts the right side to the left side type', () => {
    assert.strictEqual(evaluateCondition("eq(variables['Build.SourceBranch'], 'REFS/HEADS/MAIN')", ctx(vars)), true);
    assert.strictEqual(evaluateCondition("eq(variables.flag, 'true')", ctx(vars)), true);
    assert.strictEqual(evaluateCondition("eq(10, variables.count)", ctx(vars)), true);
    assert.strictEqual(evaluateCondition("gt(variables.count, '9')", ctx(vars)), false, 'string comparison when left is a string');
    assert.strictEqual(evaluateCondition("gt(10, '9')", ctx(vars)), true);
    assert.strictEqual(evaluateCondition("eq(true, 'True')", ctx()), true);
    assert.strictEqual(evaluateCondition("ne(variables['missing'], '')", ctx(vars)), false, 'null equals empty string');
    assert.strictEqual(evaluateCondition("eq(1, 'abc')", ctx()), false, 'unconvertible is not equal');
  });

  it('supports and/or/not/xor/in/notIn and string functions', () => {
    assert.strictEqual(evaluateCondition("and(true, or(false, not(false)))", ctx()), true);
    assert.strictEqual(evaluateCondition("xor(true, true)", ctx()), false);
    assert.strictEqual(evaluateCondition("in('b', 'a', 'B')", ctx()), true);
    assert.strictEqual(evaluateCondition("notIn('z', 'a', 'b')", ctx()), true);
    assert.strictEqual(evaluateCondition("contains('Hello', 'ELL')", ctx()), true);
    assert.strictEqual(evaluateCondition("startsWith(variables['Build.SourceBranch'], 'refs/heads/')", ctx(vars)), true);
    assert.strictEqual(evaluate("format('{0}-{1}{{x}}', 'a', 2)", ctx()), 'a-2{x}');
    assert.strictEqual(evaluate("coalesce(variables.empty, variables.missing, 'fallback')", ctx(vars)), 'fallback');
    assert.strictEqual(evaluate("replace('a.b.c', '.', '/')", ctx()), 'a/b/c');
    assert.strictEqual(evaluate("join(';', split('a,b', ','))", ctx()), 'a;b');
    assert.strictEqual(evaluate("lower('ABC')", ctx()), 'abc');
    assert.strictEqual(evaluate("iif(eq(1, 1), 'yes', 'no')", ctx()), 'yes');
    assert.strictEqual(evaluate("length('abcd')", ctx()), 4);
    assert.strictEqual(evaluate("'it''s'", ctx()), "it's");
  });

  it('short-circuits and/or so the unused side is never evaluated', () => {
    assert.strictEqual(evaluateCondition("or(true, eq(nosuchroot.x, 1))", ctx()), true);
    assert.throws(() => evaluateCondition("and(true, eq(nosuchroot.x, 1))", ctx()), /Unrecognized value 'nosuchroot'/);
  });

  it('treats strings as true when non-empty (like the service)', () => {
    assert.strictEqual(evaluateCondition("'false'", ctx()), true);
    assert.strictEqual(evaluateCondition("''", ctx()), false);
    assert.strictEqual(evaluateCondition('0', ctx()), false);
  });

  it('reads output variables through dependencies and stageDependencies', () => {
    const roots = {
      dependencies: { Build: { result: 'Succeeded', outputs: { 'Compile.setver.version': '1.2.3' } } },
      stageDependencies: { Build: { Compile: { result: 'Succeeded', outputs: { 'setver.version': '1.2.3' } } } },
    };
    assert.strictEqual(evaluate("dependencies.Build.outputs['Compile.setver.version']", ctx(roots)), '1.2.3');
    assert.strictEqual(evaluate("dependencies.build.OUTPUTS['compile.setver.version']", ctx(roots)), '1.2.3', 'case-insensitive');
    assert.strictEqual(evaluate("stageDependencies.Build.Compile.outputs['setver.version']", ctx(roots)), '1.2.3');
    assert.strictEqual(evaluate("dependencies.Build.result", ctx(roots)), 'Succeeded');
    assert.strictEqual(evaluate("dependencies.Build.outputs['nope']", ctx(roots)), null);
  });

  it('evaluates status functions against dependencies or the job so far', () => {
    const results: Record<string, string> = { A: 'Succeeded', B: 'Failed', C: 'SucceededWithIssues', S: 'Skipped' };
    const st = (deps: string[]): StatusContext => ({ dependencies: deps, canceled: false, resultOf: (n) => results[n] });
    assert.strictEqual(evaluateCondition('succeeded()', ctx({}, st(['A', 'C']))), true);
    assert.strictEqual(evaluateCondition('succeeded()', ctx({}, st(['A', 'B']))), false);
    assert.strictEqual(evaluateCondition('succeeded()', ctx({}, st(['S']))), false, 'a skipped dependency is not success');
    assert.strictEqual(evaluateCondition('failed()', ctx({}, st(['A', 'B']))), true);
    assert.strictEqual(evaluateCondition("succeeded('A')", ctx({}, st(['A', 'B']))), true);
    assert.strictEqual(evaluateCondition("failed('A')", ctx({}, st(['A', 'B']))), false);
    assert.strictEqual(evaluateCondition('succeededOrFailed()', ctx({}, st(['A', 'B']))), true);
    assert.strictEqual(evaluateCondition('always()', ctx({}, st(['B']))), true);
    assert.strictEqual(evaluateCondition('succeeded()', ctx({}, st([]))), true, 'no dependencies');
    const step: StatusContext = { canceled: false, resultOf: (n) => (n === '' ? 'Failed' : undefined) };
    assert.strictEqual(evaluateCondition('succeeded()', ctx({}, step)), false);
    assert.strictEqual(evaluateCondition('failed()', ctx({}, step)), true);
    assert.throws(() => evaluateCondition("succeeded('Z')", ctx({}, st(['A']))), /not a dependency/);
  });

  it('rejects malformed expressions with a clear message', () => {
    assert.throws(() => evaluate("eq(1, ", ctx()), ExpressionError);
    assert.throws(() => evaluate("eq(1, 2))", ctx()), /Unexpected '\)'/);
    assert.throws(() => evaluate("'open", ctx()), /Unterminated string/);
    assert.throws(() => evaluate("frob(1)", ctx()), /Unknown function 'frob'/);
    assert.throws(() => evaluate("not(1, 2)", ctx()), /takes 1 arguments/);
    assert.throws(() => evaluate("counter('x', 1)", ctx()), /not supported/);
    assert.throws(() => evaluate('succeeded()', ctx()), /only in conditions/);
  });
});
