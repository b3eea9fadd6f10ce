// Command webhook measures ZoneKeeper's LandingZone validating admission webhook on loopback with
// real TLS: the production handler (admission.Checker, engine.New's built-in policies) served by
// controller-runtime's own webhook server on 127.0.0.1, driven by a Go load generator sending
// AdmissionReview v1 CREATE requests over keep-alive connections.
//
//	go run ./hack/bench/webhook -levels 4,64 -n 20000 -duration 20s -o markdown
//
// The webhook server runs in a child process (this binary re-executed with -serve), so the RSS
// reported is the server's own (VmHWM of its /proc/self/status, reset before each level) and its
// CPU is counted apart from the load generator's. Both still share the machine's CPUs.
package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/manifest"
)

// zonePath and workloadPath are where admission.Setup serves the LandingZone and Workload webhooks
// (the kubebuilder markers' paths).
const (
	zonePath     = "/validate-landingzone-zonekeeper-dev-v1alpha1-landingzone"
	workloadPath = "/validate-landingzone-zonekeeper-dev-v1alpha1-workload"
)

// uidTemplate is replaced in every request body by a fresh UID of the same length.
const uidTemplate = "00000000-0000-4000-8000-000000000000"

func main() {
	o, err := parseFlags()
	if err == nil {
		if o.serve {
			err = serve(o)
		} else {
			err = run(o)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook bench:", err)
		os.Exit(1)
	}
}

type options struct {
	n          int
	duration   time.Duration
	warmup     time.Duration
	levels     []int
	rounds     int
	output     string
	samples    string
	zone       string
	workload   string
	h2         bool
	cpuProfile string
	memProfile string
	serverEnv  []string

	// server mode (the child process)
	serve    bool
	certFile string
	keyFile  string
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func parseFlags() (options, error) {
	var o options
	var levels string
	var env multiFlag
	flag.IntVar(&o.n, "n", 20000, "requests per level (the level also stops at -duration)")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "time limit per level")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "warm-up before each level (same concurrency, not measured)")
	flag.StringVar(&levels, "levels", "4,64", "comma-separated numbers of concurrent clients")
	flag.IntVar(&o.rounds, "rounds", 1, "run every level this many times (one server process throughout)")
	flag.StringVar(&o.output, "o", "text", "output: text or markdown")
	flag.StringVar(&o.samples, "samples", "config/samples", "sample manifests the in-memory API reader holds")
	flag.StringVar(&o.zone, "zone", "dc-mpd-evidence", "sample LandingZone sent (compliant as is, non-compliant with audit.retentionDays 90)")
	flag.StringVar(&o.workload, "workload", "", "send this sample Workload instead of a zone (compliant as is, non-compliant with storage[0].retentionDays 30), e.g. body-worn-video")
	flag.BoolVar(&o.h2, "h2", false, "let the client negotiate HTTP/2 (as kube-apiserver does); default HTTP/1.1, one keep-alive connection per client")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write the server's CPU profile of each level to PREFIX-<clients>c-r<round>.cpu.pprof")
	flag.StringVar(&o.memProfile, "memprofile", "", "write the server's allocation profile after each level to PREFIX-<clients>c-r<round>.allocs.pprof")
	flag.Var(&env, "server-env", "NAME=VALUE added to the server process's environment (repeatable), e.g. GOMEMLIMIT=48MiB")
	flag.BoolVar(&o.serve, "serve", false, "internal: run the webhook server (the child process)")
	flag.StringVar(&o.certFile, "cert", "", "internal: serving certificate (PEM) in -serve mode")
	flag.StringVar(&o.keyFile, "key", "", "internal: serving key (PEM) in -serve mode")
	flag.Parse()
	o.serverEnv = env
	for _, f := range strings.Split(levels, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || c < 1 {
			return o, fmt.Errorf("bad -levels %q", levels)
		}
		o.levels = append(o.levels, c)
	}
	if o.output != "text" && o.output != "markdown" {
		return o, fmt.Errorf("-o must be text or markdown, not %q", o.output)
	}
	if o.n < 1 || o.duration <= 0 || o.rounds < 1 {
		return o, fmt.Errorf("-n, -duration and -rounds must be positive")
	}
	return o, nil
}

func run(o options) error {
	objs, err := manifest.ReadPaths(o.samples)
	if err != nil {
		return err
	}
	kind, name, path := "LandingZone", o.zone, zonePath
	if o.workload != "" {
		kind, name, path = "Workload", o.workload, workloadPath
	}
	var sent *unstructured.Unstructured
	for _, obj := range objs {
		if obj.GetKind() == kind && obj.GetName() == name {
			sent = obj.Unstructured
		}
	}
	if sent == nil {
		return fmt.Errorf("no %s %q in %s", kind, name, o.samples)
	}
	bodies, err := reviewBodies(sent)
	if err != nil {
		return err
	}

	dir, err := os.MkdirTemp("", "zonekeeper-webhook-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir) //nolint:errcheck // a temporary directory
	pool, err := selfSigned(dir)
	if err != nil {
		return err
	}
	srv, err := startServer(o, dir)
	if err != nil {
		return err
	}
	defer srv.close()

	b := &bench{url: "https://" + srv.addr + path, pool: pool, bodies: bodies, h2: o.h2}
	// One request of each kind, checked, before anything is measured.
	if err := b.probe(); err != nil {
		return err
	}

	var results []result
	for round := 1; round <= o.rounds; round++ {
		for _, c := range o.levels {
			fmt.Fprintf(os.Stderr, "round %d, %d clients: warm-up %s, then up to %d requests or %s (load %s)\n", round, c, o.warmup, o.n, o.duration, loadavg())
			r, err := b.level(srv, fmt.Sprintf("%dc-r%d", c, round), c, o.n, o.duration, o.warmup)
			if err != nil {
				return err
			}
			r.round = round
			results = append(results, r)
		}
	}
	return report(os.Stdout, o, results)
}

// server is the child process serving the webhook.
type server struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
	addr  string
}

func startServer(o options, dir string) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve", "-cert", filepath.Join(dir, "tls.crt"), "-key", filepath.Join(dir, "tls.key"),
		"-samples", o.samples, "-cpuprofile", o.cpuProfile, "-memprofile", o.memProfile)
	cmd.Env = append(os.Environ(), o.serverEnv...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	line, err := s.out.ReadString('\n')
	if err != nil {
		s.close()
		return nil, fmt.Errorf("webhook server did not start: %w", err)
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if !ok {
		s.close()
		return nil, fmt.Errorf("webhook server said %q, not listening", line)
	}
	s.addr = addr
	return s, nil
}

func (s *server) start(name string) error {
	_, err := fmt.Fprintf(s.stdin, "start %s\n", name)
	return err
}

func (s *server) stop() (serverStats, error) {
	var st serverStats
	if _, err := fmt.Fprintln(s.stdin, "stop"); err != nil {
		return st, err
	}
	line, err := s.out.ReadString('\n')
	if err != nil {
		return st, fmt.Errorf("webhook server stats: %w", err)
	}
	return st, json.Unmarshal([]byte(line), &st)
}

func (s *server) close() {
	_ = s.stdin.Close() // the server exits when its stdin closes
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// selfSigned writes an ECDSA P-256 certificate for 127.0.0.1 and its key to dir (tls.crt,
// tls.key) and returns a pool trusting it.
func selfSigned(dir string) (*x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "zonekeeper-webhook-bench"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return pool, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close() //nolint:errcheck // only the port number was wanted
	return l.Addr().(*net.TCPAddr).Port, nil
}

// body is one AdmissionReview request and the answer it must get.
type body struct {
	json    []byte
	allowed bool
}

// reviewBodies returns the compliant object and its non-compliant variant: a zone keeping audit
// records 90 days, or a Workload keeping its first storage's records 30 days.
func reviewBodies(obj *unstructured.Unstructured) ([2]body, error) {
	bad := obj.DeepCopy()
	switch obj.GetKind() {
	case "Workload":
		storage, _, err := unstructured.NestedSlice(bad.Object, "spec", "storage")
		if err != nil || len(storage) == 0 {
			return [2]body{}, fmt.Errorf("workload %s has no spec.storage to shorten: %v", obj.GetName(), err)
		}
		storage[0].(map[string]any)["retentionDays"] = int64(30)
		if err := unstructured.SetNestedSlice(bad.Object, storage, "spec", "storage"); err != nil {
			return [2]body{}, err
		}
	default:
		if err := unstructured.SetNestedField(bad.Object, int64(90), "spec", "audit", "retentionDays"); err != nil {
			return [2]body{}, err
		}
	}
	var out [2]body
	for i, z := range []*unstructured.Unstructured{obj, bad} {
		raw, err := z.MarshalJSON()
		if err != nil {
			return out, err
		}
		gvk := lzv1.GroupVersion.WithKind(obj.GetKind())
		gvr := metav1.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: strings.ToLower(gvk.Kind) + "s"}
		kind := metav1.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind}
		dryRun := false
		review := admissionv1.AdmissionReview{
			TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
			Request: &admissionv1.AdmissionRequest{
				UID:             uidTemplate,
				Kind:            kind,
				Resource:        gvr,
				RequestKind:     &kind,
				RequestResource: &gvr,
				Name:            z.GetName(),
				Operation:       admissionv1.Create,
				UserInfo:        authenticationv1.UserInfo{Username: "system:serviceaccount:flux-system:kustomize-controller", Groups: []string{"system:serviceaccounts", "system:authenticated"}},
				Object:          k8sruntime.RawExtension{Raw: raw},
				DryRun:          &dryRun,
				Options:         k8sruntime.RawExtension{Raw: []byte(`{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1","fieldManager":"kustomize-controller"}`)},
			},
		}
		js, err := json.Marshal(review)
		if err != nil {
			return out, err
		}
		out[i] = body{json: js, allowed: i == 0}
	}
	return out, nil
}

type bench struct {
	url    string
	pool   *x509.CertPool
	bodies [2]body
	h2     bool
	proto  string // as the probe saw it
}

func (b *bench) transport(c int) *http.Transport {
	return &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: b.pool, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:   b.h2,
		MaxIdleConns:        c,
		MaxIdleConnsPerHost: c,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
}

// do sends request seq (even: compliant, odd: non-compliant) and checks the answer.
func (b *bench) do(hc *http.Client, worker, seq int) error {
	bd := b.bodies[seq%2]
	uid := fmt.Sprintf("%08x-0000-4000-8000-%012x", worker, seq)
	req, err := http.NewRequest(http.MethodPost, b.url, bytes.NewReader(bytes.Replace(bd.json, []byte(uidTemplate), []byte(uid), 1)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	if b.proto == "" { // the probe, before any concurrent request
		b.proto = resp.Proto
	}
	data, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(data, &review); err != nil {
		return fmt.Errorf("not an AdmissionReview: %v", err)
	}
	switch r := review.Response; {
	case review.APIVersion != "admission.k8s.io/v1" || review.Kind != "AdmissionReview":
		return fmt.Errorf("answer is %s %s, not admission.k8s.io/v1 AdmissionReview", review.APIVersion, review.Kind)
	case r == nil:
		return errors.New("AdmissionReview without response")
	case string(r.UID) != uid:
		return fmt.Errorf("response UID %q for request %q", r.UID, uid)
	case r.Allowed != bd.allowed:
		msg := ""
		if r.Result != nil {
			msg = r.Result.Message
		}
		return fmt.Errorf("allowed=%t, want %t (%s)", r.Allowed, bd.allowed, msg)
	case !r.Allowed && (r.Result == nil || r.Result.Code != http.StatusUnprocessableEntity):
		return fmt.Errorf("denied without a 422 Invalid status: %+v", r.Result)
	}
	return nil
}

func (b *bench) probe() error {
	hc := &http.Client{Transport: b.transport(1), Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()
	for seq := range 2 {
		if err := b.do(hc, 0, seq); err != nil {
			return fmt.Errorf("probe request %d: %w", seq, err)
		}
	}
	return nil
}

type result struct {
	clients      int
	round        int
	proto        string
	requests     int
	errors       int
	firstError   string
	warmRequests int
	warmErrors   int
	elapsed      time.Duration
	latencies    []time.Duration // sorted
	server       serverStats
	clientCPU    time.Duration
	clientRSS    uint64 // the load generator's VmHWM (never reset: its peak so far)
	loadBefore   string
	loadAfter    string
}

// load runs c workers until n requests were issued or d elapsed; it returns the latencies, the
// number of errors and the first error, and the wall time.
func (b *bench) load(hc *http.Client, c, n int, d time.Duration) (lat []time.Duration, errs int, first string, elapsed time.Duration) {
	var issued atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, min(n/c+1, 1<<16))
			var myErrs int
			var myFirst string
			for {
				seq := int(issued.Add(1))
				if seq > n || time.Now().After(deadline) {
					break
				}
				t0 := time.Now()
				err := b.do(hc, w, seq)
				mine = append(mine, time.Since(t0))
				if err != nil {
					myErrs++
					if myFirst == "" {
						myFirst = err.Error()
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += myErrs
			if first == "" {
				first = myFirst
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed = time.Since(start)
	return lat, errs, first, elapsed
}

func (b *bench) level(srv *server, name string, c, n int, d, warmup time.Duration) (result, error) {
	tr := b.transport(c)
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	r := result{clients: c, proto: b.proto}
	if warmup > 0 {
		wl, we, _, _ := b.load(hc, c, 1<<30, warmup)
		r.warmRequests, r.warmErrors = len(wl), we
	}
	if err := srv.start(name); err != nil {
		return r, err
	}
	r.loadBefore = loadavg()
	cpuBefore := cpuTime()
	lat, errs, first, elapsed := b.load(hc, c, n, d)
	r.clientCPU = cpuTime() - cpuBefore
	st, err := srv.stop()
	if err != nil {
		return r, err
	}
	r.server = st
	r.clientRSS = procStatus("VmHWM")
	r.loadAfter = loadavg()
	slices.Sort(lat)
	r.latencies, r.requests, r.errors, r.firstError, r.elapsed = lat, len(lat), errs, first, elapsed
	return r, nil
}

func readMetric(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// procStatus returns a /proc/self/status field in bytes (0 when unreadable).
func procStatus(field string) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (r result) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(float64(len(r.latencies))*p+0.999999) - 1
	return r.latencies[max(0, min(i, len(r.latencies)-1))]
}

func (r result) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// rss is the server's peak RSS in the level: VmHWM when it could be reset before the level, else
// the sampled peak.
func (r result) rss() uint64 {
	if r.server.HWMReset {
		return r.server.HWM
	}
	return max(r.server.RSSPeak, r.server.RSSEnd)
}

func (r result) perReview(d time.Duration) float64 {
	return float64(d.Microseconds()) / float64(max(r.requests, 1))
}

// targets judges the level against the targets.
func (r result) targets() string {
	const mib = 1 << 20
	var miss []string
	if r.errors > 0 {
		miss = append(miss, "errors")
	}
	switch {
	case r.clients == 4 && r.pct(0.99) > 3*time.Millisecond:
		miss = append(miss, "p99 > 3 ms")
	case r.clients == 64:
		if r.rate() < 5000 {
			miss = append(miss, "< 5,000/s")
		}
		if r.pct(0.99) > 30*time.Millisecond {
			miss = append(miss, "p99 > 30 ms")
		}
	case r.clients != 4:
		return "no target"
	}
	if r.rss() > 64*mib {
		miss = append(miss, "RSS > 64 MiB")
	}
	if len(miss) == 0 {
		return "met"
	}
	return "not met: " + strings.Join(miss, ", ")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

func mibs(b uint64) string { return fmt.Sprintf("%.1f", float64(b)/(1<<20)) }

func memLimit(l int64) string {
	if l <= 0 || l == math.MaxInt64 {
		return "none"
	}
	return mibs(uint64(l)) + " MiB"
}

func classes(c map[string]uint64) string {
	names := slices.Sorted(maps.Keys(c))
	var b strings.Builder
	for _, n := range names {
		if c[n] >= 1<<20 && n != "total" {
			fmt.Fprintf(&b, " %s %s", n, mibs(c[n]))
		}
	}
	return b.String()
}

// report writes the results to out in one write, so that its error is the only one to check.
func report(out io.Writer, o options, results []result) error {
	var b strings.Builder
	w := &b
	if o.workload != "" {
		fmt.Fprintf(w, "ZoneKeeper admission webhook, Workload %q (compliant / storage[0].retentionDays 30, alternating), AdmissionReview v1 CREATE\n", o.workload)
	} else {
		fmt.Fprintf(w, "ZoneKeeper admission webhook, LandingZone %q (compliant / audit.retentionDays 90, alternating), AdmissionReview v1 CREATE\n", o.zone)
	}
	fmt.Fprintf(w, "%s %s/%s, GOMAXPROCS %d, NumCPU %d; TLS 1.3 ECDSA P-256 on 127.0.0.1; server in its own process (RSS and CPU are its own), load generator apart\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU())
	if len(results) > 0 {
		st := results[0].server
		fmt.Fprintf(w, "server: GOGC %q, memory limit %s; extra environment %q\n", st.GOGC, memLimit(st.MemLimit), o.serverEnv)
	}
	fmt.Fprintf(w, "per level: warm-up %s, then %d requests or %s, whichever first; %d round(s)\n\n", o.warmup, o.n, o.duration, o.rounds)
	if o.output == "markdown" {
		fmt.Fprintln(w, "| clients | round | protocol | requests | errors | reviews/s | p50 ms | p90 ms | p99 ms | max ms | server peak RSS MiB | server heap peak MiB | server GCs | server CPU µs/review | client CPU µs/review | load avg before → after | targets |")
		fmt.Fprintln(w, "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
		for _, r := range results {
			fmt.Fprintf(w, "| %d | %d | %s | %d | %d | %.0f | %s | %s | %s | %s | %s | %s | %d | %.0f | %.0f | %s → %s | %s |\n",
				r.clients, r.round, r.proto, r.requests, r.errors, r.rate(), ms(r.pct(0.5)), ms(r.pct(0.9)), ms(r.pct(0.99)), ms(r.pct(1)),
				mibs(r.rss()), mibs(r.server.HeapPeak), r.server.GCs, r.perReview(r.server.CPU), r.perReview(r.clientCPU),
				r.loadBefore, r.loadAfter, r.targets())
		}
	} else {
		for _, r := range results {
			fmt.Fprintf(w, "clients %d, round %d (%s): %d requests in %s, %d errors, %.0f reviews/s\n", r.clients, r.round, r.proto, r.requests, r.elapsed.Round(time.Millisecond), r.errors, r.rate())
			fmt.Fprintf(w, "  latency ms: p50 %s  p90 %s  p99 %s  max %s\n", ms(r.pct(0.5)), ms(r.pct(0.9)), ms(r.pct(0.99)), ms(r.pct(1)))
			fmt.Fprintf(w, "  server memory MiB: peak RSS %s (VmHWM reset: %t)  RSS end %s (anon %s, file %s)  heap peak %s  heap end %s  Go total %s; %d GCs; %d goroutines\n",
				mibs(r.rss()), r.server.HWMReset, mibs(r.server.RSSEnd), mibs(r.server.AnonEnd), mibs(r.server.FileEnd), mibs(r.server.HeapPeak), mibs(r.server.HeapEnd), mibs(r.server.GoTotal), r.server.GCs, r.server.Goroutines)
			fmt.Fprintf(w, "  CPU µs/review: server %.0f, load generator %.0f (peak RSS %s MiB); load avg %s → %s; warm-up %d requests, %d errors\n",
				r.perReview(r.server.CPU), r.perReview(r.clientCPU), mibs(r.clientRSS), r.loadBefore, r.loadAfter, r.warmRequests, r.warmErrors)
			fmt.Fprintf(w, "  server Go memory classes MiB at the end:%s\n", classes(r.server.Classes))
			fmt.Fprintf(w, "  targets: %s\n", r.targets())
		}
	}
	for _, r := range results {
		if r.firstError != "" {
			fmt.Fprintf(w, "\nclients %d, round %d: first error: %s\n", r.clients, r.round, r.firstError)
		}
	}
	_, err := io.WriteString(out, b.String())
	return err
}
