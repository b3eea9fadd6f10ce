package check

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// Formats `zonekeeper check -o` accepts.
var Formats = []string{"text", "json", "sarif", "junit"}

// Write renders the report in one of Formats.
func Write(w io.Writer, r Report, format string) error {
	if format == "json" && r.Results == nil {
		// The documented shape has a list; a zero Report says null, as it always has.
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	s, err := newSink(w, format)
	if err != nil {
		return err
	}
	if err := s.begin(r.Skipped); err != nil {
		return err
	}
	for _, res := range r.Results {
		if err := s.result(res); err != nil {
			return err
		}
	}
	return s.end()
}

// sink receives a check's outcome as it is produced: the skipped objects once the files are
// indexed, then each result in order, then the end.
type sink interface {
	begin(skipped []string) error
	result(Result) error
	end() error
}

// newSink returns the writer of a format. Output is buffered: the results of a large repository
// are many small writes.
func newSink(w io.Writer, format string) (sink, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch format {
	case "text", "":
		return &textSink{w: bw}, nil
	case "json":
		return &jsonSink{w: bw}, nil
	case "sarif":
		return &sarifSink{w: bw, rules: map[string]bool{}, results: []sarifResult{}}, nil
	case "junit":
		return &junitSink{w: bw, byFile: map[string]int{}}, nil
	}
	return nil, badInput("unknown output format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// reportSink collects the results, for Run.
type reportSink struct{ rep *Report }

func (s *reportSink) begin(skipped []string) error { s.rep.Skipped = skipped; return nil }
func (s *reportSink) result(r Result) error        { s.rep.Results = append(s.rep.Results, r); return nil }
func (s *reportSink) end() error                   { return nil }

// denySink notes whether any result would be denied, for Stream.
type denySink struct {
	sink
	denied bool
}

func (s *denySink) result(r Result) error {
	if (engine.Verdict{Violations: r.Violations}).Denied() {
		s.denied = true
	}
	return s.sink.result(r)
}

// holdSink keeps the results back until the end, for a run that is expected to fail: on an
// error nothing has been written; without one the output is complete, only later.
type holdSink struct {
	sink
	skipped []string
	held    []Result
}

func (s *holdSink) begin(skipped []string) error {
	s.skipped = skipped
	return nil
}

func (s *holdSink) result(r Result) error {
	s.held = append(s.held, r)
	return nil
}

func (s *holdSink) end() error {
	if err := s.sink.begin(s.skipped); err != nil {
		return err
	}
	for _, r := range s.held {
		if err := s.sink.result(r); err != nil {
			return err
		}
	}
	return s.sink.end()
}

// jsonSink writes the Report's JSON, exactly as encoding/json indents the whole Report, one
// result at a time.
type jsonSink struct {
	w       *bufio.Writer
	skipped []string
	n       int
}

func (s *jsonSink) begin(skipped []string) error {
	s.skipped = skipped
	_, err := s.w.WriteString("{\n  \"results\": [")
	return err
}

func (s *jsonSink) result(r Result) error {
	b, err := json.MarshalIndent(r, "    ", "  ")
	if err != nil {
		return errors.Wrap(err, "cannot write JSON")
	}
	sep := ",\n    "
	if s.n == 0 {
		sep = "\n    "
	}
	s.n++
	// A bufio.Writer keeps its first error and returns it from every later call and from
	// Flush, which end reports: a failed write is not lost.
	_, _ = s.w.WriteString(sep)
	_, err = s.w.Write(b)
	return err
}

func (s *jsonSink) end() error {
	// Write errors stay in the bufio.Writer until Flush returns them.
	if s.n > 0 {
		_, _ = s.w.WriteString("\n  ")
	}
	_, _ = s.w.WriteString("]")
	if len(s.skipped) > 0 {
		b, err := json.MarshalIndent(s.skipped, "  ", "  ")
		if err != nil {
			return errors.Wrap(err, "cannot write JSON")
		}
		_, _ = s.w.WriteString(",\n  \"skipped\": ")
		_, _ = s.w.Write(b)
	}
	_, _ = s.w.WriteString("\n}\n")
	return s.w.Flush()
}

type textSink struct {
	w                            *bufio.Writer
	skipped, n, violations, deny int
}

func (s *textSink) begin(skipped []string) error { s.skipped = len(skipped); return nil }

func (s *textSink) result(res Result) error {
	s.n++
	name := res.Kind + "/" + res.Name
	if res.Namespace != "" {
		name = res.Kind + "/" + res.Namespace + "/" + res.Name
	}
	// FAIL is what would be refused, as the exit status and JUnit say; an object with only warn
	// or audit findings would be admitted.
	status := "PASS"
	if len(res.Violations) > 0 {
		status = "WARN"
	}
	if slices.ContainsFunc(res.Violations, func(v engine.Violation) bool { return v.EnforcementAction == engine.ActionDeny }) {
		status = "FAIL"
	}
	s.printf("%s %s (%s:%d) baselines: %s\n", status, name, res.File, res.Line, orNone(res.Baselines))
	for _, v := range res.Violations {
		s.violations++
		if v.EnforcementAction == engine.ActionDeny {
			s.deny++
		}
		s.printf("  %-5s %-8s %s [%s] %s: %s\n", v.EnforcementAction, v.Control, v.Baseline, strings.Join(v.References, ", "), v.Field, v.Message)
	}
	for _, v := range res.Waived {
		s.printf("  waived %-8s %s %s: by PolicyException %s\n", v.Control, v.Baseline, v.Field, v.Exception)
	}
	return nil
}

// printf writes to the buffer. A bufio.Writer keeps its first error and returns it from Flush,
// which end reports.
func (s *textSink) printf(format string, a ...any) { _, _ = fmt.Fprintf(s.w, format, a...) }

func (s *textSink) end() error {
	s.printf("%d objects checked, %d violations (%d deny), %d skipped (not ZoneKeeper kinds)\n", s.n, s.violations, s.deny, s.skipped)
	return s.w.Flush()
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// SARIF 2.1.0, the subset code-scanning tools read: one rule per control, one result per violation
// located at the object's first line.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string    `json:"id"`
	ShortDescription sarifText `json:"shortDescription"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

// sarifSink keeps one SARIF result per violation (the rules, which come first in the log, are
// only known at the end) and nothing else of the results.
type sarifSink struct {
	w       *bufio.Writer
	rules   map[string]bool
	results []sarifResult
}

func (s *sarifSink) begin([]string) error { return nil }

func (s *sarifSink) result(res Result) error {
	for _, v := range res.Violations {
		s.rules[v.Control] = true
		level := map[string]string{engine.ActionDeny: "error", engine.ActionWarn: "warning"}[v.EnforcementAction]
		if level == "" {
			level = "note"
		}
		s.results = append(s.results, sarifResult{
			RuleID:  v.Control,
			Level:   level,
			Message: sarifText{Text: fmt.Sprintf("%s %s %s: %s", res.Kind, res.Name, v.Field, v.Message)},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: res.File}, Region: sarifRegion{StartLine: max(res.Line, 1)},
			}}},
			Properties: map[string]any{"baseline": v.Baseline, "field": v.Field, "references": v.References, "severity": v.Severity},
		})
	}
	return nil
}

func (s *sarifSink) end() error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "zonekeeper", InformationURI: "https://zonekeeper.dev"}}, Results: s.results}
	ids := make([]string, 0, len(s.rules))
	for id := range s.rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: id, ShortDescription: sarifText{Text: "NIST SP 800-53 rev5 " + id}})
	}
	if run.Tool.Driver.Rules == nil {
		run.Tool.Driver.Rules = []sarifRule{}
	}
	enc := json.NewEncoder(s.w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}); err != nil {
		return err
	}
	return s.w.Flush()
}

// JUnit: one suite per file, one case per object, a failure per object with deny violations and
// the warn/audit ones in its system-out, so CI test reports show compliance like tests.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// junitSink keeps one test case per result, grouped by file, until the end.
type junitSink struct {
	w      *bufio.Writer
	byFile map[string]int
	suites []junitSuite
}

func (s *junitSink) begin([]string) error { return nil }

func (s *junitSink) result(res Result) error {
	i, ok := s.byFile[res.File]
	if !ok {
		i = len(s.suites)
		s.byFile[res.File] = i
		s.suites = append(s.suites, junitSuite{Name: res.File})
	}
	suite := &s.suites[i]
	name := res.Name
	if res.Namespace != "" {
		name = res.Namespace + "/" + res.Name
	}
	c := junitCase{Classname: res.Kind, Name: name}
	var deny, other []string
	for _, v := range res.Violations {
		line := fmt.Sprintf("%s %s %s: %s", v.Control, v.Baseline, v.Field, v.Message)
		if v.EnforcementAction == engine.ActionDeny {
			deny = append(deny, line)
		} else {
			other = append(other, v.EnforcementAction+": "+line)
		}
	}
	if len(deny) > 0 {
		c.Failure = &junitFailure{Message: fmt.Sprintf("%d violations", len(deny)), Text: strings.Join(deny, "\n")}
		suite.Failures++
	}
	c.SystemOut = strings.Join(other, "\n")
	suite.Tests++
	suite.Cases = append(suite.Cases, c)
	return nil
}

func (s *junitSink) end() error {
	if _, err := io.WriteString(s.w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(s.w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: s.suites}); err != nil {
		return errors.Wrap(err, "cannot write JUnit XML")
	}
	if _, err := io.WriteString(s.w, "\n"); err != nil {
		return err
	}
	return s.w.Flush()
}
