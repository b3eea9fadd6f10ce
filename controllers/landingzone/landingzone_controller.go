package landingzone

import (
	"context"
	"fmt"
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// +kubebuilder:rbac:groups=landingzone.zonekeeper.dev,resources=landingzones,verbs=get;list;watch
// +kubebuilder:rbac:groups=landingzone.zonekeeper.dev,resources=landingzones/status,verbs=get;patch;update
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// LandingZoneReconciler resolves a zone's references and reports its state. It composes no cloud
// resources yet: until the provider reconcilers exist a zone is honestly Pending, never Ready.
type LandingZoneReconciler struct {
	client.Client
	Recorder  recorder.EventRecorder
	Evaluator *Evaluator
	// AWS composes AWS zones' managed resources; nil leaves AWS zones Pending.
	AWS *AWSComposer
}

// SetupWithManager registers the reconciler. A zone is reconciled again when its classification
// appears, changes or goes, and when a workload placed in it changes.
func (r *LandingZoneReconciler) SetupWithManager(mgr ctrl.Manager) error {
	b := ctrl.NewControllerManagedBy(mgr)
	if r.AWS != nil {
		// A part's status changing (the account appearing, the VPC becoming Ready) is what moves
		// the zone forward: no polling.
		b = b.Owns(&awsv1.Account{}).Owns(&awsv1.VPC{}).Owns(&awsv1.Key{}).Owns(&awsv1.AuditTrail{})
	}
	return b.
		Named("landingzone").
		For(&lzv1.LandingZone{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&lzv1.DataClassification{}, handler.EnqueueRequestsFromMapFunc(r.zonesForClassification),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&lzv1.Workload{}, handler.EnqueueRequestsFromMapFunc(zoneForWorkload)).
		WatchesRawSource(policySwaps(r.Evaluator.Engine, &lzv1.LandingZone{}, allZones(r.Client))).
		Watches(&policyv1.PolicyException{}, handler.EnqueueRequestsFromMapFunc(allZones(r.Client))).
		Complete(r)
}

// Reconcile fetches the zone, patches its status once on the way out, and runs the steps.
func (r *LandingZoneReconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, retErr error) {
	zone := &lzv1.LandingZone{}
	if err := r.Get(ctx, req.NamespacedName, zone); err != nil {
		if apierrors.IsNotFound(err) {
			r.Evaluator.forget("LandingZone", req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := zone.DeepCopy()
	defer func() {
		if finishPass(ctx, r.Client, zone, before, &res, &retErr) {
			recordReadyTransition(r.Recorder, zone, before.Status.Conditions, zone.Status.Conditions)
		}
	}()

	if !zone.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, zone)
	}
	return r.reconcileNormal(ctx, zone)
}

func (r *LandingZoneReconciler) reconcileNormal(ctx context.Context, zone *lzv1.LandingZone) (ctrl.Result, error) {
	cond := conditions{list: &zone.Status.Conditions, generation: zone.Generation}

	if err := r.reconcileWorkloads(ctx, zone); err != nil {
		cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, lzv1.ReasonReconcileError, err.Error())
		return ctrl.Result{}, err
	}
	resolved, err := r.reconcileClassification(ctx, zone, cond)
	if err != nil || !resolved {
		return ctrl.Result{}, err
	}
	if r.AWS != nil && zone.Spec.Cloud.Provider == lzv1.ProviderAWS {
		if missingProviderConfig(zone) == "" {
			if err := r.ensureFinalizer(ctx, zone); err != nil {
				cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, lzv1.ReasonReconcileError, err.Error())
				return ctrl.Result{}, err
			}
		}
		res, err := r.reconcileAWS(ctx, zone, cond)
		if err == nil {
			zone.Status.ObservedGeneration = zone.Generation
		}
		return res, err
	}
	r.reconcileProvisioning(zone, cond)

	var res ctrl.Result
	zone.Status.Compliance, res = r.Evaluator.evaluate(ctx, r.Client, zone, "LandingZone", nil, nil, cond)
	zone.Status.ObservedGeneration = zone.Generation
	return res, nil
}

// reconcileClassification resolves spec.maxClassification. A missing classification is the
// user's to fix: it is reported, not retried; the watch on DataClassifications brings the zone
// back when it appears.
func (r *LandingZoneReconciler) reconcileClassification(ctx context.Context, zone *lzv1.LandingZone, cond conditions) (bool, error) {
	dc := &lzv1.DataClassification{}
	err := r.Get(ctx, types.NamespacedName{Name: zone.Spec.MaxClassification}, dc)
	switch {
	case apierrors.IsNotFound(err):
		msg := fmt.Sprintf("DataClassification %q named by spec.maxClassification does not exist; create it or name another", zone.Spec.MaxClassification)
		zone.Status.ClassificationLevel = nil
		cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, lzv1.ReasonClassificationNotFound, msg)
		cond.set(lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonClassificationNotFound, msg)
		cond.set(lzv1.ConditionCompliant, metav1.ConditionUnknown, lzv1.ReasonNotEvaluated, "compliance cannot be evaluated until spec.maxClassification resolves")
		zone.Status.Compliance = nil
		zone.Status.ObservedGeneration = zone.Generation
		return false, nil
	case err != nil:
		err = errors.Wrapf(err, "cannot get DataClassification %q", zone.Spec.MaxClassification)
		cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, lzv1.ReasonReconcileError, err.Error())
		return false, err
	}
	level := dc.Spec.Level
	zone.Status.ClassificationLevel = &level
	return true, nil
}

// reconcileWorkloads lists the workloads placed in the zone, for status: only those in namespaces
// the zone admits.
func (r *LandingZoneReconciler) reconcileWorkloads(ctx context.Context, zone *lzv1.LandingZone) error {
	wls, err := admittedWorkloads(ctx, r.Client, zone)
	if err != nil {
		return errors.Wrap(err, "cannot list Workloads in zone")
	}
	names := make([]string, 0, len(wls))
	for _, wl := range wls {
		names = append(names, key(wl.Namespace, wl.Name))
	}
	slices.Sort(names)
	zone.Status.Workloads = names
	return nil
}

// reconcileProvisioning reports the cloud side. No provider reconciler composes the account,
// network, key and trail yet, so the zone says exactly that rather than claiming Ready.
func (r *LandingZoneReconciler) reconcileProvisioning(zone *lzv1.LandingZone, cond conditions) {
	cond.set(lzv1.ConditionSynced, metav1.ConditionTrue, lzv1.ReasonReconcileSuccess, "references resolved")
	parts := "AWS account, VPC, KMS key and CloudTrail"
	if zone.Spec.Cloud.Provider == lzv1.ProviderAzure {
		parts = "Azure subscription, virtual network, Key Vault key and diagnostic settings"
	}
	cond.set(lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonPending,
		fmt.Sprintf("references resolved; the %s have not been provisioned (no cloud resources exist for this zone yet)", parts))
}

func (r *LandingZoneReconciler) zonesForClassification(ctx context.Context, o client.Object) []reconcile.Request {
	zones := &lzv1.LandingZoneList{}
	if err := r.List(ctx, zones, client.MatchingFields{indexZoneByClassification: o.GetName()}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "cannot list LandingZones for DataClassification", "dataClassification", o.GetName())
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(zones.Items))
	for _, z := range zones.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Name: z.Name}})
	}
	// A zone is judged, and composed (its trail's data events), by the classifications of the
	// workloads it hosts too; their status need not change when such a classification does.
	wls := &lzv1.WorkloadList{}
	if err := r.List(ctx, wls, client.MatchingFields{indexWorkloadByClassification: o.GetName()}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "cannot list Workloads for DataClassification", "dataClassification", o.GetName())
		return reqs
	}
	for _, wl := range wls.Items {
		req := reconcile.Request{NamespacedName: types.NamespacedName{Name: wl.Spec.LandingZoneRef.Name}}
		if !slices.Contains(reqs, req) {
			reqs = append(reqs, req)
		}
	}
	return reqs
}

func allZones(c client.Reader) handler.MapFunc {
	return all(c, func() *lzv1.LandingZoneList { return &lzv1.LandingZoneList{} }, func(l *lzv1.LandingZoneList) []client.Object {
		objs := make([]client.Object, len(l.Items))
		for i := range l.Items {
			objs[i] = &l.Items[i]
		}
		return objs
	})
}

func zoneForWorkload(_ context.Context, o client.Object) []reconcile.Request {
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Name: o.(*lzv1.Workload).Spec.LandingZoneRef.Name}}}
}
