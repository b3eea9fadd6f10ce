package aws

import (
	"context"
	"fmt"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// orphanable is a managed resource with ZoneKeeper's spec.deletionPolicy.
type orphanable interface {
	resource.ModernManaged
	GetDeletionPolicy() xpv2.DeletionPolicy
}

// deletionGate makes Orphan the default deletion policy of ZoneKeeper's managed resources.
//
// crossplane-runtime v2 decides deletion of namespaced managed resources by managementPolicies
// alone, and their default ("*") deletes. ZoneKeeper must never delete a landing zone's account,
// key or audit logs by default, so a deleted object whose deletionPolicy is not Delete is never
// connected to AWS: its client reports the cloud object gone, and the managed reconciler then only
// removes its finalizer. Deletion in AWS therefore needs both deletionPolicy: Delete and
// managementPolicies that include Delete (the reconciler itself skips deletion without the latter).
// Orphaning needs no credentials, so deleting an object whose ProviderConfig is gone still works.
type deletionGate[T orphanable] struct {
	kind      string
	connector managed.TypedExternalConnector[T]
	record    event.Recorder
}

func (g *deletionGate[T]) Connect(ctx context.Context, mg T) (managed.TypedExternalClient[T], error) {
	if meta.WasDeleted(mg) && mg.GetDeletionPolicy() != xpv2.DeletionDelete {
		g.record.Event(mg, event.Normal(reasonOrphaned, fmt.Sprintf("deletionPolicy is Orphan: %s %q is left in AWS as it is", g.kind, meta.GetExternalName(mg))))
		return orphaned[T]{}, nil
	}
	return g.connector.Connect(ctx, mg)
}

// orphaned is the client of an object being deleted with deletionPolicy Orphan. It makes no calls.
type orphaned[T resource.Managed] struct{}

func (orphaned[T]) Observe(context.Context, T) (managed.ExternalObservation, error) {
	return managed.ExternalObservation{ResourceExists: false}, nil
}

func (orphaned[T]) Create(context.Context, T) (managed.ExternalCreation, error) {
	return managed.ExternalCreation{}, nil
}

func (orphaned[T]) Update(context.Context, T) (managed.ExternalUpdate, error) {
	return managed.ExternalUpdate{}, nil
}

func (orphaned[T]) Delete(context.Context, T) (managed.ExternalDelete, error) {
	return managed.ExternalDelete{}, nil
}

func (orphaned[T]) Disconnect(context.Context) error { return nil }
