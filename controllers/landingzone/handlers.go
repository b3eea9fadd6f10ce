package landingzone

import (
	"context"

	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

type queue = workqueue.TypedRateLimitingInterface[reconcile.Request]

// enqueueOldAndNew maps an object to the requests it affects, and on an update maps the old object
// too. EnqueueRequestsFromMapFunc sees only the new object, so a zone that changes its
// maxClassification would never tell the classification it left.
func enqueueOldAndNew(fn func(client.Object) []reconcile.Request) handler.EventHandler {
	add := func(q queue, objs ...client.Object) {
		for _, o := range objs {
			for _, req := range fn(o) {
				q.Add(req)
			}
		}
	}
	return handler.Funcs{
		CreateFunc:  func(_ context.Context, e event.CreateEvent, q queue) { add(q, e.Object) },
		UpdateFunc:  func(_ context.Context, e event.UpdateEvent, q queue) { add(q, e.ObjectOld, e.ObjectNew) },
		DeleteFunc:  func(_ context.Context, e event.DeleteEvent, q queue) { add(q, e.Object) },
		GenericFunc: func(_ context.Context, e event.GenericEvent, q queue) { add(q, e.Object) },
	}
}
