package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/open-policy-agent/opa/v1/profiler"
	"github.com/open-policy-agent/opa/v1/rego"
)

func TestZZProfile(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	snap := e.current.Load()
	q, _ := snap.prepared(ctx, allBaselines)
	in := govZone(t)
	v, _ := in.value()
	p := profiler.New()
	for i := 0; i < 20; i++ {
		q.query.Eval(ctx, rego.EvalParsedInput(v), rego.EvalQueryTracer(p))
	}
	total := 0
	for _, s := range p.ReportTopNResults(35, []string{"total_time_ns", "num_eval"}) {
		fmt.Printf("%8dus %6d evals %6d redo  %s:%d\n", s.ExprTimeNs/1000/20, s.NumEval/20, s.NumRedo/20, s.Location.File, s.Location.Row)
		total += s.NumEval
	}
	n := 0
	for _, s := range p.ReportTopNResults(100000, []string{"num_eval"}) {
		n += s.NumEval
	}
	fmt.Println("total evals/op", n/20)
	for name, f := range p.ReportByFile().Files {
		c := 0
		for _, r := range f.Result {
			c += r.NumEval
		}
		fmt.Println(name, c/20)
	}
	v2, _ := e.Evaluate(ctx, in, Options{Baselines: allBaselines})
	for _, x := range v2.Violations {
		fmt.Println(x.Baseline, x.Control, x.Message)
	}
}

func TestZZProfile2(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	snap := e.current.Load()
	q, _ := snap.prepared(ctx, allBaselines)
	in := govZone(t)
	v, _ := in.value()
	p := profiler.New()
	q.query.Eval(ctx, rego.EvalParsedInput(v), rego.EvalQueryTracer(p))
	for _, s := range p.ReportTopNResults(60, []string{"num_eval"}) {
		fmt.Printf("%4d %s:%d\n", s.NumEval, s.Location.File, s.Location.Row)
	}
}
