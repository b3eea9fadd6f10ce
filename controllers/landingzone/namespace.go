package landingzone

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=get;list;watch;create;update;patch;delete

// defaultDenyPolicy names the NetworkPolicy a workload whose data forbids public exposure gets:
// one per workload, each owned by its workload alone. A policy shared by the namespace's workloads
// kept only its last applier as owner, so deleting that workload took the policy from the others.
// Policies only add what they allow, so several identical ones deny as one does.
func defaultDenyPolicy(wl *lzv1.Workload) string {
	return shortName(validation.DNS1123SubdomainMaxLength, sharedDefaultDenyPolicy, wl.Name)
}

// workloadLabel names the workload an in-cluster object was made for.
const workloadLabel = "landingzone.zonekeeper.dev/workload"

// sharedDefaultDenyPolicy is the name every workload of a namespace applied before policies were
// per workload; one found labelled for a workload is replaced by its own.
const sharedDefaultDenyPolicy = "zonekeeper-default-deny"

// podSecurityLabels put a workload's namespace under the Pod Security Standards' restricted
// profile: classified data runs in pods that cannot escalate, mount the host or run as root.
var podSecurityLabels = map[string]string{
	"pod-security.kubernetes.io/enforce":         "restricted",
	"pod-security.kubernetes.io/enforce-version": "latest",
	"pod-security.kubernetes.io/audit":           "restricted",
	"pod-security.kubernetes.io/warn":            "restricted",
}

// reconcileNamespace applies the in-cluster controls a workload's data needs: the restricted Pod
// Security labels on its namespace, and, when any of its classifications forbids public
// exposure, a default-deny NetworkPolicy that lets pods reach only cluster DNS. Both are
// server-side applied, so labels and policies others own are left alone.
func (r *WorkloadReconciler) reconcileNamespace(ctx context.Context, wl *lzv1.Workload, dcs []lzv1.DataClassification) error {
	ns := &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: wl.Namespace, Labels: podSecurityLabels},
	}
	if err := apply(ctx, r.Client, ns); err != nil {
		return errors.Wrap(err, "cannot label namespace for Pod Security")
	}
	// The namespace-wide policy of earlier releases, labelled for this workload, gives way to its own.
	if err := r.deleteDefaultDeny(ctx, wl, sharedDefaultDenyPolicy); err != nil {
		return err
	}
	if !forbidsPublicExposure(dcs) {
		// Its data no longer asks for it: what this workload applied goes.
		return r.deleteDefaultDeny(ctx, wl, defaultDenyPolicy(wl))
	}
	if err := apply(ctx, r.Client, defaultDeny(wl)); err != nil {
		return errors.Wrap(err, "cannot apply default-deny NetworkPolicy")
	}
	return nil
}

// deleteDefaultDeny deletes the NetworkPolicy name in the workload's namespace if it is labelled
// for the workload: a policy of the same name someone else made is left alone.
func (r *WorkloadReconciler) deleteDefaultDeny(ctx context.Context, wl *lzv1.Workload, name string) error {
	np := &networkingv1.NetworkPolicy{}
	if err := r.Get(ctx, client.ObjectKey{Namespace: wl.Namespace, Name: name}, np); err != nil {
		return errors.Wrapf(client.IgnoreNotFound(err), "cannot get NetworkPolicy %s", name)
	}
	if np.Labels[workloadLabel] != wl.Name {
		return nil
	}
	if err := r.Delete(ctx, np, client.Preconditions{UID: &np.UID}); client.IgnoreNotFound(err) != nil {
		return errors.Wrapf(err, "cannot delete NetworkPolicy %s", name)
	}
	return nil
}

func forbidsPublicExposure(dcs []lzv1.DataClassification) bool {
	for _, dc := range dcs {
		if dc.Spec.Network.PublicExposure == lzv1.PublicExposureForbidden {
			return true
		}
	}
	return false
}

// defaultDeny denies all ingress and all egress but DNS to the cluster's resolver.
func defaultDeny(wl *lzv1.Workload) *networkingv1.NetworkPolicy {
	dns := intstr.FromInt32(53)
	return &networkingv1.NetworkPolicy{
		TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{
			Name: defaultDenyPolicy(wl), Namespace: wl.Namespace,
			Labels: map[string]string{workloadLabel: wl.Name},
			// The controller reference makes the workload's watch of its policies see one deleted.
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: lzv1.GroupVersion.String(), Kind: "Workload", Name: wl.Name, UID: wl.UID, Controller: ptr.To(true),
			}},
		},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Egress: []networkingv1.NetworkPolicyEgressRule{{
				To: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "kube-system"}},
					PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}},
				}},
				Ports: []networkingv1.NetworkPolicyPort{
					{Protocol: ptr.To(corev1.ProtocolUDP), Port: &dns},
					{Protocol: ptr.To(corev1.ProtocolTCP), Port: &dns},
				},
			}},
		},
	}
}
