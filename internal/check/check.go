// Package check evaluates manifests offline exactly as the admission webhook would: the same
// engine, the same input built by package compliance, and the DataClassifications, LandingZones,
// PolicyExceptions and CompliancePolicies found among the files standing in for the cluster. It is
// `zonekeeper check`, for CI pipelines and GitOps pre-merge checks.
package check

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/compliance"
	"github.com/zonekeeper/zonekeeper/internal/manifest"
	"github.com/zonekeeper/zonekeeper/policies"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// ErrBadInput marks input that cannot be checked at all (unparseable YAML, an unknown kind, an
// unknown baseline, a policy that does not compile): `zonekeeper check` exits 2 on it.
var ErrBadInput = errors.New("bad input")

func badInput(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadInput, fmt.Sprintf(format, args...))
}

// Options say what to check.
type Options struct {
	// Paths are files or directories of YAML manifests; the path Stdin ("-") is standard input.
	Paths []string
	// Stdin is read once, when Paths names Stdin: `helm template ... | zonekeeper check -f -`. It
	// is spooled to a temporary file (in memory where none can be made) and checked before the
	// files, and its results and errors name it "-".
	Stdin io.Reader
	// Baselines are evaluated for every object in addition to those that apply to it.
	Baselines []string
	// PolicyDirs each hold one custom policy: *.rego modules and *_test.rego tests.
	PolicyDirs []string
	// Enforcement sets built-in baselines' enforcement actions by name (deny, warn or audit), as
	// the cluster's --baseline-enforcement does, so that a repository is judged as its cluster
	// judges; a baseline not named denies.
	Enforcement map[string]string
	// Now is the clock exceptions expire against; time.Now when zero.
	Now time.Time
}

// Report is the outcome, in the documented JSON shape of `zonekeeper check -o json`.
type Report struct {
	Results []Result `json:"results"`
	// Skipped are objects of other API groups, which no ZoneKeeper policy judges.
	Skipped []string `json:"skipped,omitempty"`
}

// Result is the verdict on one object.
type Result struct {
	File       string                   `json:"file"`
	Line       int                      `json:"line"`
	Kind       string                   `json:"kind"`
	Name       string                   `json:"name"`
	Namespace  string                   `json:"namespace,omitempty"`
	Baselines  []string                 `json:"baselines"`
	Violations []engine.Violation       `json:"violations"`
	Waived     []engine.WaivedViolation `json:"waived"`
}

// Denied reports whether any result has a violation the webhook would refuse the object for.
func (r Report) Denied() bool {
	for _, res := range r.Results {
		if (engine.Verdict{Violations: res.Violations}).Denied() {
			return true
		}
	}
	return false
}

// Run checks the manifests and returns every result. Errors wrapping ErrBadInput are the user's
// input; others are not. Stream writes the results as they come instead of returning them.
func Run(ctx context.Context, o Options) (Report, error) {
	rep := Report{Results: []Result{}}
	err := run(ctx, o, &reportSink{rep: &rep})
	if err != nil {
		return Report{}, err
	}
	return rep, nil
}

// Stream checks the manifests like Run and writes the results to w in one of Formats as they are
// evaluated, in the order Run returns them, so memory does not grow with the number of results
// (text and json; sarif and junit group results and keep a summary of each until the end). It
// reports whether any object would be denied. On an error the output is incomplete.
func Stream(ctx context.Context, o Options, w io.Writer, format string) (denied bool, err error) {
	s, err := newSink(w, format)
	if err != nil {
		return false, err
	}
	d := &denySink{sink: s}
	if err := run(ctx, o, d); err != nil {
		return false, err
	}
	return d.denied, nil
}

// run checks the manifests in two passes over the files, so that memory holds what stands in for
// the cluster and the files being worked on, not every object:
//
//  1. index: every file is parsed and decoded, which finds all bad input before anything is
//     evaluated (YAML errors first, then decoding errors, in file order, as reading everything at
//     once did), and keeps the DataClassifications, LandingZones, PolicyExceptions and
//     CompliancePolicies and, per zone, the classifications its Workloads name. The engine is
//     built meanwhile.
//  2. evaluate: every file is parsed and decoded again, its objects evaluated against the index
//     and their results handed to the sink in file order.
//
// Both passes work on several units at once (GOMAXPROCS; a unit is a file, or a chunk of a large
// file or a stream: see sources) and consume them in order.
func run(ctx context.Context, o Options, out sink) error {
	if len(o.Paths) == 0 {
		return badInput("no manifests: name files or directories with -f")
	}
	src, err := readSources(o)
	defer src.close()
	if err != nil {
		return err
	}
	// Building the engine compiles every baseline: CPU work that does not depend on the files, so
	// it overlaps the first pass instead of following it.
	type built struct {
		eng *engine.Engine
		err error
	}
	engCh := make(chan built, 1)
	if err := engine.ValidateEnforcementActions(o.Enforcement); errors.Is(err, engine.ErrUnknownBaseline) {
		return badInput("%v (known: %s)", err, strings.Join(policies.BaselineNames(), ", "))
	} else if err != nil {
		return badInput("%v", err)
	}
	go func() {
		eng, err := engine.New(ctx, engine.WithEnforcementActions(o.Enforcement))
		engCh <- built{eng, err}
	}()

	idx, err := buildIndex(ctx, src)
	if err != nil {
		return err
	}
	if idx.found == 0 {
		// An empty directory, or a stream a failed `helm template` left empty, would
		// otherwise pass: a pipeline whose rendering broke must not go green.
		return badInput("no ZoneKeeper object found in %s: nothing was checked (objects of other API groups skipped: %d)",
			strings.Join(o.Paths, ", "), len(idx.skipped))
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	ev := &evaluator{
		src: src, resolver: compliance.NewFrozen(idx.resolver()), unchanging: engine.NewUnchanging(),
		extra: o.Baselines, now: now, ready: make(chan struct{}),
	}
	// The second pass starts before the engine is ready: its workers read, decode and build the
	// inputs of their first files meanwhile, and evaluate once start has loaded the custom
	// policies and checked the baselines; start runs before any result is consumed, so those
	// errors still come before any evaluation's.
	start := func() error {
		b := <-engCh
		if b.err != nil {
			return errors.Wrap(b.err, "cannot start the policy engine")
		}
		if err := loadPolicies(ctx, b.eng, o.PolicyDirs, idx.policies); err != nil {
			return err
		}
		known := b.eng.Baselines()
		for _, bl := range o.Baselines {
			if !slices.Contains(known, bl) {
				return badInput("--baseline %q: %v (known: %s)", bl, engine.ErrUnknownBaseline, strings.Join(known, ", "))
			}
		}
		// After the custom policies are loaded: their controls are known controls.
		exceptions, err := validExceptions(b.eng, idx.exceptions, now)
		if err != nil {
			return err
		}
		ev.exceptions = exceptions
		ev.eng = b.eng
		close(ev.ready)
		if idx.namesUnknownBaseline(b.eng) {
			// Evaluating the object that names it will fail with bad input, and a
			// streamed report would stop partway: hold the results back until the end
			// instead, so that the error comes with no output, as Run gives it.
			out = &holdSink{sink: out}
		}
		return out.begin(idx.skipped)
	}
	err = inOrder(ctx, len(src.units), workers(), start,
		func(ctx context.Context, i int) evaluated { return ev.unit(ctx, src.units[i]) },
		func(e evaluated) error {
			for _, r := range e.results {
				if err := out.result(r); err != nil {
					return err
				}
			}
			return e.err
		})
	if err != nil {
		return err
	}
	return out.end()
}

// validExceptions converts the PolicyExceptions among the files, refusing as bad input one the
// webhook would refuse to admit (no justification or approver, a span over a baseline's cap, ...),
// with the engine's reasons: it would otherwise waive violations here that the cluster never
// waives.
//
// Two refusals do not carry over. The webhook refuses creating an exception that has already
// expired, but a file in Git outlives its exception, and an expired exception simply does not
// apply (the engine ignores it at evaluation). So an exception that has expired is validated as
// of just before its expiry: every other rule still holds, and its expiry is in the future then.
// Filtering the expiry out of the engine's joined errors would instead depend on their wording.
// And a control no policy here reports may be one of a CompliancePolicy of the cluster that is
// not among the files (an application team's repository rarely holds the security team's
// policies): such an exception waives nothing here, which is no reason to fail the run.
func validExceptions(eng *engine.Engine, found []sourcedException, now time.Time) ([]engine.Exception, error) {
	out := make([]engine.Exception, 0, len(found))
	for _, s := range found {
		ex := compliance.Exception(s.pe)
		asOf := now
		if !ex.ExpiresAt.IsZero() && !ex.ExpiresAt.After(now) {
			asOf = ex.ExpiresAt.Add(-time.Nanosecond)
		}
		if err := eng.ValidateException(ex, asOf); err != nil && !onlyUnknownControls(err) {
			return nil, fmt.Errorf("%w: %s:%d: %w", ErrBadInput, s.file, s.line, err)
		}
		out = append(out, ex)
	}
	return out, nil
}

// onlyUnknownControls reports whether every reason a refusal gives is a control no loaded policy
// reports.
func onlyUnknownControls(err error) bool {
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		return errors.Is(err, engine.ErrUnknownControl)
	}
	for _, e := range joined.Unwrap() {
		if !errors.Is(e, engine.ErrUnknownControl) {
			return false
		}
	}
	return true
}

// evaluator judges the objects of one unit at a time against the index; it is shared by the
// workers of the second pass and only read once ready is closed.
type evaluator struct {
	eng      *engine.Engine // set before ready is closed
	ready    chan struct{}
	src      *sources
	resolver compliance.Resolver
	// unchanging converts the classifications and zones resolver hands out (the Frozen's maps,
	// which never change during a run) to the engine's form once.
	unchanging *engine.Unchanging
	extra      []string
	exceptions []engine.Exception
	now        time.Time
}

// Stdin is the path that stands for standard input.
const Stdin = "-"

// chunkSize is about how many bytes of YAML a unit of work holds (one larger document makes a
// larger unit). A larger file, standard input, and a pipe or device named as a file are cut into
// runs of whole documents of about that size, so that every worker has a share of a single large
// file or stream and neither pass holds all its objects: 10,000 manifests piped in peaked at
// 246 MB on one worker when a stream was one unit, and at ~125 MB with 64 KiB chunks, as in a
// directory of small files. A variable so that tests can change it.
var chunkSize int64 = 64 << 10

// unit is what a worker reads, parses and checks at once: a whole file, or a chunk of one.
type unit struct {
	name  string          // the file in messages and results: "-" for standard input
	path  string          // the file read, whole or the chunk of it, when spool and data are nil
	spool *os.File        // or the spool the chunk is read from
	data  []byte          // or the stream held in memory (no spool could be made) the chunk is of
	chunk *manifest.Chunk // the unit's documents; nil for a whole file
	err   error           // why the file could not be read: reported in its place, in file order
}

// sources are the units of a run, in the order the results come in: standard input first, then
// the files in manifest.Files' order, each file's chunks in order. What cannot be read twice
// (standard input, and a pipe or device named as a file, such as /dev/stdin or a shell's <(...))
// is spooled to a temporary file once, for both passes: read again, it would give the second pass
// nothing to check, and a silent pass. A large file is opened again for each chunk, so that no
// file stays open for the run but the spools.
type sources struct {
	units  []unit
	spools []*os.File // closed, and removed where that could not be done while open, by close
}

func (s *sources) read(u unit) ([]manifest.Object, error) {
	switch {
	case u.err != nil:
		return nil, u.err
	case u.chunk == nil:
		return manifest.ReadFile(u.path)
	case u.data != nil:
		return manifest.ParseAt(u.name, u.data[u.chunk.Offset:u.chunk.Offset+u.chunk.Len], u.chunk.Line)
	}
	data, err := u.readChunk()
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read %s", u.name)
	}
	return manifest.ParseAt(u.name, data, u.chunk.Line)
}

// readChunk reads the unit's chunk from its spool or its file.
func (u unit) readChunk() ([]byte, error) {
	f := u.spool
	if f == nil {
		var err error
		if f, err = os.Open(u.path); err != nil {
			return nil, err
		}
		defer f.Close() //nolint:errcheck // only read
	}
	data := make([]byte, u.chunk.Len)
	n, err := f.ReadAt(data, u.chunk.Offset)
	if n < len(data) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF // the file shrank since it was cut
		}
		return nil, err
	}
	return data, nil
}

// close closes the spools, removing those the system did not let spool remove while open.
func (s *sources) close() {
	for _, f := range s.spools {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}
	s.spools = nil
}

// readSources lists the units of o.Paths, spooling what cannot be read twice and cutting large
// files into chunks. Call close on the result once the run is over, error or not.
func readSources(o Options) (*sources, error) {
	src := &sources{}
	var paths []string
	var stdin bool
	for _, p := range o.Paths {
		if p == Stdin {
			stdin = true
			continue
		}
		paths = append(paths, p)
	}
	files, err := manifest.Files(paths...)
	if err != nil {
		return src, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	if stdin {
		if o.Stdin == nil {
			return src, badInput("-f -: there is no standard input to read")
		}
		units, err := src.spool(Stdin, o.Stdin)
		var se spoolError
		switch {
		case errors.As(err, &se):
			return src, errors.Wrap(se.err, "-f -: cannot spool standard input")
		case err != nil:
			return src, fmt.Errorf("%w: -f -: cannot read standard input: %w", ErrBadInput, err)
		}
		src.units = append(src.units, units...)
	}
	for _, p := range files {
		units, err := src.file(p)
		var se spoolError
		switch {
		case errors.As(err, &se):
			return src, errors.Wrapf(se.err, "cannot spool %s", p)
		case err != nil:
			// Reported where the file comes, as reading it in its turn would.
			units = []unit{{name: p, err: errors.Wrapf(err, "cannot read %s", p)}}
		}
		src.units = append(src.units, units...)
	}
	return src, nil
}

// file returns a file's units: itself when it is small, its chunks when it is large, and its
// spool's chunks when it cannot be read twice.
func (s *sources) file(p string) ([]unit, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if fi.Mode().IsRegular() && fi.Size() <= chunkSize {
		return []unit{{name: p, path: p}}, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close() //nolint:errcheck // only read
	if !fi.Mode().IsRegular() {
		return s.spool(p, f)
	}
	chunks, err := manifest.Chunks(f, chunkSize)
	if err != nil {
		return nil, err
	}
	return units(unit{name: p, path: p}, chunks), nil
}

const spoolPrefix = "zonekeeper-check-"

// spoolError is a failure to write a spool: the run's, not the input's.
type spoolError struct{ err error }

func (e spoolError) Error() string { return e.err.Error() }

// spool copies a stream to a temporary file, removed as soon as it is open where the system
// allows, and returns its chunks. Where no temporary file can be made, the stream is held in
// memory instead.
func (s *sources) spool(name string, r io.Reader) ([]unit, error) {
	f, err := os.CreateTemp("", spoolPrefix+"*.yaml")
	if err != nil {
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		chunks, err := manifest.Chunks(bytes.NewReader(data), chunkSize)
		if err != nil {
			return nil, err
		}
		return units(unit{name: name, data: data}, chunks), nil
	}
	s.spools = append(s.spools, f)
	_ = os.Remove(f.Name())
	w := &spoolWriter{w: bufio.NewWriterSize(f, 64<<10)}
	chunks, err := manifest.Chunks(io.TeeReader(r, w), chunkSize)
	if w.err == nil && err == nil {
		w.err = w.w.Flush()
	}
	if w.err != nil {
		return nil, spoolError{errors.Wrap(w.err, "cannot write a temporary file")}
	}
	if err != nil {
		return nil, err
	}
	return units(unit{name: name, spool: f}, chunks), nil
}

// spoolWriter keeps the first error writing the spool, so that it is told from the stream's own.
type spoolWriter struct {
	w   *bufio.Writer
	err error
}

func (s *spoolWriter) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	if err != nil && s.err == nil {
		s.err = err
	}
	return n, err
}

// units are the units of chunks, each like u.
func units(u unit, chunks []manifest.Chunk) []unit {
	out := make([]unit, len(chunks))
	for i := range chunks {
		out[i] = u
		out[i].chunk = &chunks[i]
	}
	return out
}

// evaluated is the outcome of one unit: its results in document order and the error, if any,
// that stopped it.
type evaluated struct {
	results []Result
	err     error
}

// prepared is an object of a file with its input, ready for the engine.
type prepared struct {
	src manifest.Object
	in  engine.Input
}

func (ev *evaluator) unit(ctx context.Context, u unit) evaluated {
	objs, err := ev.src.read(u)
	if err != nil {
		// The first pass read this unit: its file changed underneath.
		return evaluated{err: fmt.Errorf("%w: %w", ErrBadInput, err)}
	}
	// Inputs first (they need only the index), stopping at the first object that fails; then the
	// objects before it are evaluated in order, and its error comes after theirs.
	var ins []prepared
	var inErr error
	for _, src := range objs {
		obj, err := decodeObject(src)
		if err != nil {
			inErr = err
			break
		}
		switch obj.(type) {
		case *lzv1.DataClassification, *lzv1.LandingZone, *lzv1.Workload:
		default:
			continue
		}
		in, err := compliance.Input(ctx, ev.resolver, obj)
		if err != nil {
			inErr = errors.Wrapf(err, "%s:%d", src.File, src.Line)
			break
		}
		ins = append(ins, prepared{src, in})
	}
	select {
	case <-ev.ready:
	case <-ctx.Done():
		return evaluated{err: ctx.Err()}
	}
	out := evaluated{results: make([]Result, 0, len(ins))}
	for _, p := range ins {
		r, err := ev.evaluate(ctx, p.src, p.in)
		if err != nil {
			out.err = err
			return out
		}
		out.results = append(out.results, r)
	}
	out.err = inErr
	return out
}

// evaluate judges one object as the admission webhook would: the same input from package
// compliance, the baselines that apply plus those asked for, every exception found.
func (ev *evaluator) evaluate(ctx context.Context, src manifest.Object, in engine.Input) (Result, error) {
	baselines := engine.ApplicableBaselines(in)
	for _, b := range ev.extra {
		if !slices.Contains(baselines, b) {
			baselines = append(baselines, b)
		}
	}
	sort.Strings(baselines)
	v, err := ev.eng.Evaluate(ctx, in, engine.Options{Baselines: baselines, Exceptions: ev.exceptions, Now: ev.now, Unchanging: ev.unchanging})
	if err != nil {
		if errors.Is(err, engine.ErrUnknownBaseline) {
			return Result{}, badInput("%s:%d: %s %s: %v", src.File, src.Line, src.GetKind(), src.GetName(), err)
		}
		return Result{}, errors.Wrapf(err, "%s:%d: cannot evaluate %s %s", src.File, src.Line, src.GetKind(), src.GetName())
	}
	return Result{
		File: src.File, Line: src.Line, Kind: src.GetKind(), Name: src.GetName(), Namespace: src.GetNamespace(),
		Baselines: baselines, Violations: v.Violations, Waived: v.Waived,
	}, nil
}

type item struct {
	src manifest.Object
	obj runtime.Object
}

type objectSet struct {
	resolver   *compliance.Objects
	evaluate   []item
	exceptions []*policyv1.PolicyException
	policies   []sourcedPolicy
	skipped    []string
}

type sourcedPolicy struct {
	src manifest.Object
	cp  *policyv1.CompliancePolicy
}

// decode sorts objects read all at once into what is evaluated and what stands in for the
// cluster, as run's two passes do file by file. The golden tests evaluate through it.
func decode(objs []manifest.Object) (*objectSet, error) {
	set := &objectSet{resolver: &compliance.Objects{
		Classifications: map[string]*lzv1.DataClassification{},
		LandingZones:    map[string]*lzv1.LandingZone{},
	}}
	for _, o := range objs {
		obj, err := decodeObject(o)
		if err != nil {
			return nil, err
		}
		switch t := obj.(type) {
		case nil:
			set.skipped = append(set.skipped, skippedName(o))
		case *lzv1.DataClassification:
			set.resolver.Classifications[t.Name] = t
			set.evaluate = append(set.evaluate, item{o, t})
		case *lzv1.LandingZone:
			set.resolver.LandingZones[t.Name] = t
			set.evaluate = append(set.evaluate, item{o, t})
		case *lzv1.Workload:
			set.resolver.Workloads = append(set.resolver.Workloads, t)
			set.evaluate = append(set.evaluate, item{o, t})
		case *policyv1.PolicyException:
			set.exceptions = append(set.exceptions, t)
		case *policyv1.CompliancePolicy:
			set.policies = append(set.policies, sourcedPolicy{o, t})
		}
	}
	return set, nil
}

func skippedName(o manifest.Object) string {
	return fmt.Sprintf("%s:%d %s/%s", o.File, o.Line, o.GetKind(), o.GetName())
}

// decodeObject turns one document into its typed object with the CRD defaults applied, as the API
// server would store it, or returns nil for a kind of another API group. An object of a ZoneKeeper
// group whose kind this release does not know, or that looks meant for one (see typed), is bad
// input, not a silent pass.
func decodeObject(o manifest.Object) (runtime.Object, error) {
	gvk := o.GroupVersionKind()
	into, err := typed(o.GetAPIVersion(), gvk)
	if err != nil {
		return nil, badInput("%s:%d: %v", o.File, o.Line, err)
	}
	if into == nil {
		return nil, nil
	}
	if err := applyDefaults(gvk, o.Object); err != nil {
		return nil, err
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(o.Object, into, true); err != nil {
		return nil, badInput("%s:%d: %s: %v", o.File, o.Line, describe(o), fieldError(o.Object, into, err))
	}
	if wl, ok := into.(*lzv1.Workload); ok && wl.Namespace == "" {
		wl.Namespace = "default"
	}
	return into, nil
}

// describe names an object in messages: its kind, and its name when it has one.
func describe(o manifest.Object) string {
	if name := o.GetName(); name != "" {
		return o.GetKind() + " " + name
	}
	return o.GetKind()
}

// fieldError names the field of a conversion error. The converter says only "unrecognized type:
// int32" for a value of the wrong type; encoding/json says which field. So, on this error path
// only, the object is decoded again with encoding/json, and a type error it reports is told with
// the field's path and value instead. Any other error is returned as it is.
func fieldError(obj map[string]any, into runtime.Object, err error) error {
	data, mErr := json.Marshal(obj)
	if mErr != nil {
		return err
	}
	fresh := reflect.New(reflect.TypeOf(into).Elem()).Interface()
	var te *json.UnmarshalTypeError
	if !errors.As(json.Unmarshal(data, fresh), &te) || te.Field == "" {
		return err
	}
	got := "a " + te.Value // "a string", "a number 5e9"
	if v, ok := lookup(obj, strings.Split(te.Field, ".")); ok {
		switch v := v.(type) {
		case string:
			got = fmt.Sprintf("the string %q", v)
		case float64:
			got = "the number " + strconv.FormatFloat(v, 'g', -1, 64)
		case bool:
			got = fmt.Sprintf("the boolean %t", v)
		}
	}
	return fmt.Errorf("%s: %s is not a valid %s", te.Field, got, te.Type)
}

// lookup finds the value at a path of keys; a path through a list is not followed.
func lookup(obj map[string]any, path []string) (any, bool) {
	var v any = obj
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// judged are the kinds check decodes, by group, version and kind.
var judged = map[schema.GroupVersionKind]func() runtime.Object{
	lzv1.GroupVersion.WithKind("DataClassification"):   func() runtime.Object { return &lzv1.DataClassification{} },
	lzv1.GroupVersion.WithKind("LandingZone"):          func() runtime.Object { return &lzv1.LandingZone{} },
	lzv1.GroupVersion.WithKind("Workload"):             func() runtime.Object { return &lzv1.Workload{} },
	policyv1.GroupVersion.WithKind("CompliancePolicy"): func() runtime.Object { return &policyv1.CompliancePolicy{} },
	policyv1.GroupVersion.WithKind("PolicyException"):  func() runtime.Object { return &policyv1.PolicyException{} },
}

// apiVersions are every API version of ZoneKeeper. Objects of aws.zonekeeper.dev are the
// managed resources a zone composes, which no policy judges: they are skipped like other groups'.
var apiVersions = []schema.GroupVersion{awsv1.GroupVersion, lzv1.GroupVersion, policyv1.GroupVersion}

// typed returns an empty object of the kind, nil for objects no ZoneKeeper policy judges, or an
// error for an object that is ZoneKeeper's or looks meant to be but that this release does not
// know: a mistyped apiVersion must not pass as another group's object, unchecked. That is an
// apiVersion naming zonekeeper that is not one of ours, a kind one of our groups does not have,
// and a kind of ours whose group is none or close to ours (the same first label, as
// landingzone.example.com, or a typo away). A kind of ours in a group far from ours is another
// product's (Kyverno's kyverno.io PolicyException, Kueue's kueue.x-k8s.io Workload) and skipped.
func typed(apiVersion string, gvk schema.GroupVersionKind) (runtime.Object, error) {
	if newObject, ok := judged[gvk]; ok {
		return newObject(), nil
	}
	home, ours := homeOf(gvk.Kind)
	switch {
	case slices.Contains(apiVersions, gvk.GroupVersion()):
		if gvk.Group == awsv1.GroupVersion.Group {
			return nil, nil
		}
		if ours {
			return nil, fmt.Errorf("kind %s is not in %s: it is %s", gvk.Kind, apiVersion, home)
		}
		return nil, fmt.Errorf("unknown kind %q in %s", gvk.Kind, gvk.Group)
	case strings.Contains(apiVersion, "zonekeeper"),
		ours && looksOurs(gvk.Group, home.Group):
		msg := fmt.Sprintf("unknown apiVersion %q for kind %s: this zonekeeper knows %s", apiVersion, gvk.Kind, knownAPIVersions())
		if ours {
			msg += fmt.Sprintf("; %s is %s", gvk.Kind, home)
		}
		return nil, errors.New(msg)
	}
	return nil, nil
}

// homeOf returns the API version of a kind check judges.
func homeOf(kind string) (schema.GroupVersion, bool) {
	for gvk := range judged {
		if gvk.Kind == kind {
			return gvk.GroupVersion(), true
		}
	}
	return schema.GroupVersion{}, false
}

// looksOurs says whether group looks meant to be ours: none at all (apiVersion: v1), the same
// first label (landingzone.example.com), or two edits away at most (landingzone.zonekeper.dev).
func looksOurs(group, ours string) bool {
	first := func(g string) string { return strings.SplitN(g, ".", 2)[0] }
	return group == "" || first(group) == first(ours) || editDistance(group, ours) <= 2
}

// editDistance is the Levenshtein distance between two strings of bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func knownAPIVersions() string {
	names := make([]string, len(apiVersions))
	for i, gv := range apiVersions {
		names[i] = gv.String()
	}
	return strings.Join(names, ", ")
}

// loadPolicies validates every custom policy (its own tests included) as admission would, then
// loads them all into the engine.
func loadPolicies(ctx context.Context, eng *engine.Engine, dirs []string, inFiles []sourcedPolicy) error {
	_, err := load(ctx, eng, dirs, inFiles, eng.ValidatePolicy)
	return err
}

// LoadPolicyDirs reads each directory as one custom policy and loads them into eng as `check
// --policy` does, with the same engine checks and the same bad-input errors, except that it does
// not run their tests: `zonekeeper policy test` runs them and reports each, and must not pass a
// policy check refuses.
func LoadPolicyDirs(ctx context.Context, eng *engine.Engine, dirs []string) ([]engine.CustomPolicy, error) {
	return load(ctx, eng, dirs, nil, eng.CompilePolicy)
}

func load(ctx context.Context, eng *engine.Engine, dirs []string, inFiles []sourcedPolicy, validate func(context.Context, engine.CustomPolicy) error) ([]engine.CustomPolicy, error) {
	var all []engine.CustomPolicy
	for _, d := range dirs {
		cp, err := ReadPolicyDir(d)
		if err != nil {
			return nil, err
		}
		if err := validate(ctx, cp); err != nil {
			return nil, badInput("--policy %s: %v", d, err)
		}
		all = append(all, cp)
	}
	for _, p := range inFiles {
		cp := compliance.CustomPolicy(p.cp)
		if err := validate(ctx, cp); err != nil {
			return nil, badInput("%s:%d: CompliancePolicy %s: %v", p.src.File, p.src.Line, p.cp.Name, err)
		}
		all = append(all, cp)
	}
	if len(all) == 0 {
		return nil, nil
	}
	if err := eng.SetCustomPolicies(ctx, all); err != nil {
		return nil, badInput("the custom policies do not load together: %v", err)
	}
	return all, nil
}

// ReadPolicyDir reads a directory as one custom policy named after it: *_test.rego files are its
// tests, other *.rego files its modules.
func ReadPolicyDir(dir string) (engine.CustomPolicy, error) {
	cp := engine.CustomPolicy{Name: filepath.Base(filepath.Clean(dir)), Modules: map[string]string{}, Tests: map[string]string{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return cp, badInput("--policy %s: %v", dir, err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".rego") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return cp, badInput("--policy %s: %v", dir, err)
		}
		if strings.HasSuffix(e.Name(), "_test.rego") {
			cp.Tests[e.Name()] = string(src)
		} else {
			cp.Modules[e.Name()] = string(src)
		}
	}
	if len(cp.Modules) == 0 {
		return cp, badInput("--policy %s: no .rego modules", dir)
	}
	return cp, nil
}
