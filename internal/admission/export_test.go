package admission

import (
	"net/http"

	"github.com/go-logr/logr"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// StockWebhook is controller-runtime's webhook for T with the validator Setup gives it: what the
// verdict handler answers as, and hands what it does not answer itself.
func StockWebhook[T client.Object](scheme *k8sruntime.Scheme, c *Checker) *admission.Webhook {
	return admission.WithValidator[T](scheme, verdictValidator[T]{c})
}

// VerdictHandler is Setup's handler for T. With a fallback, it hands that what it would hand the
// stock webhook.
func VerdictHandler[T client.Object](scheme *k8sruntime.Scheme, c *Checker, gvk schema.GroupVersionKind, fallback http.Handler) http.Handler {
	h := newVerdictHandler[T](scheme, c, gvk)
	if fallback != nil {
		h.stock = fallback
	}
	return h
}

// VerdictHandlerLoggingTo is Setup's handler for T with its logs, and those of the stock webhook
// it hands reviews to, written to base instead of controller-runtime's logger.
func VerdictHandlerLoggingTo[T client.Object](scheme *k8sruntime.Scheme, c *Checker, gvk schema.GroupVersionKind, base logr.Logger) http.Handler {
	h := newVerdictHandler[T](scheme, c, gvk)
	h.log = base
	h.stock = StockWebhookLoggingTo[T](scheme, c, gvk, base)
	return h
}

// StockWebhookLoggingTo is the stock webhook Setup's handler for T falls back to, logging to base
// instead of controller-runtime's logger.
func StockWebhookLoggingTo[T client.Object](scheme *k8sruntime.Scheme, c *Checker, gvk schema.GroupVersionKind, base logr.Logger) *admission.Webhook {
	stock := newVerdictHandler[T](scheme, c, gvk).stock.(*admission.Webhook)
	stock.LogConstructor = func(_ logr.Logger, req *admission.Request) logr.Logger { return requestLogger(base, gvk, req) }
	return stock
}
