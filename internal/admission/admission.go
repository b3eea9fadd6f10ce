// Package admission is ZoneKeeper's validating admission webhook: the policy engine's verdict,
// refused or warned before anything reaches etcd, with every control ID and field in the answer.
//
// The webhook fails closed (failurePolicy: Fail): a compliance gate that opens whenever the
// operator is down is no gate. Its timeout is 5s; one evaluation is bounded by the engine's own
// deadline (1s by default), and a whole review (a refused UPDATE evaluates the old object too) by
// Checker.ReviewTimeout (4s), so a pathological policy is reported as an evaluation error before
// the API server gives up. Every manager replica serves the webhook (only the reconcilers
// are leader-elected), so run two or more.
package admission

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/compliance"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// +kubebuilder:webhook:path=/validate-landingzone-zonekeeper-dev-v1alpha1-landingzone,mutating=false,failurePolicy=fail,sideEffects=None,groups=landingzone.zonekeeper.dev,resources=landingzones,verbs=create;update,versions=v1alpha1,name=vlandingzone.zonekeeper.dev,admissionReviewVersions=v1,timeoutSeconds=5
// +kubebuilder:webhook:path=/validate-landingzone-zonekeeper-dev-v1alpha1-workload,mutating=false,failurePolicy=fail,sideEffects=None,groups=landingzone.zonekeeper.dev,resources=workloads,verbs=create;update,versions=v1alpha1,name=vworkload.zonekeeper.dev,admissionReviewVersions=v1,timeoutSeconds=5
// +kubebuilder:webhook:path=/validate-landingzone-zonekeeper-dev-v1alpha1-dataclassification,mutating=false,failurePolicy=fail,sideEffects=None,groups=landingzone.zonekeeper.dev,resources=dataclassifications,verbs=create;update,versions=v1alpha1,name=vdataclassification.zonekeeper.dev,admissionReviewVersions=v1,timeoutSeconds=5
// +kubebuilder:webhook:path=/validate-policy-zonekeeper-dev-v1alpha1-compliancepolicy,mutating=false,failurePolicy=fail,sideEffects=None,groups=policy.zonekeeper.dev,resources=compliancepolicies,verbs=create;update,versions=v1alpha1,name=vcompliancepolicy.zonekeeper.dev,admissionReviewVersions=v1,timeoutSeconds=10
// +kubebuilder:webhook:path=/validate-policy-zonekeeper-dev-v1alpha1-policyexception,mutating=false,failurePolicy=fail,sideEffects=None,groups=policy.zonekeeper.dev,resources=policyexceptions,verbs=create;update,versions=v1alpha1,name=vpolicyexception.zonekeeper.dev,admissionReviewVersions=v1,timeoutSeconds=5

// DefaultReviewTimeout is how long a review may take when Checker.ReviewTimeout is unset: a second
// under the webhooks' timeoutSeconds of 5.
const DefaultReviewTimeout = 4 * time.Second

// Checker evaluates admission requests with the running engine.
type Checker struct {
	Engine *engine.Engine
	Reader client.Reader
	// Now is the clock exceptions expire against; time.Now when nil.
	Now func() time.Time
	// Record, when set, is told every verdict reached (for metrics).
	Record func(kind string, v engine.Verdict)
	// ZoneIndex, when set, is a field index of Workloads by spec.landingZoneRef.name in the
	// Reader's cache, so judging a LandingZone reads only the workloads it hosts instead of
	// every workload in the cluster. Setup registers one and sets it.
	ZoneIndex string

	// MaxConcurrentEvaluations bounds the policy evaluations running at once; GOMAXPROCS when
	// zero. Evaluations run on that many long-lived goroutines rather than on the requests' own:
	//
	//   - an evaluation is pure CPU work on objects already in memory, so running more of them
	//     at once than there are CPUs finishes none sooner; it only shares the CPUs out so that
	//     every request in flight is slow rather than the first ones fast, and keeps more
	//     evaluations' garbage alive together;
	//   - the engine's evaluation recurses deeply, so the goroutine running it grows its stack
	//     (by copying it) to hundreds of KiB; on the requests' goroutines every connection grew
	//     one, and the GC shrank it again between requests (6% of the webhook's CPU at 64
	//     connections, and 17 MiB of stacks), whereas a worker keeps its grown stack.
	//
	// Requests beyond the bound wait in turn, for as long as their context allows.
	MaxConcurrentEvaluations int

	// ReviewTimeout bounds everything one review does (waiting for a worker, evaluating, and on a
	// refused UPDATE evaluating the old object too, each evaluation also bounded by the engine's
	// own deadline); DefaultReviewTimeout when zero. It is shorter than the webhook's 5 s
	// timeoutSeconds, so that a slow review is refused with this webhook's own message rather
	// than the API server's "context deadline exceeded".
	ReviewTimeout time.Duration

	initOnce sync.Once
	// conversions keeps the policy form of the DataClassifications and LandingZones the
	// evaluations read, by UID and resourceVersion (see compliance.Conversions).
	conversions *compliance.Conversions
	// work is taken by the evaluation workers, one function at a time.
	work chan func()
}

// init makes the conversion cache and starts the evaluation workers, once. The workers live as
// long as the process, as the Checker does.
func (c *Checker) init() {
	c.initOnce.Do(func() {
		c.conversions = compliance.NewConversions()
		n := c.MaxConcurrentEvaluations
		if n <= 0 {
			n = runtime.GOMAXPROCS(0)
		}
		// Unbuffered: a request waits until a worker takes its evaluation, so waiting requests
		// are served in turn and one whose context ends is not evaluated at all.
		c.work = make(chan func())
		for range n {
			go func() {
				for f := range c.work {
					f()
				}
			}()
		}
	})
}

// evaluate runs one evaluation on a worker once one is free. A request whose context ends while
// it waits gets an error, as does an evaluation that panics; Check turns both into a refusal:
// waiting never lets a request through.
func (c *Checker) evaluate(ctx context.Context, in engine.Input, opts engine.Options) (engine.Verdict, error) {
	c.init()
	type result struct {
		v   engine.Verdict
		err error
	}
	done := make(chan result, 1)
	run := func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: errors.Errorf("policy evaluation panicked: %v", p)}
			}
		}()
		v, err := c.Engine.Evaluate(ctx, in, opts)
		done <- result{v, err}
	}
	select {
	case c.work <- run:
	case <-ctx.Done():
		return engine.Verdict{}, errors.Wrap(context.Cause(ctx), "cannot start an evaluation")
	}
	// The engine bounds the evaluation by its own deadline and by ctx, so this wait is bounded.
	r := <-done
	return r.v, r.err
}

// workloadZoneIndex is the field index of Workloads by landing zone that Setup registers for
// the Checker. The reconcilers register their own under another name: the webhook does not
// depend on which reconcilers a manager runs.
const workloadZoneIndex = "admission.spec.landingZoneRef.name"

// Setup registers a validating webhook for every ZoneKeeper kind that policies judge, and the
// field index c lists a zone's workloads by (c reads through mgr's cache).
func Setup(mgr ctrl.Manager, c *Checker) error {
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &lzv1.Workload{}, workloadZoneIndex, func(o client.Object) []string {
		return []string{o.(*lzv1.Workload).Spec.LandingZoneRef.Name}
	}); err != nil {
		return errors.Wrap(err, "cannot index Workloads by landing zone for admission")
	}
	c.ZoneIndex = workloadZoneIndex
	// The kinds the engine judges are served by verdictHandler, at the paths the builder would
	// give them; the server instruments them as it does the builder's.
	srv := mgr.GetWebhookServer()
	for _, h := range []interface {
		http.Handler
		path() string
	}{
		newVerdictHandler[*lzv1.LandingZone](mgr.GetScheme(), c, lzv1.GroupVersion.WithKind("LandingZone")),
		newVerdictHandler[*lzv1.Workload](mgr.GetScheme(), c, lzv1.GroupVersion.WithKind("Workload")),
		newVerdictHandler[*lzv1.DataClassification](mgr.GetScheme(), c, lzv1.GroupVersion.WithKind("DataClassification")),
	} {
		srv.Register(h.path(), h)
	}
	for _, err := range []error{
		ctrl.NewWebhookManagedBy(mgr, &policyv1.CompliancePolicy{}).WithValidator(policyValidator{c}).Complete(),
		ctrl.NewWebhookManagedBy(mgr, &policyv1.PolicyException{}).WithValidator(exceptionValidator{c}).Complete(),
	} {
		if err != nil {
			return errors.Wrap(err, "cannot register admission webhook")
		}
	}
	return nil
}

// NewLandingZoneWebhook returns the LandingZone validating webhook Setup registers, to serve
// outside a manager (hack/bench/webhook measures it).
func NewLandingZoneWebhook(scheme *k8sruntime.Scheme, c *Checker) http.Handler {
	return newVerdictHandler[*lzv1.LandingZone](scheme, c, lzv1.GroupVersion.WithKind("LandingZone"))
}

// NewWorkloadWebhook returns the Workload validating webhook Setup registers, to serve outside a
// manager (hack/bench/webhook measures it).
func NewWorkloadWebhook(scheme *k8sruntime.Scheme, c *Checker) http.Handler {
	return newVerdictHandler[*lzv1.Workload](scheme, c, lzv1.GroupVersion.WithKind("Workload"))
}

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// verdictValidator admits a LandingZone, Workload or DataClassification by the policy verdict.
type verdictValidator[T client.Object] struct{ c *Checker }

func (v verdictValidator[T]) ValidateCreate(ctx context.Context, obj T) (admission.Warnings, error) {
	return v.c.Check(ctx, obj)
}

func (v verdictValidator[T]) ValidateUpdate(ctx context.Context, old, obj T) (admission.Warnings, error) {
	return v.c.CheckUpdate(ctx, func() (client.Object, error) { return old, nil }, obj)
}

func (v verdictValidator[T]) ValidateDelete(context.Context, T) (admission.Warnings, error) {
	return nil, nil
}

// Check evaluates obj as the reconcilers would and turns the verdict into an admission answer:
// deny violations refuse the request (Invalid, each violation a field error carrying its control
// ID); warn violations become warnings; audit violations are only recorded. An evaluation that
// fails refuses the request: the webhook never passes what it could not judge. The exception is a
// custom policy in warn or audit mode that fails: it is left out with a warning naming it and its
// error, since it may not refuse anything even when it works.
func (c *Checker) Check(ctx context.Context, obj client.Object) (admission.Warnings, error) {
	return c.check(ctx, obj, nil)
}

// CheckUpdate judges an update of an object to obj, as Check does, with two differences.
//
// An object being deleted is admitted unjudged: its updates are finalizers being removed, and
// refusing them would leave it Terminating for good.
//
// A deny violation that the old object (from old, called only when something would be refused)
// has too, with the same baseline, control, field and message, is returned as a warning instead.
// An object can turn non-compliant without anyone changing it: an exception expires, a policy is
// switched to deny, a classification or a hosted workload asks for more. Refusing every update
// from then on would refuse its labels, its finalizers and a GitOps tool's re-apply, and would
// refuse fixing it one field at a time. Only what an update itself breaks or makes worse is
// refused (Kyverno's allowExistingViolations; Kubernetes' validation ratcheting).
func (c *Checker) CheckUpdate(ctx context.Context, old func() (client.Object, error), obj client.Object) (admission.Warnings, error) {
	if obj.GetDeletionTimestamp() != nil {
		return nil, nil
	}
	return c.check(ctx, obj, old)
}

func (c *Checker) check(ctx context.Context, obj client.Object, old func() (client.Object, error)) (admission.Warnings, error) {
	gk := gvkOf(obj).GroupKind()
	budget := c.ReviewTimeout
	if budget <= 0 {
		budget = DefaultReviewTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	// Read-only: compliance.Exceptions copies what the engine needs and the engine only reads it,
	// so the cache's own objects are not deep-copied for every request.
	pes := &policyv1.PolicyExceptionList{}
	if err := c.Reader.List(ctx, pes, client.UnsafeDisableDeepCopy); err != nil {
		return nil, apierrors.NewInternalError(errors.Wrap(err, "cannot list PolicyExceptions"))
	}
	opts := engine.Options{Exceptions: compliance.Exceptions(pes.Items), Now: c.now(), IsolateAdvisoryErrors: true}
	in, verdict, err := c.judge(ctx, obj, opts)
	if err != nil {
		if errors.Is(err, errInput) {
			return nil, apierrors.NewInternalError(err)
		}
		if errors.Is(err, engine.ErrUnknownBaseline) {
			return nil, apierrors.NewInvalid(gk, obj.GetName(), field.ErrorList{field.Invalid(field.NewPath("spec", "baselines"), engine.ApplicableBaselines(in), err.Error())})
		}
		return nil, apierrors.NewForbidden(schema.GroupResource{Group: gk.Group, Resource: gk.Kind}, obj.GetName(),
			errors.Wrap(err, "cannot evaluate compliance policies, so the request is refused"))
	}
	if c.Record != nil {
		c.Record(gk.Kind, verdict)
	}

	var warnings admission.Warnings
	for _, e := range verdict.Errors {
		warnings = append(warnings, e.String())
	}
	var denied []engine.Violation
	for _, x := range verdict.Violations {
		switch x.EnforcementAction {
		case engine.ActionDeny:
			denied = append(denied, x)
		case engine.ActionWarn:
			warnings = append(warnings, fmt.Sprintf("%s: %s", x.Field, violationMessage(x)))
		}
	}
	if len(denied) > 0 && old != nil {
		var kept []string
		denied, kept = c.preExisting(ctx, old, denied, opts)
		warnings = append(warnings, kept...)
	}
	for i, w := range warnings {
		warnings[i] = headerSafe(w)
	}
	if len(denied) > 0 {
		errs := make(field.ErrorList, 0, len(denied))
		for _, x := range denied {
			errs = append(errs, field.Forbidden(fieldPath(x.Field), violationMessage(x)))
		}
		return warnings, apierrors.NewInvalid(gk, obj.GetName(), errs)
	}
	return warnings, nil
}

// errInput marks an input that could not be built, as opposed to an evaluation that failed.
var errInput = errors.New("cannot build policy input")

// judge builds obj's input and evaluates it with opts on a worker.
func (c *Checker) judge(ctx context.Context, obj client.Object, opts engine.Options) (engine.Input, engine.Verdict, error) {
	c.init()
	in, err := compliance.Input(ctx, compliance.ClientResolver{Reader: c.Reader, ZoneIndex: c.ZoneIndex, Conversions: c.conversions}, obj)
	if err != nil {
		return in, engine.Verdict{}, fmt.Errorf("%w: %w", errInput, err)
	}
	v, err := c.evaluate(ctx, in, opts)
	return in, v, err
}

// preExisting splits the deny violations of an update into those the old object did not have
// (refused) and warnings for those it had already. When the old object cannot be judged, nothing
// is known to pre-exist and everything is refused.
func (c *Checker) preExisting(ctx context.Context, old func() (client.Object, error), denied []engine.Violation, opts engine.Options) (refused []engine.Violation, warnings []string) {
	prev, err := old()
	if err != nil {
		log.V(1).Info("cannot read the old object of an update; judging the update on its own", "error", err.Error())
		return denied, nil
	}
	_, was, err := c.judge(ctx, prev, opts)
	if err != nil {
		log.V(1).Info("cannot judge the old object of an update; judging the update on its own", "error", err.Error())
		return denied, nil
	}
	type finding struct{ baseline, control, field, message string }
	had := make(map[finding]bool, len(was.Violations))
	for _, x := range was.Violations {
		had[finding{x.Baseline, x.Control, x.Field, x.Message}] = true
	}
	for _, x := range denied {
		if had[finding{x.Baseline, x.Control, x.Field, x.Message}] {
			warnings = append(warnings, fmt.Sprintf("%s: %s (admitted: the object was already so before this update; fix it)", x.Field, violationMessage(x)))
			continue
		}
		refused = append(refused, x)
	}
	return refused, warnings
}

// headerSafe folds a warning onto one line of printable text. The API server passes warnings on
// as HTTP Warning headers and silently drops one holding a control character, such as the
// newlines of OPA's errors and of a custom policy's messages.
func headerSafe(w string) string {
	w = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, w)
	return strings.Join(strings.Fields(w), " ")
}

func violationMessage(x engine.Violation) string {
	return fmt.Sprintf("[%s %s] %s", x.Control, x.Baseline, x.Message)
}

func fieldPath(f string) *field.Path {
	if f == "" {
		return field.NewPath("spec")
	}
	return field.NewPath(f)
}

func gvkOf(obj k8sruntime.Object) schema.GroupVersionKind {
	switch obj.(type) {
	case *lzv1.LandingZone:
		return lzv1.GroupVersion.WithKind("LandingZone")
	case *lzv1.Workload:
		return lzv1.GroupVersion.WithKind("Workload")
	case *lzv1.DataClassification:
		return lzv1.GroupVersion.WithKind("DataClassification")
	case *policyv1.CompliancePolicy:
		return policyv1.GroupVersion.WithKind("CompliancePolicy")
	case *policyv1.PolicyException:
		return policyv1.GroupVersion.WithKind("PolicyException")
	}
	return obj.GetObjectKind().GroupVersionKind()
}

// policyValidator refuses a CompliancePolicy whose modules do not compile, use a forbidden
// built-in, shadow a built-in package, or fail their own tests — with the compiler's or the
// test's own message.
type policyValidator struct{ c *Checker }

func (v policyValidator) ValidateCreate(ctx context.Context, cp *policyv1.CompliancePolicy) (admission.Warnings, error) {
	return nil, v.validate(ctx, cp)
}

func (v policyValidator) ValidateUpdate(ctx context.Context, old, cp *policyv1.CompliancePolicy) (admission.Warnings, error) {
	if !specChanged(old, cp, func(p *policyv1.CompliancePolicy) any { return p.Spec }) {
		return nil, nil
	}
	return nil, v.validate(ctx, cp)
}

func (v policyValidator) ValidateDelete(context.Context, *policyv1.CompliancePolicy) (admission.Warnings, error) {
	return nil, nil
}

func (v policyValidator) validate(ctx context.Context, cp *policyv1.CompliancePolicy) error {
	if err := v.c.Engine.ValidatePolicy(ctx, compliance.CustomPolicy(cp)); err != nil {
		return apierrors.NewInvalid(gvkOf(cp).GroupKind(), cp.Name, field.ErrorList{field.Invalid(field.NewPath("spec", "modules"), moduleNames(cp), err.Error())})
	}
	return nil
}

func moduleNames(cp *policyv1.CompliancePolicy) []string {
	names := make([]string, 0, len(cp.Spec.Modules)+len(cp.Spec.Tests))
	for _, m := range cp.Spec.Modules {
		names = append(names, m.Name)
	}
	for _, t := range cp.Spec.Tests {
		names = append(names, t.Name)
	}
	return names
}

// exceptionValidator refuses a PolicyException for a control no loaded policy reports, one that
// has already expired, or one that lasts longer than a baseline allows for its controls.
type exceptionValidator struct{ c *Checker }

func (v exceptionValidator) ValidateCreate(ctx context.Context, pe *policyv1.PolicyException) (admission.Warnings, error) {
	if err := v.validate(pe); err != nil {
		return nil, err
	}
	return v.c.unmatchedTargets(ctx, pe), nil
}

func (v exceptionValidator) ValidateUpdate(ctx context.Context, old, pe *policyv1.PolicyException) (admission.Warnings, error) {
	if !specChanged(old, pe, func(p *policyv1.PolicyException) any { return p.Spec }) {
		return nil, nil
	}
	if err := v.validate(pe); err != nil {
		return nil, err
	}
	return v.c.unmatchedTargets(ctx, pe), nil
}

// unmatchedTargets warns about each target of an admitted exception that selects no object now:
// a misspelt name or namespace would otherwise waive nothing without a word. It is only a
// warning, since GitOps may apply an exception before the objects it is for.
func (c *Checker) unmatchedTargets(ctx context.Context, pe *policyv1.PolicyException) admission.Warnings {
	ex := compliance.Exception(pe)
	var warnings admission.Warnings
	for i, t := range ex.Targets {
		objs, err := c.objectsOfKind(ctx, t.Kind)
		if err != nil {
			log.V(1).Info("cannot list the objects an exception may target", "kind", t.Kind, "error", err.Error())
			continue
		}
		one := engine.Exception{Targets: []engine.Target{t}}
		if !slices.ContainsFunc(objs, one.Selects) {
			warnings = append(warnings, fmt.Sprintf("spec.targets[%d]: no %s matches its name, namespaces and selector now, so it waives nothing until one does", i, t.Kind))
		}
	}
	return warnings
}

// objectsOfKind returns what exception targets match on (kind and metadata) for every object of
// a kind exceptions may target, read from the cache without copying it.
func (c *Checker) objectsOfKind(ctx context.Context, kind string) ([]map[string]any, error) {
	var list client.ObjectList
	switch kind {
	case "LandingZone":
		list = &lzv1.LandingZoneList{}
	case "Workload":
		list = &lzv1.WorkloadList{}
	case "DataClassification":
		list = &lzv1.DataClassificationList{}
	default:
		return nil, errors.Errorf("kind %q cannot be targeted", kind)
	}
	if err := c.Reader.List(ctx, list, client.UnsafeDisableDeepCopy); err != nil {
		return nil, err
	}
	var out []map[string]any
	err := meta.EachListItem(list, func(o k8sruntime.Object) error {
		m, err := meta.Accessor(o)
		if err != nil {
			return err
		}
		labels := make(map[string]any, len(m.GetLabels()))
		for k, v := range m.GetLabels() {
			labels[k] = v
		}
		out = append(out, map[string]any{"kind": kind, "metadata": map[string]any{"name": m.GetName(), "namespace": m.GetNamespace(), "labels": labels}})
		return nil
	})
	return out, err
}

// specChanged reports whether an update of a CompliancePolicy or PolicyException is one to judge:
// it changes the spec of an object that is not being deleted. What was admitted stays admitted
// through updates of its metadata: an exception past its expiry, or a policy whose tests a newer
// built-in library would fail, can still lose its finalizers and be labelled, and a policy or
// exception being deleted is never held Terminating.
func specChanged[T client.Object](old, obj T, spec func(T) any) bool {
	return obj.GetDeletionTimestamp() == nil && !equality.Semantic.DeepEqual(spec(old), spec(obj))
}

func (v exceptionValidator) ValidateDelete(context.Context, *policyv1.PolicyException) (admission.Warnings, error) {
	return nil, nil
}

func (v exceptionValidator) validate(pe *policyv1.PolicyException) error {
	err := v.c.Engine.ValidateException(compliance.Exception(pe), v.c.now())
	if err == nil {
		return nil
	}
	path, value := field.NewPath("spec", "expiresAt"), any(pe.Spec.ExpiresAt.UTC().Format(time.RFC3339))
	if errors.Is(err, engine.ErrUnknownControl) {
		path, value = field.NewPath("spec", "controls"), pe.Spec.Controls
	}
	return apierrors.NewInvalid(gvkOf(pe).GroupKind(), pe.Name, field.ErrorList{field.Invalid(path, value, err.Error())})
}
