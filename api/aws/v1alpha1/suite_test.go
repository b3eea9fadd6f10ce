package v1alpha1_test

import (
	"fmt"
	"os"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/testenv"
)

// k8s talks to a real kube-apiserver with the generated CRDs installed: the schema and CEL rules
// under test are enforced by the API server itself.
var k8s client.Client

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	env, cfg, err := testenv.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "cannot stop control plane:", err)
		}
	}()
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = awsv1.AddToScheme(s)
	if k8s, err = client.New(cfg, client.Options{Scheme: s}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
