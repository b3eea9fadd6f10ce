package landingzone

import (
	"context"
	"fmt"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
)

// +kubebuilder:rbac:groups=landingzone.zonekeeper.dev,resources=workloads,verbs=get;list;watch
// +kubebuilder:rbac:groups=landingzone.zonekeeper.dev,resources=workloads/status,verbs=get;patch;update
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch

// WorkloadReconciler places a workload in its zone: it checks the tenant boundary and that the
// zone may hold the workload's data. It provisions nothing yet, so a workload that passes every
// check is Pending, never Ready.
type WorkloadReconciler struct {
	client.Client
	Recorder  recorder.EventRecorder
	Evaluator *Evaluator
	// AWS composes the AWS resources of workloads in AWS zones; nil leaves them Pending.
	AWS *WorkloadComposer
}

// SetupWithManager registers the reconciler. A workload is reconciled again when its zone, one of
// its classifications or its namespace's labels change, so a fixed reference heals without a poll.
func (r *WorkloadReconciler) SetupWithManager(mgr ctrl.Manager) error {
	// Its default-deny NetworkPolicy deleted by hand, or its own rules changed, is put back.
	b := ctrl.NewControllerManagedBy(mgr).Owns(&networkingv1.NetworkPolicy{})
	if r.AWS != nil {
		b = b.Owns(&awsv1.Key{}).Owns(&awsv1.Bucket{}).Owns(&awsv1.Role{})
	}
	// A zone's status matters too: its account appearing is what lets its workloads provision.
	return b.
		Named("workload").
		For(&lzv1.Workload{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&lzv1.LandingZone{}, handler.EnqueueRequestsFromMapFunc(r.workloadsForZone)).
		Watches(&lzv1.DataClassification{}, handler.EnqueueRequestsFromMapFunc(r.workloadsForClassification),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(r.workloadsInNamespace),
			builder.WithPredicates(predicate.LabelChangedPredicate{})).
		WatchesRawSource(policySwaps(r.Evaluator.Engine, &lzv1.Workload{}, allWorkloads(r.Client))).
		Watches(&policyv1.PolicyException{}, handler.EnqueueRequestsFromMapFunc(allWorkloads(r.Client))).
		Complete(r)
}

// Reconcile fetches the workload, patches its status once on the way out, and runs the steps.
func (r *WorkloadReconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, retErr error) {
	wl := &lzv1.Workload{}
	if err := r.Get(ctx, req.NamespacedName, wl); err != nil {
		if apierrors.IsNotFound(err) {
			r.Evaluator.forget("Workload", req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := wl.DeepCopy()
	defer func() {
		if finishPass(ctx, r.Client, wl, before, &res, &retErr) {
			recordReadyTransition(r.Recorder, wl, before.Status.Conditions, wl.Status.Conditions)
		}
	}()

	if !wl.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	return r.reconcileNormal(ctx, wl)
}

// refusal is a reason the workload cannot be placed that only the user can fix. It is reported in
// the conditions and not retried; watches bring the workload back when something it depends on
// changes.
type refusal struct {
	reason, message string
}

func (r *WorkloadReconciler) reconcileNormal(ctx context.Context, wl *lzv1.Workload) (ctrl.Result, error) {
	cond := conditions{list: &wl.Status.Conditions, generation: wl.Generation}

	placed, refused, err := r.reconcilePlacement(ctx, wl)
	if err != nil {
		cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, lzv1.ReasonReconcileError, err.Error())
		return ctrl.Result{}, err
	}
	var res ctrl.Result
	switch {
	case refused == nil:
		if err := r.reconcileNamespace(ctx, wl, placed.classifications); err != nil {
			cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, lzv1.ReasonReconcileError, err.Error())
			return ctrl.Result{}, err
		}
		cond.set(lzv1.ConditionSynced, metav1.ConditionTrue, lzv1.ReasonReconcileSuccess, "zone, namespace and classifications resolved")
		if r.AWS != nil && placed.zone.Spec.Cloud.Provider == lzv1.ProviderAWS {
			return r.reconcileAWS(ctx, wl, placed, cond)
		}
		cond.set(lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonPending,
			"placement allowed; the workload's key, storage and cloud identity have not been provisioned (no cloud resources exist for this workload yet)")
		wl.Status.Compliance, res = r.Evaluator.evaluate(ctx, r.Client, wl, "Workload", nil, nil, cond)
	case refused.reason == lzv1.ReasonClassificationExceedsZone:
		// The policies judge this too, with control IDs an auditor can key on: report them.
		cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, refused.reason, refused.message)
		cond.set(lzv1.ConditionReady, metav1.ConditionFalse, refused.reason, refused.message)
		wl.Status.Compliance, res = r.Evaluator.evaluate(ctx, r.Client, wl, "Workload", nil, nil, cond)
	default:
		cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, refused.reason, refused.message)
		cond.set(lzv1.ConditionReady, metav1.ConditionFalse, refused.reason, refused.message)
		cond.set(lzv1.ConditionCompliant, metav1.ConditionUnknown, lzv1.ReasonNotEvaluated, "compliance cannot be evaluated until the workload's zone and classifications resolve and admit it")
		wl.Status.Compliance = nil
	}
	wl.Status.ObservedGeneration = wl.Generation
	return res, nil
}

// reconcilePlacement checks, in order, that the zone exists, that it admits the namespace, that the
// workload's classifications and the zone's exist, and that the zone may hold the workload's data.
func (r *WorkloadReconciler) reconcilePlacement(ctx context.Context, wl *lzv1.Workload) (*placement, *refusal, error) {
	p, refused, err := r.place(ctx, wl)
	if refused != nil || err != nil {
		return nil, refused, err
	}
	return p, nil, nil
}

// placement is a workload admitted to its zone, with the classifications it holds.
type placement struct {
	zone            *lzv1.LandingZone
	classifications []lzv1.DataClassification
}

func (r *WorkloadReconciler) place(ctx context.Context, wl *lzv1.Workload) (*placement, *refusal, error) {
	zone := &lzv1.LandingZone{}
	if err := r.Get(ctx, types.NamespacedName{Name: wl.Spec.LandingZoneRef.Name}, zone); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, &refusal{lzv1.ReasonLandingZoneNotFound, fmt.Sprintf("LandingZone %q named by spec.landingZoneRef.name does not exist", wl.Spec.LandingZoneRef.Name)}, nil
		}
		return nil, nil, errors.Wrapf(err, "cannot get LandingZone %q", wl.Spec.LandingZoneRef.Name)
	}

	if refused, err := r.checkNamespace(ctx, wl, zone); refused != nil || err != nil {
		return nil, refused, err
	}

	dcs, missing, err := r.resolveClassifications(ctx, workloadClassifications(wl))
	if err != nil {
		return nil, nil, err
	}
	if len(missing) > 0 {
		wl.Status.ClassificationLevel = nil
		return nil, &refusal{lzv1.ReasonClassificationNotFound, fmt.Sprintf("DataClassification %s named by spec.classifications does not exist", quoteJoin(missing))}, nil
	}
	top, _ := highestLevel(dcs)
	level := top.Spec.Level
	wl.Status.ClassificationLevel = &level

	zoneDCs, missing, err := r.resolveClassifications(ctx, []string{zone.Spec.MaxClassification})
	if err != nil {
		return nil, nil, err
	}
	if len(missing) > 0 {
		return nil, &refusal{lzv1.ReasonClassificationNotFound, fmt.Sprintf("DataClassification %q, the maxClassification of LandingZone %q, does not exist", zone.Spec.MaxClassification, zone.Name)}, nil
	}
	if limit := zoneDCs[0]; top.Spec.Level > limit.Spec.Level {
		return nil, &refusal{lzv1.ReasonClassificationExceedsZone, fmt.Sprintf(
			"classification %q (level %d) in spec.classifications exceeds LandingZone %q, which may hold data up to %q (level %d); use a zone cleared for it",
			top.Name, top.Spec.Level, zone.Name, limit.Name, limit.Spec.Level)}, nil
	}
	return &placement{zone: zone, classifications: dcs}, nil, nil
}

// checkNamespace enforces the tenant boundary: the zone's allowedNamespaces must admit the
// workload's namespace.
func (r *WorkloadReconciler) checkNamespace(ctx context.Context, wl *lzv1.Workload, zone *lzv1.LandingZone) (*refusal, error) {
	sel, err := namespaceSelector(zone)
	if err != nil {
		return &refusal{lzv1.ReasonNamespaceNotAllowed, fmt.Sprintf("LandingZone %q has an invalid spec.allowedNamespaces, so it admits no namespace: %v", zone.Name, err)}, nil
	}
	ns := &corev1.Namespace{}
	if err := r.Get(ctx, types.NamespacedName{Name: wl.Namespace}, ns); err != nil {
		return nil, errors.Wrapf(err, "cannot get Namespace %q", wl.Namespace)
	}
	if !sel.Matches(labels.Set(ns.Labels)) {
		return &refusal{lzv1.ReasonNamespaceNotAllowed, fmt.Sprintf(
			"namespace %q is not admitted by LandingZone %q (allowedNamespaces selects %q)", wl.Namespace, zone.Name, sel.String())}, nil
	}
	return nil, nil
}

// resolveClassifications gets each named classification, returning those found and the names
// that do not exist.
func (r *WorkloadReconciler) resolveClassifications(ctx context.Context, names []string) (found []lzv1.DataClassification, missing []string, err error) {
	for _, name := range names {
		dc := &lzv1.DataClassification{}
		switch err := r.Get(ctx, types.NamespacedName{Name: name}, dc); {
		case apierrors.IsNotFound(err):
			missing = append(missing, name)
		case err != nil:
			return nil, nil, errors.Wrapf(err, "cannot get DataClassification %q", name)
		default:
			found = append(found, *dc)
		}
	}
	return found, missing, nil
}

// reconcileAWS judges the workload's plan, then composes it: a workload with deny violations (one
// admitted before a policy tightened) is reported and not provisioned.
func (r *WorkloadReconciler) reconcileAWS(ctx context.Context, wl *lzv1.Workload, placed *placement, cond conditions) (ctrl.Result, error) {
	plan, err := r.planAWS(ctx, wl, placed)
	if err != nil {
		cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, lzv1.ReasonReconcileError, err.Error())
		return ctrl.Result{}, err
	}
	var res ctrl.Result
	wl.Status.Compliance, res = r.Evaluator.evaluate(ctx, r.Client, wl, "Workload", plan.entries(), nil, cond)
	wl.Status.ObservedGeneration = wl.Generation
	if g := gate(wl.Status.Compliance); g.closed {
		if g.synced == metav1.ConditionFalse {
			cond.set(lzv1.ConditionSynced, g.synced, g.reason, g.message)
		}
		cond.set(lzv1.ConditionReady, metav1.ConditionFalse, g.reason, g.message)
		return res, nil
	}
	waiting, err := r.applyAWS(ctx, wl, plan)
	if err != nil {
		cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, lzv1.ReasonReconcileError, err.Error())
		return ctrl.Result{}, err
	}
	compliant := findCondition(wl.Status.Conditions, lzv1.ConditionCompliant)
	switch {
	case len(waiting) > 0:
		cond.set(lzv1.ConditionReady, metav1.ConditionFalse, ReasonProvisioning, strings.Join(waiting, "; "))
	case compliant == nil || compliant.Status == metav1.ConditionUnknown:
		cond.set(lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonNotEvaluated, "every part is Ready, but the workload has not been evaluated against its baselines")
	default:
		cond.set(lzv1.ConditionReady, metav1.ConditionTrue, ReasonAvailable,
			fmt.Sprintf("key %s, %d buckets and role %s are Ready", wl.Status.KeyID, len(wl.Status.Storage), wl.Status.RoleID))
	}
	return res, nil
}

func allWorkloads(c client.Reader) handler.MapFunc {
	return all(c, func() *lzv1.WorkloadList { return &lzv1.WorkloadList{} }, func(l *lzv1.WorkloadList) []client.Object {
		objs := make([]client.Object, len(l.Items))
		for i := range l.Items {
			objs[i] = &l.Items[i]
		}
		return objs
	})
}

func quoteJoin(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func (r *WorkloadReconciler) workloadsForZone(ctx context.Context, o client.Object) []reconcile.Request {
	return r.workloadsMatching(ctx, client.MatchingFields{indexWorkloadByZone: o.GetName()})
}

func (r *WorkloadReconciler) workloadsForClassification(ctx context.Context, o client.Object) []reconcile.Request {
	return r.workloadsMatching(ctx, client.MatchingFields{indexWorkloadByClassification: o.GetName()})
}

func (r *WorkloadReconciler) workloadsInNamespace(ctx context.Context, o client.Object) []reconcile.Request {
	return r.workloadsMatching(ctx, client.InNamespace(o.GetName()))
}

func (r *WorkloadReconciler) workloadsMatching(ctx context.Context, opts ...client.ListOption) []reconcile.Request {
	wls := &lzv1.WorkloadList{}
	if err := r.List(ctx, wls, opts...); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "cannot list Workloads to requeue")
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(wls.Items))
	for _, wl := range wls.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&wl)})
	}
	return reqs
}
