package aws

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpevent "github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

// The usage contract is crossplane's, so that tools and people who know crossplane providers read
// it the same way: the finalizer, the labels on usages, the Terminating condition and its reason.
const (
	// FinalizerInUse keeps a ProviderConfig or ClusterProviderConfig while managed resources use it.
	FinalizerInUse = "in-use.crossplane.io"
	// FinalizerUsage keeps a ProviderConfigUsage until its managed resource is gone. Without it a
	// usage goes before its resource whenever both are deleted together (a namespace deleted, or
	// the resource deleted with foreground cascading), and the config it holds could then go
	// while the resource still needs it to delete what it made in AWS.
	FinalizerUsage = "aws.zonekeeper.dev/usage"
	// TypeTerminating is the condition of a config whose deletion waits for its users.
	TypeTerminating xpv2.ConditionType = "Terminating"
	// ReasonInUse is the reason of TypeTerminating.
	ReasonInUse xpv2.ConditionReason = "InUse"

	reasonUsageAccounting xpevent.Reason = "UsageAccounting"

	// DefaultInUsePollInterval is how often a config whose deletion is blocked is looked at again
	// besides the events that usually unblock it (a usage or a managed resource going): the
	// garbage collector removes usages some time after their resource, and an informer may still
	// hold a resource the API server has deleted.
	DefaultInUsePollInterval = 30 * time.Second

	// maxNamedUsers is how many users a Terminating condition names; the rest are counted.
	maxNamedUsers = 5
)

// usageTracked records that a managed resource uses its ProviderConfig before the resource's
// connector reads it, as every crossplane provider does, so that the config cannot be deleted
// while the resource may still need it to reach AWS (to delete what it made, for one). An object
// being deleted with deletionPolicy Orphan never gets here: deletionGate answers for it without
// credentials.
type usageTracked[T orphanable] struct {
	gvk       schema.GroupVersionKind
	usage     resource.ModernTracker
	connector managed.TypedExternalConnector[T]
}

func (u *usageTracked[T]) Connect(ctx context.Context, mg T) (managed.TypedExternalClient[T], error) {
	// The usage's owner reference is built from the object's kind, which a typed object read from
	// the API may not carry.
	if mg.GetObjectKind().GroupVersionKind().Empty() {
		mg.GetObjectKind().SetGroupVersionKind(u.gvk)
	}
	if err := u.usage.Track(ctx, mg); err != nil {
		// A namespace being deleted refuses new objects, a usage included, while the resource
		// being deleted with it must still reach AWS to delete what it made: refusing to connect
		// would hold both forever (crossplane-runtime has that bug).
		if !meta.WasDeleted(mg) || !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			return nil, errors.Wrap(err, "cannot track the use of the ProviderConfig")
		}
	}
	return u.connector.Connect(ctx, mg)
}

// usageRecorder writes a managed resource's ProviderConfigUsage as crossplane-runtime's
// ProviderConfigUsageTracker does (named by the resource's UID, in its namespace, controlled by
// it, with crossplane's labels), with FinalizerUsage besides, and the default reference
// (ClusterProviderConfig default) for a resource without one, as the credentials resolver uses.
type usageRecorder struct {
	kube client.Client
}

func (r *usageRecorder) Track(ctx context.Context, mg resource.ModernManaged) error {
	ref := awsclient.DefaultConfigRef
	if p := mg.GetProviderConfigReference(); p != nil {
		ref = *p
	}
	gvk := mg.GetObjectKind().GroupVersionKind()
	labels := map[string]string{xpv2.LabelKeyProviderName: ref.Name, xpv2.LabelKeyProviderKind: ref.Kind}
	have := &awsv1.ProviderConfigUsage{}
	err := r.kube.Get(ctx, types.NamespacedName{Namespace: mg.GetNamespace(), Name: string(mg.GetUID())}, have)
	if apierrors.IsNotFound(err) {
		u := &awsv1.ProviderConfigUsage{ObjectMeta: metav1.ObjectMeta{
			Namespace: mg.GetNamespace(), Name: string(mg.GetUID()), Labels: labels, Finalizers: []string{FinalizerUsage},
			OwnerReferences: []metav1.OwnerReference{meta.AsController(meta.TypedReferenceTo(mg, gvk))},
		}}
		u.ProviderConfigReference = ref
		u.ResourceReference = xpv2.TypedReference{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind, Name: mg.GetName()}
		// Already there means another reconcile of the same resource won the race: the next
		// connect finds it.
		if err := r.kube.Create(ctx, u); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
		return nil
	}
	if err != nil {
		return err
	}
	if owner := metav1.GetControllerOf(have); owner == nil || owner.UID != mg.GetUID() {
		return errors.Errorf("ProviderConfigUsage %s/%s is not controlled by this resource", have.Namespace, have.Name)
	}
	if have.ProviderConfigReference == ref && maps.Equal(have.Labels, labels) && controllerutil.ContainsFinalizer(have, FinalizerUsage) {
		return nil
	}
	before := have.DeepCopy()
	have.ProviderConfigReference, have.Labels = ref, labels
	controllerutil.AddFinalizer(have, FinalizerUsage)
	return r.kube.Patch(ctx, have, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{}))
}

// providerConfig is a ProviderConfig or a ClusterProviderConfig.
type providerConfig interface {
	client.Object
	resource.ProviderConfig
}

// usageReconciler keeps a ProviderConfig (or ClusterProviderConfig) from being deleted while
// managed resources use it, and counts them in status.users. It follows crossplane-runtime's
// providerconfig reconciler; where it differs, and why, is listed in docs/aws.md ("Usage"). The
// main ones: status and finalizers are patched, never updated; a usage whose managed resource is
// gone (or was replaced by another of the same name) is released and deleted rather than counted,
// so a config does not wait on the garbage collector, or on one that never runs; the last look
// before a config goes is at the API server, not the informer; and a blocked deletion names the
// resources it waits for.
type usageReconciler[T providerConfig] struct {
	kube    client.Client
	api     client.Reader // the API server itself, to make sure before letting a config go
	kind    string
	newObj  func() T
	record  xpevent.Recorder
	log     logr.Logger
	poll    time.Duration
	timeout time.Duration
}

// +kubebuilder:rbac:groups=aws.zonekeeper.dev,resources=providerconfigusages,verbs=get;list;watch;create;update;patch;delete

func (r *usageReconciler[T]) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	pc := r.newObj()
	err := r.kube.Get(ctx, req.NamespacedName, pc)
	if apierrors.IsNotFound(err) {
		// Usages may name a config that is gone, or never was (a resource whose reference is
		// wrong writes one before it fails to read the config): they still must not outlive
		// their resources.
		_, err := r.users(ctx, r.kube, req.Namespace, req.Name)
		return requeueOnConflict(err)
	}
	if err != nil {
		return reconcile.Result{}, errors.Wrapf(err, "cannot get %s", r.kind)
	}
	users, err := r.users(ctx, r.kube, pc.GetNamespace(), pc.GetName())
	if err != nil {
		return requeueOnConflict(err)
	}
	if !pc.GetDeletionTimestamp().IsZero() {
		res, err := r.reconcileDelete(ctx, pc, users)
		if err != nil {
			return requeueOnConflict(err)
		}
		return res, nil
	}
	if err := r.patchFinalizers(ctx, pc, func(o client.Object) bool { return controllerutil.AddFinalizer(o, FinalizerInUse) }); err != nil {
		return requeueOnConflict(err)
	}
	return requeueOnConflict(r.patchStatus(ctx, pc, func(pc T) { pc.SetUsers(int64(len(users))) }))
}

// requeueOnConflict turns a conflict (another writer got there first) into a quiet requeue:
// the next pass reads the object again.
func requeueOnConflict(err error) (reconcile.Result, error) {
	if apierrors.IsConflict(err) {
		return reconcile.Result{Requeue: true}, nil
	}
	return reconcile.Result{}, err
}

// reconcileDelete lets the config go once nothing uses it, and otherwise says what it waits for.
func (r *usageReconciler[T]) reconcileDelete(ctx context.Context, pc T, users []string) (reconcile.Result, error) {
	if !controllerutil.ContainsFinalizer(pc, FinalizerInUse) {
		return reconcile.Result{}, nil
	}
	if len(users) == 0 {
		// The informer may not have seen a usage written a moment ago, by a resource that has
		// just read the config: the API server has. Letting the config go is the one step that
		// cannot be taken back.
		var err error
		if users, err = r.users(ctx, r.api, pc.GetNamespace(), pc.GetName()); err != nil {
			return reconcile.Result{}, err
		}
	}
	if len(users) == 0 {
		return reconcile.Result{}, r.patchFinalizers(ctx, pc, func(o client.Object) bool { return controllerutil.RemoveFinalizer(o, FinalizerInUse) })
	}
	msg := inUseMessage(users)
	old := pc.GetCondition(TypeTerminating)
	if old.Message != msg {
		r.record.Event(pc, xpevent.Warning(reasonUsageAccounting, errors.New(msg)))
	}
	since := metav1.Now()
	if old.Status == corev1.ConditionTrue {
		since = old.LastTransitionTime // the status did not change, only who it waits for
	}
	err := r.patchStatus(ctx, pc, func(pc T) {
		pc.SetUsers(int64(len(users)))
		pc.SetConditions(xpv2.Condition{
			Type:               TypeTerminating,
			Status:             corev1.ConditionTrue,
			LastTransitionTime: since,
			Reason:             ReasonInUse,
			Message:            msg,
			ObservedGeneration: pc.GetGeneration(),
		})
	})
	return reconcile.Result{RequeueAfter: r.poll}, err
}

// inUseMessage names the first users, sorted, and counts the rest.
func inUseMessage(users []string) string {
	named := users[:min(len(users), maxNamedUsers)]
	msg := fmt.Sprintf("deletion waits for the %d managed resource(s) using it: %s", len(users), strings.Join(named, ", "))
	if more := len(users) - len(named); more > 0 {
		msg += fmt.Sprintf(" and %d more", more)
	}
	return msg
}

// users returns the managed resources whose usages of the config namespace/name stand, as
// "Kind namespace/name", sorted by kind, namespace and name, listing the usages through list; it
// deletes the usages that no longer stand.
func (r *usageReconciler[T]) users(ctx context.Context, list client.Reader, namespace, name string) ([]string, error) {
	opts := []client.ListOption{client.MatchingLabels{xpv2.LabelKeyProviderName: name, xpv2.LabelKeyProviderKind: r.kind}}
	if namespace != "" {
		// A namespaced ProviderConfig serves its own namespace only.
		opts = append(opts, client.InNamespace(namespace))
	}
	l := &awsv1.ProviderConfigUsageList{}
	if err := list.List(ctx, l, opts...); err != nil {
		return nil, errors.Wrapf(err, "cannot list the usages of %s %s", r.kind, name)
	}
	var standing []*awsv1.ProviderConfigUsage
	for i := range l.Items {
		u := &l.Items[i]
		stands, err := r.stands(ctx, u)
		if err != nil {
			return nil, err
		}
		if stands {
			standing = append(standing, u)
			continue
		}
		if err := r.release(ctx, u); err != nil {
			return nil, err
		}
		r.log.V(1).Info("Deleted a stale ProviderConfigUsage", "usage", u.Namespace+"/"+u.Name, "resource", u.ResourceReference.Kind+" "+u.ResourceReference.Name)
	}
	slices.SortFunc(standing, func(a, b *awsv1.ProviderConfigUsage) int {
		return cmp.Or(cmp.Compare(a.ResourceReference.Kind, b.ResourceReference.Kind), cmp.Compare(a.Namespace, b.Namespace),
			cmp.Compare(a.ResourceReference.Name, b.ResourceReference.Name))
	})
	users := make([]string, len(standing))
	for i, u := range standing {
		users[i] = fmt.Sprintf("%s %s/%s", u.ResourceReference.Kind, u.Namespace, u.ResourceReference.Name)
	}
	return users, nil
}

// release removes FinalizerUsage from a usage that no longer stands, and deletes it.
func (r *usageReconciler[T]) release(ctx context.Context, u *awsv1.ProviderConfigUsage) error {
	if controllerutil.ContainsFinalizer(u, FinalizerUsage) {
		before := u.DeepCopy()
		controllerutil.RemoveFinalizer(u, FinalizerUsage)
		if err := r.kube.Patch(ctx, u, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); client.IgnoreNotFound(err) != nil {
			return errors.Wrapf(err, "cannot release the stale ProviderConfigUsage %s/%s", u.Namespace, u.Name)
		}
	}
	if err := r.kube.Delete(ctx, u, client.Preconditions{UID: &u.UID}); client.IgnoreNotFound(err) != nil {
		return errors.Wrapf(err, "cannot delete the stale ProviderConfigUsage %s/%s", u.Namespace, u.Name)
	}
	return nil
}

// managedKinds are the kinds whose usages this manager can judge, each read from its informer.
var managedKinds = map[schema.GroupVersionKind]func() client.Object{
	awsv1.AccountGroupVersionKind:    func() client.Object { return &awsv1.Account{} },
	awsv1.VPCGroupVersionKind:        func() client.Object { return &awsv1.VPC{} },
	awsv1.KeyGroupVersionKind:        func() client.Object { return &awsv1.Key{} },
	awsv1.AuditTrailGroupVersionKind: func() client.Object { return &awsv1.AuditTrail{} },
	awsv1.BucketGroupVersionKind:     func() client.Object { return &awsv1.Bucket{} },
	awsv1.RoleGroupVersionKind:       func() client.Object { return &awsv1.Role{} },
}

// stands reports whether u's managed resource still exists: the object its controller reference
// names, with that UID. A usage without a controller reference stands for nothing (crossplane
// deletes those too: a restore from backup strips them). A usage naming any other kind than the
// managed resources this manager reconciles is taken to stand, without reading anything: nothing
// here can tell, and reading an arbitrary kind would start an informer the manager may not be
// allowed to run.
func (r *usageReconciler[T]) stands(ctx context.Context, u *awsv1.ProviderConfigUsage) (bool, error) {
	owner := metav1.GetControllerOf(u)
	if owner == nil {
		return false, nil
	}
	gv, err := schema.ParseGroupVersion(u.ResourceReference.APIVersion)
	if err != nil {
		return true, nil //nolint:nilerr // An unreadable reference is not ours to judge: keep counting it.
	}
	newObj, ok := managedKinds[gv.WithKind(u.ResourceReference.Kind)]
	if !ok {
		return true, nil
	}
	mg := newObj()
	err = r.kube.Get(ctx, types.NamespacedName{Namespace: u.Namespace, Name: u.ResourceReference.Name}, mg)
	switch {
	case apierrors.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, errors.Wrapf(err, "cannot get %s %s/%s to see whether it still uses its ProviderConfig", u.ResourceReference.Kind, u.Namespace, u.ResourceReference.Name)
	}
	return mg.GetUID() == owner.UID, nil
}

// patchFinalizers patches the finalizers change made, with an optimistic lock so that another
// controller's finalizer added meanwhile is not lost.
func (r *usageReconciler[T]) patchFinalizers(ctx context.Context, pc T, change func(client.Object) bool) error {
	before := pc.DeepCopyObject().(client.Object) //nolint:forcetypeassert // A copy of a client.Object is one.
	if !change(pc) {
		return nil
	}
	err := r.kube.Patch(ctx, pc, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{}))
	return errors.Wrapf(client.IgnoreNotFound(err), "cannot patch the finalizers of %s %s", r.kind, pc.GetName())
}

// patchStatus patches the status change makes, if it makes one.
func (r *usageReconciler[T]) patchStatus(ctx context.Context, pc T, change func(T)) error {
	before := pc.DeepCopyObject().(T) //nolint:forcetypeassert // A copy of a T is one.
	change(pc)
	if equalStatus(before, pc) {
		return nil
	}
	// Not found is not ignored: it is also what a CRD without the status subresource answers
	// (Helm never upgrades CRDs), and that must not pass silently.
	err := r.kube.Status().Patch(ctx, pc, client.MergeFrom(before))
	return errors.Wrapf(err, "cannot patch the status of %s %s", r.kind, pc.GetName())
}

// equalStatus compares what patchStatus may change; a condition's transition time alone does not
// make a difference.
func equalStatus[T providerConfig](a, b T) bool {
	ca, cb := a.GetCondition(TypeTerminating), b.GetCondition(TypeTerminating)
	return a.GetUsers() == b.GetUsers() && ca.Equal(cb) && ca.ObservedGeneration == cb.ObservedGeneration
}

// setupUsage registers the usage reconciler of one config kind. It runs again when a usage of a
// config of that kind changes, and when a managed resource using one is deleted.
func setupUsage[T providerConfig](mgr ctrl.Manager, name, kind string, newObj func() T, o Options) error {
	r := &usageReconciler[T]{
		kube:    mgr.GetClient(),
		api:     mgr.GetAPIReader(),
		kind:    kind,
		newObj:  newObj,
		record:  newEventRecorder(mgr.GetEventRecorder("zonekeeper-" + name)),
		log:     mgr.GetLogger().WithValues("controller", name),
		poll:    o.InUsePollInterval,
		timeout: o.Timeout,
	}
	b := ctrl.NewControllerManagedBy(mgr).
		Named(name).
		For(newObj()).
		WithOptions(controller.Options{RateLimiter: o.NewRateLimiter(), MaxConcurrentReconciles: o.MaxConcurrentReconciles}).
		Watches(&awsv1.ProviderConfigUsage{}, handler.EnqueueRequestsFromMapFunc(func(_ context.Context, obj client.Object) []reconcile.Request {
			l := obj.GetLabels()
			return configRequest(kind, l[xpv2.LabelKeyProviderKind], obj.GetNamespace(), l[xpv2.LabelKeyProviderName])
		}))
	deleted := builder.WithPredicates(predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		UpdateFunc:  func(event.UpdateEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
	})
	for _, newMg := range managedKinds {
		b = b.Watches(newMg(), handler.EnqueueRequestsFromMapFunc(func(_ context.Context, obj client.Object) []reconcile.Request {
			m, ok := obj.(resource.ModernManaged)
			if !ok || m.GetProviderConfigReference() == nil {
				return nil
			}
			ref := m.GetProviderConfigReference()
			return configRequest(kind, ref.Kind, obj.GetNamespace(), ref.Name)
		}), deleted)
	}
	return errors.Wrapf(b.Complete(r), "cannot set up %s reconciler", name)
}

// configRequest is the request of the config refKind/name used from namespace, if the reconciler
// of kind serves it.
func configRequest(kind, refKind, namespace, name string) []reconcile.Request {
	if refKind != kind || name == "" {
		return nil
	}
	if kind == awsv1.ClusterProviderConfigGroupVersionKind.Kind {
		namespace = ""
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: namespace, Name: name}}}
}
