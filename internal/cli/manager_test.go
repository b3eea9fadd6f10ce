package cli

import (
	"net/http"
	"net/http/httptest"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

// TestOverrideEndpointInGovCloud sends an Organizations call to the override endpoint with a
// GovCloud configuration, where FIPS endpoints are ZoneKeeper's default and the SDK refuses to
// combine them with a custom endpoint.
func TestOverrideEndpointInGovCloud(t *testing.T) {
	called := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called++
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte(`{"Roots":[{"Id":"r-gov0"}]}`))
	}))
	defer srv.Close()
	cfg, err := config.LoadDefaultConfig(t.Context(), config.WithRegion("us-gov-west-1"), config.WithUseFIPSEndpoint(sdkaws.FIPSEndpointStateEnabled),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKID", "secret", "")), config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	out, err := organizations.NewFromConfig(cfg, overrideEndpoint(srv.URL)).ListRoots(t.Context(), &organizations.ListRootsInput{})
	if err != nil || called != 1 || len(out.Roots) != 1 {
		t.Fatalf("ListRoots = %+v, %v after %d calls to the endpoint; want the endpoint's one root", out, err, called)
	}
}
