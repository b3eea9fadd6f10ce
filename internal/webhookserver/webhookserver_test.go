package webhookserver_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/fixtures"
	"github.com/zonekeeper/zonekeeper/internal/testenv"
	"github.com/zonekeeper/zonekeeper/internal/webhookserver"
)

// The webhook process alone, as cmd/zonekeeper-webhook runs it, behind a real kube-apiserver that
// calls it over TLS: no manager, no reconcilers, nothing that writes status.
var (
	k8s    client.Client
	readyz string // the process's readiness endpoint
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(testenv.LogLevel())))
	env, cfg, err := testenv.StartWithWebhooks()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer testenv.Stop(env)
	probes, err := freeAddr()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	readyz = "http://" + probes + "/readyz"
	wh := env.WebhookInstallOptions
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- webhookserver.Run(ctx, cfg, webhookserver.Options{
			MetricsAddr:    "0",
			ProbeAddr:      probes,
			WebhookHost:    wh.LocalServingHost,
			WebhookPort:    wh.LocalServingPort,
			WebhookCertDir: wh.LocalServingCertDir,
			PolicyTimeout:  5 * time.Second, // a loaded CI machine, not a production budget
		})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			fmt.Fprintln(os.Stderr, "webhook process:", err)
		}
	}()
	if k8s, err = client.New(cfg, client.Options{Scheme: webhookserver.Scheme()}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

func ready() error {
	resp, err := http.Get(readyz)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("readyz: HTTP %d", resp.StatusCode)
	}
	return nil
}

var seq int

func unique(prefix string) string {
	seq++
	return fmt.Sprintf("%s-%d", prefix, seq)
}

func denial(err error, want ...string) error {
	if err == nil {
		return fmt.Errorf("admitted; want a denial naming %v", want)
	}
	if !apierrors.IsInvalid(err) && !apierrors.IsForbidden(err) {
		return fmt.Errorf("want an Invalid or Forbidden denial, got %v", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			return fmt.Errorf("denial %q does not name %q", err, w)
		}
	}
	return nil
}

// TestWebhookProcessJudgesAlone: the webhook process becomes ready with no CompliancePolicy in the
// cluster, judges by the built-in baselines, and loads a CompliancePolicy into its engine within
// seconds, although nothing in it reports the policy's status.
func TestWebhookProcessJudgesAlone(t *testing.T) {
	ctx := context.Background()
	testenv.Eventually(t, time.Minute, "the webhook process is ready", ready)

	class := unique("cji")
	if err := k8s.Create(ctx, fixtures.CJI(class)); err != nil {
		t.Fatalf("a compliant DataClassification was refused: %v", err)
	}
	short := fixtures.CompliantZone(unique("zone"), class)
	short.Spec.Audit.RetentionDays = 90
	if err := denial(k8s.Create(ctx, short), "AU-11", "spec.audit.retentionDays"); err != nil {
		t.Error(err)
	}

	cp := &policyv1.CompliancePolicy{
		ObjectMeta: metav1.ObjectMeta{Name: unique("inventory")},
		Spec: policyv1.CompliancePolicySpec{
			Modules:           []policyv1.RegoFile{{Name: "tags.rego", Rego: fixtures.TagPolicy}},
			EnforcementAction: policyv1.EnforcementDeny,
		},
	}
	if err := k8s.Create(ctx, cp); err != nil {
		t.Fatalf("a valid CompliancePolicy was refused: %v", err)
	}
	testenv.Eventually(t, 30*time.Second, "the CompliancePolicy denies", func() error {
		z := fixtures.CompliantZone(unique("zone"), class)
		err := k8s.Create(ctx, z)
		if err == nil {
			_ = k8s.Delete(ctx, z)
		}
		return denial(err, "CM-8", "spec.providerConfigRef")
	})
	if err := ready(); err != nil {
		t.Errorf("not ready with the policy loaded: %v", err)
	}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(cp), cp); err != nil {
		t.Fatal(err)
	}
	if len(cp.Status.Conditions) != 0 {
		t.Errorf("the webhook process wrote the CompliancePolicy's status %+v; only the manager's leader may", cp.Status.Conditions)
	}
}
