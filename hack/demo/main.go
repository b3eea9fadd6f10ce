// Command demo runs ZoneKeeper end to end on this machine: a real kube-apiserver and etcd (the
// binaries hack/controlplane.sh builds), the CRDs, ZoneKeeper as config/default deploys it (the
// admission webhook, zonekeeper-webhook, and the manager run with --disable-webhooks, each its own
// process), and config/samples applied with server-side apply. It prints the objects with their conditions and
// stays up until Ctrl-C, or exits by itself when DEMO_EXIT=1.
//
// The demo fails (exit 1) when anything does not work as it should: the control plane, the webhook
// or the manager does not start, a sample is refused, or an object is not reconciled, or is reconciled
// into an error or a dangling reference. A misplaced workload refused on purpose is not a failure.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/zonekeeper/zonekeeper/internal/cli"
	"github.com/zonekeeper/zonekeeper/internal/manifest"
	"github.com/zonekeeper/zonekeeper/internal/testenv"
)

type options struct {
	zonekeeper string
	webhook    string
	crds       string
	samples    string
	refused    string
	webhooks   string
	workdir    string
	exit       bool
	timeout    time.Duration
}

func main() {
	o := options{}
	flag.StringVar(&o.zonekeeper, "zonekeeper", "bin/zonekeeper", "the zonekeeper binary")
	flag.StringVar(&o.webhook, "webhook-binary", "bin/zonekeeper-webhook", "the zonekeeper-webhook binary")
	flag.StringVar(&o.crds, "crds", "config/crd/bases", "directory of CRDs to install")
	flag.StringVar(&o.samples, "samples", "config/samples", "directory of objects to apply")
	flag.StringVar(&o.refused, "refused", "hack/demo/refused", "directory of objects the API server must refuse")
	flag.StringVar(&o.webhooks, "webhooks", "config/webhook", "directory of the webhook configuration to install")
	flag.StringVar(&o.workdir, "workdir", "bin/demo", "where the kubeconfig and the webhook's and manager's logs are written")
	flag.DurationVar(&o.timeout, "timeout", 2*time.Minute, "how long to wait for the samples to be reconciled")
	flag.Parse()
	o.exit, _ = strconv.ParseBool(os.Getenv("DEMO_EXIT"))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo failed: %v\n", err)
		os.Exit(1)
	}
}

func step(format string, args ...any) {
	fmt.Printf("==> "+format+"\n", args...)
}

func run(ctx context.Context, o options) (retErr error) {
	if err := os.MkdirAll(o.workdir, 0o755); err != nil {
		return errors.Wrap(err, "cannot create work directory")
	}

	step("starting kube-apiserver and etcd from %s", testenv.AssetsDir())
	env, err := testenv.New()
	if err != nil {
		return err
	}
	env.CRDDirectoryPaths = []string{o.crds}
	env.WebhookInstallOptions.Paths = []string{o.webhooks}
	cfg, err := env.Start()
	if err != nil {
		return errors.Wrap(err, "cannot start the control plane")
	}
	defer func() {
		step("stopping the control plane")
		retErr = errors.Join(retErr, env.Stop())
	}()
	step("installed the CRDs of %s and the validating webhooks of %s (TLS, fail closed)", o.crds, o.webhooks)

	kubeconfig, err := writeKubeconfig(env, cfg, o.workdir)
	if err != nil {
		return err
	}
	c, err := client.New(cfg, client.Options{Scheme: cli.Scheme()})
	if err != nil {
		return errors.Wrap(err, "cannot create client")
	}

	aws, err := startAWS(ctx)
	if err != nil {
		return err
	}
	defer aws.stop()
	if err := aws.credentials(ctx, c); err != nil {
		return err
	}

	wh := env.WebhookInstallOptions
	stopWebhook, err := startProcess(ctx, o, "webhook", o.webhook, "--kubeconfig", kubeconfig,
		"--metrics-bind-address", "0",
		"--webhook-host", wh.LocalServingHost, "--webhook-port", strconv.Itoa(wh.LocalServingPort),
		"--webhook-cert-dir", wh.LocalServingCertDir)
	if err != nil {
		return err
	}
	defer func() { retErr = errors.Join(retErr, stopWebhook()) }()
	stopManager, err := startProcess(ctx, o, "manager", o.zonekeeper, "manager", "--kubeconfig", kubeconfig,
		"--metrics-bind-address", "0", "--disable-webhooks",
		"--zone-namespace", demoNamespace, "--organization-region", orgRegion,
		"--account-creation-endpoint", aws.accounts.URL, "--govcloud-organization-endpoint", aws.govCloud.URL, "--poll-interval", "1m",
		"--service-account-issuer", demoIssuer)
	if err != nil {
		return err
	}
	defer func() { retErr = errors.Join(retErr, stopManager()) }()

	objs, err := manifest.ReadPaths(o.samples)
	if err != nil {
		return err
	}
	step("applying %d objects from %s (server-side apply)", len(objs), o.samples)
	for _, obj := range objs {
		ac := client.ApplyConfigurationFromUnstructured(obj.Unstructured)
		if err := c.Apply(ctx, ac, client.FieldOwner("zonekeeper-demo"), client.ForceOwnership); err != nil {
			return errors.Wrapf(err, "%s:%d: %s %s was refused", obj.File, obj.Line, obj.GetKind(), obj.GetName())
		}
		fmt.Printf("    %s/%s applied\n", obj.GetKind(), obj.GetName())
	}

	step("the API server refuses what cannot exist or cannot comply, before any cloud call:")
	if err := showRefusals(ctx, c, o.refused); err != nil {
		return err
	}

	step("waiting for the manager to reconcile every object")
	if err := waitReconciled(ctx, c, objs, o.timeout); err != nil {
		return err
	}
	step("waiting for the AWS zones and their workloads to be provisioned and Ready")
	if err := waitAWSReady(ctx, c, o.timeout); err != nil {
		return err
	}

	step("zonekeeper get zonekeeper --conditions (the printer columns of kubectl get zonekeeper)")
	get := exec.CommandContext(ctx, o.zonekeeper, "get", "zonekeeper", "--conditions", "--kubeconfig", kubeconfig)
	get.Stdout, get.Stderr = os.Stdout, os.Stderr
	if err := get.Run(); err != nil {
		return errors.Wrap(err, "zonekeeper get failed")
	}
	step("compliance of each zone (status.compliance)")
	if err := printCompliance(ctx, c); err != nil {
		return err
	}
	step("the AWS resources as moto sees them, read through the SDK from inside each zone's account")
	if err := aws.printAWS(ctx, c); err != nil {
		return err
	}
	fmt.Println(`
The AWS zone and its workload are Ready: the account, VPC, key and audit trail, and the
workload's own key, object-locked bucket and IRSA role exist and were judged compliant. The Azure
zones and their workloads stay Pending (Azure provisioning is a later release): ZoneKeeper never
claims Ready for a cloud that was not provisioned. The same policies judged every object at
admission (zonekeeper-webhook) and again in the reconcilers (the manager).`)

	if o.exit {
		return nil
	}
	step("running; in another shell: bin/zonekeeper get --conditions --kubeconfig %s", kubeconfig)
	step("logs: %s and %s. Press Ctrl-C to stop.", filepath.Join(o.workdir, "webhook.log"), filepath.Join(o.workdir, "manager.log"))
	<-ctx.Done()
	fmt.Println()
	return nil
}

// writeKubeconfig provisions an admin user on the control plane and writes its kubeconfig, for the
// manager and for anyone who wants to look around while the demo runs.
func writeKubeconfig(env *envtest.Environment, cfg *rest.Config, dir string) (string, error) {
	user, err := env.AddUser(envtest.User{Name: "demo-admin", Groups: []string{"system:masters"}}, cfg)
	if err != nil {
		return "", errors.Wrap(err, "cannot add demo user")
	}
	data, err := user.KubeConfig()
	if err != nil {
		return "", errors.Wrap(err, "cannot render kubeconfig")
	}
	path, err := filepath.Abs(filepath.Join(dir, "kubeconfig"))
	if err != nil {
		return "", errors.Wrap(err, "cannot resolve kubeconfig path")
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", errors.Wrap(err, "cannot write kubeconfig")
	}
	return path, nil
}

// startProcess runs one of ZoneKeeper's binaries as its own process, as it runs in a cluster, with
// its log in the work directory, and waits for its readiness probe (the webhook is ready once it
// serves with the cluster's CompliancePolicies loaded). The returned function stops it with SIGTERM
// and waits for it to exit.
func startProcess(ctx context.Context, o options, name, binary string, args ...string) (func() error, error) {
	probe, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(o.workdir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot create %s log", name)
	}
	step("starting the %s (log: %s)", name, logPath)
	cmd := exec.Command(binary, append(args, "--health-probe-bind-address", probe)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, errors.Wrapf(err, "cannot start the %s", name)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() error {
		step("stopping the %s", name)
		defer logFile.Close() //nolint:errcheck // a log
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			return nil
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			return errors.Errorf("the %s did not stop within 15s of SIGTERM and was killed", name)
		}
	}

	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			return nil, errors.Errorf("the %s exited during start-up (%v); see %s", name, err, logPath)
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), stop())
		case <-time.After(200 * time.Millisecond):
		}
		resp, err := http.Get("http://" + probe + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, errors.Join(errors.Errorf("the %s was not ready within 30s; see %s", name, logPath), stop())
		}
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", errors.Wrap(err, "cannot find a free port")
	}
	defer l.Close() //nolint:errcheck // only used to find a port
	return l.Addr().String(), nil
}

// showRefusals applies each object of dir and prints the API server's answer; the demo fails if
// any of them is admitted.
func showRefusals(ctx context.Context, c client.Client, dir string) error {
	objs, err := manifest.ReadPaths(dir)
	if err != nil {
		return err
	}
	for _, o := range objs {
		fmt.Printf("    %s %s (%s)\n", o.GetKind(), o.GetName(), filepath.Base(o.File))
		err := c.Create(ctx, o.Unstructured)
		if err == nil {
			return errors.Errorf("%s:%d: the API server admitted %s %s, which must be refused", o.File, o.Line, o.GetKind(), o.GetName())
		}
		var status apierrors.APIStatus
		if !errors.As(err, &status) || status.Status().Details == nil || len(status.Status().Details.Causes) == 0 {
			fmt.Printf("      refused: %v\n", err)
			continue
		}
		fmt.Printf("      refused (%s):\n", status.Status().Reason)
		for _, cause := range status.Status().Details.Causes {
			fmt.Printf("        %s: %s\n", cause.Field, cause.Message)
		}
	}
	return nil
}

// printCompliance prints each zone's Compliant condition and the baselines it was judged by.
func printCompliance(ctx context.Context, c client.Client) error {
	zones := &unstructured.UnstructuredList{}
	zones.SetGroupVersionKind(schema.GroupVersionKind{Group: "landingzone.zonekeeper.dev", Version: "v1alpha1", Kind: "LandingZoneList"})
	if err := c.List(ctx, zones); err != nil {
		return errors.Wrap(err, "cannot list LandingZones")
	}
	for _, z := range zones.Items {
		conds, err := conditions(&z)
		if err != nil {
			return err
		}
		baselines, _, _ := unstructured.NestedStringSlice(z.Object, "status", "compliance", "baselines")
		violations, _, _ := unstructured.NestedSlice(z.Object, "status", "compliance", "violations")
		cc := meta.FindStatusCondition(conds, "Compliant")
		if cc == nil {
			return errors.Errorf("LandingZone %s has no Compliant condition", z.GetName())
		}
		fmt.Printf("    %-18s Compliant=%-5s baselines=%v violations=%d: %s\n", z.GetName(), cc.Status, baselines, len(violations), cc.Message)
	}
	return nil
}

// waitReconciled waits until every object of the samples that has conditions shows them for its
// current generation, then checks none is in error or points at something missing.
func waitReconciled(ctx context.Context, c client.Client, objs []manifest.Object, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		pending, bad, err := reconcileState(ctx, c, objs)
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			if len(bad) > 0 {
				return errors.Errorf("samples reconciled into errors: %v", bad)
			}
			return nil
		}
		if time.Now().After(deadline) {
			return errors.Errorf("not reconciled within %s: %v", timeout, pending)
		}
		fmt.Printf("    waiting for %d of %d objects\n", len(pending), len(objs))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func reconcileState(ctx context.Context, c client.Client, objs []manifest.Object) (pending, bad []string, err error) {
	for _, o := range objs {
		if o.GroupVersionKind().Group != "landingzone.zonekeeper.dev" {
			continue
		}
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(o.GroupVersionKind())
		if err := c.Get(ctx, client.ObjectKeyFromObject(o.Unstructured), u); err != nil {
			return nil, nil, errors.Wrapf(err, "cannot get %s %s", o.GetKind(), o.GetName())
		}
		name := o.GetKind() + "/" + o.GetName()
		conds, err := conditions(u)
		if err != nil {
			return nil, nil, err
		}
		synced := meta.FindStatusCondition(conds, "Synced")
		if synced == nil || synced.ObservedGeneration != u.GetGeneration() {
			pending = append(pending, name)
			continue
		}
		switch synced.Reason {
		case "ReconcileError", "ClassificationNotFound", "LandingZoneNotFound", "NamespaceNotAllowed", "ClassificationExceedsZone":
			bad = append(bad, fmt.Sprintf("%s: %s: %s", name, synced.Reason, synced.Message))
		}
	}
	return pending, bad, nil
}

func conditions(u *unstructured.Unstructured) ([]metav1.Condition, error) {
	raw, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	conds := make([]metav1.Condition, len(raw))
	for i, c := range raw {
		m, _ := c.(map[string]any)
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &conds[i]); err != nil {
			return nil, errors.Wrapf(err, "cannot read the conditions of %s %s", u.GetKind(), u.GetName())
		}
	}
	return conds, nil
}
