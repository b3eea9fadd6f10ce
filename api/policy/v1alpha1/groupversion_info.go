// Package v1alpha1 holds ZoneKeeper's policy API: CompliancePolicy (a security team's Rego) and
// PolicyException (a time-boxed waiver) in the policy.zonekeeper.dev group.
//
// +kubebuilder:object:generate=true
// +groupName=policy.zonekeeper.dev
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of every kind in this package.
	GroupVersion = schema.GroupVersion{Group: "policy.zonekeeper.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the kinds of this package with a runtime.Scheme. It is
	// apimachinery's, not controller-runtime's, so that importing the API pulls in no more than
	// apimachinery.
	SchemeBuilder runtime.SchemeBuilder

	// AddToScheme adds the kinds of this package to a runtime.Scheme.
	AddToScheme = addToScheme
)

func addToScheme(s *runtime.Scheme) error { return SchemeBuilder.AddToScheme(s) }

// register adds kinds of this package to SchemeBuilder; each _types.go registers its own.
func register(objs ...runtime.Object) {
	SchemeBuilder.Register(func(s *runtime.Scheme) error {
		s.AddKnownTypes(GroupVersion, objs...)
		metav1.AddToGroupVersion(s, GroupVersion)
		return nil
	})
}

// Condition types and reasons of the policy kinds, documented in docs/policies.md.
const (
	// ConditionActive says whether the policy or exception is in force in the running engine.
	ConditionActive = "Active"

	// ReasonLoaded: the policy compiled, its tests passed, and the engine evaluates it.
	ReasonLoaded = "Loaded"
	// ReasonInvalid: the policy no longer compiles against the engine (for example a built-in it
	// relied on changed); it is not evaluated.
	ReasonInvalid = "Invalid"
	// ReasonInForce: the exception waives its controls until spec.expiresAt.
	ReasonInForce = "InForce"
	// ReasonExpired: spec.expiresAt has passed; the exception waives nothing anywhere.
	ReasonExpired = "Expired"
)
