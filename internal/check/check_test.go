package check

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/zonekeeper/zonekeeper/internal/testenv"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

const classification = `apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: DataClassification
metadata: {name: cji}
spec:
  level: 6
  baselines: [cjis-v6]
  encryption: {customerManagedKey: true, rotationDays: 365, hsmBacked: true, fipsEndpoints: true}
  residency: {jurisdictions: [us]}
  network: {publicExposure: Forbidden, privateEndpointsOnly: true}
  audit: {retentionDays: 365, immutable: true, dataEvents: true}
  retention: {minDays: 2555}
`

// zone leaves rotation, availability zones and flow logs to the CRD defaults: check must apply
// them as the API server does, or it would report violations the webhook never sees.
const zone = `apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: LandingZone
metadata: {name: evidence}
spec:
  tenant: dc-mpd
  cloud: {provider: AWS, partition: aws-us-gov, region: us-gov-west-1}
  account: {name: evidence, email: aws+evidence@mpd.example.gov, govCloud: true}
  maxClassification: cji
  network: {cidr: 10.40.0.0/16}
  audit: {retentionDays: RETENTION}
`

const exception = `apiVersion: policy.zonekeeper.dev/v1alpha1
kind: PolicyException
metadata: {name: archive-migration}
spec:
  controls: [AU-11]
  targets: [{kind: LandingZone, name: evidence}]
  justification: archive migration tracked in CHG-1234
  approvedBy: ciso@mpd.example.gov
  expiresAt: "2030-01-01T00:00:00Z"
`

func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func zoneWith(retention string) string { return strings.ReplaceAll(zone, "RETENTION", retention) }

var now = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func TestRunJudgesLikeTheWebhook(t *testing.T) {
	cases := map[string]struct {
		files        map[string]string
		baselines    []string
		wantDenied   bool
		wantControls []string
		wantWaived   []string
	}{
		"compliant zone with defaults applied": {
			files: map[string]string{"a.yaml": classification + "---\n" + zoneWith("400")},
		},
		"short audit retention is denied": {
			files:      map[string]string{"a.yaml": classification + "---\n" + zoneWith("90")},
			wantDenied: true, wantControls: []string{"AU-11"},
		},
		"an exception among the files waives it": {
			files:      map[string]string{"a.yaml": classification + "---\n" + zoneWith("90"), "b.yaml": exception},
			wantWaived: []string{"AU-11"},
		},
		"an extra baseline from the command line applies": {
			files:      map[string]string{"a.yaml": classification + "---\n" + zoneWith("400")},
			baselines:  []string{"uk-official-sensitive"},
			wantDenied: true, wantControls: []string{"SA-9(5)"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rep, err := Run(context.Background(), Options{Paths: []string{write(t, tc.files)}, Baselines: tc.baselines, Now: now})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if rep.Denied() != tc.wantDenied {
				t.Errorf("Denied() = %v, want %v: %+v", rep.Denied(), tc.wantDenied, rep)
			}
			got, waived := map[string]bool{}, map[string]bool{}
			for _, r := range rep.Results {
				if r.Kind != "LandingZone" {
					continue
				}
				for _, v := range r.Violations {
					got[v.Control] = true
				}
				for _, w := range r.Waived {
					waived[w.Control] = true
				}
			}
			for _, c := range tc.wantControls {
				if !got[c] {
					t.Errorf("zone violations %v lack %s", got, c)
				}
			}
			for _, c := range tc.wantWaived {
				if !waived[c] || got[c] {
					t.Errorf("want %s waived, got violations %v waived %v", c, got, waived)
				}
			}
		})
	}
}

func TestRunRefusesBadInputWithFileAndLine(t *testing.T) {
	cases := map[string]struct {
		files     map[string]string
		baselines []string
		policies  func(dir string) []string
		want      string
	}{
		"unparseable YAML": {
			files: map[string]string{"bad.yaml": classification + "---\nkind: [unclosed\n"}, want: "bad.yaml:13: cannot parse YAML",
		},
		"unknown ZoneKeeper kind": {
			files: map[string]string{"k.yaml": "apiVersion: landingzone.zonekeeper.dev/v1alpha1\nkind: LandingPad\nmetadata: {name: x}\n"},
			want:  `k.yaml:1: unknown kind "LandingPad"`,
		},
		"unknown baseline on the command line": {
			files: map[string]string{"a.yaml": classification}, baselines: []string{"fedramp-moderate"}, want: `--baseline "fedramp-moderate"`,
		},
		"unknown baseline in a classification": {
			files: map[string]string{"a.yaml": strings.Replace(classification, "[cjis-v6]", "[cjis-v7]", 1)}, want: "a.yaml:1: DataClassification cji",
		},
		"unknown field": {
			files: map[string]string{"a.yaml": strings.Replace(classification, "level: 6", "level: 6\n  levle: 7", 1)}, want: "a.yaml:1",
		},
		"custom policy whose tests fail": {
			files: map[string]string{
				"a.yaml":                       classification,
				"policy/owner.rego":            "package zonekeeper.custom.owner\n\ncontrols := {\"CM-8\"}\n\nviolation contains v if {\n\tfalse\n\tv := {}\n}\n",
				"policy/owner_test.rego":       "package zonekeeper.custom.owner_test\n\ntest_fails if {\n\tfalse\n}\n",
				"policy/ignored/readme.md.txt": "",
			},
			policies: func(dir string) []string { return []string{filepath.Join(dir, "policy")} },
			want:     "test_fails",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := write(t, tc.files)
			o := Options{Paths: []string{dir}, Baselines: tc.baselines, Now: now}
			if tc.policies != nil {
				o.PolicyDirs = tc.policies(dir)
				o.Paths = []string{filepath.Join(dir, "a.yaml")}
			}
			_, err := Run(context.Background(), o)
			if !errors.Is(err, ErrBadInput) {
				t.Fatalf("err = %v, want ErrBadInput", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q should contain %q", err, tc.want)
			}
		})
	}
}

func TestRunSkipsOtherGroupsAndChecksTheSamples(t *testing.T) {
	rep, err := Run(context.Background(), Options{Paths: []string{filepath.Join(testenv.Root(), "config", "samples")}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Denied() {
		t.Errorf("the samples must pass their own baselines: %+v", rep.Results)
	}
	if len(rep.Results) < 9 || len(rep.Skipped) == 0 {
		t.Errorf("checked %d objects and skipped %d; want every ZoneKeeper sample checked and the Namespaces skipped", len(rep.Results), len(rep.Skipped))
	}
}

func TestWriteFormats(t *testing.T) {
	rep, err := Run(context.Background(), Options{Paths: []string{write(t, map[string]string{"a.yaml": classification + "---\n" + zoneWith("90")})}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("json has the documented shape", func(t *testing.T) {
		var buf bytes.Buffer
		if err := Write(&buf, rep, "json"); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Results []struct {
				File, Kind, Name string
				Violations       []struct{ Control, Baseline, Severity, Message, Field string }
				Waived           []any
			}
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range doc.Results {
			for _, v := range r.Violations {
				if r.Kind == "LandingZone" && v.Control == "AU-11" && v.Field == "spec.audit.retentionDays" && v.Message != "" && strings.HasSuffix(r.File, "a.yaml") {
					found = true
				}
			}
			if r.Waived == nil {
				t.Errorf("waived must be an empty list, not null, for %s", r.Name)
			}
		}
		if !found {
			t.Errorf("no AU-11 violation on the zone in %s", buf.String())
		}
	})
	t.Run("sarif names the rule and the line", func(t *testing.T) {
		var buf bytes.Buffer
		if err := Write(&buf, rep, "sarif"); err != nil {
			t.Fatal(err)
		}
		var doc sarifLog
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Version != "2.1.0" || len(doc.Runs) != 1 {
			t.Fatalf("not a SARIF 2.1.0 log with one run: %s", buf.String())
		}
		ok := false
		for _, r := range doc.Runs[0].Results {
			if r.RuleID == "AU-11" && r.Level == "error" && r.Locations[0].PhysicalLocation.Region.StartLine == 13 {
				ok = true
			}
		}
		if !ok {
			t.Errorf("no AU-11 error at line 13: %s", buf.String())
		}
	})
	t.Run("junit fails the zone's test case", func(t *testing.T) {
		var buf bytes.Buffer
		if err := Write(&buf, rep, "junit"); err != nil {
			t.Fatal(err)
		}
		var doc junitSuites
		if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Suites) != 1 || doc.Suites[0].Failures != 1 || doc.Suites[0].Tests != 2 {
			t.Fatalf("want one suite with 2 tests and 1 failure: %s", buf.String())
		}
	})
	t.Run("unknown format is bad input", func(t *testing.T) {
		if err := Write(&bytes.Buffer{}, rep, "yaml"); !errors.Is(err, ErrBadInput) {
			t.Errorf("err = %v, want ErrBadInput", err)
		}
	})
}

// TestRunReadsStandardInput checks `-f -`: standard input is judged as a file named "-", read
// once however often it is named, checked before the files, and resolved together with them (a
// zone piped in is judged by classifications and exceptions found in files, and the other way
// round).
func TestRunReadsStandardInput(t *testing.T) {
	type judged struct {
		file, kind string
		line       int
		controls   []string
		waived     []string
	}
	cases := map[string]struct {
		stdin string
		files map[string]string
		paths []string // "-" or file names under the test's directory
		want  []judged
	}{
		"alone, as the same file would be": {
			stdin: classification + "---\n" + zoneWith("90"),
			paths: []string{"-"},
			want:  []judged{{"-", "DataClassification", 1, nil, nil}, {"-", "LandingZone", 13, []string{"AU-11"}, nil}},
		},
		"named twice, read once": {
			stdin: classification,
			paths: []string{"-", "-"},
			want:  []judged{{"-", "DataClassification", 1, nil, nil}},
		},
		"first, then the files; resolved together": {
			stdin: zoneWith("90"),
			files: map[string]string{"a.yaml": classification, "b.yaml": exception},
			paths: []string{"a.yaml", "-", "b.yaml"},
			want:  []judged{{"-", "LandingZone", 1, nil, []string{"AU-11"}}, {"a.yaml", "DataClassification", 1, nil, nil}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := write(t, tc.files)
			rep, err := Run(context.Background(), Options{Paths: inDir(dir, tc.paths), Stdin: strings.NewReader(tc.stdin), Now: now})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			var got []judged
			for _, r := range rep.Results {
				j := judged{file: strings.TrimPrefix(r.File, dir+string(filepath.Separator)), kind: r.Kind, line: r.Line}
				for _, v := range r.Violations {
					j.controls = append(j.controls, v.Control)
				}
				for _, w := range r.Waived {
					j.waived = append(j.waived, w.Control)
				}
				got = append(got, j)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("results\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestRunReadsAPipeNamedAsAFileOnce names a pipe as a file, as /dev/stdin or a shell's <(...)
// do: both passes need its content, and a second read would find it at its end, check nothing
// and pass silently.
func TestRunReadsAPipeNamedAsAFileOnce(t *testing.T) {
	for _, times := range []int{1, 2} {
		t.Run(fmt.Sprintf("named %d times", times), func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = r.Close() }()
			path := fmt.Sprintf("/dev/fd/%d", r.Fd())
			if _, err := os.Stat(path); err != nil {
				t.Skipf("no /dev/fd here: %v", err)
			}
			go func() {
				defer func() { _ = w.Close() }()
				_, _ = w.WriteString(classification + "---\n" + zoneWith("90"))
			}()
			rep, err := Run(context.Background(), Options{Paths: slices.Repeat([]string{path}, times), Now: now})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(rep.Results) != 2 || !rep.Denied() {
				t.Errorf("results %+v; want the classification and the denied zone", rep.Results)
			}
		})
	}
}

func TestRunChecksAFileNamedTwiceOnce(t *testing.T) {
	dir := write(t, map[string]string{"a.yaml": classification})
	rep, err := Run(context.Background(), Options{Paths: []string{dir, filepath.Join(dir, "a.yaml"), filepath.Join(dir, "a.yaml")}, Now: now})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(rep.Results) != 1 {
		t.Errorf("%d results %+v; want the one classification once", len(rep.Results), rep.Results)
	}
}

func TestRunRefusesBadStandardInput(t *testing.T) {
	cases := map[string]struct {
		stdin io.Reader
		want  string
	}{
		"unparseable YAML names it -":  {strings.NewReader(classification + "---\nkind: [unclosed\n"), "-:13: cannot parse YAML"},
		"no standard input to read":    {nil, "-f -: there is no standard input to read"},
		"standard input fails to read": {iotest.ErrReader(errors.New("broken pipe")), "-f -: cannot read standard input: broken pipe"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Run(context.Background(), Options{Paths: []string{Stdin}, Stdin: tc.stdin, Now: now})
			if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want bad input containing %q", err, tc.want)
			}
		})
	}
}

// TestRunCutsLargeFilesAndStreamsIntoChunks checks a stream of many zones, larger than several
// chunks, as standard input, as a file and as a pipe named as a file: each is cut into several
// units, and the results (every object, its line, its violations) and the first bad document's
// error are those of checking it whole.
func TestRunCutsLargeFilesAndStreamsIntoChunks(t *testing.T) {
	var b strings.Builder
	b.WriteString(classification)
	for i := range 1500 {
		z := strings.Replace(zoneWith([]string{"400", "90"}[i%2]), "name: evidence}", fmt.Sprintf("name: zone-%04d}", i), 1)
		fmt.Fprintf(&b, "---\n# zone %d\n%s", i, z)
	}
	good := b.String()
	bad := good + "---\nkind: [unclosed\n---\n" + zoneWith("90")
	defer func(size int64) { chunkSize = size }(chunkSize)
	chunkSize = 64 << 10
	if int64(len(good)) < 3*chunkSize {
		t.Fatalf("the stream is %d bytes: too small to be cut into several chunks of %d", len(good), chunkSize)
	}
	whole := func(t *testing.T, data string) (Report, error) {
		t.Helper()
		defer func(size int64) { chunkSize = size }(chunkSize)
		chunkSize = 1 << 40
		rep, err := Run(context.Background(), Options{Paths: []string{Stdin}, Stdin: strings.NewReader(data), Now: now})
		return rep, err
	}
	ways := map[string]func(t *testing.T, data string) (Options, string){
		"standard input": func(t *testing.T, data string) (Options, string) {
			return Options{Paths: []string{Stdin}, Stdin: strings.NewReader(data), Now: now}, Stdin
		},
		"a large file": func(t *testing.T, data string) (Options, string) {
			p := filepath.Join(write(t, map[string]string{"all.yaml": data}), "all.yaml")
			return Options{Paths: []string{p}, Now: now}, p
		},
		"standard input without a temporary directory": func(t *testing.T, data string) (Options, string) {
			t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing")) // no spool: held in memory
			return Options{Paths: []string{Stdin}, Stdin: strings.NewReader(data), Now: now}, Stdin
		},
		"a large file named like a spool": func(t *testing.T, data string) (Options, string) {
			p := filepath.Join(write(t, map[string]string{spoolPrefix + "prod.yaml": data}), spoolPrefix+"prod.yaml")
			t.Cleanup(func() {
				if _, err := os.Stat(p); err != nil {
					t.Errorf("the run removed the user's file: %v", err)
				}
			})
			return Options{Paths: []string{p}, Now: now}, p
		},
		"a pipe named as a file": func(t *testing.T, data string) (Options, string) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = r.Close() })
			p := fmt.Sprintf("/dev/fd/%d", r.Fd())
			if _, err := os.Stat(p); err != nil {
				t.Skipf("no /dev/fd here: %v", err)
			}
			go func() {
				defer func() { _ = w.Close() }()
				_, _ = w.WriteString(data)
			}()
			return Options{Paths: []string{p}, Now: now}, p
		},
	}
	want, err := whole(t, good)
	if err != nil {
		t.Fatalf("checking the stream whole: %v", err)
	}
	if len(want.Results) != 1501 || !want.Denied() {
		t.Fatalf("checking the stream whole: %d results, denied %t", len(want.Results), want.Denied())
	}
	_, wantErr := whole(t, bad)
	if wantErr == nil {
		t.Fatal("checking the bad stream whole: no error")
	}
	for name, way := range ways {
		t.Run(name, func(t *testing.T) {
			o, file := way(t, good)
			if name != "a pipe named as a file" { // a pipe can be read once
				src, err := readSources(o)
				if err != nil {
					t.Fatal(err)
				}
				n := len(src.units)
				src.close()
				if n < 3 {
					t.Errorf("%d units: the stream was not cut", n)
				}
				o, file = way(t, good) // read again
			}
			tmp := t.TempDir()
			if name != "standard input without a temporary directory" {
				t.Setenv("TMPDIR", tmp) // where a spool goes
			}
			got, err := Run(context.Background(), o)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("the run left %v in the temporary directory", left)
			}
			for i := range got.Results {
				got.Results[i].File = strings.Replace(got.Results[i].File, file, Stdin, 1)
			}
			if !reflect.DeepEqual(got, want) {
				for i := range min(len(got.Results), len(want.Results)) {
					if !reflect.DeepEqual(got.Results[i], want.Results[i]) {
						t.Fatalf("result %d of %d:\n got %+v\nwant %+v", i, len(want.Results), got.Results[i], want.Results[i])
					}
				}
				t.Fatalf("%d results, want %d", len(got.Results), len(want.Results))
			}
			o, file = way(t, bad)
			_, err = Run(context.Background(), o)
			if err == nil || strings.Replace(err.Error(), file, Stdin, 1) != wantErr.Error() {
				t.Errorf("bad stream: error %v, want %v", err, wantErr)
			}
		})
	}
}

// TestRunReportsAnUnreadableFileInItsTurn: a file that cannot be read is reported where it comes,
// after the YAML errors of the files before it, as reading each file in its turn does.
func TestRunReportsAnUnreadableFileInItsTurn(t *testing.T) {
	dir := write(t, map[string]string{"a.yaml": classification + "---\nkind: [unclosed\n"})
	if err := os.Symlink(filepath.Join(dir, "missing.yaml"), filepath.Join(dir, "b.yaml")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	_, err := Run(context.Background(), Options{Paths: []string{dir}, Now: now})
	if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "a.yaml:13: cannot parse YAML") {
		t.Errorf("err = %v, want a.yaml's YAML error first", err)
	}
	_, err = Run(context.Background(), Options{Paths: []string{filepath.Join(dir, "b.yaml")}, Now: now})
	if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "cannot read") {
		t.Errorf("err = %v, want bad input saying b.yaml cannot be read", err)
	}
}

// TestRunValidatesExceptionsAsTheWebhook: an exception among the files that the webhook would
// refuse is bad input, with the engine's reasons, rather than waiving violations the cluster
// would not waive. One that has expired since is normal in Git: it simply does not apply.
func TestRunValidatesExceptionsAsTheWebhook(t *testing.T) {
	zone90 := classification + "---\n" + zoneWith("90")
	cases := map[string]struct {
		exception  string
		wantErr    error
		wantMsg    string
		wantWaived bool
	}{
		"a valid exception waives": {exception: exception, wantWaived: true},
		"no justification": {
			exception: strings.Replace(exception, "  justification: archive migration tracked in CHG-1234\n", "", 1),
			wantErr:   engine.ErrInvalidException, wantMsg: "b.yaml:1: ",
		},
		"no approver": {
			exception: strings.Replace(exception, "  approvedBy: ciso@mpd.example.gov\n", "", 1),
			wantErr:   engine.ErrInvalidException, wantMsg: "approvedBy is empty",
		},
		"a control of a policy not among the files: it waives nothing, and is no error": {
			exception: strings.Replace(exception, "[AU-11]", "[ZK-TAG-1]", 1),
		},
		"an unknown control and no approver: bad input for the approver": {
			exception: strings.Replace(strings.Replace(exception, "[AU-11]", "[ZK-TAG-1]", 1), "  approvedBy: ciso@mpd.example.gov\n", "", 1),
			wantErr:   engine.ErrInvalidException, wantMsg: "b.yaml:1: ",
		},
		"longer than a baseline allows": {
			exception: strings.Replace(exception, "[AU-11]", "[AU-11, SC-7]", 1),
			wantErr:   engine.ErrExceptionTooLong, wantMsg: "at most 90 days",
		},
		"expired: it does not apply, and is no error": {
			exception: strings.Replace(exception, "2030-01-01T00:00:00Z", "2026-01-01T00:00:00Z", 1),
		},
		"expired and invalid otherwise: still bad input": {
			exception: strings.Replace(strings.Replace(exception, "2030-01-01T00:00:00Z", "2026-01-01T00:00:00Z", 1), "  approvedBy: ciso@mpd.example.gov\n", "", 1),
			wantErr:   engine.ErrInvalidException,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := write(t, map[string]string{"a.yaml": zone90, "b.yaml": tc.exception})
			rep, err := Run(context.Background(), Options{Paths: []string{dir}, Now: now})
			if tc.wantErr != nil {
				if !errors.Is(err, ErrBadInput) || !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want bad input wrapping %v", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantMsg) {
					t.Errorf("error %q should contain %q", err, tc.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if rep.Denied() == tc.wantWaived {
				t.Errorf("Denied() = %v, want %v: %+v", rep.Denied(), !tc.wantWaived, rep.Results)
			}
		})
	}
}

// TestRunRefusesMistypedAPIVersions: an object meant to be ZoneKeeper's under a mistyped
// apiVersion would be skipped as another group's, unchecked. Other groups' objects, including
// kinds of the same name of other products, are still skipped.
func TestRunRefusesMistypedAPIVersions(t *testing.T) {
	obj := func(apiVersion, kind string) string {
		return "apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata: {name: x}\n"
	}
	cases := map[string]struct {
		doc      string
		wantMsg  string // empty: skipped
		wantSkip bool
	}{
		"another domain":                 {doc: obj("landingzone.zonekeeper.io/v1alpha1", "LandingZone"), wantMsg: `a.yaml:1: unknown apiVersion "landingzone.zonekeeper.io/v1alpha1" for kind LandingZone`},
		"no version":                     {doc: obj("landingzone.zonekeeper.dev", "LandingZone"), wantMsg: `"landingzone.zonekeeper.dev"`},
		"an unknown version":             {doc: obj("landingzone.zonekeeper.dev/v1beta1", "LandingZone"), wantMsg: "landingzone.zonekeeper.dev/v1alpha1"},
		"a typo in the domain":           {doc: obj("landingzone.zonekeper.dev/v1alpha1", "LandingZone"), wantMsg: "LandingZone is landingzone.zonekeeper.dev/v1alpha1"},
		"our kind in the core group":     {doc: obj("v1", "DataClassification"), wantMsg: `unknown apiVersion "v1"`},
		"our first label, not our group": {doc: obj("policy.example.com/v1", "PolicyException"), wantMsg: "PolicyException is policy.zonekeeper.dev/v1alpha1"},
		"our kind in our other group":    {doc: obj("policy.zonekeeper.dev/v1alpha1", "LandingZone"), wantMsg: "kind LandingZone is not in policy.zonekeeper.dev/v1alpha1"},
		"a Deployment":                   {doc: obj("apps/v1", "Deployment"), wantSkip: true},
		"Kyverno's PolicyException":      {doc: obj("kyverno.io/v2", "PolicyException"), wantSkip: true},
		"Kueue's Workload":               {doc: obj("kueue.x-k8s.io/v1beta1", "Workload"), wantSkip: true},
		"a managed resource of ours":     {doc: obj("aws.zonekeeper.dev/v1alpha1", "Bucket"), wantSkip: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := write(t, map[string]string{"a.yaml": tc.doc, "b.yaml": classification})
			rep, err := Run(context.Background(), Options{Paths: []string{dir}, Now: now})
			if !tc.wantSkip {
				if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Fatalf("err = %v, want bad input containing %q", err, tc.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(rep.Skipped) != 1 || len(rep.Results) != 1 {
				t.Errorf("skipped %v, results %d; want the object skipped and the classification checked", rep.Skipped, len(rep.Results))
			}
		})
	}
}

// TestRunNamesTheFieldOfAValueOfTheWrongType: the converter says only "unrecognized type"; the
// message must say which field, on the object's file:line.
func TestRunNamesTheFieldOfAValueOfTheWrongType(t *testing.T) {
	cases := map[string]struct {
		doc  string
		want string
	}{
		"a number for a name": {
			doc:  strings.Replace(classification, "metadata: {name: cji}", "metadata: {name: 5}", 1),
			want: "a.yaml:1: DataClassification: metadata.name: the number 5 is not a valid string",
		},
		"a number too large for YAML, so a string": {
			doc:  strings.Replace(classification, "level: 6", "level: 1e400", 1),
			want: `a.yaml:1: DataClassification cji: spec.level: the string "1e400" is not a valid int32`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Run(context.Background(), Options{Paths: []string{filepath.Join(write(t, map[string]string{"a.yaml": tc.doc}), "a.yaml")}, Now: now})
			if !errors.Is(err, ErrBadInput) || !strings.HasSuffix(err.Error(), tc.want) {
				t.Errorf("err = %v, want bad input ending %q", err, tc.want)
			}
		})
	}
}

// TestRunRefusesInputWithNothingToCheck: a CI step whose rendering failed upstream (an empty
// directory, an empty stream) must not pass.
func TestRunRefusesInputWithNothingToCheck(t *testing.T) {
	cases := map[string]struct {
		files map[string]string
		stdin string
		paths []string
	}{
		"an empty directory":      {paths: []string{"."}},
		"empty standard input":    {paths: []string{Stdin}},
		"comments only":           {paths: []string{Stdin}, stdin: "# helm template failed\n---\n"},
		"only other groups' kind": {paths: []string{"."}, files: map[string]string{"ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			paths := inDir(write(t, tc.files), tc.paths)
			_, err := Run(context.Background(), Options{Paths: paths, Stdin: strings.NewReader(tc.stdin), Now: now})
			if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "no ZoneKeeper object found") {
				t.Errorf("err = %v, want bad input saying no ZoneKeeper object was found", err)
			}
		})
	}
}

// TestRunChecksTheItemsOfALists: kubectl get -o yaml writes a v1 List; its items are checked as
// if each were a document, on its own line.
func TestRunChecksTheItemsOfALists(t *testing.T) {
	indent := func(s string) string { return strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n" }
	list := "apiVersion: v1\nkind: List\nitems:\n- " + indent(classification) + "- " + indent(zoneWith("90")) + "metadata: {resourceVersion: \"\"}\n"
	rep, err := Run(context.Background(), Options{Paths: []string{Stdin}, Stdin: strings.NewReader(list), Now: now})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var got []string
	for _, r := range rep.Results {
		got = append(got, fmt.Sprintf("%s@%d:%d", r.Kind, r.Line, len(r.Violations)))
	}
	if want := []string{"DataClassification@4:0", "LandingZone@15:1"}; !slices.Equal(got, want) || !rep.Denied() {
		t.Errorf("results %v (denied %t), want %v, denied", got, rep.Denied(), want)
	}
}

// TestRunFindsFilesThroughLinksAndJSON: a directory named through a symbolic link, a linked
// subdirectory and JSON files are checked, not silently missed; a file named by two paths is
// checked once.
func TestRunFindsFilesThroughLinksAndJSON(t *testing.T) {
	dir := write(t, map[string]string{
		"repo/a.yaml":      classification,
		"shared/zone.json": `{"apiVersion": "landingzone.zonekeeper.dev/v1alpha1", "kind": "LandingZone", "metadata": {"name": "evidence"}, "spec": {"tenant": "dc-mpd", "cloud": {"provider": "AWS", "partition": "aws-us-gov", "region": "us-gov-west-1"}, "account": {"name": "evidence", "email": "aws+evidence@mpd.example.gov", "govCloud": true}, "maxClassification": "cji", "network": {"cidr": "10.40.0.0/16"}, "audit": {"retentionDays": 90}}}`,
	})
	for _, l := range [][2]string{{"repo", "link"}, {"../shared", "repo/shared"}} {
		if err := os.Symlink(l[0], filepath.Join(dir, l[1])); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	t.Chdir(dir)
	rep, err := Run(context.Background(), Options{Paths: []string{"link", "repo/a.yaml", "./repo/a.yaml"}, Now: now})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var got []string
	for _, r := range rep.Results {
		got = append(got, r.File+" "+r.Kind)
	}
	if want := []string{"./repo/a.yaml DataClassification", "link/shared/zone.json LandingZone"}; !slices.Equal(got, want) || !rep.Denied() {
		t.Errorf("results %v (denied %t), want %v, denied", got, rep.Denied(), want)
	}
}

// inDir joins each path but standard input's to dir.
func inDir(dir string, paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if p != Stdin {
			p = filepath.Join(dir, p)
		}
		out = append(out, p)
	}
	return out
}
