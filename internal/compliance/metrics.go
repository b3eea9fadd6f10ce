package compliance

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/zonekeeper/zonekeeper/policies/engine"
)

var (
	violationsGauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "zonekeeper_compliance_violations",
		Help: "Violations found by the latest evaluation of every object, by kind, baseline, control and enforcement action.",
	}, []string{"kind", "baseline", "control", "enforcement_action"})

	evaluationsCounter = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "zonekeeper_compliance_evaluations_total",
		Help: "Policy evaluations, by kind, where they ran (reconciler or admission) and their result (compliant, violations, error).",
	}, []string{"kind", "source", "result"})
)

func init() {
	metrics.Registry.MustRegister(violationsGauge, evaluationsCounter)
}

// Evaluation results and sources, as metric label values.
const (
	ResultCompliant  = "compliant"
	ResultViolations = "violations"
	ResultError      = "error"

	SourceReconciler = "reconciler"
	SourceAdmission  = "admission"
)

// CountEvaluation counts one evaluation.
func CountEvaluation(kind, source, result string) {
	evaluationsCounter.WithLabelValues(kind, source, result).Inc()
}

// CountAdmission counts one evaluation at admission by its verdict: the admission.Checker's Record
// wherever the webhook is served.
func CountAdmission(kind string, v engine.Verdict) {
	result := ResultCompliant
	if len(v.Violations) > 0 {
		result = ResultViolations
	}
	CountEvaluation(kind, SourceAdmission, result)
}

type violationKey struct{ kind, baseline, control, action string }

// standing is the violations gauge's value per series, so that a series whose count falls to zero
// is removed rather than left at zero: controls, custom policies and enforcement actions come and
// go, and a series for each one ever seen would grow without bound. It is shared by every Tracker,
// as the gauge is.
var standing = struct {
	sync.Mutex
	n map[violationKey]int
}{n: map[violationKey]int{}}

// add moves each series of the gauge by its delta.
func add(deltas map[violationKey]int) {
	standing.Lock()
	defer standing.Unlock()
	for k, d := range deltas {
		if d == 0 {
			continue
		}
		n := standing.n[k] + d
		if n <= 0 {
			delete(standing.n, k)
			violationsGauge.DeleteLabelValues(k.kind, k.baseline, k.control, k.action)
			continue
		}
		standing.n[k] = n
		violationsGauge.WithLabelValues(k.kind, k.baseline, k.control, k.action).Set(float64(n))
	}
}

// Tracker keeps the violations gauge equal to the sum of every object's latest verdict: each
// object's previous contribution is taken away before its new one is added, so the gauge says how
// many violations stand now, not how many were ever seen.
type Tracker struct {
	mu       sync.Mutex
	byObject map[string]map[violationKey]int
}

// NewTracker returns an empty tracker.
func NewTracker() *Tracker {
	return &Tracker{byObject: map[string]map[violationKey]int{}}
}

// Observe records the violations of object (kind/namespace/name) as its latest verdict.
func (t *Tracker) Observe(kind, object string, vs []engine.Violation) {
	now := map[violationKey]int{}
	for _, v := range vs {
		now[violationKey{kind, v.Baseline, v.Control, v.EnforcementAction}]++
	}
	t.replace(kind+"/"+object, now)
}

// Forget removes a deleted object's violations.
func (t *Tracker) Forget(kind, object string) {
	t.replace(kind+"/"+object, nil)
}

func (t *Tracker) replace(id string, now map[violationKey]int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	deltas := make(map[violationKey]int, len(now)+len(t.byObject[id]))
	for k, n := range t.byObject[id] {
		deltas[k] -= n
	}
	for k, n := range now {
		deltas[k] += n
	}
	add(deltas)
	if len(now) == 0 {
		delete(t.byObject, id)
		return
	}
	t.byObject[id] = now
}
