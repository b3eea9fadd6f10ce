package check

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// Formats `zonekeeper check -o` accepts.
var Formats = []string{"text", "json", "sarif", "junit"}

// Write renders the report in one of Formats.
func Write(w io.Writer, r Report, format string) error {
	switch format {
	case "text", "":
		return writeText(w, r)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "sarif":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(sarif(r))
	case "junit":
		if _, err := io.WriteString(w, xml.Header); err != nil {
			return err
		}
		enc := xml.NewEncoder(w)
		enc.Indent("", "  ")
		if err := enc.Encode(junit(r)); err != nil {
			return errors.Wrap(err, "cannot write JUnit XML")
		}
		_, err := io.WriteString(w, "\n")
		return err
	}
	return badInput("unknown output format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

func writeText(w io.Writer, r Report) error {
	var violations, denied int
	for _, res := range r.Results {
		name := res.Kind + "/" + res.Name
		if res.Namespace != "" {
			name = res.Kind + "/" + res.Namespace + "/" + res.Name
		}
		status := "PASS"
		if len(res.Violations) > 0 {
			status = "FAIL"
		}
		fmt.Fprintf(w, "%s %s (%s:%d) baselines: %s\n", status, name, res.File, res.Line, orNone(res.Baselines))
		for _, v := range res.Violations {
			violations++
			if v.EnforcementAction == engine.ActionDeny {
				denied++
			}
			fmt.Fprintf(w, "  %-5s %-8s %s [%s] %s: %s\n", v.EnforcementAction, v.Control, v.Baseline, strings.Join(v.References, ", "), v.Field, v.Message)
		}
		for _, v := range res.Waived {
			fmt.Fprintf(w, "  waived %-8s %s %s: by PolicyException %s\n", v.Control, v.Baseline, v.Field, v.Exception)
		}
	}
	fmt.Fprintf(w, "%d objects checked, %d violations (%d deny), %d skipped (not ZoneKeeper kinds)\n", len(r.Results), violations, denied, len(r.Skipped))
	return nil
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

func sarif(r Report) sarifLog {
	rules := map[string]bool{}
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "zonekeeper", InformationURI: "https://zonekeeper.dev"}}, Results: []sarifResult{}}
	for _, res := range r.Results {
		for _, v := range res.Violations {
			rules[v.Control] = true
			level := map[string]string{engine.ActionDeny: "error", engine.ActionWarn: "warning"}[v.EnforcementAction]
			if level == "" {
				level = "note"
			}
			run.Results = append(run.Results, sarifResult{
				RuleID:  v.Control,
				Level:   level,
				Message: sarifText{Text: fmt.Sprintf("%s %s %s: %s", res.Kind, res.Name, v.Field, v.Message)},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
					ArtifactLocation: sarifArtifact{URI: res.File}, Region: sarifRegion{StartLine: max(res.Line, 1)},
				}}},
				Properties: map[string]any{"baseline": v.Baseline, "field": v.Field, "references": v.References, "severity": v.Severity},
			})
		}
	}
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: id, ShortDescription: sarifText{Text: "NIST SP 800-53 rev5 " + id}})
	}
	if run.Tool.Driver.Rules == nil {
		run.Tool.Driver.Rules = []sarifRule{}
	}
	return sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
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

func junit(r Report) junitSuites {
	byFile := map[string]*junitSuite{}
	var order []string
	for _, res := range r.Results {
		s, ok := byFile[res.File]
		if !ok {
			s = &junitSuite{Name: res.File}
			byFile[res.File] = s
			order = append(order, res.File)
		}
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
			s.Failures++
		}
		c.SystemOut = strings.Join(other, "\n")
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	out := junitSuites{}
	for _, f := range order {
		out.Suites = append(out.Suites, *byFile[f])
	}
	return out
}
