package engine

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// allBaselines are the four built-in baselines, sorted as Evaluate sorts them.
var allBaselines = []string{"cjis-v6", "dod-il5", "nist-800-53-r5-high", "uk-official-sensitive"}

// BenchmarkTrivialQuery calibrates the machine: a prepared one-expression
// query, the floor of any OPA evaluation. Compare the others to it when
// comparing numbers across machines.
func BenchmarkTrivialQuery(b *testing.B) {
	ctx := context.Background()
	pq, err := rego.New(rego.Query("x = input.a"), rego.Module("m.rego", "package m\n\np := 1\n")).PrepareForEval(ctx)
	if err != nil {
		b.Fatal(err)
	}
	input := ast.MustInterfaceToValue(map[string]any{"a": 1})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pq.Eval(ctx, rego.EvalParsedInput(input)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate measures one admission-path evaluation: the realistic
// GovCloud zone (classifications cji and evidence) against all four
// baselines, through Evaluate (input converted once to an AST value, prepared
// query reused, deadline, violations decoded and sorted).
func BenchmarkEvaluate(b *testing.B) {
	e := newEngine(b)
	in := govZone(b)
	benchmarkEvaluate(b, e, in, Options{Baselines: allBaselines, Now: now})
}

// benchmarkEvaluate evaluates in with opts once per iteration, reporting the
// number of violations of the verdict.
func benchmarkEvaluate(b *testing.B, e *Engine, in Input, opts Options) {
	ctx := context.Background()
	v, err := e.Evaluate(ctx, in, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(v.Violations)), "violations")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Evaluate(ctx, in, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateFromFiles is BenchmarkEvaluate with classifications that
// carry no UID or resourceVersion, as zonekeeper check reads them from files:
// every evaluation converts them again.
func BenchmarkEvaluateFromFiles(b *testing.B) {
	e := newEngine(b)
	in := govZone(b)
	for i, c := range in.Classifications {
		c = clone(c)
		md := c["metadata"].(map[string]any)
		delete(md, "uid")
		delete(md, "resourceVersion")
		in.Classifications[i] = c
	}
	benchmarkEvaluate(b, e, in, Options{Baselines: allBaselines, Now: now})
}

// BenchmarkEvaluateApplicable is the same zone against the baselines that
// apply to it (cjis-v6 and nist-800-53-r5-high), as the webhook and the
// reconcilers evaluate it.
func BenchmarkEvaluateApplicable(b *testing.B) {
	e := newEngine(b)
	benchmarkEvaluate(b, e, govZone(b), Options{Now: now})
}

// BenchmarkEvaluateWorkload is the admission path for the commonest object: a compliant
// Workload in an Azure UK zone, naming two classifications (its zone's maxClassification comes
// along for the AC-4 check), with a UID and resourceVersion on each as the cluster gives them,
// against the baseline that applies (uk-official-sensitive). Nine in ten objects of the
// `zonekeeper check` benchmark's corpus are Workloads like it.
func BenchmarkEvaluateWorkload(b *testing.B) {
	e := newEngine(b)
	benchmarkEvaluate(b, e, versioned(loadInput(b, "uk-workload.json")), Options{Now: now})
}

// BenchmarkEvaluateWorkloadDenied is BenchmarkEvaluateWorkload with its first storage holding
// official-sensitive data for 30 days, under the 2,190 that classification asks (SI-12): the path
// of a refused review.
func BenchmarkEvaluateWorkloadDenied(b *testing.B) {
	e := newEngine(b)
	in := versioned(loadInput(b, "uk-workload.json"))
	storage := in.Object["spec"].(map[string]any)["storage"].([]any)
	storage[0].(map[string]any)["classification"] = "official-sensitive"
	storage[0].(map[string]any)["retentionDays"] = 30
	v, err := e.Evaluate(context.Background(), in, Options{Now: now})
	if err != nil || !slices.ContainsFunc(v.Violations, func(x Violation) bool { return x.Control == "SI-12" }) {
		b.Fatalf("want an SI-12 violation, got %v %v", v.Violations, err)
	}
	benchmarkEvaluate(b, e, in, Options{Now: now})
}

// BenchmarkEvaluateWorkloadFirstInZone is BenchmarkEvaluateWorkload when nothing is kept by its
// zone (the first Workload of its zone to name these classifications; here, a zone without a UID):
// only the facts kept by its classifications apply.
func BenchmarkEvaluateWorkloadFirstInZone(b *testing.B) {
	e := newEngine(b)
	in := versioned(loadInput(b, "uk-workload.json"))
	in.Zone = loadInput(b, "uk-workload.json").Zone
	benchmarkEvaluate(b, e, in, Options{Now: now})
}

// BenchmarkEvaluateWorkloadFromFiles is BenchmarkEvaluateWorkload with classifications that
// carry no UID or resourceVersion and no engine.Unchanging: nothing is kept from one evaluation
// for the next, neither converted values nor facts.
func BenchmarkEvaluateWorkloadFromFiles(b *testing.B) {
	e := newEngine(b)
	benchmarkEvaluate(b, e, loadInput(b, "uk-workload.json"), Options{Now: now})
}

// BenchmarkPreparedEvalInput is the same prepared query given the input as Go
// values (rego.EvalInput), which OPA converts on every evaluation.
func BenchmarkPreparedEvalInput(b *testing.B) {
	ctx := context.Background()
	e := newEngine(b)
	snap := e.current.Load()
	q, err := snap.prepared(ctx, allBaselines, nil)
	if err != nil {
		b.Fatal(err)
	}
	input := rawInput(govZone(b))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rs, err := q.query.Eval(ctx, rego.EvalInput(input), rego.EvalTime(now))
		if err != nil || len(rs) != 1 {
			b.Fatal(rs, err)
		}
	}
}

// BenchmarkUnpreparedEval builds and evaluates a new query each time, on the
// already compiled modules: what a caller pays without PrepareForEval.
func BenchmarkUnpreparedEval(b *testing.B) {
	ctx := context.Background()
	e := newEngine(b)
	snap := e.current.Load()
	q, err := snap.prepared(ctx, allBaselines, nil)
	if err != nil {
		b.Fatal(err)
	}
	query := preparedQueryText(q)
	input := rawInput(govZone(b))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rs, err := rego.New(
			rego.Query(query),
			rego.Compiler(snap.compiler),
			rego.Store(snap.store),
			rego.Input(input),
			rego.Time(now),
		).Eval(ctx)
		if err != nil || len(rs) != 1 {
			b.Fatal(rs, err)
		}
	}
}

// preparedQueryText is the text of the query Evaluate prepares.
func preparedQueryText(q *prepared) string {
	parts := make([]string, len(q.vars))
	for i, v := range q.vars {
		parts[i] = v + " = " + q.refs[i].String()
	}
	return strings.Join(parts, "; ")
}

// rawInput lays the input out as Go values, as rego.EvalInput takes it.
func rawInput(in Input) map[string]any {
	list := func(xs []map[string]any) []any {
		out := make([]any, len(xs))
		for i, x := range xs {
			out[i] = x
		}
		return out
	}
	m := map[string]any{
		"object":          in.Object,
		"classifications": list(in.Classifications),
		"plan":            list(in.Plan),
		"observed":        list(in.Observed),
	}
	if in.Zone != nil {
		m["zone"] = in.Zone
	}
	return m
}

// BenchmarkPreparedEvalParsedInput is the prepared query alone, on an input
// converted once outside the loop: the cost of the Rego evaluation itself.
func BenchmarkPreparedEvalParsedInput(b *testing.B) {
	ctx := context.Background()
	e := newEngine(b)
	snap := e.current.Load()
	q, err := snap.prepared(ctx, allBaselines, nil)
	if err != nil {
		b.Fatal(err)
	}
	input, _, err := govZone(b).value(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rs, err := q.query.Eval(ctx, rego.EvalParsedInput(input), rego.EvalTime(now))
		if err != nil || len(rs) != 1 {
			b.Fatal(rs, err)
		}
	}
}

// BenchmarkInputConversion is the one conversion of the input to an AST
// value that each Evaluate pays.
func BenchmarkInputConversion(b *testing.B) {
	in := govZone(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := in.value(nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNew measures building an engine with the built-in baselines: what
// every manager start and every zonekeeper check run pays once.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
