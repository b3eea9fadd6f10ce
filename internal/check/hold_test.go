package check

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/zonekeeper/zonekeeper/internal/testenv"
)

// recordingSink records what reaches the output.
type recordingSink struct{ calls []string }

func (s *recordingSink) begin([]string) error { s.calls = append(s.calls, "begin"); return nil }
func (s *recordingSink) result(r Result) error {
	s.calls = append(s.calls, r.Kind+"/"+r.Name)
	return nil
}
func (s *recordingSink) end() error { s.calls = append(s.calls, "end"); return nil }

// TestUnknownBaselineInFilesWritesNothing: a classification naming an unknown baseline is bad
// input, found only when it is evaluated, after the objects of earlier files; none of their
// results may reach the output before the error, or a streamed report would stop partway.
func TestUnknownBaselineInFilesWritesNothing(t *testing.T) {
	samples := filepath.Join(testenv.Root(), "config", "samples")
	dir := t.TempDir()
	unknown := filepath.Join(dir, "zz-unknown.yaml")
	if err := os.WriteFile(unknown, []byte("apiVersion: landingzone.zonekeeper.dev/v1alpha1\nkind: DataClassification\nmetadata: {name: tagged}\nspec: {level: 1, baselines: [cjis-v7]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		paths     []string
		wantErr   bool
		wantCalls func(calls []string) bool
	}{
		"UnknownBaselineAfterOtherFiles": {
			paths:     []string{samples, unknown},
			wantErr:   true,
			wantCalls: func(calls []string) bool { return len(calls) == 0 },
		},
		"KnownBaselinesStream": {
			paths:   []string{samples},
			wantErr: false,
			wantCalls: func(calls []string) bool {
				return len(calls) > 2 && calls[0] == "begin" && calls[len(calls)-1] == "end"
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rec := &recordingSink{}
			err := run(context.Background(), Options{Paths: tc.paths, Now: now}, rec)
			if tc.wantErr != (err != nil) || (err != nil && !errors.Is(err, ErrBadInput)) {
				t.Fatalf("run: %v, want bad input: %t", err, tc.wantErr)
			}
			if !tc.wantCalls(rec.calls) {
				t.Errorf("output calls %v", rec.calls)
			}
		})
	}
}
