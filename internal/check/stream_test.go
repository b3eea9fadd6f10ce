package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/zonekeeper/zonekeeper/internal/compliance"
	"github.com/zonekeeper/zonekeeper/internal/manifest"
	"github.com/zonekeeper/zonekeeper/internal/testenv"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// corpora are repositories laid out the ways check meets them: the samples, the refused demo
// objects and the golden variants, with an exception, in a few files, and the same objects one
// document per file (more files than the workers run ahead), where a workload's zone and
// classifications are in other files, some before it and some after.
func corpora(t *testing.T, unknownBaselines bool) map[string]string {
	t.Helper()
	root := testenv.Root()
	sources := []string{
		filepath.Join(root, "config", "samples", "landingzone_v1alpha1_dataclassifications.yaml"),
		filepath.Join(root, "policies", "engine", "testdata", "golden", "manifests", "variants.yaml"),
		filepath.Join(root, "config", "samples", "landingzone_v1alpha1_landingzones.yaml"),
		filepath.Join(root, "config", "samples", "landingzone_v1alpha1_workloads.yaml"),
		filepath.Join(root, "hack", "demo", "refused", "misplaced-workload.yaml"),
		filepath.Join(root, "hack", "demo", "refused", "noncompliant-zone.yaml"),
	}
	few := map[string]string{"exception.yaml": exception}
	var docs []string
	for i, src := range sources {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for d := range strings.SplitSeq(string(b), "\n---\n") {
			if unknownBaselines || !strings.Contains(d, "unknown-baseline") {
				kept = append(kept, d)
			}
		}
		few[fmt.Sprintf("%02d-%s", i, filepath.Base(src))] = strings.Join(kept, "\n---\n")
		docs = append(docs, kept...)
	}
	many := map[string]string{"exception.yaml": exception}
	// Workloads first, then zones, then classifications: the index, not the file order, must
	// resolve them.
	slices.Reverse(docs)
	for i, d := range docs {
		many[fmt.Sprintf("docs/%03d.yaml", i)] = "# one document\n" + d + "\n"
	}
	suffix := ""
	if unknownBaselines {
		suffix = ", unknown baselines included"
	}
	return map[string]string{"few files" + suffix: write(t, few), "one document per file" + suffix: write(t, many)}
}

// readAll reads and decodes every object under dir at once, as check did before the two passes.
func readAll(t *testing.T, dir string) *objectSet {
	t.Helper()
	objs, err := manifest.ReadPaths(dir)
	if err != nil {
		t.Fatal(err)
	}
	set, err := decode(objs)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// oneAtATime is check as it was before the two passes: every object read at once, decoded, and
// evaluated in order with compliance.Objects standing in for the cluster. Run must agree with it
// result for result.
func oneAtATime(t *testing.T, dir string) (Report, error) {
	t.Helper()
	ctx := context.Background()
	set := readAll(t, dir)
	eng, err := engine.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var exceptions []engine.Exception
	for _, pe := range set.exceptions {
		exceptions = append(exceptions, compliance.Exception(pe))
	}
	rep := Report{Results: []Result{}, Skipped: set.skipped}
	for _, it := range set.evaluate {
		in, err := compliance.Input(ctx, set.resolver, it.obj)
		if err != nil {
			t.Fatal(err)
		}
		baselines := engine.ApplicableBaselines(in)
		sort.Strings(baselines)
		v, err := eng.Evaluate(ctx, in, engine.Options{Baselines: baselines, Exceptions: exceptions, Now: now})
		if err != nil {
			return Report{}, badInput("%s:%d: %s %s: %v", it.src.File, it.src.Line, it.src.GetKind(), it.src.GetName(), err)
		}
		rep.Results = append(rep.Results, Result{
			File: it.src.File, Line: it.src.Line, Kind: it.src.GetKind(), Name: it.src.GetName(), Namespace: it.src.GetNamespace(),
			Baselines: baselines, Violations: v.Violations, Waived: v.Waived,
		})
	}
	return rep, nil
}

func TestRunAgreesWithEvaluatingEverythingAtOnce(t *testing.T) {
	all := corpora(t, false)
	maps.Copy(all, corpora(t, true))
	for name, dir := range all {
		t.Run(name, func(t *testing.T) {
			got, err := Run(context.Background(), Options{Paths: []string{dir}, Now: now})
			want, wantErr := oneAtATime(t, dir)
			if wantErr != nil || err != nil {
				// The variants name an unknown baseline: the same object must be reported.
				if wantErr == nil || err == nil || err.Error() != wantErr.Error() || !errors.Is(err, ErrBadInput) {
					t.Fatalf("err = %v, want %v", err, wantErr)
				}
				return
			}
			if len(got.Results) != len(want.Results) {
				t.Fatalf("%d results, want %d", len(got.Results), len(want.Results))
			}
			for i := range want.Results {
				if !reflect.DeepEqual(got.Results[i], want.Results[i]) {
					t.Errorf("result %d:\n got  %+v\n want %+v", i, got.Results[i], want.Results[i])
				}
			}
			if !slices.Equal(got.Skipped, want.Skipped) {
				t.Errorf("skipped %v, want %v", got.Skipped, want.Skipped)
			}
			if !got.Denied() {
				t.Errorf("the refused demo objects must be denied")
			}
		})
	}
}

func TestIndexResolverGivesTheSameInput(t *testing.T) {
	ctx := context.Background()
	for name, dir := range corpora(t, false) {
		t.Run(name, func(t *testing.T) {
			src, err := readSources(Options{Paths: []string{dir}})
			defer src.close()
			if err != nil {
				t.Fatal(err)
			}
			idx, err := buildIndex(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			set := readAll(t, dir)
			r := compliance.NewFrozen(idx.resolver())
			for _, it := range set.evaluate {
				want, err := compliance.Input(ctx, set.resolver, it.obj)
				if err != nil {
					t.Fatal(err)
				}
				got, err := compliance.Input(ctx, r, it.obj)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s:%d %s %s: input differs:\n got  %+v\n want %+v", it.src.File, it.src.Line, it.src.GetKind(), it.src.GetName(), got, want)
				}
			}
		})
	}
}

func TestStreamWritesWhatWriteWrites(t *testing.T) {
	ctx := context.Background()
	for name, dir := range corpora(t, false) {
		o := Options{Paths: []string{dir}, Now: now}
		rep, err := Run(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range Formats {
			t.Run(name+"/"+format, func(t *testing.T) {
				var want, got bytes.Buffer
				if err := Write(&want, rep, format); err != nil {
					t.Fatal(err)
				}
				denied, err := Stream(ctx, o, &got, format)
				if err != nil {
					t.Fatal(err)
				}
				if denied != rep.Denied() {
					t.Errorf("denied = %v, want %v", denied, rep.Denied())
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("Stream wrote\n%s\nwant\n%s", got.String(), want.String())
				}
			})
		}
	}
	t.Run("unknown format is bad input before any work", func(t *testing.T) {
		if _, err := Stream(ctx, Options{}, &bytes.Buffer{}, "yaml"); !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "unknown output format") {
			t.Errorf("err = %v, want the unknown format as ErrBadInput", err)
		}
	})
}

// The first pass finds bad input as reading every file at once did: the first file that does not
// parse, whatever does not decode before it; else the first object that does not decode.
func TestRunReportsTheFirstBadInputInFileOrder(t *testing.T) {
	unknownKind := "apiVersion: landingzone.zonekeeper.dev/v1alpha1\nkind: LandingPad\nmetadata: {name: x}\n"
	unknownField := strings.Replace(classification, "level: 6", "level: 6\n  levle: 7", 1)
	unparseable := "kind: [unclosed\n"
	files := func(bad map[int]string) map[string]string {
		out := map[string]string{}
		for i := range 40 {
			body, ok := bad[i]
			if !ok {
				body = strings.ReplaceAll(zoneWith("400"), "name: evidence", fmt.Sprintf("name: zone-%d", i))
			}
			out[fmt.Sprintf("%02d.yaml", i)] = body
		}
		return out
	}
	cases := map[string]struct {
		bad  map[int]string
		want string
	}{
		"a later parse error wins over an earlier decoding error": {
			bad:  map[int]string{3: unknownKind, 31: unparseable},
			want: "31.yaml:1: cannot parse YAML",
		},
		"the first parse error in file order": {
			bad:  map[int]string{17: unparseable, 29: unparseable},
			want: "17.yaml:1: cannot parse YAML",
		},
		"the first decoding error in file order": {
			bad:  map[int]string{12: unknownField, 35: unknownKind},
			want: "12.yaml:1: DataClassification cji",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Run(context.Background(), Options{Paths: []string{write(t, files(tc.bad))}, Now: now})
			if !errors.Is(err, ErrBadInput) {
				t.Fatalf("err = %v, want ErrBadInput", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q should contain %q", err, tc.want)
			}
		})
	}
}

func TestInOrderConsumesInIndexOrder(t *testing.T) {
	cases := map[string]struct {
		n, workers int
		failAt     int // consume fails at this index; -1 never
	}{
		"more items than workers run ahead": {n: 200, workers: 3, failAt: -1},
		"one worker":                        {n: 20, workers: 1, failAt: -1},
		"no items":                          {n: 0, workers: 2, failAt: -1},
		"consume fails midway":              {n: 200, workers: 4, failAt: 57},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []int
			stop := errors.New("stop")
			err := inOrder(context.Background(), tc.n, tc.workers, nil,
				func(_ context.Context, i int) int {
					// Uneven work, so that later items often finish first.
					s := 0
					for j := range (tc.n - i) * 1000 {
						s += j
					}
					_ = s
					return i
				},
				func(i int) error {
					if i == tc.failAt {
						return stop
					}
					got = append(got, i)
					return nil
				})
			want, wantErr := tc.n, error(nil)
			if tc.failAt >= 0 {
				want, wantErr = tc.failAt, stop
			}
			if !errors.Is(err, wantErr) {
				t.Fatalf("err = %v, want %v", err, wantErr)
			}
			if len(got) != want {
				t.Fatalf("consumed %d items, want %d", len(got), want)
			}
			for i, v := range got {
				if v != i {
					t.Fatalf("item %d consumed at position %d", v, i)
				}
			}
		})
	}
}

func TestInOrderRunsFirstBeforeConsumingAndStopsWhenItFails(t *testing.T) {
	cases := map[string]struct {
		firstErr error
		want     int
	}{
		"work waits for what first prepares": {want: 50},
		"first fails":                        {firstErr: errors.New("no engine"), want: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ready := make(chan struct{})
			consumed := 0
			err := inOrder(context.Background(), 50, 2,
				func() error {
					if tc.firstErr != nil {
						return tc.firstErr
					}
					close(ready)
					return nil
				},
				func(ctx context.Context, i int) int {
					select {
					case <-ready:
					case <-ctx.Done():
					}
					return i
				},
				func(int) error { consumed++; return nil })
			if !errors.Is(err, tc.firstErr) {
				t.Fatalf("err = %v, want %v", err, tc.firstErr)
			}
			if consumed != tc.want {
				t.Errorf("consumed %d, want %d", consumed, tc.want)
			}
		})
	}
}

// The JSON writer writes result by result what encoding/json writes for the whole Report.
func TestJSONIsTheWholeReportEncoded(t *testing.T) {
	res := Result{File: "a.yaml", Line: 3, Kind: "LandingZone", Name: "z <&>", Baselines: []string{"cjis-v6"},
		Violations: []engine.Violation{{Control: "AU-11", Baseline: "cjis-v6", Message: "keep <365> & more", References: []string{"CJIS 5.4.7"}}},
		Waived:     []engine.WaivedViolation{}}
	cases := map[string]Report{
		"no results, nothing skipped":       {Results: []Result{}},
		"no results, something skipped":     {Results: []Result{}, Skipped: []string{"a.yaml:1 Namespace/x"}},
		"results and skipped":               {Results: []Result{res, res}, Skipped: []string{"a.yaml:1 Namespace/x", "b.yaml:9 ConfigMap/y"}},
		"one result, nothing skipped":       {Results: []Result{res}},
		"a zero report keeps its null list": {},
	}
	for name, rep := range cases {
		t.Run(name, func(t *testing.T) {
			var want, got bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				t.Fatal(err)
			}
			if err := Write(&got, rep, "json"); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("got\n%s\nwant\n%s", got.String(), want.String())
			}
		})
	}
}
