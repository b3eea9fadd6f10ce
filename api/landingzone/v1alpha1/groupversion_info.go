// Package v1alpha1 holds the user-facing ZoneKeeper API: DataClassification, LandingZone and
// Workload in the landingzone.zonekeeper.dev group.
//
// +kubebuilder:object:generate=true
// +groupName=landingzone.zonekeeper.dev
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of every kind in this package.
	GroupVersion = schema.GroupVersion{Group: "landingzone.zonekeeper.dev", Version: "v1alpha1"}

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
