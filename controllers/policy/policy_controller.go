// Package policy reconciles CompliancePolicies into the running policy engine and reports whether
// each CompliancePolicy and PolicyException is in force.
package policy

import (
	"context"
	"fmt"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// +kubebuilder:rbac:groups=policy.zonekeeper.dev,resources=compliancepolicies,verbs=get;list;watch
// +kubebuilder:rbac:groups=policy.zonekeeper.dev,resources=compliancepolicies/status,verbs=get;patch;update
// +kubebuilder:rbac:groups=policy.zonekeeper.dev,resources=policyexceptions,verbs=get;list;watch
// +kubebuilder:rbac:groups=policy.zonekeeper.dev,resources=policyexceptions/status,verbs=get;patch;update

// CompliancePolicyReconciler reports whether each CompliancePolicy is in force. It runs on the
// leader only, so that one replica writes status; it loads the policies through the same Loader as
// the PolicyLoader, so its status describes what the engine holds.
type CompliancePolicyReconciler struct {
	client.Client
	Loader *Loader
}

// SetupWithManager registers the reconciler.
func (r *CompliancePolicyReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("compliancepolicy").
		For(&policyv1.CompliancePolicy{}).
		Complete(r)
}

// Reconcile makes sure the cluster's policies are loaded, then reports this policy's state.
func (r *CompliancePolicyReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	list := &policyv1.CompliancePolicyList{}
	if err := r.List(ctx, list); err != nil {
		return ctrl.Result{}, errors.Wrap(err, "cannot list CompliancePolicies")
	}
	refused := r.Loader.Load(ctx, list.Items)

	cp := &policyv1.CompliancePolicy{}
	if err := r.Get(ctx, req.NamespacedName, cp); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := cp.DeepCopy()
	c := metav1.Condition{Type: policyv1.ConditionActive, ObservedGeneration: cp.Generation}
	if err, bad := refused[cp.Name]; bad {
		c.Status, c.Reason, c.Message = metav1.ConditionFalse, policyv1.ReasonInvalid, err.Error()
		cp.Status.Controls = nil
	} else {
		c.Status, c.Reason, c.Message = metav1.ConditionTrue, policyv1.ReasonLoaded, "compiled and evaluated by the running engine (its tests ran at admission)"
		cp.Status.Controls = r.controls(cp.Name)
	}
	meta.SetStatusCondition(&cp.Status.Conditions, c)
	cp.Status.ObservedGeneration = cp.Generation
	if err := r.Status().Patch(ctx, cp, client.MergeFrom(before)); err != nil && !apierrors.IsNotFound(err) {
		return ctrl.Result{}, errors.Wrap(err, "cannot patch CompliancePolicy status")
	}
	return ctrl.Result{}, nil
}

func (r *CompliancePolicyReconciler) controls(name string) []string {
	for _, p := range r.Loader.Engine.Policies() {
		if !p.Builtin && p.Name == name {
			return p.Controls
		}
	}
	return nil
}

// PolicyExceptionReconciler reports whether an exception is in force, and flips it to Expired at
// its expiry. The engine judges expiry itself on every evaluation; this status is for people.
type PolicyExceptionReconciler struct {
	client.Client
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// SetupWithManager registers the reconciler.
func (r *PolicyExceptionReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("policyexception").
		For(&policyv1.PolicyException{}).
		Complete(r)
}

// Reconcile sets Active and requeues at expiry.
func (r *PolicyExceptionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	pe := &policyv1.PolicyException{}
	if err := r.Get(ctx, req.NamespacedName, pe); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := pe.DeepCopy()
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	c := metav1.Condition{Type: policyv1.ConditionActive, ObservedGeneration: pe.Generation}
	var res ctrl.Result
	if left := pe.Spec.ExpiresAt.Sub(now); left > 0 {
		c.Status, c.Reason = metav1.ConditionTrue, policyv1.ReasonInForce
		c.Message = fmt.Sprintf("waives %v until %s", pe.Spec.Controls, pe.Spec.ExpiresAt.UTC().Format(time.RFC3339))
		res.RequeueAfter = left + time.Second
	} else {
		c.Status, c.Reason = metav1.ConditionFalse, policyv1.ReasonExpired
		c.Message = fmt.Sprintf("expired at %s; it waives nothing", pe.Spec.ExpiresAt.UTC().Format(time.RFC3339))
	}
	meta.SetStatusCondition(&pe.Status.Conditions, c)
	pe.Status.ObservedGeneration = pe.Generation
	if err := r.Status().Patch(ctx, pe, client.MergeFrom(before)); err != nil && !apierrors.IsNotFound(err) {
		return ctrl.Result{}, errors.Wrap(err, "cannot patch PolicyException status")
	}
	return res, nil
}

// Setup registers the PolicyLoader, which runs on every replica, and the two status reconcilers,
// which run on the leader.
func Setup(mgr ctrl.Manager, e *engine.Engine) (*Loader, error) {
	loader, err := SetupLoader(mgr, e)
	if err != nil {
		return nil, err
	}
	if err := (&CompliancePolicyReconciler{Client: mgr.GetClient(), Loader: loader}).SetupWithManager(mgr); err != nil {
		return nil, errors.Wrap(err, "cannot set up CompliancePolicy reconciler")
	}
	if err := (&PolicyExceptionReconciler{Client: mgr.GetClient()}).SetupWithManager(mgr); err != nil {
		return nil, errors.Wrap(err, "cannot set up PolicyException reconciler")
	}
	return loader, nil
}
