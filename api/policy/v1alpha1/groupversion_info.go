// Package v1alpha1 holds ZoneKeeper's policy API: CompliancePolicy (a security team's Rego) and
// PolicyException (a time-boxed waiver) in the policy.zonekeeper.dev group.
//
// +kubebuilder:object:generate=true
// +groupName=policy.zonekeeper.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/zonekeeper/zonekeeper/api/internal/register"
)

var (
	// GroupVersion is the group and version of every kind in this package.
	GroupVersion = schema.GroupVersion{Group: "policy.zonekeeper.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the kinds of this package with a runtime.Scheme.
	SchemeBuilder = &register.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the kinds of this package to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

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
