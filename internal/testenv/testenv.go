// Package testenv starts a real kube-apiserver and etcd, built by hack/controlplane.sh, with the
// ZoneKeeper CRDs installed, for tests and the demo. There is no fake API server anywhere in
// ZoneKeeper's tests: what the schema and CEL rules refuse, the real API server refuses.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Root is the repository root, found from this source file so tests work from any package.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// AssetsDir is where kube-apiserver and etcd are: $KUBEBUILDER_ASSETS, else bin/controlplane.
func AssetsDir() string {
	if d := os.Getenv("KUBEBUILDER_ASSETS"); d != "" {
		return d
	}
	return filepath.Join(Root(), "bin", "controlplane")
}

// New returns an environment with the CRDs of config/crd/bases, not yet started.
func New() (*envtest.Environment, error) {
	assets := AssetsDir()
	for _, b := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(assets, b)); err != nil {
			return nil, errors.Errorf("no %s in %s: run `make test` (it builds the control plane) or hack/controlplane.sh", b, assets)
		}
	}
	return &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(Root(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
	}, nil
}

// Start starts a new environment and returns it with a config for its API server.
func Start() (*envtest.Environment, *rest.Config, error) {
	env, err := New()
	if err != nil {
		return nil, nil, err
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, nil, errors.Wrap(err, "cannot start kube-apiserver and etcd")
	}
	return env, cfg, nil
}

// StartWithWebhooks is Start with the validating webhook configuration of config/webhook
// installed, pointed at env.WebhookInstallOptions' local host, port and serving certificate, where
// the caller serves the webhook.
func StartWithWebhooks() (*envtest.Environment, *rest.Config, error) {
	env, err := New()
	if err != nil {
		return nil, nil, err
	}
	env.WebhookInstallOptions.Paths = []string{filepath.Join(Root(), "config", "webhook")}
	cfg, err := env.Start()
	if err != nil {
		return nil, nil, errors.Wrap(err, "cannot start kube-apiserver and etcd")
	}
	return env, cfg, nil
}

// Stop stops env, saying on stderr when it cannot: for a TestMain's defer.
func Stop(env *envtest.Environment) {
	if err := env.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "cannot stop control plane:", err)
	}
}

// Main is a test binary's TestMain for suites that need a client of the API server and nothing
// else: it starts the control plane, makes a client with the types that addToScheme registers
// (client-go's built-in types always), runs the tests and stops the control plane. It returns the
// exit code.
func Main(m interface{ Run() int }, c *client.Client, addToScheme ...func(*k8sruntime.Scheme) error) int {
	return MainWithConfig(m, nil, c, addToScheme...)
}

// MainWithConfig is Main for suites that also start managers of their own: it sets *cfg, when
// cfg is not nil, to the API server's config.
func MainWithConfig(m interface{ Run() int }, cfg **rest.Config, c *client.Client, addToScheme ...func(*k8sruntime.Scheme) error) int {
	env, restCfg, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer Stop(env)
	s := k8sruntime.NewScheme()
	for _, add := range append([]func(*k8sruntime.Scheme) error{clientgoscheme.AddToScheme}, addToScheme...) {
		if err := add(s); err != nil {
			fmt.Fprintln(os.Stderr, "cannot build the test scheme:", err)
			return 1
		}
	}
	if cfg != nil {
		*cfg = restCfg
	}
	if *c, err = client.New(restCfg, client.Options{Scheme: s}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
