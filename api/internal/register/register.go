// Package register collects the kinds of an API package for a runtime.Scheme with apimachinery
// alone, as controller-runtime's deprecated scheme.Builder did: importing ZoneKeeper's API then
// pulls in no more than apimachinery.
package register

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Builder collects the kinds of one group and version.
type Builder struct {
	GroupVersion schema.GroupVersion
	funcs        runtime.SchemeBuilder
}

// Register adds kinds of the group and version; each _types.go registers its own from init.
func (b *Builder) Register(objs ...runtime.Object) {
	b.funcs.Register(func(s *runtime.Scheme) error {
		s.AddKnownTypes(b.GroupVersion, objs...)
		metav1.AddToGroupVersion(s, b.GroupVersion)
		return nil
	})
}

// AddToScheme adds every kind registered to s.
func (b *Builder) AddToScheme(s *runtime.Scheme) error {
	return b.funcs.AddToScheme(s)
}
