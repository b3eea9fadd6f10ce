package webhookserver

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// The policy settings that the webhook and the manager must share, so that admission and the
// Compliant condition judge alike, can come from the environment: config/default fills it for both
// Deployments from one ConfigMap. A flag overrides its variable.
const (
	EnvBaselineEnforcement = "ZONEKEEPER_BASELINE_ENFORCEMENT" // as --baseline-enforcement
	EnvPolicyTimeout       = "ZONEKEEPER_POLICY_TIMEOUT"       // as --policy-timeout
)

// BindFlags registers the options as flags, with the manager's names and defaults, the policy
// settings defaulting to the environment's. Err reports a variable that could not be read.
func (o *Options) BindFlags(f *flag.FlagSet) {
	o.bindFlags(f, os.Getenv)
}

func (o *Options) bindFlags(f *flag.FlagSet, getenv func(string) string) {
	timeout := engine.DefaultTimeout
	if v := getenv(EnvPolicyTimeout); v != "" {
		if d, err := time.ParseDuration(v); err != nil || d <= 0 {
			o.envErr = errors.Errorf("%s=%q is not a positive duration such as 1s", EnvPolicyTimeout, v)
		} else {
			timeout = d
		}
	}
	if v := getenv(EnvBaselineEnforcement); v != "" {
		if m, err := ParseEnforcement(v); err != nil {
			o.envErr = errors.Wrapf(err, "cannot read %s", EnvBaselineEnforcement)
		} else {
			o.Enforcement = m
		}
	}
	f.StringVar(&o.MetricsAddr, "metrics-bind-address", ":8080", "address the Prometheus metrics endpoint binds to; 0 disables it")
	f.StringVar(&o.ProbeAddr, "health-probe-bind-address", ":8081", "address the /healthz and /readyz probes bind to")
	f.StringVar(&o.WebhookHost, "webhook-host", "", "address the admission webhook binds to; all interfaces when empty")
	f.IntVar(&o.WebhookPort, "webhook-port", 9443, "port of the admission webhook")
	f.StringVar(&o.WebhookCertDir, "webhook-cert-dir", "", "directory holding tls.crt and tls.key for the webhook; the controller-runtime default when empty")
	f.Func("baseline-enforcement", "enforcement action per built-in baseline, e.g. dod-il5=warn,cjis-v6=deny (deny, warn or audit; default deny, or $"+EnvBaselineEnforcement+"); repeatable", func(v string) error {
		m, err := ParseEnforcement(v)
		if err != nil {
			return err
		}
		if o.Enforcement == nil {
			o.Enforcement = map[string]string{}
		}
		for k, a := range m {
			o.Enforcement[k] = a
		}
		return nil
	})
	f.DurationVar(&o.PolicyTimeout, "policy-timeout", timeout, "deadline of one policy evaluation (default $"+EnvPolicyTimeout+" when set)")
}

// Err reports a policy setting in the environment that BindFlags could not read: the process must
// not start with settings other than the ones it was given.
func (o *Options) Err() error {
	return o.envErr
}

// ParseEnforcement parses "a=b,c=d", the syntax of --baseline-enforcement and of its variable,
// which `zonekeeper check` reads too.
func ParseEnforcement(v string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not NAME=ACTION", kv)
		}
		out[k] = val
	}
	return out, nil
}
