package admission

import (
	"context"
	"runtime"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

func TestEvaluationsBeyondTheLimitWaitAndAreRefusedWhenTheirContextEnds(t *testing.T) {
	eng, err := engine.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	in := engine.Input{Object: map[string]any{
		"apiVersion": lzv1.GroupVersion.String(), "kind": "DataClassification",
		"metadata": map[string]any{"name": "c"}, "spec": map[string]any{"level": int64(1)},
	}}
	cases := map[string]struct {
		reason string
		held   int // workers busy with evaluations still running
		cancel bool
		want   error
	}{
		"a worker free": {
			reason: "an evaluation with a worker free runs",
			held:   0,
		},
		"every worker busy, context ends": {
			reason: "a request that cannot be judged in time is refused, never passed",
			held:   1, cancel: true, want: context.Canceled,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := &Checker{Engine: eng, MaxConcurrentEvaluations: 1}
			c.init()
			release := make(chan struct{})
			defer close(release)
			for range tc.held { // a worker busy until the test ends
				c.work <- func() { <-release }
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				cancel()
			}
			_, err := c.evaluate(ctx, in, engine.Options{Now: metav1.Now().Time})
			if !errors.Is(err, tc.want) {
				t.Errorf("%s: error %v, want %v", tc.reason, err, tc.want)
			}
		})
	}
}

func TestEvaluationsRunOnOneWorkerPerCPU(t *testing.T) {
	c := &Checker{}
	c.init()
	// Every worker taken, one function each: GOMAXPROCS of them, no more.
	release := make(chan struct{})
	defer close(release)
	for range runtime.GOMAXPROCS(0) {
		c.work <- func() { <-release }
	}
	select {
	case c.work <- func() {}:
		t.Error("a worker beyond GOMAXPROCS took work")
	default:
	}
}
