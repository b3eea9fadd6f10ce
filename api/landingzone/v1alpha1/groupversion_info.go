// Package v1alpha1 holds the user-facing ZoneKeeper API: DataClassification, LandingZone and
// Workload in the landingzone.zonekeeper.dev group.
//
// +kubebuilder:object:generate=true
// +groupName=landingzone.zonekeeper.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/zonekeeper/zonekeeper/api/internal/register"
)

var (
	// GroupVersion is the group and version of every kind in this package.
	GroupVersion = schema.GroupVersion{Group: "landingzone.zonekeeper.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the kinds of this package with a runtime.Scheme.
	SchemeBuilder = &register.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the kinds of this package to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
