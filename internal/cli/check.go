package cli

import (
	"fmt"
	"maps"
	"os"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/spf13/cobra"

	"github.com/zonekeeper/zonekeeper/internal/check"
	"github.com/zonekeeper/zonekeeper/internal/webhookserver"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// exitError carries a process exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func newCheckCommand() *cobra.Command {
	var o check.Options
	var output string
	enforcementFlag := map[string]string{}
	cmd := &cobra.Command{
		Use:   "check -f PATH... [--baseline NAME]... [--policy DIR]... [--baseline-enforcement NAME=ACTION,...] [-o text|json|sarif|junit]",
		Short: "Evaluate manifests offline exactly as the admission webhook would",
		Long: `Evaluate LandingZones, Workloads and DataClassifications in YAML files with the same engine and
input as the admission webhook. DataClassifications, LandingZones, PolicyExceptions and
CompliancePolicies found among the files stand in for the cluster. Objects of other API groups
are skipped. -f - reads standard input, for example the output of kustomize build or helm
template. Built-in baselines deny unless --baseline-enforcement (or
$ZONEKEEPER_BASELINE_ENFORCEMENT, as the cluster's webhook and manager read it) says otherwise.

The files are not validated against the CRDs' schemas (bounds, patterns, CEL rules): apply them
with --dry-run=server for that.

Exit status: 0 when no object would be denied, 1 when one would, 2 on bad input (unparseable
YAML, an unknown ZoneKeeper kind or apiVersion, an invalid PolicyException, an unknown baseline,
a policy that does not compile or whose tests fail, an unknown flag, no ZoneKeeper object at
all), with file:line in the message, 3 when an evaluation fails (for example a custom policy's
runtime error).`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Results are written as they are evaluated, so memory stays flat however many
			// files there are. Bad input in the files (YAML, kinds, baselines) is found before
			// anything is written; an evaluation error (exit 3) may leave the output incomplete.
			o.Stdin = cmd.InOrStdin()
			// As the webhook and the manager read it: the variable, then the flag baseline by baseline.
			o.Enforcement = map[string]string{}
			if v := os.Getenv(webhookserver.EnvBaselineEnforcement); v != "" {
				m, err := webhookserver.ParseEnforcement(v)
				if err != nil {
					return &exitError{2, fmt.Errorf("%w: cannot read %s: %w", check.ErrBadInput, webhookserver.EnvBaselineEnforcement, err)}
				}
				o.Enforcement = m
			}
			maps.Copy(o.Enforcement, enforcementFlag)
			denied, err := check.Stream(cmd.Context(), o, cmd.OutOrStdout(), output)
			if err != nil {
				code := 3
				if errors.Is(err, check.ErrBadInput) {
					code = 2
				}
				return &exitError{code, err}
			}
			if denied {
				return &exitError{1, nil}
			}
			return nil
		},
	}
	// A mistyped flag or a stray argument (`-f a.yaml b.yaml` checks only a.yaml) is bad input,
	// not the violations' exit status 1 that cobra's errors would otherwise get.
	cmd.Args = badArgs(cobra.NoArgs)
	cmd.SetFlagErrorFunc(flagError)
	f := cmd.Flags()
	f.StringSliceVarP(&o.Paths, "filename", "f", nil, "files or directories of manifests, - for standard input (repeatable)")
	f.StringSliceVar(&o.Baselines, "baseline", nil, "evaluate this baseline for every object, besides those that apply (repeatable)")
	f.StringSliceVar(&o.PolicyDirs, "policy", nil, "directory of custom Rego: *.rego modules and *_test.rego tests (repeatable)")
	f.Func("baseline-enforcement", "enforcement action per built-in baseline, as the cluster's: e.g. dod-il5=warn,cjis-v6=deny (deny, warn or audit; default deny, or $"+webhookserver.EnvBaselineEnforcement+"); repeatable", func(v string) error {
		m, err := webhookserver.ParseEnforcement(v)
		maps.Copy(enforcementFlag, m)
		return err
	})
	f.StringVarP(&output, "output", "o", "text", "output format: "+strings.Join(check.Formats, ", "))
	return cmd
}

func newPolicyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Work with compliance policies"}
	var verbose bool
	test := &cobra.Command{
		Use:   "test [DIR]...",
		Short: "Run the Rego tests of the built-in baselines and of custom policy directories, like opa test",
		RunE: func(cmd *cobra.Command, dirs []string) error {
			eng, err := engine.New(cmd.Context())
			if err != nil {
				return &exitError{3, err}
			}
			// Loaded as `check --policy` loads them, so that a policy it refuses (an
			// undefined reference, a violation set without controls) fails here the
			// same way, not with its tests passing.
			custom, err := check.LoadPolicyDirs(cmd.Context(), eng, dirs)
			if err != nil {
				return &exitError{2, err}
			}
			results, err := eng.RunTests(cmd.Context(), custom...)
			if err != nil {
				return &exitError{2, fmt.Errorf("%w: %w", check.ErrBadInput, err)}
			}
			out := cmd.OutOrStdout()
			var pass, fail, skip int
			for _, r := range results {
				switch {
				case r.Skip:
					skip++
				case r.Pass:
					pass++
					if verbose {
						fmt.Fprintf(out, "PASS %s.%s (%s:%d)\n", r.Package, r.Name, r.File, r.Row)
					}
				default:
					fail++
					fmt.Fprintf(out, "FAIL %s.%s (%s:%d)\n", r.Package, r.Name, r.File, r.Row)
					if r.Message != "" {
						fmt.Fprintf(out, "     %s\n", r.Message)
					}
				}
			}
			fmt.Fprintf(out, "rego: %d passed, %d failed, %d skipped\n", pass, fail, skip)
			if fail > 0 {
				return &exitError{1, nil}
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(flagError)
	test.SetFlagErrorFunc(flagError)
	test.Flags().BoolVarP(&verbose, "verbose", "v", false, "list passing tests too")
	cmd.AddCommand(test)
	return cmd
}

// flagError makes a flag that cannot be parsed bad input: exit status 2.
func flagError(_ *cobra.Command, err error) error {
	return &exitError{2, err}
}

// badArgs makes the arguments a command refuses bad input: exit status 2.
func badArgs(args cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := args(cmd, a); err != nil {
			return &exitError{2, err}
		}
		return nil
	}
}

// exitCode maps a command's error to the process exit code, printing it.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "error:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "error:", err)
	return 1
}
