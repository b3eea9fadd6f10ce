package v1alpha1_test

import (
	"os"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/testenv"
)

// k8s talks to a real kube-apiserver with the generated CRDs installed: the schema and CEL rules
// under test are enforced by the API server itself.
var k8s client.Client

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, &k8s, lzv1.AddToScheme))
}
