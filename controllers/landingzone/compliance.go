package landingzone

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/compliance"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// +kubebuilder:rbac:groups=policy.zonekeeper.dev,resources=policyexceptions;compliancepolicies,verbs=get;list;watch

// evaluationRetry is how soon an evaluation that failed is tried again. Failures are nearly
// always a policy or baseline to fix, which the watches on policies bring back at once; the
// retry only covers a transient deadline.
const evaluationRetry = 5 * time.Minute

// maxMessage bounds the Compliant condition's message; status.compliance holds every violation.
const maxMessage = 2048

// Evaluator runs the compliance policies over a zone or workload on every reconcile, with the same
// input and engine the admission webhook uses.
type Evaluator struct {
	Engine  *engine.Engine
	Tracker *compliance.Tracker
	// Now is the clock exceptions expire against; time.Now when nil.
	Now func() time.Time
}

func (e *Evaluator) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// evaluate sets the Compliant condition and returns status.compliance and when to look again: at
// the earliest expiry of an exception that waived something, so the waiver's end shows in status
// at once rather than at the next unrelated change.
//
// plan and observed are the managed resources the object composes and their observed state; nil
// when it composes nothing (yet).
func (e *Evaluator) evaluate(ctx context.Context, c client.Reader, obj client.Object, kind string, plan, observed []map[string]any, cond conditions) (*lzv1.ComplianceStatus, ctrl.Result) {
	log := ctrl.LoggerFrom(ctx)
	in, err := compliance.Input(ctx, compliance.ClientResolver{Reader: c, ZoneIndex: indexWorkloadByZone}, obj)
	if err == nil {
		if plan != nil {
			in.Plan = plan
		}
		if observed != nil {
			in.Observed = observed
		}
		var v engine.Verdict
		pes := &policyv1.PolicyExceptionList{}
		if err = c.List(ctx, pes); err == nil {
			now := e.now()
			// A failing warn or audit policy is left out and named in Compliant, as at admission:
			// it may not hold back provisioning, nor hide the verdict of every other policy.
			opts := engine.Options{Exceptions: compliance.Exceptions(pes.Items), Now: now, IsolateAdvisoryErrors: true}
			if v, err = e.Engine.Evaluate(ctx, in, opts); err == nil {
				return e.report(kind, obj, in, v, cond), requeueAtExpiry(v, pes.Items, now)
			}
		}
	}
	compliance.CountEvaluation(kind, compliance.SourceReconciler, compliance.ResultError)
	log.Info("cannot evaluate compliance", "error", err.Error())
	cond.set(lzv1.ConditionCompliant, metav1.ConditionUnknown, lzv1.ReasonEvaluationError, errors.Wrap(err, "cannot evaluate compliance policies").Error())
	return nil, ctrl.Result{RequeueAfter: evaluationRetry}
}

func (e *Evaluator) report(kind string, obj client.Object, in engine.Input, v engine.Verdict, cond conditions) *lzv1.ComplianceStatus {
	baselines := engine.ApplicableBaselines(in)
	if e.Tracker != nil {
		e.Tracker.Observe(kind, client.ObjectKeyFromObject(obj).String(), v.Violations)
	}
	if len(v.Violations) == 0 {
		compliance.CountEvaluation(kind, compliance.SourceReconciler, compliance.ResultCompliant)
		msg := "no compliance baseline applies"
		if len(baselines) > 0 {
			msg = fmt.Sprintf("passes %s", strings.Join(baselines, ", "))
		}
		if len(v.Waived) > 0 {
			msg += fmt.Sprintf(" (%d violations waived by PolicyExceptions; see status.compliance.waived)", len(v.Waived))
		}
		msg += leftOut(v.Errors)
		if len(msg) > maxMessage {
			msg = msg[:maxMessage-len(" ...")] + " ..."
		}
		cond.set(lzv1.ConditionCompliant, metav1.ConditionTrue, lzv1.ReasonCompliant, msg)
		return compliance.Status(baselines, v)
	}
	compliance.CountEvaluation(kind, compliance.SourceReconciler, compliance.ResultViolations)
	msg := fmt.Sprintf("%d violations of %s: %s", len(v.Violations), strings.Join(compliance.Controls(v.Violations), ", "), compliance.Summary(v.Violations))
	// The policies left out come first, so that truncation never hides them.
	if out := leftOut(v.Errors); out != "" {
		msg = strings.TrimPrefix(out, " ") + "; " + msg
	}
	if len(msg) > maxMessage {
		msg = msg[:maxMessage-len(" ... (see status.compliance)")] + " ... (see status.compliance)"
	}
	cond.set(lzv1.ConditionCompliant, metav1.ConditionFalse, lzv1.ReasonViolations, msg)
	return compliance.Status(baselines, v)
}

// policySwaps is a source that enqueues every object enqueueAll names each time the engine puts a
// new custom policy set in force. Reacting to the CompliancePolicy objects instead raced with the
// loader that compiles them: a pass could run before the new set was in force and judge with the
// old one (a deleted policy's violations stayed until something else changed). Swaps that come
// while one is pending are folded into it: the pass that follows judges with the latest set.
func policySwaps(eng *engine.Engine, placeholder client.Object, enqueueAll handler.MapFunc) source.Source {
	swapped := make(chan event.GenericEvent, 1)
	eng.OnSwap(func() {
		select {
		case swapped <- event.GenericEvent{Object: placeholder}:
		default: // one is pending already
		}
	})
	return source.Channel(swapped, handler.EnqueueRequestsFromMapFunc(enqueueAll))
}

// leftOut names the warn or audit policies an evaluation left out because they failed.
func leftOut(errs []engine.PolicyError) string {
	if len(errs) == 0 {
		return ""
	}
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		parts = append(parts, e.String())
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func requeueAtExpiry(v engine.Verdict, pes []policyv1.PolicyException, now time.Time) ctrl.Result {
	used := map[string]bool{}
	for _, w := range v.Waived {
		used[w.Exception] = true
	}
	var next time.Duration
	for _, pe := range pes {
		if !used[pe.Name] {
			continue
		}
		if d := pe.Spec.ExpiresAt.Sub(now) + time.Second; d > 0 && (next == 0 || d < next) {
			next = d
		}
	}
	return ctrl.Result{RequeueAfter: next}
}

// forget drops a deleted object's violations from the metrics.
func (e *Evaluator) forget(kind string, key client.ObjectKey) {
	if e != nil && e.Tracker != nil {
		e.Tracker.Forget(kind, key.String())
	}
}

// all enqueues every object of a list: a policy or exception change can change any verdict.
func all[L client.ObjectList](c client.Reader, newList func() L, items func(L) []client.Object) func(context.Context, client.Object) []reconcile.Request {
	return func(ctx context.Context, _ client.Object) []reconcile.Request {
		l := newList()
		if err := c.List(ctx, l); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "cannot list objects to re-evaluate")
			return nil
		}
		objs := items(l)
		reqs := make([]reconcile.Request, 0, len(objs))
		for _, o := range objs {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(o)})
		}
		return reqs
	}
}
