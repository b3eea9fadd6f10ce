package engine

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// screens are the rules of the built-in policies that only let evaluation skip
// work: each holds only when the checks it stands for have nothing to report
// (lib.checks' zone_clean, ceiling_clean and government_clean for their groups
// of checks, each baseline's clean for the whole baseline).
var screens = []string{"clean", "zone_clean", "ceiling_clean", "government_clean", "workload_ceiling_clean", "workload_storage_clean", "class_clean"}

// guarded are the baselines' rules whose bodies start with a guard: the
// negation of what the check after it needs to pass, one of clean's
// expressions.
const guarded = "zone_threshold_findings"

// TestScreensNeverChangeAVerdict evaluates the golden corpus with the built-in
// policies as they are and with every screen false and every guard removed:
// the results must be the same, errors included. A screen that let a finding
// through unreported would fail here.
func TestScreensNeverChangeAVerdict(t *testing.T) {
	ctx := context.Background()
	for _, opts := range [][]Option{nil, goldenConfigs()[1].opts} {
		e := newEngine(t, opts...)
		snap := e.current.Load()
		q, err := snap.prepared(ctx, fourBaselines, nil)
		if err != nil {
			t.Fatal(err)
		}
		modules := map[string]*ast.Module{}
		disabled, unguarded := 0, 0
		for file, m := range e.builtin {
			m = m.Copy()
			for _, r := range m.Rules {
				switch name := r.Head.Ref().String(); {
				case slices.Contains(screens, name):
					r.Body = ast.NewBody(ast.NewExpr(ast.BooleanTerm(false)))
					r.Else = nil
					disabled++
				case name == guarded:
					r.Body = r.Body[1:]
					unguarded++
				}
			}
			modules[file] = m
		}
		if disabled < len(screens)+3 || unguarded < 10 {
			t.Fatalf("disabled %d screens and %d guards: the built-in policies changed, update this test", disabled, unguarded)
		}
		c := e.newCompiler()
		c.Compile(modules)
		if c.Failed() {
			t.Fatalf("cannot compile the policies without screens: %v", c.Errors)
		}
		plain, err := rego.New(rego.Query(preparedQueryText(q)), rego.Compiler(c), rego.Store(snap.store)).PrepareForEval(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, gc := range goldenCases(t) {
			in, _, err := gc.in.value(nil)
			if err != nil {
				t.Fatal(err)
			}
			screened, errScreened := q.query.Eval(ctx, rego.EvalParsedInput(in), rego.EvalTime(goldenNow))
			unscreened, errPlain := plain.Eval(ctx, rego.EvalParsedInput(in), rego.EvalTime(goldenNow))
			if got, want := resultString(screened, errScreened), resultString(unscreened, errPlain); got != want {
				t.Errorf("%s: with screens\n %s\nwithout\n %s", gc.name, got, want)
			}
		}
	}
}

// resultString renders a result for comparison; errors compare by kind only
// (their messages quote positions in the modules, which differ).
func resultString(rs rego.ResultSet, err error) string {
	if err != nil {
		return "error"
	}
	bindings := make([]rego.Vars, len(rs))
	for i, r := range rs {
		bindings[i] = r.Bindings
	}
	b, _ := json.Marshal(bindings)
	return string(b)
}

// TestGuardsAreCleansExpressions keeps each baseline's guards and its clean
// screen in step: every threshold check on the zone starts with `not X`, and
// X is one of clean's expressions, so that clean holds only when no guarded
// check can report.
func TestGuardsAreCleansExpressions(t *testing.T) {
	e := newEngine(t)
	for file, m := range e.builtin {
		if !strings.HasPrefix(file, "baselines/") {
			continue
		}
		var clean []string
		var guards []*ast.Expr
		for _, r := range m.Rules {
			switch r.Head.Ref().String() {
			case "clean":
				for _, x := range r.Body {
					clean = append(clean, x.String())
				}
			case guarded:
				guards = append(guards, r.Body[0])
			}
		}
		if len(clean) == 0 || len(guards) == 0 {
			t.Errorf("%s: no clean screen or no guarded checks", file)
			continue
		}
		for _, g := range guards {
			x := g.Copy()
			x.Negated = false
			if !g.Negated || !slices.Contains(clean, x.String()) {
				t.Errorf("%s:%d: guard %s is not `not` one of clean's expressions %v", file, g.Location.Row, g, clean)
			}
		}
	}
}
