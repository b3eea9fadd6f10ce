// Package golden keeps policy verdicts in golden files and compares them: the files that hold
// every verdict of the engine's corpus (policies/engine) and of the CRD-defaulted manifests
// (internal/check) still, while the policies and the engine are made faster.
//
// It does not import the engine (whose own tests use it); callers say how their verdict type
// splits into violations and waived violations.
package golden

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/topdown"
)

// Result is a verdict or, for an evaluation that failed, its error.
type Result[V any] struct {
	Verdict *V
	Error   string
}

func (r Result[V]) String() string {
	if r.Verdict == nil {
		return "error: " + r.Error
	}
	b, _ := json.Marshal(r.Verdict)
	return string(b)
}

// New is the result of an evaluation: its verdict or, for one that failed, its error; for a
// policy that failed at run time, the topdown error code only (its message quotes Rego file
// positions, which move with any edit).
func New[V any](v V, err error) Result[V] {
	if err == nil {
		return Result[V]{Verdict: &v}
	}
	var te *topdown.Error
	if errors.As(err, &te) {
		return Result[V]{Error: "policy evaluation failed: " + te.Code}
	}
	return Result[V]{Error: err.Error()}
}

// Waived is a waived violation and the exception that waived it.
type Waived[X any] struct {
	Violation X
	Exception string
}

// Codec takes a verdict (V) apart into its violations (X) and puts it together again.
type Codec[V, X any] struct {
	Split func(V) ([]X, []Waived[X])
	Join  func([]X, []Waived[X]) V
}

// Results are verdicts by case, then by evaluation.
type Results[V any] map[string]map[string]Result[V]

// Compare compares results with the golden file at path or, when update is set, rewrites it.
func Compare[V, X any](t *testing.T, path string, results Results[V], c Codec[V, X], update bool) {
	t.Helper()
	b := encode(results, c)
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("cannot read golden file (generate it with -update): %v", err)
	}
	if bytes.Equal(want, b) {
		return
	}
	wantResults, err := decode(want, c)
	if err != nil {
		t.Fatalf("cannot decode %s: %v", path, err)
	}
	diffs := 0
	for _, k := range keys(wantResults, results) {
		for _, ev := range keys(wantResults[k], results[k]) {
			w, g := wantResults[k][ev].String(), results[k][ev].String()
			if w == g {
				continue
			}
			if diffs++; diffs <= 20 {
				t.Errorf("%s [%s]:\n got  %s\n want %s", k, ev, g, w)
			}
		}
	}
	if diffs == 0 {
		t.Errorf("%s differs in layout only; regenerate it with -update", path)
	} else {
		t.Errorf("%d verdicts differ from %s", diffs, path)
	}
}

// keys are the keys of both maps, sorted.
func keys[M ~map[string]E, E any](a, b M) []string {
	return slices.Compact(slices.Sorted(func(yield func(string) bool) {
		for _, m := range []M{a, b} {
			for k := range m {
				if !yield(k) {
					return
				}
			}
		}
	}))
}

// The file lists, per case, each distinct violation once (one JSON line each) and, per
// evaluation, the indices of its violations and [index, exception] for its waived ones, or its
// error:
//
//	{"case": {"violations": [{...}, ...], "verdicts": {"evaluation": {"violations": [0, 2], "waived": [[1, "x"]]}}}}
type fileCase[X any] struct {
	Violations []X                   `json:"violations"`
	Verdicts   map[string]fileResult `json:"verdicts"`
}

type fileResult struct {
	Violations []int    `json:"violations,omitempty"`
	Waived     [][2]any `json:"waived,omitempty"`
	Error      string   `json:"error,omitempty"`
}

func encode[V, X any](results Results[V], c Codec[V, X]) []byte {
	var buf bytes.Buffer
	line := func(indent int, format string, args ...any) {
		buf.WriteString(strings.Repeat("  ", indent))
		fmt.Fprintf(&buf, format, args...)
		buf.WriteByte('\n')
	}
	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	comma := func(i, n int) string {
		if i < n-1 {
			return ","
		}
		return ""
	}
	line(0, "{")
	cases := slices.Sorted(maps.Keys(results))
	for ci, k := range cases {
		var table []X
		index := map[string]int{}
		id := func(v X) int {
			s := js(v)
			if i, ok := index[s]; ok {
				return i
			}
			index[s] = len(table)
			table = append(table, v)
			return len(table) - 1
		}
		evs := slices.Sorted(maps.Keys(results[k]))
		out := map[string]fileResult{}
		for _, ev := range evs {
			r := results[k][ev]
			if r.Verdict == nil {
				out[ev] = fileResult{Error: r.Error}
				continue
			}
			violations, waived := c.Split(*r.Verdict)
			fr := fileResult{Violations: []int{}}
			for _, v := range violations {
				fr.Violations = append(fr.Violations, id(v))
			}
			for _, w := range waived {
				fr.Waived = append(fr.Waived, [2]any{id(w.Violation), w.Exception})
			}
			out[ev] = fr
		}
		line(1, "%s: {", js(k))
		line(2, `"violations": [`)
		for i, v := range table {
			line(3, "%s%s", js(v), comma(i, len(table)))
		}
		line(2, "],")
		line(2, `"verdicts": {`)
		for i, ev := range evs {
			line(3, "%s: %s%s", js(ev), js(out[ev]), comma(i, len(evs)))
		}
		line(2, "}")
		line(1, "}%s", comma(ci, len(cases)))
	}
	line(0, "}")
	return buf.Bytes()
}

func decode[V, X any](b []byte, c Codec[V, X]) (Results[V], error) {
	var file map[string]fileCase[X]
	if err := json.Unmarshal(b, &file); err != nil {
		return nil, err
	}
	out := Results[V]{}
	for k, fc := range file {
		out[k] = map[string]Result[V]{}
		for ev, fr := range fc.Verdicts {
			if fr.Error != "" {
				out[k][ev] = Result[V]{Error: fr.Error}
				continue
			}
			violations, waived := []X{}, []Waived[X]{}
			for _, i := range fr.Violations {
				if i < 0 || i >= len(fc.Violations) {
					return nil, fmt.Errorf("case %q, evaluation %q: no violation %d", k, ev, i)
				}
				violations = append(violations, fc.Violations[i])
			}
			for _, w := range fr.Waived {
				i, ok := w[0].(float64)
				exception, ok2 := w[1].(string)
				if !ok || !ok2 || int(i) < 0 || int(i) >= len(fc.Violations) {
					return nil, fmt.Errorf("case %q, evaluation %q: waived entry %v is not [index, exception]", k, ev, w)
				}
				waived = append(waived, Waived[X]{Violation: fc.Violations[int(i)], Exception: exception})
			}
			v := c.Join(violations, waived)
			out[k][ev] = Result[V]{Verdict: &v}
		}
	}
	return out, nil
}
