package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/zonekeeper/zonekeeper/internal/webhookserver"
)

// decode reads the one object of a manifest file into out.
func decode(t *testing.T, file string, out any) {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(file))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(b, out); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// deployment reads the Deployment of a file that may hold other objects before it.
func deployment(t *testing.T, file string) *appsv1.Deployment {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(file))
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range strings.Split(string(b), "\n---\n") {
		if !strings.Contains(doc, "kind: Deployment") {
			continue
		}
		d := &appsv1.Deployment{}
		if err := yaml.UnmarshalStrict([]byte(doc), d); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		return d
	}
	t.Fatalf("%s holds no Deployment", file)
	return nil
}

func envFrom(d *appsv1.Deployment) []string {
	var names []string
	for _, e := range d.Spec.Template.Spec.Containers[0].EnvFrom {
		if e.ConfigMapRef != nil {
			names = append(names, e.ConfigMapRef.Name)
		}
	}
	return names
}

// TestDeploymentsServeAdmissionFromTheWebhookAlone checks what config/default puts together without
// a cluster (kustomize is not among the tools): the webhook Service and the PodDisruptionBudget
// select the webhook's pods and not the manager's, the manager does not serve the webhook, and
// both read the policy settings from the ConfigMap config/default generates, so that admission
// and the Compliant condition judge alike.
func TestDeploymentsServeAdmissionFromTheWebhookAlone(t *testing.T) {
	manager := deployment(t, "manager/manager.yaml")
	webhook := deployment(t, "webhook-server/deployment.yaml")
	svc := &corev1.Service{}
	decode(t, "webhook/service.yaml", svc)
	pdb := &policyv1.PodDisruptionBudget{}
	decode(t, "webhook-server/pdb.yaml", pdb)

	webhookPods := labels.Set(webhook.Spec.Template.Labels)
	managerPods := labels.Set(manager.Spec.Template.Labels)
	selector := labels.SelectorFromSet(svc.Spec.Selector)
	if !selector.Matches(webhookPods) || selector.Matches(managerPods) {
		t.Errorf("the webhook Service selects %v: it must select the webhook's pods %v and not the manager's %v", svc.Spec.Selector, webhookPods, managerPods)
	}
	if !labels.SelectorFromSet(pdb.Spec.Selector.MatchLabels).Matches(webhookPods) {
		t.Errorf("the PodDisruptionBudget selects %v, not the webhook's pods %v", pdb.Spec.Selector.MatchLabels, webhookPods)
	}
	if args := manager.Spec.Template.Spec.Containers[0].Args; !slices.Contains(args, "--disable-webhooks") {
		t.Errorf("the manager runs with %v: it must not serve the webhook the Service does not send it", args)
	}
	if webhook.Spec.Template.Spec.ServiceAccountName == manager.Spec.Template.Spec.ServiceAccountName {
		t.Errorf("the webhook runs as the manager's service account %q: it must have its own, read-only one", webhook.Spec.Template.Spec.ServiceAccountName)
	}

	kustomization := struct {
		ConfigMapGenerator []struct {
			Name     string   `json:"name"`
			Literals []string `json:"literals"`
		} `json:"configMapGenerator"`
	}{}
	b, err := os.ReadFile(filepath.FromSlash("default/kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &kustomization); err != nil {
		t.Fatal(err)
	}
	var generated []string
	for _, g := range kustomization.ConfigMapGenerator {
		generated = append(generated, g.Name)
		for _, key := range []string{webhookserver.EnvBaselineEnforcement, webhookserver.EnvPolicyTimeout} {
			if !slices.ContainsFunc(g.Literals, func(l string) bool { return strings.HasPrefix(l, key+"=") }) {
				t.Errorf("ConfigMap %s does not set %s, which both binaries read", g.Name, key)
			}
		}
	}
	for name, d := range map[string]*appsv1.Deployment{"manager": manager, "webhook": webhook} {
		refs := envFrom(d)
		if len(refs) != 1 || !slices.Contains(generated, refs[0]) {
			t.Errorf("the %s reads its environment from ConfigMaps %v; want the one config/default generates (%v)", name, refs, generated)
		}
	}
}

// TestImagesAreTheOnesMakeImageBuilds checks that config/ runs the images `make image` tags (the
// chart's appVersion), not a tag nothing builds.
func TestImagesAreTheOnesMakeImageBuilds(t *testing.T) {
	var chart struct {
		AppVersion string `json:"appVersion"`
	}
	b, err := os.ReadFile(filepath.FromSlash("../charts/zonekeeper/Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &chart); err != nil || chart.AppVersion == "" {
		t.Fatalf("charts/zonekeeper/Chart.yaml: appVersion %q, %v", chart.AppVersion, err)
	}
	for file, image := range map[string]string{
		"manager/manager.yaml":           "ghcr.io/zonekeeper/zonekeeper",
		"webhook-server/deployment.yaml": "ghcr.io/zonekeeper/zonekeeper-webhook",
	} {
		d := deployment(t, file)
		if got, want := d.Spec.Template.Spec.Containers[0].Image, image+":"+chart.AppVersion; got != want {
			t.Errorf("%s runs %s; make image builds %s", file, got, want)
		}
	}
}

// TestCertificateNamesItsIssuerAfterThePrefix checks that config/certmanager tells kustomize that a
// Certificate's issuerRef names an Issuer: kustomize does not know cert-manager's fields, and
// config/default's namePrefix would otherwise rename the Issuer and not the reference to it.
func TestCertificateNamesItsIssuerAfterThePrefix(t *testing.T) {
	var k struct {
		Configurations []string `json:"configurations"`
	}
	b, err := os.ReadFile(filepath.FromSlash("certmanager/kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &k); err != nil {
		t.Fatal(err)
	}
	refersToIssuer := false
	for _, f := range k.Configurations {
		var c struct {
			NameReference []struct {
				Kind       string `json:"kind"`
				Group      string `json:"group"`
				FieldSpecs []struct {
					Kind  string `json:"kind"`
					Group string `json:"group"`
					Path  string `json:"path"`
				} `json:"fieldSpecs"`
			} `json:"nameReference"`
		}
		decode(t, "certmanager/"+f, &c)
		for _, r := range c.NameReference {
			for _, s := range r.FieldSpecs {
				refersToIssuer = refersToIssuer || (r.Kind == "Issuer" && r.Group == "cert-manager.io" &&
					s.Kind == "Certificate" && s.Group == "cert-manager.io" && s.Path == "spec/issuerRef/name")
			}
		}
	}
	if !refersToIssuer {
		t.Error("config/certmanager has no nameReference from a Certificate's spec/issuerRef/name to its Issuer")
	}
}
