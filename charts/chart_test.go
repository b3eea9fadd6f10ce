// Package charts_test checks the Helm chart with a real helm (built by hack/helm.sh) and, for
// install, upgrade and uninstall, a real kube-apiserver.
package charts_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/zonekeeper/zonekeeper/internal/testenv"
)

const (
	release   = "zk"
	namespace = "zonekeeper-system"
	prefix    = "zk-zonekeeper" // the chart's fullname for release zk
)

func chartDir() string { return filepath.Join(testenv.Root(), "charts", "zonekeeper") }

// helmBinary is bin/helm. Without it the tests skip, saying how to build it, except under CI,
// whose `make test` builds it first.
func helmBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(testenv.Root(), "bin", "helm")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the chart's tests need %s under CI (make test builds it): %v", bin, err)
		}
		t.Skipf("no %s: run `make helm` (hack/helm.sh builds it from the Go module proxy)", bin)
	}
	return bin
}

// runHelm runs helm with its caches and configuration in a directory of the test's own, so that
// nothing of the machine's helm setup (repositories, plugins, registries) takes part. It returns
// the standard output, and an error carrying the standard error when helm fails.
func runHelm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(helmBinary(t), args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), errors.New(strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// render is `helm template` of the chart as release zk in zonekeeper-system, with --set values.
func render(t *testing.T, set ...string) ([]*unstructured.Unstructured, error) {
	t.Helper()
	args := []string{"template", release, chartDir(), "--namespace", namespace}
	for _, s := range set {
		args = append(args, "--set", s)
	}
	out, err := runHelm(t, args...)
	if err != nil {
		return nil, err
	}
	return decodeAll(t, strings.NewReader(out)), nil
}

func decodeAll(t *testing.T, r io.Reader) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	var objs []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return objs
			}
			t.Fatalf("cannot decode the rendered chart: %v", err)
		}
		if len(m) > 0 {
			objs = append(objs, &unstructured.Unstructured{Object: m})
		}
	}
}

func find(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("the chart renders no %s %q", kind, name)
	return nil
}

// readYAML reads one generated manifest of the repository into a map.
func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.Root(), filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func deploymentOf(t *testing.T, obj map[string]any) *appsv1.Deployment {
	t.Helper()
	d := &appsv1.Deployment{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, d); err != nil {
		t.Fatal(err)
	}
	return d
}

// configDeployment reads the Deployment of a kustomize manifest that may hold other objects.
func configDeployment(t *testing.T, path string) *appsv1.Deployment {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.Root(), filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range decodeAll(t, bytes.NewReader(b)) {
		if o.GetKind() == "Deployment" {
			return deploymentOf(t, o.Object)
		}
	}
	t.Fatalf("%s holds no Deployment", path)
	return nil
}

func TestChartInstallsWhatTheGeneratedManifestsAndConfigSay(t *testing.T) {
	objs, err := render(t)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("RBACRulesAreControllerGens", func(t *testing.T) {
		for role, generated := range map[string]string{
			prefix + "-manager": "config/rbac/role.yaml",
			prefix + "-webhook": "config/webhook-server/role.yaml",
		} {
			got := find(t, objs, "ClusterRole", role).Object["rules"]
			if want := readYAML(t, generated)["rules"]; !reflect.DeepEqual(got, want) {
				t.Errorf("ClusterRole %s rules differ from %s:\n got %v\nwant %v", role, generated, got, want)
			}
		}
	})

	t.Run("WebhooksAreControllerGensPointedAtTheService", func(t *testing.T) {
		vwc := find(t, objs, "ValidatingWebhookConfiguration", prefix+"-validating")
		want, _ := readYAML(t, "config/webhook/manifests.yaml")["webhooks"].([]any)
		for _, w := range want {
			svc := w.(map[string]any)["clientConfig"].(map[string]any)["service"].(map[string]any)
			svc["name"], svc["namespace"] = prefix+"-webhook", namespace
		}
		if len(want) != 5 {
			t.Fatalf("config/webhook/manifests.yaml has %d webhooks, want 5", len(want))
		}
		if got := vwc.Object["webhooks"]; !reflect.DeepEqual(got, any(want)) {
			t.Errorf("webhooks differ from config/webhook/manifests.yaml:\n got %v\nwant %v", got, want)
		}
		if got := vwc.GetAnnotations()["cert-manager.io/inject-ca-from"]; got != namespace+"/"+prefix+"-serving-cert" {
			t.Errorf("inject-ca-from %q, want the chart's Certificate", got)
		}
	})

	t.Run("DeploymentsRunAsConfigDoes", func(t *testing.T) {
		for name, path := range map[string]string{
			prefix + "-manager": "config/manager/manager.yaml",
			prefix + "-webhook": "config/webhook-server/deployment.yaml",
		} {
			got := deploymentOf(t, find(t, objs, "Deployment", name).Object)
			want := configDeployment(t, path)
			gc, wc := got.Spec.Template.Spec.Containers[0], want.Spec.Template.Spec.Containers[0]
			for field, pair := range map[string][2]any{
				"args":            {gc.Args, wc.Args},
				"ports":           {gc.Ports, wc.Ports},
				"livenessProbe":   {gc.LivenessProbe, wc.LivenessProbe},
				"readinessProbe":  {gc.ReadinessProbe, wc.ReadinessProbe},
				"resources":       {gc.Resources, wc.Resources},
				"securityContext": {gc.SecurityContext, wc.SecurityContext},
				"volumeMounts":    {gc.VolumeMounts, wc.VolumeMounts},
				"podSecurity":     {got.Spec.Template.Spec.SecurityContext, want.Spec.Template.Spec.SecurityContext},
				"replicas":        {got.Spec.Replicas, want.Spec.Replicas},
			} {
				if !apiequality.Semantic.DeepEqual(pair[0], pair[1]) {
					t.Errorf("%s: %s differs from %s:\n got %+v\nwant %+v", name, field, path, pair[0], pair[1])
				}
			}
			if len(gc.EnvFrom) != 1 || gc.EnvFrom[0].ConfigMapRef == nil || gc.EnvFrom[0].ConfigMapRef.Name != prefix+"-policy-settings" {
				t.Errorf("%s: envFrom %+v, want the policy settings ConfigMap", name, gc.EnvFrom)
			}
			if got.Spec.Template.Annotations["checksum/policy-settings"] == "" {
				t.Errorf("%s: no checksum of the policy settings: a change would not roll the pods", name)
			}
			// config/ runs the chart's appVersion too (config's TestImagesAreTheOnesMakeImageBuilds).
			if gc.Image != wc.Image {
				t.Errorf("%s: image %q, want %s, as %s", name, gc.Image, wc.Image, path)
			}
		}
	})

	t.Run("PolicySettingsDefaultAsConfigDefault", func(t *testing.T) {
		cm := find(t, objs, "ConfigMap", prefix+"-policy-settings")
		want := map[string]any{"ZONEKEEPER_BASELINE_ENFORCEMENT": "", "ZONEKEEPER_POLICY_TIMEOUT": "1s"}
		if got := cm.Object["data"]; !reflect.DeepEqual(got, any(want)) {
			t.Errorf("data %v, want %v (config/default's literals)", got, want)
		}
	})

	t.Run("ServiceCertificateAndBudgetSelectTheWebhook", func(t *testing.T) {
		pods := deploymentOf(t, find(t, objs, "Deployment", prefix+"-webhook").Object)
		labels := pods.Spec.Template.Labels
		svc := find(t, objs, "Service", prefix+"-webhook")
		selector, _, _ := unstructured.NestedStringMap(svc.Object, "spec", "selector")
		pdb := find(t, objs, "PodDisruptionBudget", prefix+"-webhook")
		pdbSelector, _, _ := unstructured.NestedStringMap(pdb.Object, "spec", "selector", "matchLabels")
		for what, sel := range map[string]map[string]string{"Service": selector, "PodDisruptionBudget": pdbSelector} {
			if len(sel) == 0 {
				t.Errorf("%s selects nothing", what)
			}
			for k, v := range sel {
				if labels[k] != v {
					t.Errorf("%s selects %s=%s, which the webhook's pods do not carry (%v)", what, k, v, labels)
				}
			}
		}
		cert := find(t, objs, "Certificate", prefix+"-serving-cert")
		secret, _, _ := unstructured.NestedString(cert.Object, "spec", "secretName")
		if v := pods.Spec.Template.Spec.Volumes; len(v) != 1 || v[0].Secret == nil || v[0].Secret.SecretName != secret {
			t.Errorf("the webhook mounts %+v, want the Certificate's Secret %q", v, secret)
		}
		dns, _, _ := unstructured.NestedStringSlice(cert.Object, "spec", "dnsNames")
		if want := prefix + "-webhook." + namespace + ".svc"; len(dns) == 0 || dns[0] != want {
			t.Errorf("certificate DNS names %v, want %s first", dns, want)
		}
		find(t, objs, "Issuer", prefix+"-selfsigned")
	})

	t.Run("CRDsAreConfigs", func(t *testing.T) {
		want, err := filepath.Glob(filepath.Join(testenv.Root(), "config", "crd", "bases", "*.yaml"))
		if err != nil || len(want) == 0 {
			t.Fatalf("no CRDs in config/crd/bases: %v", err)
		}
		got, _ := filepath.Glob(filepath.Join(chartDir(), "crds", "*.yaml"))
		if len(got) != len(want) {
			t.Errorf("the chart has %d CRDs, config/crd/bases %d (run make manifests)", len(got), len(want))
		}
		for _, w := range want {
			a, _ := os.ReadFile(w)
			b, err := os.ReadFile(filepath.Join(chartDir(), "crds", filepath.Base(w)))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("crds/%s is not config/crd/bases' (run make manifests): %v", filepath.Base(w), err)
			}
		}
	})
}

func TestChartValues(t *testing.T) {
	cases := map[string]struct {
		set     []string
		wantErr string // empty: renders
		check   func(t *testing.T, objs []*unstructured.Unstructured)
	}{
		"OwnCertificateWithoutCABundle": {
			set:     []string{"webhook.tls.certManager.enabled=false"},
			wantErr: "webhook.tls.caBundle is required when webhook.tls.certManager.enabled is false",
		},
		"OwnCertificate": {
			set: []string{"webhook.tls.certManager.enabled=false", "webhook.tls.caBundle=Q0EK", "webhook.tls.secretName=corp-tls"},
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				for _, o := range objs {
					if strings.HasPrefix(o.GetAPIVersion(), "cert-manager.io/") {
						t.Errorf("renders %s %s without cert-manager", o.GetKind(), o.GetName())
					}
				}
				vwc := find(t, objs, "ValidatingWebhookConfiguration", prefix+"-validating")
				if _, ok := vwc.GetAnnotations()["cert-manager.io/inject-ca-from"]; ok {
					t.Error("asks cert-manager to inject a CA without cert-manager")
				}
				webhooks, _, _ := unstructured.NestedSlice(vwc.Object, "webhooks")
				for _, w := range webhooks {
					if ca, _, _ := unstructured.NestedString(w.(map[string]any), "clientConfig", "caBundle"); ca != "Q0EK" {
						t.Errorf("webhook %v has caBundle %q, want the given one", w.(map[string]any)["name"], ca)
					}
				}
				d := deploymentOf(t, find(t, objs, "Deployment", prefix+"-webhook").Object)
				if s := d.Spec.Template.Spec.Volumes[0].Secret.SecretName; s != "corp-tls" {
					t.Errorf("the webhook mounts Secret %q, want corp-tls", s)
				}
			},
		},
		"ClusterIssuer": {
			set: []string{"webhook.tls.certManager.issuerRef.kind=ClusterIssuer", "webhook.tls.certManager.issuerRef.name=corp-ca"},
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				cert := find(t, objs, "Certificate", prefix+"-serving-cert")
				ref, _, _ := unstructured.NestedStringMap(cert.Object, "spec", "issuerRef")
				if ref["kind"] != "ClusterIssuer" || ref["name"] != "corp-ca" {
					t.Errorf("issuerRef %v, want ClusterIssuer corp-ca", ref)
				}
				for _, o := range objs {
					if o.GetKind() == "Issuer" {
						t.Errorf("renders Issuer %s although one is given", o.GetName())
					}
				}
			},
		},
		"IssuerWithoutName": {
			set:     []string{"webhook.tls.certManager.issuerRef.kind=Issuer"},
			wantErr: "webhook.tls.certManager.issuerRef.name is required",
		},
		"EnforcementAndTimeout": {
			set: []string{`policy.baselineEnforcement=dod-il5=warn\,cjis-v6=audit`, "policy.timeout=500ms"},
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				data, _, _ := unstructured.NestedStringMap(find(t, objs, "ConfigMap", prefix+"-policy-settings").Object, "data")
				if data["ZONEKEEPER_BASELINE_ENFORCEMENT"] != "dod-il5=warn,cjis-v6=audit" || data["ZONEKEEPER_POLICY_TIMEOUT"] != "500ms" {
					t.Errorf("policy settings %v", data)
				}
			},
		},
		"ExternalIssuer": {
			set: []string{"webhook.tls.certManager.issuerRef.kind=AWSPCAClusterIssuer", "webhook.tls.certManager.issuerRef.name=pca", "webhook.tls.certManager.issuerRef.group=awspca.cert-manager.io"},
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				ref, _, _ := unstructured.NestedStringMap(find(t, objs, "Certificate", prefix+"-serving-cert").Object, "spec", "issuerRef")
				if want := map[string]string{"kind": "AWSPCAClusterIssuer", "name": "pca", "group": "awspca.cert-manager.io"}; !reflect.DeepEqual(ref, want) {
					t.Errorf("issuerRef %v, want %v", ref, want)
				}
			},
		},
		"OneReplicaWithABudget": {set: []string{"webhook.replicas=1"}, wantErr: "webhook.replicas (1) must exceed webhook.podDisruptionBudget.minAvailable (1)"},
		// --set gives numbers as int64 where a values file gives float64: both are checked.
		"ABudgetOfEveryReplicaBySet": {
			set:     []string{"webhook.replicas=2", "webhook.podDisruptionBudget.minAvailable=2"},
			wantErr: "webhook.replicas (2) must exceed webhook.podDisruptionBudget.minAvailable (2)",
		},
		"ABudgetOfAllReplicas": {set: []string{"webhook.podDisruptionBudget.minAvailable=100%"}, wantErr: "minAvailable 100% leaves no replica to evict"},
		"ABudgetOfHalfTheReplicas": {
			set: []string{"webhook.podDisruptionBudget.minAvailable=50%"},
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				if got, _, _ := unstructured.NestedString(find(t, objs, "PodDisruptionBudget", prefix+"-webhook").Object, "spec", "minAvailable"); got != "50%" {
					t.Errorf("minAvailable %q, want 50%%", got)
				}
			},
		},
		"OneReplicaWithoutABudget": {
			set: []string{"webhook.replicas=1", "webhook.podDisruptionBudget.enabled=false"},
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				if r := deploymentOf(t, find(t, objs, "Deployment", prefix+"-webhook").Object).Spec.Replicas; r == nil || *r != 1 {
					t.Errorf("replicas %v, want 1", r)
				}
			},
		},
		"UnknownEnforcementAction":  {set: []string{"policy.baselineEnforcement=dod-il5=maybe"}, wantErr: "/policy/baselineEnforcement"},
		"EmptyEnforcementItem":      {set: []string{`policy.baselineEnforcement=\,cjis-v6=deny`}, wantErr: "/policy/baselineEnforcement"},
		"ZeroTimeout":               {set: []string{"policy.timeout=0s"}, wantErr: "/policy/timeout"},
		"MisspelledComponentValue":  {set: []string{"manager.replica=3"}, wantErr: "/manager/replica"},
		"FailurePolicyNotAPolicy":   {set: []string{"webhook.failurePolicy=Sometimes"}, wantErr: "/webhook/failurePolicy"},
		"ReplicasNotANumber":        {set: []string{"webhook.replicas=two"}, wantErr: "/webhook/replicas"},
		"MisspelledTopLevelSetting": {set: []string{"polcy.timeout=1s"}, wantErr: "polcy"},
		"NoBudget": {
			set: []string{"webhook.podDisruptionBudget.enabled=false", "webhook.failurePolicy=Ignore"},
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				for _, o := range objs {
					if o.GetKind() == "PodDisruptionBudget" {
						t.Errorf("renders PodDisruptionBudget %s although disabled", o.GetName())
					}
				}
				webhooks, _, _ := unstructured.NestedSlice(find(t, objs, "ValidatingWebhookConfiguration", prefix+"-validating").Object, "webhooks")
				for _, w := range webhooks {
					if p := w.(map[string]any)["failurePolicy"]; p != "Ignore" {
						t.Errorf("webhook %v failurePolicy %v, want Ignore", w.(map[string]any)["name"], p)
					}
				}
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			objs, err := render(t, tc.set...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, objs)
		})
	}
}

func TestChartLints(t *testing.T) {
	if out, err := runHelm(t, "lint", "--strict", chartDir()); err != nil {
		t.Fatalf("helm lint: %v\n%s", err, out)
	}
}

// TestChartInstallsUpgradesAndUninstalls installs the chart with helm into a real API server
// (no kubelet: pods never run, which the test relies on), upgrades it and uninstalls it.
func TestChartInstallsUpgradesAndUninstalls(t *testing.T) {
	helmBinary(t)
	env := &envtest.Environment{
		BinaryAssetsDirectory: testenv.AssetsDir(),
		CRDDirectoryPaths:     []string{filepath.Join("testdata", "cert-manager-crds.yaml")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("cannot start kube-apiserver and etcd (make test builds them): %v", err)
	}
	t.Cleanup(func() { testenv.Stop(env) })
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, env.KubeConfig, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	helm := func(args ...string) {
		t.Helper()
		if out, err := runHelm(t, append(args, "--kubeconfig", kubeconfig, "--namespace", namespace)...); err != nil {
			t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	get := func(gvk schema.GroupVersionKind, ns, name string) (*unstructured.Unstructured, error) {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(gvk)
		return u, c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, u)
	}
	deployment := schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
	configMap := schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	vwc := schema.GroupVersionKind{Group: "admissionregistration.k8s.io", Version: "v1", Kind: "ValidatingWebhookConfiguration"}
	crd := schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}
	classification := func() *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "landingzone.zonekeeper.dev/v1alpha1", "kind": "DataClassification",
			"metadata": map[string]any{"name": "public"},
			"spec":     map[string]any{"level": int64(0), "audit": map[string]any{"retentionDays": int64(90)}},
		}}
		return u
	}

	helm("install", release, chartDir(), "--create-namespace")

	for _, name := range []string{"manager", "webhook"} {
		d, err := get(deployment, namespace, prefix+"-"+name)
		if err != nil {
			t.Fatalf("Deployment %s-%s after install: %v", prefix, name, err)
		}
		if img, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers"); len(img) != 1 {
			t.Errorf("Deployment %s has %d containers", d.GetName(), len(img))
		}
	}
	if _, err := get(crd, "", "landingzones.landingzone.zonekeeper.dev"); err != nil {
		t.Fatalf("the LandingZone CRD after install: %v", err)
	}
	// The webhook fails closed, and no replica answers in a cluster without a kubelet: creating a
	// ZoneKeeper object is refused by the installed webhook configuration.
	testenv.Eventually(t, 30*time.Second, "the installed webhook refuses a DataClassification while no replica answers", func() error {
		err := c.Create(ctx, classification())
		if err == nil {
			return errors.New("created: the webhook did not take part")
		}
		if !strings.Contains(err.Error(), `failed calling webhook "vdataclassification.zonekeeper.dev"`) {
			return err
		}
		return nil
	})

	before, err := get(deployment, namespace, prefix+"-webhook")
	if err != nil {
		t.Fatal(err)
	}
	helm("upgrade", release, chartDir(), "--reuse-values", "--set", "policy.baselineEnforcement=dod-il5=warn")
	cm, err := get(configMap, namespace, prefix+"-policy-settings")
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _ := unstructured.NestedString(cm.Object, "data", "ZONEKEEPER_BASELINE_ENFORCEMENT"); got != "dod-il5=warn" {
		t.Errorf("baseline enforcement after upgrade %q, want dod-il5=warn", got)
	}
	after, err := get(deployment, namespace, prefix+"-webhook")
	if err != nil {
		t.Fatal(err)
	}
	sum := func(d *unstructured.Unstructured) string {
		s, _, _ := unstructured.NestedString(d.Object, "spec", "template", "metadata", "annotations", "checksum/policy-settings")
		return s
	}
	if sum(before) == "" || sum(before) == sum(after) {
		t.Errorf("the webhook's pod template checksum went from %q to %q: the new settings would not roll it", sum(before), sum(after))
	}

	helm("uninstall", release, "--wait=watcher", "--timeout", "60s")
	for _, ref := range []struct {
		gvk  schema.GroupVersionKind
		name string
	}{{deployment, prefix + "-manager"}, {deployment, prefix + "-webhook"}, {vwc, prefix + "-validating"}} {
		ns := namespace
		if ref.gvk == vwc {
			ns = ""
		}
		if _, err := get(ref.gvk, ns, ref.name); !apierrors.IsNotFound(err) {
			t.Errorf("%s %s after uninstall: %v, want not found", ref.gvk.Kind, ref.name, err)
		}
	}
	// Helm never deletes what crds/ installed: the ZoneKeeper objects, and what they provisioned,
	// outlive the chart. With the webhook gone, the API server serves the kind on its own.
	if _, err := get(crd, "", "landingzones.landingzone.zonekeeper.dev"); err != nil {
		t.Errorf("the LandingZone CRD after uninstall: %v", err)
	}
	testenv.Eventually(t, 30*time.Second, "a DataClassification is created once the webhook configuration is gone", func() error {
		err := c.Create(ctx, classification())
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	})
}
