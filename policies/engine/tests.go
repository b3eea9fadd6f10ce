package engine

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// testTimeout bounds one Rego test (the timeout of `opa test`), unless the
// evaluation timeout is longer.
const testTimeout = 5 * time.Second

// RunTests runs the built-in baselines' Rego tests and those of the given
// custom policies, under the same restricted capabilities as evaluation. It
// returns every result, sorted by file and row; failing tests are results
// with Pass false, not errors. An error means the tests could not run: a
// policy that admission and SetCustomPolicies would refuse (it does not parse
// or compile, references a rule nothing defines, has a violation set without
// controls, shares a package with another) is refused here too, wrapping
// ErrInvalidPolicy, before any test runs. Its tests passing would say nothing
// of a policy that cannot be loaded.
func (e *Engine) RunTests(ctx context.Context, custom ...CustomPolicy) ([]TestResult, error) {
	builtinTests, err := e.tests()
	if err != nil {
		return nil, err
	}
	modules := map[string]*ast.Module{}
	tests := maps.Clone(builtinTests)
	parsed := make([]*parsedPolicy, 0, len(custom))
	names := map[string]bool{}
	for _, c := range custom {
		if names[c.Name] {
			return nil, fmt.Errorf("%w: policy %q is given twice", ErrInvalidPolicy, c.Name)
		}
		names[c.Name] = true
		p, err := parsePolicy(c)
		if err != nil {
			return nil, err
		}
		parsed = append(parsed, p)
		maps.Copy(modules, p.modules)
		maps.Copy(tests, p.tests)
	}
	if len(parsed) > 0 {
		if err := e.compile(ctx, parsed); err != nil {
			return nil, err
		}
	}
	return e.runTests(ctx, modules, tests)
}

// CompilePolicy checks a custom policy as ValidatePolicy does, except that it
// does not run the policy's tests: it must parse, keep to its own packages,
// compile with the built-in baselines and the other loaded custom policies,
// and declare its violation sets' controls. `zonekeeper policy test` uses it
// to refuse what admission refuses, and then runs the tests and reports each.
func (e *Engine) CompilePolicy(ctx context.Context, c CustomPolicy) error {
	_, err := e.compilePolicy(ctx, c, true)
	return err
}

// compile checks a set of custom policies together as ValidatePolicy and
// SetCustomPolicies do, publishing nothing.
func (e *Engine) compile(ctx context.Context, set []*parsedPolicy) error {
	if err := packageCollisions(set); err != nil {
		return err
	}
	if _, err := e.build(ctx, set); err != nil {
		return wrapInvalid(err)
	}
	return nil
}

// runTests runs the tests in tests against the built-in modules plus modules.
// Failing tests are run again with tracing, to say which expression failed;
// passing suites pay nothing for it.
func (e *Engine) runTests(ctx context.Context, modules, tests map[string]*ast.Module) ([]TestResult, error) {
	all := maps.Clone(e.builtin)
	maps.Copy(all, modules)
	maps.Copy(all, tests)

	results, err := e.run(ctx, all, "", false)
	if err != nil {
		return nil, err
	}
	var failed []string
	for _, r := range results {
		if r.Fail {
			failed = append(failed, regexp.QuoteMeta("data."+r.Package+"."+r.Name))
		}
	}
	explained := map[string]*tester.Result{}
	if len(failed) > 0 {
		again, err := e.run(ctx, all, "^("+strings.Join(failed, "|")+")$", true)
		if err != nil {
			return nil, err
		}
		for _, r := range again {
			explained[r.Package+"."+r.Name] = r
		}
	}

	out := make([]TestResult, 0, len(results))
	for _, r := range results {
		t := testResult(r)
		if x, ok := explained[r.Package+"."+r.Name]; ok && r.Fail {
			if expr := failedAt(x); expr != "" {
				t.Message = strings.Replace(t.Message, "failed", "failed at "+expr, 1)
			}
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b TestResult) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Row - b.Row
	})
	return out, nil
}

func (e *Engine) run(ctx context.Context, modules map[string]*ast.Module, filter string, trace bool) ([]*tester.Result, error) {
	runner := tester.NewRunner().
		SetCompiler(e.newCompiler().WithEnablePrintStatements(true)).
		SetModules(modules).
		SetTimeout(max(e.cfg.timeout, testTimeout)).
		EnableTracing(trace)
	if filter != "" {
		runner = runner.Filter(filter)
	}
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot compile tests: %w", err)
	}
	var out []*tester.Result
	for r := range ch {
		r.Package = strings.TrimPrefix(r.Package, "data.")
		out = append(out, r)
	}
	return out, nil
}

// failedAt finds, in a failed test's trace, the last expression of the test's
// own file that evaluated to false: the assertion that failed.
func failedAt(r *tester.Result) string {
	if r.Location == nil {
		return ""
	}
	var last *topdown.Event
	for _, ev := range r.Trace {
		if ev.Op == topdown.FailOp && ev.Location != nil && ev.Location.File == r.Location.File {
			if _, ok := ev.Node.(*ast.Expr); ok {
				last = ev
			}
		}
	}
	if last == nil {
		return ""
	}
	return fmt.Sprintf("%s:%d: %s", last.Location.File, last.Location.Row, last.Node)
}

func testResult(r *tester.Result) TestResult {
	t := TestResult{
		Package:  r.Package,
		Name:     r.Name,
		Pass:     r.Pass(),
		Skip:     r.Skip,
		Duration: r.Duration,
	}
	if r.Location != nil {
		t.File, t.Row = r.Location.File, r.Location.Row
	}
	switch {
	case r.Error != nil:
		t.Message = r.Error.Error()
	case r.Fail:
		t.Message = "failed"
	}
	if !t.Pass && len(r.Output) > 0 {
		t.Message += "\n" + strings.TrimSpace(string(r.Output))
	}
	return t
}

// failures formats the failing results, one per line.
func failures(results []TestResult) []string {
	var out []string
	for _, r := range results {
		if r.Pass || r.Skip {
			continue
		}
		out = append(out, fmt.Sprintf("%s:%d: %s.%s: %s", r.File, r.Row, r.Package, r.Name, r.Message))
	}
	return out
}
