// Command webhook measures ZoneKeeper's LandingZone validating admission webhook on loopback with
// real TLS: the production handler (admission.Checker, engine.New's built-in policies) served by
// controller-runtime's own webhook server on 127.0.0.1, driven by an in-process Go load generator
// sending AdmissionReview v1 CREATE requests over keep-alive connections.
//
//	go run ./hack/bench/webhook -levels 4,64 -n 20000 -duration 20s -o markdown
//
// The server runs in this process, so the RSS reported (VmHWM, VmRSS of /proc/self/status) is the
// server's plus the load generator's, and both share the machine's CPUs.
package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/admission"
	"github.com/zonekeeper/zonekeeper/internal/cli"
	"github.com/zonekeeper/zonekeeper/internal/compliance"
	"github.com/zonekeeper/zonekeeper/internal/manifest"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// path is where Setup's builder registers the LandingZone webhook (see the kubebuilder marker).
const path = "/validate-landingzone-zonekeeper-dev-v1alpha1-landingzone"

// uidTemplate is replaced in every request body by a fresh UID of the same length.
const uidTemplate = "00000000-0000-4000-8000-000000000000"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "webhook bench:", err)
		os.Exit(1)
	}
}

type options struct {
	n        int
	duration time.Duration
	warmup   time.Duration
	levels   []int
	output   string
	samples  string
	zone     string
	h2       bool
}

func parseFlags() (options, error) {
	var o options
	var levels string
	flag.IntVar(&o.n, "n", 20000, "requests per level (the level also stops at -duration)")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "time limit per level")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "warm-up before each level (same concurrency, not measured)")
	flag.StringVar(&levels, "levels", "4,64", "comma-separated numbers of concurrent clients")
	flag.StringVar(&o.output, "o", "text", "output: text or markdown")
	flag.StringVar(&o.samples, "samples", "config/samples", "sample manifests the in-memory API reader holds")
	flag.StringVar(&o.zone, "zone", "dc-mpd-evidence", "sample LandingZone sent (compliant as is, non-compliant with audit.retentionDays 90)")
	flag.BoolVar(&o.h2, "h2", false, "let the client negotiate HTTP/2 (as kube-apiserver does); default HTTP/1.1, one keep-alive connection per client")
	flag.Parse()
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
	if o.n < 1 || o.duration <= 0 {
		return o, fmt.Errorf("-n and -duration must be positive")
	}
	return o, nil
}

func run() error {
	o, err := parseFlags()
	if err != nil {
		return err
	}
	ctrllog.SetLogger(logr.Discard())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	scheme := cli.Scheme()
	objs, err := manifest.ReadPaths(o.samples)
	if err != nil {
		return err
	}
	reader, err := newMemReader(scheme, objs)
	if err != nil {
		return err
	}
	var zone *unstructured.Unstructured
	for _, obj := range objs {
		if obj.GetKind() == "LandingZone" && obj.GetName() == o.zone {
			zone = obj.Unstructured
		}
	}
	if zone == nil {
		return fmt.Errorf("no LandingZone %q in %s", o.zone, o.samples)
	}

	// As the manager builds it (internal/cli): default enforcement and timeout, metrics recorded.
	eng, err := engine.New(ctx)
	if err != nil {
		return err
	}
	checker := &admission.Checker{
		Engine: eng,
		Reader: reader,
		Record: func(kind string, v engine.Verdict) {
			result := compliance.ResultCompliant
			if len(v.Violations) > 0 {
				result = compliance.ResultViolations
			}
			compliance.CountEvaluation(kind, compliance.SourceAdmission, result)
		},
	}

	cert, pool, err := selfSigned()
	if err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	// controller-runtime's webhook server, as the manager runs it, with the certificate in memory.
	srv := webhook.NewServer(webhook.Options{
		Host: "127.0.0.1",
		Port: port,
		TLSOpts: []func(*tls.Config){func(c *tls.Config) {
			c.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return cert, nil }
		}},
	})
	srv.Register(path, admission.NewLandingZoneWebhook(scheme, checker))
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Start(ctx) }()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := waitListening(addr, pool, srvErr); err != nil {
		return err
	}

	bodies, err := reviewBodies(zone)
	if err != nil {
		return err
	}
	b := &bench{url: "https://" + addr + path, pool: pool, bodies: bodies, h2: o.h2}

	// One request of each kind, checked, before anything is measured.
	if err := b.probe(); err != nil {
		return err
	}

	var results []result
	for _, c := range o.levels {
		fmt.Fprintf(os.Stderr, "level %d clients: warm-up %s, then up to %d requests or %s\n", c, o.warmup, o.n, o.duration)
		results = append(results, b.level(c, o.n, o.duration, o.warmup))
	}
	report(os.Stdout, o, results)
	return nil
}

// memReader is the client.Reader the Checker reads through: a fixed set of sample objects,
// deep-copied on every read as controller-runtime's cache does.
type memReader struct {
	classifications map[string]*lzv1.DataClassification
	zones           map[string]*lzv1.LandingZone
	workloads       []lzv1.Workload
}

func newMemReader(scheme *k8sruntime.Scheme, objs []manifest.Object) (*memReader, error) {
	r := &memReader{classifications: map[string]*lzv1.DataClassification{}, zones: map[string]*lzv1.LandingZone{}}
	for _, obj := range objs {
		typed, err := scheme.New(obj.GroupVersionKind())
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", obj.File, obj.Line, err)
		}
		if err := k8sruntime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, typed); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", obj.File, obj.Line, err)
		}
		switch t := typed.(type) {
		case *lzv1.DataClassification:
			r.classifications[t.Name] = t
		case *lzv1.LandingZone:
			r.zones[t.Name] = t
		case *lzv1.Workload:
			r.workloads = append(r.workloads, *t)
		}
	}
	return r, nil
}

func notFound(resource, name string) error {
	return apierrors.NewNotFound(schema.GroupResource{Group: lzv1.GroupVersion.Group, Resource: resource}, name)
}

func (r *memReader) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	switch o := obj.(type) {
	case *lzv1.DataClassification:
		src, ok := r.classifications[key.Name]
		if !ok {
			return notFound("dataclassifications", key.Name)
		}
		src.DeepCopyInto(o)
	case *lzv1.LandingZone:
		src, ok := r.zones[key.Name]
		if !ok {
			return notFound("landingzones", key.Name)
		}
		src.DeepCopyInto(o)
	default:
		return fmt.Errorf("memReader: cannot get %T", obj)
	}
	return nil
}

func (r *memReader) List(_ context.Context, list client.ObjectList, _ ...client.ListOption) error {
	switch l := list.(type) {
	case *lzv1.WorkloadList:
		l.Items = make([]lzv1.Workload, len(r.workloads))
		for i := range r.workloads {
			r.workloads[i].DeepCopyInto(&l.Items[i])
		}
	case *policyv1.PolicyExceptionList:
		l.Items = nil
	default:
		return fmt.Errorf("memReader: cannot list %T", list)
	}
	return nil
}

// selfSigned returns an ECDSA P-256 certificate for 127.0.0.1 and a pool trusting it.
func selfSigned() (*tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
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
		return nil, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close() //nolint:errcheck // only the port number was wanted
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitListening(addr string, pool *x509.CertPool, srvErr <-chan error) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-srvErr:
			return fmt.Errorf("webhook server stopped: %v", err)
		default:
		}
		d := &net.Dialer{Timeout: time.Second}
		if c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{RootCAs: pool}); err == nil {
			_ = c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("webhook server not listening on %s", addr)
}

// body is one AdmissionReview request and the answer it must get.
type body struct {
	json    []byte
	allowed bool
}

// reviewBodies returns the compliant zone and its non-compliant variant (audit retention 90 days).
func reviewBodies(zone *unstructured.Unstructured) ([2]body, error) {
	bad := zone.DeepCopy()
	if err := unstructured.SetNestedField(bad.Object, int64(90), "spec", "audit", "retentionDays"); err != nil {
		return [2]body{}, err
	}
	var out [2]body
	for i, z := range []*unstructured.Unstructured{zone, bad} {
		raw, err := z.MarshalJSON()
		if err != nil {
			return out, err
		}
		gvk := lzv1.GroupVersion.WithKind("LandingZone")
		gvr := metav1.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: "landingzones"}
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
		return fmt.Errorf("AdmissionReview without response")
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
	proto        string
	requests     int
	errors       int
	firstError   string
	warmRequests int
	warmErrors   int
	elapsed      time.Duration
	latencies    []time.Duration // sorted
	hwm, rssEnd  uint64          // bytes
	rssPeak      uint64          // sampled VmRSS, when VmHWM could not be reset
	hwmReset     bool
	heapPeak     uint64 // sampled live+unswept heap objects
	heapEnd      uint64
	goTotal      uint64 // all memory mapped by the Go runtime, at the end
	gcs          uint64
	cpu          time.Duration
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

func (b *bench) level(c, n int, d, warmup time.Duration) result {
	tr := b.transport(c)
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	r := result{clients: c, proto: b.proto}
	if warmup > 0 {
		wl, we, _, _ := b.load(hc, c, 1<<30, warmup)
		r.warmRequests, r.warmErrors = len(wl), we
	}

	r.hwmReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	r.loadBefore = loadavg()
	gcBefore := readMetric("/gc/cycles/total:gc-cycles")
	cpuBefore := cpuTime()
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if h := readMetric("/memory/classes/heap/objects:bytes"); h > r.heapPeak {
				r.heapPeak = h
			}
			if rss := procStatus("VmRSS"); rss > r.rssPeak {
				r.rssPeak = rss
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	lat, errs, first, elapsed := b.load(hc, c, n, d)
	close(stop)
	<-sampled
	r.cpu = cpuTime() - cpuBefore
	r.gcs = readMetric("/gc/cycles/total:gc-cycles") - gcBefore
	r.hwm, r.rssEnd = procStatus("VmHWM"), procStatus("VmRSS")
	r.heapEnd = readMetric("/memory/classes/heap/objects:bytes")
	r.goTotal = readMetric("/memory/classes/total:bytes")
	r.loadAfter = loadavg()
	slices.Sort(lat)
	r.latencies, r.requests, r.errors, r.firstError, r.elapsed = lat, len(lat), errs, first, elapsed
	return r
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

// rss is the level's peak RSS: VmHWM when it could be reset before the level, else the sampled peak.
func (r result) rss() uint64 {
	if r.hwmReset {
		return r.hwm
	}
	return max(r.rssPeak, r.rssEnd)
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

func report(w io.Writer, o options, results []result) {
	fmt.Fprintf(w, "ZoneKeeper admission webhook, LandingZone %q (compliant / audit.retentionDays 90, alternating), AdmissionReview v1 CREATE\n", o.zone)
	fmt.Fprintf(w, "%s %s/%s, GOMAXPROCS %d, NumCPU %d; TLS 1.3 ECDSA P-256 on 127.0.0.1; server and load generator in one process (RSS and CPU are both)\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU())
	fmt.Fprintf(w, "per level: warm-up %s, then %d requests or %s, whichever first\n\n", o.warmup, o.n, o.duration)
	if o.output == "markdown" {
		fmt.Fprintln(w, "| clients | protocol | requests | errors | reviews/s | p50 ms | p90 ms | p99 ms | max ms | peak RSS MiB | RSS end MiB | heap peak MiB | Go total MiB | GCs | CPU µs/review | load avg before → after | targets |")
		fmt.Fprintln(w, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
		for _, r := range results {
			fmt.Fprintf(w, "| %d | %s | %d | %d | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %d | %.0f | %s → %s | %s |\n",
				r.clients, r.proto, r.requests, r.errors, r.rate(), ms(r.pct(0.5)), ms(r.pct(0.9)), ms(r.pct(0.99)), ms(r.pct(1)),
				mibs(r.rss()), mibs(r.rssEnd), mibs(r.heapPeak), mibs(r.goTotal), r.gcs, float64(r.cpu.Microseconds())/float64(max(r.requests, 1)),
				r.loadBefore, r.loadAfter, r.targets())
		}
	} else {
		for _, r := range results {
			fmt.Fprintf(w, "clients %d (%s): %d requests in %s, %d errors, %.0f reviews/s\n", r.clients, r.proto, r.requests, r.elapsed.Round(time.Millisecond), r.errors, r.rate())
			fmt.Fprintf(w, "  latency ms: p50 %s  p90 %s  p99 %s  max %s\n", ms(r.pct(0.5)), ms(r.pct(0.9)), ms(r.pct(0.99)), ms(r.pct(1)))
			fmt.Fprintf(w, "  memory MiB: peak RSS %s (VmHWM reset: %t)  RSS end %s  heap peak %s  heap end %s  Go total %s; %d GCs\n",
				mibs(r.rss()), r.hwmReset, mibs(r.rssEnd), mibs(r.heapPeak), mibs(r.heapEnd), mibs(r.goTotal), r.gcs)
			fmt.Fprintf(w, "  CPU %.0f µs/review (process); load avg %s → %s; warm-up %d requests, %d errors\n",
				float64(r.cpu.Microseconds())/float64(max(r.requests, 1)), r.loadBefore, r.loadAfter, r.warmRequests, r.warmErrors)
			fmt.Fprintf(w, "  targets: %s\n", r.targets())
		}
	}
	for _, r := range results {
		if r.firstError != "" {
			fmt.Fprintf(w, "\nclients %d: first error: %s\n", r.clients, r.firstError)
		}
	}
}
