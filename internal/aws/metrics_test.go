package awsclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestCallMetricsCountOperationsByOutcome(t *testing.T) {
	// A KMS endpoint that answers every call with the same AWS error in the real JSON protocol.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"NotFoundException","message":"no such key"}`))
	}))
	defer srv.Close()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-gov-west-1"),
		config.WithBaseEndpoint(srv.URL), config.WithRetryMaxAttempts(1),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIAMETRICSTEST00001", "s", "")),
		WithCallMetrics())
	if err != nil {
		t.Fatal(err)
	}
	before := testutil.ToFloat64(callsCounter.WithLabelValues("aws", "KMS", "DescribeKey", "NotFoundException"))
	for range 2 {
		if _, err := kms.NewFromConfig(cfg).DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: sdkaws.String("k")}); err == nil {
			t.Fatal("want the endpoint's error")
		}
	}
	if got := testutil.ToFloat64(callsCounter.WithLabelValues("aws", "KMS", "DescribeKey", "NotFoundException")) - before; got != 2 {
		t.Errorf("counted %v failed DescribeKey calls, want 2", got)
	}
}
