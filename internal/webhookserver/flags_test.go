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
// and syntax; --baseline-enforcement may be repeated, and a pair without "=" is refused.
func TestFlagsParseAsTheManagersDid(t *testing.T) {
	cases := map[string]struct {
		args    []string
		want    Options
		wantErr bool
	}{
		"Defaults": {
			want: Options{MetricsAddr: ":8080", ProbeAddr: ":8081", WebhookPort: 9443, PolicyTimeout: engine.DefaultTimeout},
		},
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
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var o Options
			fs := flag.NewFlagSet(name, flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			o.BindFlags(fs)
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
			if !reflect.DeepEqual(o, tc.want) {
				t.Errorf("got %+v, want %+v", o, tc.want)
			}
		})
	}
}
