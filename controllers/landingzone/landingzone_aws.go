package landingzone

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// finalizer holds a provisioned zone until its deletion policy has been carried out.
const finalizer = "landingzone.zonekeeper.dev/cloud-resources"

// Reasons of an AWS zone's conditions, documented in docs/api.md.
const (
	ReasonProvisioning          = "Provisioning"
	ReasonAvailable             = "Available"
	ReasonProviderConfigMissing = "ProviderConfigMissing"
	ReasonPolicyDenied          = "PolicyDenied"
	ReasonPaused                = "Paused"
	ReasonDeleting              = "Deleting"
	ReasonPartRefused           = "PartRefused"
)

// deletePoll is how often a zone being deleted with deletionPolicy Delete looks at its parts
// again, besides the watch on them.
const deletePoll = 15 * time.Second

// reconcileAWS composes an AWS zone. The plan is judged by the policies before anything is
// applied: a zone with deny violations (admitted before a policy tightened, say) is not
// provisioned further; what exists is left as it is.
func (r *LandingZoneReconciler) reconcileAWS(ctx context.Context, zone *lzv1.LandingZone, cond conditions) (ctrl.Result, error) {
	if msg := missingProviderConfig(zone); msg != "" {
		cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, ReasonProviderConfigMissing, msg)
		cond.set(lzv1.ConditionReady, metav1.ConditionFalse, ReasonProviderConfigMissing, msg)
		var res ctrl.Result
		zone.Status.Compliance, res = r.Evaluator.evaluate(ctx, r.Client, zone, "LandingZone", nil, nil, cond)
		return res, nil
	}
	plan, err := r.AWS.plan(ctx, r.Client, zone)
	if err == nil {
		var existing provisionResult
		if existing, err = r.AWS.observeExisting(ctx, r.Client, plan); err == nil {
			var res ctrl.Result
			zone.Status.Compliance, res = r.Evaluator.evaluate(ctx, r.Client, zone, "LandingZone", plan.entries(), existing.observed, cond)
			if plan.refusal != "" {
				msg := "the network cannot change as asked: " + plan.refusal
				cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, ReasonPartRefused, msg)
				cond.set(lzv1.ConditionReady, metav1.ConditionFalse, ReasonPartRefused, msg)
				return res, nil
			}
			if g := gate(zone.Status.Compliance); g.closed {
				msg := g.message + "; existing cloud resources are left as they are"
				cond.set(lzv1.ConditionSynced, g.synced, g.reason, msg)
				cond.set(lzv1.ConditionReady, metav1.ConditionFalse, g.reason, msg)
				return res, nil
			}
			var got provisionResult
			if got, err = r.AWS.provision(ctx, r.Client, zone, plan); err == nil {
				r.reportParts(zone, got, cond)
				return res, nil
			}
		}
	}
	if apierrors.IsInvalid(err) {
		// The API server refused a part as the zone now wants it (a change the part cannot take,
		// such as a new CIDR for an existing VPC). Retrying cannot help; the user must change the
		// zone, and that change brings it back.
		msg := "a composed part refuses the change: " + err.Error()
		cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, ReasonPartRefused, msg)
		cond.set(lzv1.ConditionReady, metav1.ConditionFalse, ReasonPartRefused, msg)
		return ctrl.Result{}, nil
	}
	cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, lzv1.ReasonReconcileError, err.Error())
	cond.set(lzv1.ConditionReady, metav1.ConditionFalse, ReasonProvisioning, err.Error())
	return ctrl.Result{}, err
}

// missingProviderConfig says which credentials an AWS zone lacks to be provisioned, if any.
func missingProviderConfig(zone *lzv1.LandingZone) string {
	switch {
	case zone.Spec.ProviderConfigRef == nil:
		return "an AWS zone needs spec.providerConfigRef, the ClusterProviderConfig of the organization's management account, to be provisioned"
	case zone.Spec.Account.GovCloud && zone.Spec.Account.GovCloudProviderConfigRef == nil:
		return "a GovCloud zone needs spec.account.govCloudProviderConfigRef, the ClusterProviderConfig of the GovCloud organization's management account, to reach into its account (roles cannot be assumed across partitions)"
	}
	return ""
}

// reportParts sets Synced and Ready from the parts: Ready only when every part is Ready and the
// zone has been evaluated.
func (r *LandingZoneReconciler) reportParts(zone *lzv1.LandingZone, got provisionResult, cond conditions) {
	cond.set(lzv1.ConditionSynced, metav1.ConditionTrue, lzv1.ReasonReconcileSuccess, "managed resources applied")
	compliant := findCondition(zone.Status.Conditions, lzv1.ConditionCompliant)
	switch {
	case zone.Spec.Paused:
		cond.set(lzv1.ConditionReady, metav1.ConditionFalse, ReasonPaused, "spec.paused is set: no cloud calls are made for this zone")
	case len(got.failing) > 0 || len(got.waiting) > 0:
		cond.set(lzv1.ConditionReady, metav1.ConditionFalse, ReasonProvisioning, strings.Join(append(got.failing, got.waiting...), "; "))
	case compliant == nil || compliant.Status == metav1.ConditionUnknown:
		cond.set(lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonNotEvaluated, "every part is Ready, but the zone has not been evaluated against its baselines")
	default:
		cond.set(lzv1.ConditionReady, metav1.ConditionTrue, ReasonAvailable,
			fmt.Sprintf("account %s with VPC %s, key %s and trail %s", zone.Status.AccountID, zone.Status.NetworkID, zone.Status.KeyID, zone.Status.AuditTrailID))
	}
}

func findCondition(conds []metav1.Condition, typ string) *metav1.Condition {
	for i := range conds {
		if conds[i].Type == typ {
			return &conds[i]
		}
	}
	return nil
}

// provisioningGate says whether a plan may be applied after its evaluation.
type provisioningGate struct {
	closed  bool
	synced  metav1.ConditionStatus // Synced while closed: the pass worked (denied) or not (no verdict)
	reason  string
	message string
}

// gate closes while deny violations stand, and while there is no verdict at all: an evaluation
// that failed (a policy error, the deadline on a throttled pod) leaves status.compliance nil, and
// provisioning must never go ahead on a verdict that was not reached.
func gate(s *lzv1.ComplianceStatus) provisioningGate {
	if s == nil {
		return provisioningGate{closed: true, synced: metav1.ConditionFalse, reason: lzv1.ReasonEvaluationError,
			message: "not provisioned while the compliance policies cannot be evaluated (see the Compliant condition)"}
	}
	for _, v := range s.Violations {
		if v.EnforcementAction == engine.ActionDeny {
			return provisioningGate{closed: true, synced: metav1.ConditionTrue, reason: ReasonPolicyDenied,
				message: "not provisioned while deny violations stand (see the Compliant condition)"}
		}
	}
	return provisioningGate{}
}

// ensureFinalizer adds the finalizer before anything is composed. It patches a copy and takes
// back only the metadata, so status the pass has already worked out is not overwritten by the
// server's copy. The patch replaces the whole list of finalizers, so it is made against the
// resourceVersion the pass read: from a stale copy it would drop a finalizer added since.
func (r *LandingZoneReconciler) ensureFinalizer(ctx context.Context, zone *lzv1.LandingZone) error {
	if controllerutil.ContainsFinalizer(zone, finalizer) {
		return nil
	}
	patched := zone.DeepCopy()
	controllerutil.AddFinalizer(patched, finalizer)
	if err := r.Patch(ctx, patched, client.MergeFromWithOptions(zone, client.MergeFromWithOptimisticLock{})); err != nil {
		return errors.Wrap(err, "cannot add finalizer")
	}
	zone.Finalizers = patched.Finalizers
	zone.ResourceVersion = patched.ResourceVersion
	return nil
}

// reconcileDelete carries out spec.deletionPolicy. Orphan (the default) leaves every cloud object
// as it is: the parts' objects are garbage collected with the zone, and the garbage collector
// deletes each part as the part's own spec.deletionPolicy says. That is the policy of the last
// provisioning pass, which may predate the zone's Orphan: provisioning is held back while the
// compliance gate is closed, a network change is refused or a provider config is missing, so a
// zone switched from Delete to Orphan then may still have parts saying Delete. Every part is
// therefore set to Orphan here, and the finalizer holds the zone until all of them are. Delete
// deletes the parts, whose reconcilers delete (or close, or schedule for deletion) the cloud
// objects, and holds the zone until they are gone.
func (r *LandingZoneReconciler) reconcileDelete(ctx context.Context, zone *lzv1.LandingZone) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(zone, finalizer) || r.AWS == nil {
		return ctrl.Result{}, nil
	}
	cond := conditions{list: &zone.Status.Conditions, generation: zone.Generation}
	objs, err := r.AWS.composedObjects(ctx, r.Client, zone)
	if err != nil {
		cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, lzv1.ReasonReconcileError, err.Error())
		return ctrl.Result{}, err
	}
	parts := describeParts(objs)
	if zone.Spec.DeletionPolicy != lzv1.DeletionDelete {
		if err := r.orphanParts(ctx, objs); err != nil {
			cond.set(lzv1.ConditionSynced, metav1.ConditionFalse, lzv1.ReasonReconcileError, err.Error())
			cond.set(lzv1.ConditionReady, metav1.ConditionFalse, ReasonDeleting,
				"deletionPolicy is Orphan: the zone is held until every part says deletionPolicy Orphan too: "+err.Error())
			return ctrl.Result{}, err
		}
		if r.Recorder != nil {
			r.Recorder.Eventf(zone, nil, corev1.EventTypeNormal, "OrphaningCloudResources", "Delete",
				"deletionPolicy is Orphan: the AWS account, network, key and audit trail are left in place; only their Kubernetes objects go: %s", strings.Join(parts, ", "))
		}
		return ctrl.Result{}, r.removeFinalizer(ctx, zone)
	}
	if len(parts) == 0 {
		return ctrl.Result{}, r.removeFinalizer(ctx, zone)
	}
	// Closing the account would take the keys, buckets and roles of the workloads it hosts with
	// it, their data and all, behind their own deletion policies' backs: the zone waits for its
	// workloads, and for their parts, which may outlive them (being deleted, or left by a
	// workload refused since it was placed).
	hosted, err := r.hostedWorkloads(ctx, zone)
	if err != nil {
		return ctrl.Result{}, err
	}
	if len(hosted) > 0 {
		cond.set(lzv1.ConditionReady, metav1.ConditionFalse, ReasonDeleting,
			"deletionPolicy is Delete: held until the workloads it hosts and their parts are deleted: "+strings.Join(hosted, ", "))
		// A workload's deletion brings the zone back (its watch); the poll is a backstop.
		return ctrl.Result{RequeueAfter: deletePoll}, nil
	}
	// The account goes last: its network, key and trail are deleted through it (the member role),
	// which closing it first would take away.
	kinds := []schema.GroupVersionKind{accountKind}
	if slices.ContainsFunc(objs, func(u unstructured.Unstructured) bool { return u.GetKind() != accountKind.Kind }) {
		kinds = slices.DeleteFunc(slices.Clone(composedKinds), func(gvk schema.GroupVersionKind) bool { return gvk == accountKind })
	}
	for _, gvk := range kinds {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(gvk)
		err := r.DeleteAllOf(ctx, u, client.InNamespace(r.AWS.namespaceFor(zone)), client.MatchingLabels{labelZone: zone.Name})
		if err != nil && !apierrors.IsNotFound(err) {
			return ctrl.Result{}, errors.Wrapf(err, "cannot delete the zone's %s", gvk.Kind)
		}
	}
	cond.set(lzv1.ConditionReady, metav1.ConditionFalse, ReasonDeleting, "deletionPolicy is Delete: waiting for "+strings.Join(parts, ", "))
	return ctrl.Result{RequeueAfter: deletePoll}, nil
}

// workloadPartKinds are the kinds a workload composes in its zone's account.
var workloadPartKinds = []schema.GroupVersionKind{
	awsv1.GroupVersion.WithKind("Key"), awsv1.GroupVersion.WithKind("Bucket"), awsv1.GroupVersion.WithKind("Role"),
}

// hostedWorkloads names, sorted, the workloads zone admits and the workloads' parts labelled with
// the zone that still exist, in any namespace.
func (r *LandingZoneReconciler) hostedWorkloads(ctx context.Context, zone *lzv1.LandingZone) ([]string, error) {
	wls, err := admittedWorkloads(ctx, r.Client, zone)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, wl := range wls {
		out = append(out, "Workload "+key(wl.Namespace, wl.Name))
	}
	for _, gvk := range workloadPartKinds {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := r.List(ctx, l, client.MatchingLabels{labelZone: zone.Name}, client.HasLabels{workloadLabel}); err != nil {
			if apimeta.IsNoMatchError(err) {
				continue // the AWS kinds are not installed: nothing of them to wait for
			}
			return nil, errors.Wrapf(err, "cannot list the %ss of the zone's workloads", gvk.Kind)
		}
		for _, u := range l.Items {
			out = append(out, gvk.Kind+" "+key(u.GetNamespace(), u.GetName()))
		}
	}
	slices.Sort(out)
	return out, nil
}

// orphanPatch sets a managed resource's deletionPolicy to Orphan and touches nothing else.
var orphanPatch = client.RawPatch(types.MergePatchType, []byte(`{"spec":{"deletionPolicy":"Orphan"}}`))

// orphanParts sets spec.deletionPolicy Orphan on every part that does not say it already. It is
// patched as the zone's field manager, which owns the field from provisioning. A part already
// gone needs nothing.
func (r *LandingZoneReconciler) orphanParts(ctx context.Context, parts []unstructured.Unstructured) error {
	for i := range parts {
		u := &parts[i]
		if p, _, _ := unstructured.NestedString(u.Object, "spec", "deletionPolicy"); p == string(xpv2.DeletionOrphan) {
			continue
		}
		if err := r.Patch(ctx, u, orphanPatch, fieldOwner); err != nil && !apierrors.IsNotFound(err) {
			return errors.Wrapf(err, "cannot set deletionPolicy Orphan on %s %s/%s", u.GetKind(), u.GetNamespace(), u.GetName())
		}
	}
	return nil
}

// removeFinalizer takes the zone's finalizer off, under the same lock as ensureFinalizer.
func (r *LandingZoneReconciler) removeFinalizer(ctx context.Context, zone *lzv1.LandingZone) error {
	before := zone.DeepCopy()
	controllerutil.RemoveFinalizer(zone, finalizer)
	if err := r.Patch(ctx, zone, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil && !apierrors.IsNotFound(err) {
		return errors.Wrap(err, "cannot remove finalizer")
	}
	return nil
}
