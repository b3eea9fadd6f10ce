package testenv

import (
	"os"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
)

// LogLevel is the level of the loggers tests give controllers: errors only, unless
// ZK_TEST_LOG=debug.
func LogLevel() zapcore.Level {
	if os.Getenv("ZK_TEST_LOG") == "debug" {
		return zapcore.DebugLevel
	}
	return zapcore.ErrorLevel
}

// Eventually polls check until it returns nil and fails the test with check's last error if it
// has not within the given time. Reconcilers and the cloud stand-ins converge asynchronously; the
// time bounds a hang, it is not a speed test.
func Eventually(t testing.TB, within time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	var err error
	for time.Now().Before(deadline) {
		if err = check(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, err)
}
