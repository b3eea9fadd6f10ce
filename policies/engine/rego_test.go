package engine

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	"github.com/zonekeeper/zonekeeper/policies"
)

// TestBuiltinRegoTests runs every Rego test beside the built-in baselines and
// fails listing each failing test with where and why.
func TestBuiltinRegoTests(t *testing.T) {
	e := newEngine(t)
	results, err := e.RunTests(context.Background())
	if err != nil {
		t.Fatalf("cannot run Rego tests: %v", err)
	}
	if len(results) == 0 {
		t.Fatal("no Rego tests ran")
	}
	if failed := failures(results); len(failed) > 0 {
		t.Errorf("%d of %d Rego tests fail:\n%s", len(failed), len(results), strings.Join(failed, "\n"))
	}
}

// TestEveryControlHasAllowedAndDeniedTests holds the baselines to their test
// convention: for each declared control, a test_<control>_allowed_* and a
// test_<control>_denied_* in the baseline's _test.rego ("SC-7(4)" is
// sc_7_4).
func TestEveryControlHasAllowedAndDeniedTests(t *testing.T) {
	e := newEngine(t)
	results, err := e.RunTests(context.Background())
	if err != nil {
		t.Fatalf("cannot run Rego tests: %v", err)
	}
	tests := map[string][]string{} // package -> test names
	for _, r := range results {
		tests[r.Package] = append(tests[r.Package], r.Name)
	}
	slug := regexp.MustCompile(`[^a-z0-9]+`)
	for _, p := range e.Policies() {
		pkg, _ := policies.BaselinePackage(p.Name)
		names := tests[pkg+"_test"]
		if len(names) == 0 {
			t.Errorf("baseline %s has no tests in package %s_test", p.Name, pkg)
			continue
		}
		for _, control := range p.Controls {
			prefix := "test_" + strings.Trim(slug.ReplaceAllString(strings.ToLower(control), "_"), "_") + "_"
			for _, kind := range []string{"allowed", "denied"} {
				if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, prefix+kind+"_") }) {
					t.Errorf("baseline %s: control %s has no %s%s_* test", p.Name, control, prefix, kind)
				}
			}
		}
	}
}

// TestBuiltinModulesCompileStrict keeps the built-in Rego free of what OPA's
// strict mode flags (unused variables and imports, shadowed input/data,
// deprecated builtins), which custom policies are not held to.
func TestBuiltinModulesCompileStrict(t *testing.T) {
	e := newEngine(t)
	tests, err := e.tests()
	if err != nil {
		t.Fatal(err)
	}
	modules := maps.Clone(e.builtin)
	maps.Copy(modules, tests)
	c := e.newCompiler().WithStrict(true)
	c.Compile(modules)
	if c.Failed() {
		t.Errorf("built-in policies fail strict compilation:\n%v", c.Errors)
	}
}

// TestBaselinesAreRegisteredAndDeclared checks that every baseline name maps
// to a package that exists and declares controls, and that no baseline module
// is left out of the map.
func TestBaselinesAreRegisteredAndDeclared(t *testing.T) {
	e := newEngine(t)
	registered := map[string]bool{}
	for _, name := range policies.BaselineNames() {
		pkg, _ := policies.BaselinePackage(name)
		registered["data."+pkg] = true
	}
	for file, m := range e.builtin {
		path := m.Package.Path.String()
		if strings.HasPrefix(path, "data.zonekeeper.baselines.") && !registered[path] {
			t.Errorf("%s declares %s, which no baseline name maps to", file, path)
		}
	}
	for _, p := range e.Policies() {
		if len(p.Controls) < 8 {
			t.Errorf("baseline %s declares %d controls, want at least 8", p.Name, len(p.Controls))
		}
		if p.EnforcementAction != ActionDeny {
			t.Errorf("baseline %s enforces %q by default, want deny", p.Name, p.EnforcementAction)
		}
	}
	if got := e.Policies(); len(got) != 4 || !got[0].Builtin {
		t.Errorf("Policies() = %+v, want the four built-in baselines", got)
	}
	if e.current.Load().compiler.GetRulesExact(ast.MustParseRef("data.zonekeeper.baselines.nist_800_53_r5_high.exception_max_days")) == nil {
		t.Error("nist-800-53-r5-high declares no exception_max_days")
	}
}

// TestBuiltinModulesAreFormatted keeps the built-in Rego as `opa fmt` writes it.
func TestBuiltinModulesAreFormatted(t *testing.T) {
	for _, read := range []func() (map[string]string, error){policies.Modules, policies.Tests} {
		srcs, err := read()
		if err != nil {
			t.Fatal(err)
		}
		for path, src := range srcs {
			out, err := format.SourceWithOpts(path, []byte(src), format.Opts{RegoVersion: ast.RegoV1})
			if err != nil {
				t.Errorf("cannot format %s: %v", path, err)
				continue
			}
			if string(out) != src {
				t.Errorf("%s is not formatted: run opa fmt -w on it", path)
			}
		}
	}
}
