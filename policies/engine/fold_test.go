package engine

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// TestFoldStageReplacesEveryReferenceToAFoldedRule: a folded rule must not be
// read at evaluation time wherever it is referenced, including through a
// variable key (m[k], whose remaining path is one variable) and in a `some x
// in xs` declaration, and the results must not change.
func TestFoldStageReplacesEveryReferenceToAFoldedRule(t *testing.T) {
	module := `package x

m := {"a": [1, 2], "b": [3]}

keys contains k if m[k]

members contains v if some v in m.a

pairs contains [k, v] if some k, v in m

nested contains v if {
	some k
	m[k]
	some v in m[k]
}
`
	values := map[string]ast.Value{"data.x.m": ast.MustParseTerm(`{"a": [1, 2], "b": [3]}`).Value}
	c := ast.NewCompiler().WithStageAfterID(ast.StageResolveRefs, foldStage(values))
	c.Compile(map[string]*ast.Module{"x.rego": ast.MustParseModuleWithOpts(module, ast.ParserOptions{RegoVersion: ast.RegoV1})})
	if c.Failed() {
		t.Fatal(c.Errors)
	}
	folded := ast.MustParseRef("data.x.m")
	for _, r := range c.Modules["x.rego"].Rules {
		if r.Head.Name == "m" {
			continue
		}
		ast.WalkRefs(r, func(ref ast.Ref) bool {
			if ref.HasPrefix(folded) {
				t.Errorf("rule %s still reads %s: %s", r.Head.Name, folded, r.Body)
			}
			return false
		})
	}

	want := map[string]string{ // sets come back as sorted arrays
		"keys":    `["a", "b"]`,
		"members": `[1, 2]`,
		"pairs":   `[["a", [1, 2]], ["b", [3]]]`,
		"nested":  `[1, 2, 3]`,
	}
	for rule, expected := range want {
		rs, err := rego.New(rego.Query("data.x."+rule), rego.Compiler(c)).Eval(context.Background())
		if err != nil || len(rs) != 1 {
			t.Fatalf("data.x.%s: %v %v", rule, rs, err)
		}
		got, err := ast.InterfaceToValue(rs[0].Expressions[0].Value)
		if err != nil {
			t.Fatal(err)
		}
		if got.Compare(ast.MustParseTerm(expected).Value) != 0 {
			t.Errorf("data.x.%s = %v, want %s", rule, got, expected)
		}
	}
}
