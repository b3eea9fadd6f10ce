package landingzone

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=get;list;watch;create;update;patch;delete

// defaultDenyPolicy is the NetworkPolicy a workload whose data forbids public exposure gets.
const defaultDenyPolicy = "zonekeeper-default-deny"

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
	if !forbidsPublicExposure(dcs) {
		return nil
	}
	if err := apply(ctx, r.Client, defaultDeny(wl)); err != nil {
		return errors.Wrap(err, "cannot apply default-deny NetworkPolicy")
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
			Name: defaultDenyPolicy, Namespace: wl.Namespace,
			Labels: map[string]string{"landingzone.zonekeeper.dev/workload": wl.Name},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: lzv1.GroupVersion.String(), Kind: "Workload", Name: wl.Name, UID: wl.UID,
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
