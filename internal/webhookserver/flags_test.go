package webhookserver

import (
	"flag"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// TestFlagsParseAsTheManagersDid: the flags both binaries share keep the manager's names, defaults
// and syntax; --baseline-enforcement may be repeated; the policy settings default to the
// environment's (one ConfigMap feeds both Deployments) and a flag overrides them; a value that
// cannot be read is an error, never a silent default.
func TestFlagsParseAsTheManagersDid(t *testing.T) {
	defaults := Options{MetricsAddr: ":8080", ProbeAddr: ":8081", WebhookPort: 9443, PolicyTimeout: engine.DefaultTimeout}
	with := func(f func(*Options)) Options {
		o := defaults
		f(&o)
		return o
	}
	cases := map[string]struct {
		env     map[string]string
		args    []string
		want    Options
		wantErr bool // from parsing the flags
		envErr  bool // from Err
	}{
		"Defaults": {want: defaults},
		"EverySetting": {
			args: []string{
				"--metrics-bind-address=0", "--health-probe-bind-address=:9000", "--webhook-host=127.0.0.1",
				"--webhook-port=8443", "--webhook-cert-dir=/certs", "--policy-timeout=250ms",
				"--baseline-enforcement=dod-il5=warn,cjis-v6=deny", "--baseline-enforcement", "uk-official-sensitive=audit",
			},
			want: Options{
				MetricsAddr: "0", ProbeAddr: ":9000", WebhookHost: "127.0.0.1", WebhookPort: 8443, WebhookCertDir: "/certs",
				PolicyTimeout: 250 * time.Millisecond,
				Enforcement:   map[string]string{"dod-il5": "warn", "cjis-v6": "deny", "uk-official-sensitive": "audit"},
			},
		},
		"PairWithoutEquals": {
			args:    []string{"--baseline-enforcement=dod-il5"},
			wantErr: true,
		},
		"EnvironmentSetsThePolicySettings": {
			env: map[string]string{EnvBaselineEnforcement: "dod-il5=warn", EnvPolicyTimeout: "2s"},
			want: with(func(o *Options) {
				o.Enforcement = map[string]string{"dod-il5": "warn"}
				o.PolicyTimeout = 2 * time.Second
			}),
		},
		"FlagsOverrideTheEnvironment": {
			env:  map[string]string{EnvBaselineEnforcement: "dod-il5=warn,cjis-v6=warn", EnvPolicyTimeout: "2s"},
			args: []string{"--baseline-enforcement=cjis-v6=deny", "--policy-timeout=500ms"},
			want: with(func(o *Options) {
				o.Enforcement = map[string]string{"dod-il5": "warn", "cjis-v6": "deny"}
				o.PolicyTimeout = 500 * time.Millisecond
			}),
		},
		"UnreadableTimeoutInTheEnvironment": {
			env:    map[string]string{EnvPolicyTimeout: "soon"},
			envErr: true,
		},
		"UnreadableEnforcementInTheEnvironment": {
			env:    map[string]string{EnvBaselineEnforcement: "dod-il5"},
			envErr: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var o Options
			fs := flag.NewFlagSet(name, flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			o.bindFlags(fs, func(k string) string { return tc.env[k] })
			err := fs.Parse(tc.args)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("parsed %v without an error", tc.args)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.envErr {
				if o.Err() == nil {
					t.Fatalf("environment %v read without an error", tc.env)
				}
				return
			}
			if err := o.Err(); err != nil {
				t.Fatalf("Err() = %v", err)
			}
			if !reflect.DeepEqual(o, tc.want) {
				t.Errorf("got %+v, want %+v", o, tc.want)
			}
		})
	}
}
