package awsclient

import (
	"context"
	"errors"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// callsCounter counts AWS API calls as the SDK makes them: one per operation, whatever the
// retries underneath, by service, operation and outcome (ok, or the AWS error code).
var callsCounter = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "zonekeeper_cloud_calls_total",
	Help: "Cloud API calls by cloud, service, operation and outcome (ok, or the error code).",
}, []string{"cloud", "service", "operation", "outcome"})

func init() {
	metrics.Registry.MustRegister(callsCounter)
}

// WithCallMetrics counts every AWS call made with the configuration it is loaded into.
func WithCallMetrics() func(*config.LoadOptions) error {
	return config.WithAPIOptions([]func(*middleware.Stack) error{func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("ZoneKeeperCallMetrics", countCall), middleware.Before)
	}})
}

func countCall(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleInitialize(ctx, in)
	callsCounter.WithLabelValues("aws", awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), outcome(err)).Inc()
	return out, md, err
}

// outcome is "ok", the AWS error code, or "error" when the call failed before AWS answered.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() != "" {
		return api.ErrorCode()
	}
	return "error"
}
