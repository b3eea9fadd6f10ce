package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/admission"
	"github.com/zonekeeper/zonekeeper/internal/compliance"
	"github.com/zonekeeper/zonekeeper/internal/manifest"
	"github.com/zonekeeper/zonekeeper/internal/webhookserver"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// serverStats is what the server process reports for one measured window, as one JSON line.
type serverStats struct {
	CPU        time.Duration `json:"cpu"`        // user+system CPU of the server process
	HWM        uint64        `json:"hwm"`        // VmHWM, reset at the window's start
	HWMReset   bool          `json:"hwmReset"`   // whether VmHWM could be reset
	RSSPeak    uint64        `json:"rssPeak"`    // sampled VmRSS
	RSSEnd     uint64        `json:"rssEnd"`     // VmRSS at the end
	AnonEnd    uint64        `json:"anonEnd"`    // RssAnon at the end (heap, stacks: what the process allocated)
	FileEnd    uint64        `json:"fileEnd"`    // RssFile at the end (the executable's pages mapped in)
	HeapPeak   uint64        `json:"heapPeak"`   // sampled live+unswept heap objects
	HeapEnd    uint64        `json:"heapEnd"`    // heap objects at the end
	GoTotal    uint64        `json:"goTotal"`    // all memory mapped by the Go runtime, at the end
	GCs        uint64        `json:"gcs"`        // GC cycles in the window
	MemLimit   int64         `json:"memLimit"`   // the soft memory limit in force (math.MaxInt64: none)
	GOGC       string        `json:"gogc"`       // GOGC as set in the environment
	Goroutines int           `json:"goroutines"` // at the end
	// Classes is the Go runtime's account of the memory it maps, by class (runtime/metrics
	// /memory/classes/...), at the end, in bytes.
	Classes map[string]uint64 `json:"classes"`
}

// memoryClasses reads every /memory/classes/ metric.
func memoryClasses() map[string]uint64 {
	var samples []metrics.Sample
	for _, d := range metrics.All() {
		if strings.HasPrefix(d.Name, "/memory/classes/") && d.Kind == metrics.KindUint64 {
			samples = append(samples, metrics.Sample{Name: d.Name})
		}
	}
	metrics.Read(samples)
	out := make(map[string]uint64, len(samples))
	for _, s := range samples {
		out[strings.TrimSuffix(strings.TrimPrefix(s.Name, "/memory/classes/"), ":bytes")] = s.Value.Uint64()
	}
	return out
}

// serve runs the webhook server in this process (the child the load generator starts): it reads
// the serving certificate from certFile and keyFile, prints "listening ADDR" on stdout, then
// obeys commands on stdin, one a line, until stdin closes:
//
//	start NAME  begin a measured window (reset VmHWM, note CPU and GCs, start a CPU profile)
//	stop        end it, print serverStats as one JSON line (and write the profiles)
func serve(o options) error {
	ctrllog.SetLogger(logr.Discard())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The webhook binary's scheme; this process links what cmd/zonekeeper-webhook links.
	scheme := webhookserver.Scheme()
	objs, err := manifest.ReadPaths(o.samples)
	if err != nil {
		return err
	}
	reader, err := newMemReader(scheme, objs)
	if err != nil {
		return err
	}
	// As the webhook binary builds it (internal/webhookserver): default enforcement and timeout,
	// metrics recorded.
	eng, err := engine.New(ctx)
	if err != nil {
		return err
	}
	checker := &admission.Checker{Engine: eng, Reader: reader, Record: compliance.CountAdmission}
	cert, err := tls.LoadX509KeyPair(o.certFile, o.keyFile)
	if err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	// controller-runtime's webhook server, as the webhook binary runs it, with the certificate in
	// memory.
	srv := webhook.NewServer(webhook.Options{
		Host: "127.0.0.1",
		Port: port,
		TLSOpts: []func(*tls.Config){func(c *tls.Config) {
			c.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return &cert, nil }
		}},
	})
	srv.Register(zonePath, admission.NewLandingZoneWebhook(scheme, checker))
	srv.Register(workloadPath, admission.NewWorkloadWebhook(scheme, checker))
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Start(ctx) }()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := waitListening(addr, srvErr); err != nil {
		return err
	}
	fmt.Printf("listening %s\n", addr)

	var w *window
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		cmd, arg, _ := strings.Cut(in.Text(), " ")
		switch cmd {
		case "start":
			if w, err = startWindow(o, arg); err != nil {
				return err
			}
		case "stop":
			if w == nil {
				return fmt.Errorf("stop without start")
			}
			st, err := w.stop(o)
			if err != nil {
				return err
			}
			if err := json.NewEncoder(os.Stdout).Encode(st); err != nil {
				return err
			}
			w = nil
		default:
			return fmt.Errorf("unknown command %q", in.Text())
		}
	}
	return in.Err()
}

// window is one measured window in the server process.
type window struct {
	name      string
	cpuBefore time.Duration
	gcBefore  uint64
	hwmReset  bool
	profile   *os.File
	stopped   chan struct{}
	sampled   chan struct{}
	heapPeak  uint64
	rssPeak   uint64
}

func startWindow(o options, name string) (*window, error) {
	w := &window{name: name, stopped: make(chan struct{}), sampled: make(chan struct{})}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile + "-" + name + ".cpu.pprof")
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		w.profile = f
	}
	runtime.GC() // start every window from the same heap
	w.hwmReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	w.gcBefore = readMetric("/gc/cycles/total:gc-cycles")
	w.cpuBefore = cpuTime()
	go func() {
		defer close(w.sampled)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			w.heapPeak = max(w.heapPeak, readMetric("/memory/classes/heap/objects:bytes"))
			w.rssPeak = max(w.rssPeak, procStatus("VmRSS"))
			select {
			case <-w.stopped:
				return
			case <-t.C:
			}
		}
	}()
	return w, nil
}

func (w *window) stop(o options) (serverStats, error) {
	cpu := cpuTime() - w.cpuBefore
	close(w.stopped)
	<-w.sampled
	st := serverStats{
		CPU: cpu, HWM: procStatus("VmHWM"), HWMReset: w.hwmReset, RSSPeak: w.rssPeak, RSSEnd: procStatus("VmRSS"),
		AnonEnd: procStatus("RssAnon"), FileEnd: procStatus("RssFile"),
		HeapPeak: w.heapPeak, HeapEnd: readMetric("/memory/classes/heap/objects:bytes"),
		GoTotal: readMetric("/memory/classes/total:bytes"), GCs: readMetric("/gc/cycles/total:gc-cycles") - w.gcBefore,
		MemLimit: debug.SetMemoryLimit(-1), GOGC: os.Getenv("GOGC"), Goroutines: runtime.NumGoroutine(),
		Classes: memoryClasses(),
	}
	if w.profile != nil {
		pprof.StopCPUProfile()
		if err := w.profile.Close(); err != nil {
			return st, err
		}
	}
	if o.memProfile != "" {
		if err := writeProfile("allocs", o.memProfile+"-"+w.name+".allocs.pprof"); err != nil {
			return st, err
		}
	}
	return st, nil
}

func writeProfile(name, file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// memReader is the client.Reader the Checker reads through: a fixed set of sample objects,
// deep-copied on every read as controller-runtime's cache does, unless the read asks for
// client.UnsafeDisableDeepCopy, as the cache honours it too.
type memReader struct {
	classifications map[string]*lzv1.DataClassification
	zones           map[string]*lzv1.LandingZone
	workloads       []*lzv1.Workload
	namespaces      map[string]*corev1.Namespace // a zone counts the workloads of those it admits
}

func newMemReader(scheme *k8sruntime.Scheme, objs []manifest.Object) (*memReader, error) {
	r := &memReader{classifications: map[string]*lzv1.DataClassification{}, zones: map[string]*lzv1.LandingZone{}, namespaces: map[string]*corev1.Namespace{}}
	for i, obj := range objs {
		typed, err := scheme.New(obj.GroupVersionKind())
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", obj.File, obj.Line, err)
		}
		if err := k8sruntime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, typed); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", obj.File, obj.Line, err)
		}
		// As the API server would have them: a UID and a resourceVersion.
		mo := typed.(client.Object)
		mo.SetUID(types.UID(fmt.Sprintf("00000000-0000-4000-9000-%012d", i)))
		mo.SetResourceVersion(strconv.Itoa(1000 + i))
		switch t := typed.(type) {
		case *lzv1.DataClassification:
			r.classifications[t.Name] = t
		case *lzv1.LandingZone:
			r.zones[t.Name] = t
		case *lzv1.Workload:
			r.workloads = append(r.workloads, t)
		case *corev1.Namespace:
			r.namespaces[t.Name] = t
		}
	}
	return r, nil
}

func notFound(resource, name string) error {
	return apierrors.NewNotFound(schema.GroupResource{Group: lzv1.GroupVersion.Group, Resource: resource}, name)
}

func (r *memReader) Get(_ context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	var o client.GetOptions
	o.ApplyOptions(opts)
	shallow := o.UnsafeDisableDeepCopy != nil && *o.UnsafeDisableDeepCopy
	switch out := obj.(type) {
	case *lzv1.DataClassification:
		src, ok := r.classifications[key.Name]
		if !ok {
			return notFound("dataclassifications", key.Name)
		}
		if shallow {
			*out = *src
		} else {
			src.DeepCopyInto(out)
		}
	case *lzv1.LandingZone:
		src, ok := r.zones[key.Name]
		if !ok {
			return notFound("landingzones", key.Name)
		}
		if shallow {
			*out = *src
		} else {
			src.DeepCopyInto(out)
		}
	case *corev1.Namespace:
		src, ok := r.namespaces[key.Name]
		if !ok {
			return apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, key.Name)
		}
		if shallow {
			*out = *src
		} else {
			src.DeepCopyInto(out)
		}
	default:
		return fmt.Errorf("memReader: cannot get %T", obj)
	}
	return nil
}

func (r *memReader) List(_ context.Context, list client.ObjectList, opts ...client.ListOption) error {
	var o client.ListOptions
	o.ApplyOptions(opts)
	shallow := o.UnsafeDisableDeepCopy != nil && *o.UnsafeDisableDeepCopy
	switch l := list.(type) {
	case *lzv1.WorkloadList:
		l.Items = make([]lzv1.Workload, len(r.workloads))
		for i, wl := range r.workloads {
			if shallow {
				l.Items[i] = *wl
			} else {
				wl.DeepCopyInto(&l.Items[i])
			}
		}
	case *policyv1.PolicyExceptionList:
		l.Items = nil
	default:
		return fmt.Errorf("memReader: cannot list %T", list)
	}
	return nil
}

func waitListening(addr string, srvErr <-chan error) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-srvErr:
			return fmt.Errorf("webhook server stopped: %v", err)
		default:
		}
		// A full handshake, so the server logs no handshake error for a bare TCP probe.
		d := &net.Dialer{Timeout: time.Second}
		if c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{InsecureSkipVerify: true}); err == nil { //nolint:gosec // only probing that it listens
			_ = c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("webhook server not listening on %s", addr)
}
