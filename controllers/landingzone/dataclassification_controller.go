package landingzone

import (
	"context"
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// +kubebuilder:rbac:groups=landingzone.zonekeeper.dev,resources=dataclassifications,verbs=get;list;watch
// +kubebuilder:rbac:groups=landingzone.zonekeeper.dev,resources=dataclassifications/status,verbs=get;patch;update

// DataClassificationReconciler reports which zones and workloads use a classification, so whoever
// edits or deletes one can see what it would affect.
type DataClassificationReconciler struct {
	client.Client
}

// SetupWithManager registers the reconciler. A classification is reconciled again whenever a zone
// or workload that names it (before or after the change) comes, goes or changes.
func (r *DataClassificationReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("dataclassification").
		For(&lzv1.DataClassification{}).
		Watches(&lzv1.LandingZone{}, enqueueOldAndNew(classificationsForZone)).
		Watches(&lzv1.Workload{}, enqueueOldAndNew(classificationsForWorkload)).
		Complete(r)
}

// Reconcile fetches the classification, patches its status once on the way out, and recounts
// its users.
func (r *DataClassificationReconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, retErr error) {
	dc := &lzv1.DataClassification{}
	if err := r.Get(ctx, req.NamespacedName, dc); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := dc.DeepCopy()
	defer func() { finishPass(ctx, r.Client, dc, before, &res, &retErr) }()

	cond := conditions{list: &dc.Status.Conditions, generation: dc.Generation}
	if err := r.reconcileUsers(ctx, dc); err != nil {
		cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, lzv1.ReasonReconcileError, err.Error())
		return ctrl.Result{}, err
	}
	cond.set(lzv1.ConditionSynced, metav1.ConditionTrue, lzv1.ReasonReconcileSuccess, "users counted")
	cond.set(lzv1.ConditionReady, metav1.ConditionTrue, lzv1.ReasonAccepted, "classification accepted; it provisions nothing itself")
	dc.Status.ObservedGeneration = dc.Generation
	return ctrl.Result{}, nil
}

func (r *DataClassificationReconciler) reconcileUsers(ctx context.Context, dc *lzv1.DataClassification) error {
	zones := &lzv1.LandingZoneList{}
	if err := r.List(ctx, zones, client.MatchingFields{indexZoneByClassification: dc.Name}); err != nil {
		return errors.Wrap(err, "cannot list LandingZones using classification")
	}
	wls := &lzv1.WorkloadList{}
	if err := r.List(ctx, wls, client.MatchingFields{indexWorkloadByClassification: dc.Name}); err != nil {
		return errors.Wrap(err, "cannot list Workloads using classification")
	}

	dc.Status.LandingZones = make([]string, 0, len(zones.Items))
	for _, z := range zones.Items {
		dc.Status.LandingZones = append(dc.Status.LandingZones, z.Name)
	}
	dc.Status.Workloads = make([]string, 0, len(wls.Items))
	for _, wl := range wls.Items {
		dc.Status.Workloads = append(dc.Status.Workloads, key(wl.Namespace, wl.Name))
	}
	slices.Sort(dc.Status.LandingZones)
	slices.Sort(dc.Status.Workloads)
	dc.Status.LandingZoneCount = int32(len(dc.Status.LandingZones))
	dc.Status.WorkloadCount = int32(len(dc.Status.Workloads))
	return nil
}

func classificationsForZone(o client.Object) []reconcile.Request {
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Name: o.(*lzv1.LandingZone).Spec.MaxClassification}}}
}

func classificationsForWorkload(o client.Object) []reconcile.Request {
	names := workloadClassifications(o.(*lzv1.Workload))
	reqs := make([]reconcile.Request, 0, len(names))
	for _, n := range names {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Name: n}})
	}
	return reqs
}
