package engine

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

func BenchmarkZZTrivial(b *testing.B) {
	ctx := context.Background()
	pq, err := rego.New(rego.Query("x = input.a"), rego.Module("m.rego", "package m\np := 1")).PrepareForEval(ctx)
	if err != nil {
		b.Fatal(err)
	}
	v := ast.MustInterfaceToValue(map[string]any{"a": 1})
	b.ReportAllocs()
	for b.Loop() {
		pq.Eval(ctx, rego.EvalParsedInput(v))
	}
}

func BenchmarkZZSingle(b *testing.B) {
	ctx := context.Background()
	e := newEngine(b)
	in := govZone(b)
	for _, bl := range allBaselines {
		b.Run(bl, func(b *testing.B) {
			opts := Options{Baselines: []string{bl}, Now: now}
			b.ReportAllocs()
			for b.Loop() {
				e.Evaluate(ctx, in, opts)
			}
		})
	}
}

func BenchmarkZZInputValue(b *testing.B) {
	in := govZone(b)
	b.ReportAllocs()
	for b.Loop() {
		in.value()
	}
}
