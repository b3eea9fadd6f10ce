package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/zonekeeper/zonekeeper/internal/testenv"
	"github.com/zonekeeper/zonekeeper/internal/webhookserver"
)

func TestCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: v1\nkind: Namespace\n---\nkind: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Sorted after the samples, so a streamed report would have begun before reaching it.
	unknownBaseline := filepath.Join(dir, "zz-unknown-baseline.yaml")
	if err := os.WriteFile(unknownBaseline, []byte(`apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: DataClassification
metadata: {name: tagged}
spec: {level: 1, baselines: [cjis-v7]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	refused := filepath.Join(testenv.Root(), "hack", "demo", "refused", "noncompliant-zone.yaml")
	samples := filepath.Join(testenv.Root(), "config", "samples")
	refusedYAML, err := os.ReadFile(refused)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		args     []string
		stdin    string
		env      string // $ZONEKEEPER_BASELINE_ENFORCEMENT
		wantCode int
		wantOut  string
		// wantNoOut: nothing may be written, not even the start of a report.
		wantNoOut bool
	}{
		"clean samples exit 0":               {args: []string{"-f", samples}, wantCode: 0, wantOut: "0 violations"},
		"a non-compliant zone exits 1":       {args: []string{"-f", samples, "-f", refused}, wantCode: 1, wantOut: "AU-11"},
		"unparseable YAML exits 2":           {args: []string{"-f", bad}, wantCode: 2},
		"an unknown baseline exits 2":        {args: []string{"-f", samples, "--baseline", "nope"}, wantCode: 2},
		"an unknown output format exits 2":   {args: []string{"-f", samples, "-o", "yaml"}, wantCode: 2},
		"json output for a clean run exit 0": {args: []string{"-f", samples, "-o", "json"}, wantCode: 0, wantOut: `"results"`},
		"a non-compliant zone piped in exits 1 and is named -": {
			args: []string{"-f", samples, "-f", "-"}, stdin: string(refusedYAML), wantCode: 1, wantOut: "FAIL LandingZone/demo-noncompliant-zone (-:3)",
		},
		"unparseable YAML piped in exits 2": {args: []string{"-f", "-"}, stdin: "kind: [\n", wantCode: 2},
		"a mistyped flag exits 2, not 1":    {args: []string{"-f", samples, "--baselin", "cjis-v6"}, wantCode: 2, wantNoOut: true},
		// -f takes one value: the second file would go unchecked.
		"a stray argument exits 2":          {args: []string{"-f", samples, refused}, wantCode: 2, wantNoOut: true},
		"nothing to check piped in exits 2": {args: []string{"-f", "-"}, stdin: "", wantCode: 2, wantNoOut: true},
		// As a cluster whose webhook and manager are given the same setting.
		"a baseline set to warn by the environment exits 0 and warns": {
			args: []string{"-f", samples, "-f", refused}, env: "nist-800-53-r5-high=warn,cjis-v6=audit", wantCode: 0, wantOut: "WARN LandingZone/demo-noncompliant-zone",
		},
		"a baseline set to warn by the flag exits 0": {
			args: []string{"-f", samples, "-f", refused, "--baseline-enforcement", "nist-800-53-r5-high=warn", "--baseline-enforcement", "cjis-v6=warn"}, wantCode: 0, wantOut: "warn  AU-11",
		},
		"the flag overrides the environment baseline by baseline": {
			args: []string{"-f", samples, "-f", refused, "--baseline-enforcement", "nist-800-53-r5-high=deny"}, env: "nist-800-53-r5-high=warn,cjis-v6=warn", wantCode: 1,
			wantOut: "warn  AU-11    cjis-v6",
		},
		"an enforcement setting for an unknown baseline exits 2":       {args: []string{"-f", samples, "--baseline-enforcement", "cjis-v7=warn"}, wantCode: 2, wantNoOut: true},
		"an enforcement action that is not one exits 2":                {args: []string{"-f", samples, "--baseline-enforcement", "cjis-v6=block"}, wantCode: 2, wantNoOut: true},
		"an unreadable enforcement setting in the environment exits 2": {args: []string{"-f", samples}, env: "cjis-v6", wantCode: 2, wantNoOut: true},
		"a classification naming an unknown baseline exits 2 with no output": {
			args: []string{"-f", samples, "-f", unknownBaseline, "-o", "json"}, wantCode: 2, wantNoOut: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv(webhookserver.EnvBaselineEnforcement, tc.env)
			cmd := newCheckCommand()
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&bytes.Buffer{})
			cmd.SetArgs(tc.args)
			cmd.SetIn(strings.NewReader(tc.stdin))
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			if got := exitCode(cmd.Execute()); got != tc.wantCode {
				t.Errorf("exit code %d, want %d; output:\n%s", got, tc.wantCode, out.String())
			}
			if tc.wantNoOut && out.Len() > 0 {
				t.Errorf("output should be empty, got:\n%s", out.String())
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("output should contain %q:\n%s", tc.wantOut, out.String())
			}
		})
	}
}

// TestPolicyTestRefusesWhatCheckRefuses: `policy test` must not pass a policy that `check
// --policy` refuses to load; it fails as check does, with check's error and exit status 2.
func TestPolicyTestRefusesWhatCheckRefuses(t *testing.T) {
	samples := filepath.Join(testenv.Root(), "config", "samples")
	passing := "package zonekeeper.custom.bad_test\n\ntest_passes if {\n\ttrue\n}\n"
	cases := map[string]string{
		"an undefined reference": "package zonekeeper.custom.bad\n\nimport data.zonekeeper.lib.core\n\ncontrols := {\"ZK-1\"}\n\n" +
			"violation contains v if {\n\tnot core.is_zon\n\tv := core.violation(\"ZK-1\", \"low\", core.finding(\"spec\", \"m\"), \"why\", [])\n}\n",
		"a violation set without controls": "package zonekeeper.custom.bad\n\nviolation contains v if {\n\tv := {\"control\": \"ZK-1\", \"severity\": \"low\", \"message\": \"m\"}\n}\n",
	}
	for name, module := range cases {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bad")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for file, src := range map[string]string{"bad.rego": module, "bad_test.rego": passing} {
				if err := os.WriteFile(filepath.Join(dir, file), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			run := func(cmd *cobra.Command, args ...string) (int, error) {
				cmd.SetOut(&bytes.Buffer{})
				cmd.SetErr(&bytes.Buffer{})
				cmd.SetArgs(args)
				cmd.SilenceUsage, cmd.SilenceErrors = true, true
				err := cmd.Execute()
				return exitCode(err), err
			}
			checkCode, checkErr := run(newCheckCommand(), "-f", samples, "--policy", dir)
			testCode, testErr := run(newPolicyCommand(), "test", dir)
			if checkCode != 2 || testCode != 2 {
				t.Fatalf("exit codes: check %d, policy test %d; want 2 and 2", checkCode, testCode)
			}
			if checkErr.Error() != testErr.Error() {
				t.Errorf("policy test error\n %v\nwant check's\n %v", testErr, checkErr)
			}
		})
	}
}
