// Package moto runs the AWS emulator moto (moto_server) for ZoneKeeper's tests: one server per test
// binary on a free loopback port, reset between tests, stopped at the end. When moto_server is not
// installed, tests skip with a message saying how to install it, except under CI (the CI
// environment variable set), where a missing emulator fails the run: CI installs moto, so a skip
// there would hide that the AWS tests never ran.
package moto

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/zonekeeper/zonekeeper/internal/testenv"
)

// AccountID is the account moto acts in for any access key it has not issued itself.
const AccountID = "123456789012"

// Install is how to get moto_server where the tests look for it.
const Install = "python3 -m venv .venv && .venv/bin/pip install 'moto[server]'"

// ErrNotInstalled is returned by Start when no moto_server can be found.
var ErrNotInstalled = errors.New("moto_server is not installed (looked in .venv/bin and on $PATH); install it with: " + Install)

// Server is a running moto_server.
type Server struct {
	// URL of the server, for example http://127.0.0.1:41234.
	URL string

	cmd  *exec.Cmd
	done chan struct{}
	err  error
	out  *syncBuffer
}

// Find returns the path of moto_server: the repository's .venv first (what .ci/run installs, so
// a stale or broken moto elsewhere on the machine cannot shadow it), else on $PATH.
func Find() (string, error) {
	p := filepath.Join(testenv.Root(), ".venv", "bin", "moto_server")
	if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
		return p, nil
	}
	if p, err := exec.LookPath("moto_server"); err == nil {
		return p, nil
	}
	return "", ErrNotInstalled
}

// Start starts moto_server on a free loopback port and returns once it answers HTTP.
//
// The server binds port 0 and the port is read from its own start-up line. A port picked here and
// handed to it could be taken by another test binary's server first (go test runs packages in
// parallel), and this one would then exit while the other answered in its place: two binaries
// resetting one emulator under each other's tests.
func Start() (*Server, error) {
	bin, err := Find()
	if err != nil {
		return nil, err
	}
	s := &Server{done: make(chan struct{}), out: &syncBuffer{}}
	s.cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", "0")
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.SysProcAttr = sysProcAttr()
	// moto must not pick up real credentials or a real endpoint from the developer's environment.
	s.cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing")
	if err := s.cmd.Start(); err != nil {
		return nil, errors.Wrapf(err, "cannot start %s", bin)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(30 * time.Second); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// listening finds the address werkzeug, which serves moto, announces once it has bound its port:
// " * Running on http://127.0.0.1:41234".
var listening = regexp.MustCompile(`Running on (http://127\.0\.0\.1:[0-9]+)`)

func (s *Server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	c := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return errors.Errorf("moto_server exited before it was ready: %v\n%s", s.err, s.out.String())
		default:
		}
		if s.URL == "" {
			if m := listening.FindStringSubmatch(s.out.String()); m != nil {
				s.URL = m[1]
			} else {
				time.Sleep(50 * time.Millisecond)
				continue
			}
		}
		if rsp, err := c.Get(s.URL + "/moto-api/"); err == nil {
			_ = rsp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	if s.URL == "" {
		return errors.Errorf("moto_server did not say where it listens within %s:\n%s", timeout, s.out.String())
	}
	return errors.Errorf("moto_server did not answer within %s:\n%s", timeout, s.out.String())
}

// Reset drops every resource moto holds, in every account and region.
func (s *Server) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/moto-api/reset", nil)
	if err != nil {
		return errors.Wrap(err, "cannot build moto reset request")
	}
	rsp, err := http.DefaultClient.Do(req)
	if err != nil {
		return errors.Wrap(err, "cannot reset moto")
	}
	defer func() { _ = rsp.Body.Close() }()
	if rsp.StatusCode != http.StatusOK {
		return errors.Errorf("cannot reset moto: HTTP %d", rsp.StatusCode)
	}
	return nil
}

// Stop terminates the server, killing it if it does not exit within five seconds.
func (s *Server) Stop() error {
	if s.cmd.Process == nil {
		return nil
	}
	select {
	case <-s.done:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	return nil
}

// Log returns what the server has printed, for diagnosing a failed test.
func (s *Server) Log() string { return s.out.String() }

// Require resets s for a test, or, when moto could not be started (startErr), skips the test
// with the reason, unless the CI environment variable is set, in which case the test fails.
func Require(t testing.TB, s *Server, startErr error) {
	t.Helper()
	if startErr != nil || s == nil {
		if startErr == nil {
			startErr = ErrNotInstalled
		}
		if os.Getenv("CI") != "" {
			t.Fatalf("AWS tests need moto under CI: %v", startErr)
		}
		t.Skipf("skipping AWS test: %v", startErr)
	}
	if err := s.Reset(t.Context()); err != nil {
		t.Fatalf("%v\n%s", err, s.Log())
	}
}

// syncBuffer keeps the last 64 KiB the server printed.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	if over := b.buf.Len() - 64<<10; over > 0 {
		b.buf.Next(over)
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
