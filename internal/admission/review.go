package admission

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
	sigsjson "sigs.k8s.io/json"
)

// maxReviewBytes is the largest AdmissionReview read, as controller-runtime's webhook allows.
const maxReviewBytes = 7 * 1024 * 1024

// verdictHandler serves the validating webhook of a kind the engine judges (LandingZone,
// Workload, DataClassification).
//
// controller-runtime's admission.Webhook reads the review's JSON four times: its universal
// deserializer scans the whole AdmissionReview once to learn its kind and again to decode it, and
// the validator does both again over the object inside. Those passes were about 15% of the
// webhook's CPU. This handler decodes a v1 CREATE or UPDATE review and its object in one pass, then
// answers as the stock webhook would (same validator, same response). Everything else — a body
// that cannot be read or decoded, another content type, a v1beta1 review, another operation, an
// object of another kind — goes to the stock webhook unchanged, so those answers are the stock
// webhook's own.
type verdictHandler[T client.Object] struct {
	c     *Checker
	gvk   schema.GroupVersionKind
	stock http.Handler // controller-runtime's webhook for T
	log   logr.Logger  // where the stock webhook logs: admission
}

func newVerdictHandler[T client.Object](scheme *k8sruntime.Scheme, c *Checker, gvk schema.GroupVersionKind) *verdictHandler[T] {
	stock := admission.WithValidator[T](scheme, verdictValidator[T]{c})
	// Name the webhook and the request in the stock webhook's logs, as controller-runtime's
	// builder does for the webhooks it registers.
	stock.LogConstructor = func(base logr.Logger, req *admission.Request) logr.Logger {
		return requestLogger(base, gvk, req)
	}
	return &verdictHandler[T]{c: c, gvk: gvk, stock: stock, log: log}
}

// requestLogger names the webhook and the request, as controller-runtime's builder does for the
// webhooks it registers.
func requestLogger(base logr.Logger, gvk schema.GroupVersionKind, req *admission.Request) logr.Logger {
	l := base.WithValues("webhookGroup", gvk.Group, "webhookKind", gvk.Kind)
	if req == nil {
		return l
	}
	return l.WithValues(gvk.Kind, klog.KRef(req.Namespace, req.Name), "namespace", req.Namespace, "name", req.Name,
		"resource", req.Resource, "user", req.UserInfo.Username, "requestID", req.UID)
}

func (h *verdictHandler[T]) path() string { return validatePath(h.gvk) }

// validatePath is where controller-runtime's builder serves a kind's validating webhook, and
// where the webhook configuration (generated from the markers above Setup) sends its reviews.
func validatePath(gvk schema.GroupVersionKind) string {
	return "/validate-" + strings.ReplaceAll(gvk.Group, ".", "-") + "-" + gvk.Version + "-" + strings.ToLower(gvk.Kind)
}

// typedReview is an AdmissionReview whose request carries the object already decoded.
type typedReview[T any] struct {
	metav1.TypeMeta `json:",inline"`
	Request         *typedRequest[T] `json:"request,omitempty"`
}

// typedRequest shadows the request's object with the typed one. The old object of an update is
// kept as it came: it is decoded only when the new object would be refused (see
// Checker.CheckUpdate).
type typedRequest[T any] struct {
	admissionv1.AdmissionRequest `json:",inline"`
	Object                       T               `json:"object"`
	OldObject                    json.RawMessage `json:"oldObject"`
}

func (h *verdictHandler[T]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody || r.Header.Get("Content-Type") != "application/json" {
		h.stock.ServeHTTP(w, r)
		return
	}
	defer r.Body.Close() //nolint:errcheck // a read body's Close reports nothing of use
	body, code, err := readBody(r)
	if err != nil {
		log.Error(err, "cannot read the admission review", "webhookGroup", h.gvk.Group, "webhookKind", h.gvk.Kind)
		// As the stock webhook answers: a review without a kind, as it cannot know which.
		resp := admission.Errored(code, err)
		write(w, admissionv1.AdmissionReview{Response: &resp.AdmissionResponse}, "")
		return
	}
	var review typedReview[T]
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(body, &review); err != nil || !h.fast(&review) {
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.stock.ServeHTTP(w, r)
		return
	}
	req := admission.Request{AdmissionRequest: review.Request.AdmissionRequest}
	// The stock webhook's debug logs, the same lines with the same values, built only when
	// someone reads them.
	debug := h.log.V(5).Enabled()
	if debug {
		requestLogger(h.log, h.gvk, &req).V(5).Info("received request")
	}
	resp := h.handle(r.Context(), req, review.Request.Object, review.Request.OldObject)
	out := admissionv1.AdmissionReview{Response: &resp.AdmissionResponse}
	out.SetGroupVersionKind(admissionv1.SchemeGroupVersion.WithKind("AdmissionReview"))
	if write(w, out, req.UID) && debug {
		l := requestLogger(h.log, h.gvk, nil)
		if res := resp.Result; res != nil {
			l = l.WithValues("code", res.Code, "reason", res.Reason, "message", res.Message)
		}
		l.V(5).Info("wrote response", "requestID", resp.UID, "allowed", resp.Allowed)
	}
}

var log = logf.Log.WithName("admission")

// write answers with review, reporting whether it could.
func write(w io.Writer, review admissionv1.AdmissionReview, uid types.UID) bool {
	if err := json.NewEncoder(w).Encode(review); err != nil {
		// The connection is gone (a review always encodes): nothing more can be said on it.
		log.Error(err, "cannot write the admission response", "requestID", uid)
		return false
	}
	return true
}

// fast reports whether the review is one this handler answers itself.
func (h *verdictHandler[T]) fast(review *typedReview[T]) bool {
	if review.APIVersion != admissionv1.SchemeGroupVersion.String() || review.Kind != "AdmissionReview" || review.Request == nil {
		return false
	}
	if op := review.Request.Operation; op != admissionv1.Create && op != admissionv1.Update {
		return false
	}
	var zero T
	obj := review.Request.Object
	if any(obj) == any(zero) {
		return false // no object: the stock webhook says why
	}
	return obj.GetObjectKind().GroupVersionKind() == h.gvk
}

// handle judges the object (and, on UPDATE, the old one as raw JSON) as the stock webhook's
// validator does, with its panic recovery and response.
func (h *verdictHandler[T]) handle(ctx context.Context, req admission.Request, obj T, oldRaw json.RawMessage) (resp admission.Response) {
	defer func() {
		if p := recover(); p != nil {
			log.Error(fmt.Errorf("%v", p), "admission webhook panicked", "requestID", req.UID)
			resp = admission.Errored(http.StatusInternalServerError, fmt.Errorf("panic: %v [recovered]", p))
			resp.UID = req.UID
		}
	}()
	// A validator may read the request from its context, as under the stock webhook; its
	// object is the typed one passed, not req.Object.
	ctx = admission.NewContextWithRequest(ctx, req)
	var warnings admission.Warnings
	var err error
	if req.Operation == admissionv1.Update {
		warnings, err = h.c.CheckUpdate(ctx, func() (client.Object, error) { return h.decode(oldRaw) }, obj)
	} else {
		warnings, err = h.c.Check(ctx, obj)
	}
	if err == nil {
		resp = admission.Allowed("").WithWarnings(warnings...)
	} else if status := apierrors.APIStatus(nil); errors.As(err, &status) {
		st := status.Status()
		resp = admission.Response{AdmissionResponse: admissionv1.AdmissionResponse{Allowed: false, Result: &st}}.WithWarnings(warnings...)
	} else {
		resp = admission.Denied(err.Error()).WithWarnings(warnings...)
	}
	if err := resp.Complete(req); err != nil { // only patches can fail to complete; there are none
		resp = admission.Errored(http.StatusInternalServerError, err)
		resp.UID = req.UID
	}
	return resp
}

// decode decodes an object of T, as the review's object was.
func (h *verdictHandler[T]) decode(raw json.RawMessage) (client.Object, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("the review carries no old object")
	}
	obj := reflect.New(reflect.TypeFor[T]().Elem()).Interface().(T) //nolint:forcetypeassert // T is a pointer to a struct
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(raw, obj); err != nil {
		return nil, errors.Wrap(err, "cannot decode the old object")
	}
	return obj, nil
}

// readBody reads the review, up to maxReviewBytes, with the status code to answer when it
// cannot. When the request says how long it is, it reads that much into one buffer (the stock
// webhook grows one as it reads).
func readBody(r *http.Request) ([]byte, int32, error) {
	if n := r.ContentLength; n > 0 && n < maxReviewBytes {
		buf := make([]byte, n)
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			return nil, http.StatusBadRequest, err
		}
		return buf, 0, nil
	}
	lr := &io.LimitedReader{R: r.Body, N: maxReviewBytes}
	body, err := io.ReadAll(lr)
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	if lr.N <= 0 {
		return nil, http.StatusRequestEntityTooLarge, errors.Errorf("request entity is too large; limit is %d bytes", maxReviewBytes)
	}
	return body, 0, nil
}
