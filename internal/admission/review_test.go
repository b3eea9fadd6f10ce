package admission_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	cradmission "sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/admission"
	"github.com/zonekeeper/zonekeeper/internal/cli"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// review renders an AdmissionReview of apiVersion for obj (and old, on an update).
func review(t *testing.T, apiVersion string, op admissionv1.Operation, obj, old any) []byte {
	t.Helper()
	raw := func(x any) json.RawMessage {
		if x == nil {
			return nil
		}
		if b, ok := x.(string); ok {
			return json.RawMessage(b)
		}
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	req := map[string]any{
		"uid":       "0f9b6c8e-uid",
		"kind":      map[string]string{"group": "landingzone.zonekeeper.dev", "version": "v1alpha1", "kind": "LandingZone"},
		"resource":  map[string]string{"group": "landingzone.zonekeeper.dev", "version": "v1alpha1", "resource": "landingzones"},
		"name":      "zone",
		"operation": op,
		"userInfo":  map[string]any{"username": "alice"},
	}
	if o := raw(obj); o != nil {
		req["object"] = o
	}
	if o := raw(old); o != nil {
		req["oldObject"] = o
	}
	b, err := json.Marshal(map[string]any{"apiVersion": apiVersion, "kind": "AdmissionReview", "request": req})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func typed(obj client.Object, kind string) client.Object {
	obj.GetObjectKind().SetGroupVersionKind(lzv1.GroupVersion.WithKind(kind))
	return obj
}

// serve posts body to h and returns the status code and the response body.
func serve(h http.Handler, contentType string, body []byte) (int, string) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r := httptest.NewRequest(http.MethodPost, "/validate", rd)
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

// newReviewChecker creates a cji-like classification of a name of its own in the API server
// and returns its name with a Checker over the built-in policies, reading the API server.
func newReviewChecker(t *testing.T) (string, *admission.Checker) {
	t.Helper()
	class := unique("cji")
	mustCreate(t, cji(class))
	eng, err := engine.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return class, &admission.Checker{Engine: eng, Reader: k8s}
}

func TestVerdictHandlerAnswersEveryReviewAsControllerRuntimesWebhook(t *testing.T) {
	class, c := newReviewChecker(t)
	scheme := cli.Scheme()

	good := typed(compliantZone("zone", class), "LandingZone")
	short := compliantZone("zone", class)
	short.Spec.Audit.RetentionDays = 90
	typed(short, "LandingZone")
	labelled := short.DeepCopyObject().(*lzv1.LandingZone) //nolint:forcetypeassert // a copy of a zone is one
	labelled.Labels = map[string]string{"team": "evidence"}
	deleting := short.DeepCopyObject().(*lzv1.LandingZone) //nolint:forcetypeassert // a copy of a zone is one
	deleting.DeletionTimestamp = ptr.To(metav1.Now())
	deleting.Spec.Network.Egress = lzv1.EgressDirect // judged, this would be refused
	orphan := typed(&lzv1.Workload{Spec: lzv1.WorkloadSpec{LandingZoneRef: lzv1.LandingZoneReference{Name: "no-such-zone"}, Classifications: []string{class}}}, "Workload")
	orphan.SetName("orphan")
	unknownBaseline := typed(cji("made-up"), "DataClassification")
	unknownBaseline.(*lzv1.DataClassification).Spec.Baselines = []string{"no-such-baseline"}

	type kind struct {
		gvk   schema.GroupVersionKind
		stock func() *cradmission.Webhook
		fast  func(fallback http.Handler) http.Handler
	}
	kinds := map[string]kind{}
	add := func(name string, stock func() *cradmission.Webhook, fast func(http.Handler) http.Handler) {
		kinds[name] = kind{lzv1.GroupVersion.WithKind(name), stock, fast}
	}
	add("LandingZone",
		func() *cradmission.Webhook { return admission.StockWebhook[*lzv1.LandingZone](scheme, c) },
		func(fb http.Handler) http.Handler {
			return admission.VerdictHandler[*lzv1.LandingZone](scheme, c, lzv1.GroupVersion.WithKind("LandingZone"), fb)
		})
	add("Workload",
		func() *cradmission.Webhook { return admission.StockWebhook[*lzv1.Workload](scheme, c) },
		func(fb http.Handler) http.Handler {
			return admission.VerdictHandler[*lzv1.Workload](scheme, c, lzv1.GroupVersion.WithKind("Workload"), fb)
		})
	add("DataClassification",
		func() *cradmission.Webhook { return admission.StockWebhook[*lzv1.DataClassification](scheme, c) },
		func(fb http.Handler) http.Handler {
			return admission.VerdictHandler[*lzv1.DataClassification](scheme, c, lzv1.GroupVersion.WithKind("DataClassification"), fb)
		})

	const v1 = "admission.k8s.io/v1"
	for _, tc := range []struct {
		name        string
		kind        string
		contentType string
		body        []byte
		// answeredItself: the handler must not hand this review to the stock webhook.
		answeredItself bool
		wantCode       int32 // the AdmissionResponse's status code
		wantInMessage  string
	}{
		{"a compliant zone is allowed", "LandingZone", "application/json", review(t, v1, admissionv1.Create, good, nil), true, http.StatusOK, ""},
		{"a zone keeping audit logs 90 days is denied", "LandingZone", "application/json", review(t, v1, admissionv1.Create, short, nil), true, http.StatusUnprocessableEntity, "AU-11"},
		{"an update is judged by its new object", "LandingZone", "application/json", review(t, v1, admissionv1.Update, short, good), true, http.StatusUnprocessableEntity, "spec.audit.retentionDays"},
		{"an update keeping a violation the zone already had is allowed", "LandingZone", "application/json", review(t, v1, admissionv1.Update, labelled, short), true, http.StatusOK, ""},
		{"an update of a zone being deleted is allowed", "LandingZone", "application/json", review(t, v1, admissionv1.Update, deleting, short), true, http.StatusOK, ""},
		{"a workload in a missing zone is denied", "Workload", "application/json", review(t, v1, admissionv1.Create, orphan, nil), true, http.StatusUnprocessableEntity, "AC-4"},
		{"a classification naming an unknown baseline is denied", "DataClassification", "application/json", review(t, v1, admissionv1.Create, unknownBaseline, nil), true, http.StatusUnprocessableEntity, "spec.baselines"},
		{"a delete goes to the stock webhook", "LandingZone", "application/json", review(t, v1, admissionv1.Delete, nil, good), false, http.StatusOK, ""},
		{"a v1beta1 review goes to the stock webhook", "LandingZone", "application/json", review(t, "admission.k8s.io/v1beta1", admissionv1.Create, short, nil), false, http.StatusUnprocessableEntity, "AU-11"},
		{"an object that does not decode goes to the stock webhook", "LandingZone", "application/json", review(t, v1, admissionv1.Create, `{"apiVersion":"landingzone.zonekeeper.dev/v1alpha1","kind":"LandingZone","spec":5}`, nil), false, http.StatusBadRequest, "cannot unmarshal"},
		{"an object of another kind goes to the stock webhook", "LandingZone", "application/json", review(t, v1, admissionv1.Create, orphan, nil), false, 0, ""},
		{"a create without an object goes to the stock webhook", "LandingZone", "application/json", review(t, v1, admissionv1.Create, nil, nil), false, 0, ""},
		{"a review that is not JSON goes to the stock webhook", "LandingZone", "application/json", []byte("{not json"), false, http.StatusBadRequest, ""},
		{"another content type goes to the stock webhook", "LandingZone", "text/plain", review(t, v1, admissionv1.Create, good, nil), false, http.StatusBadRequest, "contentType"},
		{"a review over 7 MiB is refused as too large", "LandingZone", "application/json", bytes.Repeat([]byte(" "), 7<<20+1), true, http.StatusRequestEntityTooLarge, "too large"},
		{"an empty body goes to the stock webhook", "LandingZone", "application/json", nil, false, http.StatusBadRequest, "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := kinds[tc.kind]
			wantStatus, want := serve(k.stock(), tc.contentType, tc.body)
			gotStatus, got := serve(k.fast(nil), tc.contentType, tc.body)
			if gotStatus != wantStatus || got != want {
				t.Fatalf("the verdict handler answered\n%d %s\nthe stock webhook\n%d %s", gotStatus, got, wantStatus, want)
			}
			var fellBack atomic.Bool
			fallback := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { fellBack.Store(true) })
			serve(k.fast(fallback), tc.contentType, tc.body)
			if fellBack.Load() == tc.answeredItself {
				t.Errorf("handed to the stock webhook: %t, want %t", fellBack.Load(), !tc.answeredItself)
			}
			if tc.wantCode == 0 {
				return
			}
			var ar admissionv1.AdmissionReview
			if err := json.Unmarshal([]byte(got), &ar); err != nil || ar.Response == nil || ar.Response.Result == nil {
				t.Fatalf("cannot read the answer %s: %v", got, err)
			}
			if ar.Response.Result.Code != tc.wantCode || !strings.Contains(ar.Response.Result.Message, tc.wantInMessage) {
				t.Errorf("answer %d %q, want %d mentioning %q", ar.Response.Result.Code, ar.Response.Result.Message, tc.wantCode, tc.wantInMessage)
			}
			if tc.answeredItself && tc.wantCode != http.StatusRequestEntityTooLarge && ar.Response.UID != "0f9b6c8e-uid" {
				t.Errorf("answer for request %q, want the review's UID", ar.Response.UID)
			}
		})
	}
}

// TestVerdictHandlerLogsAsControllerRuntimesWebhook: at verbosity 5 the handler writes the stock
// webhook's "received request" and "wrote response" lines, with the same values; below it,
// nothing.
func TestVerdictHandlerLogsAsControllerRuntimesWebhook(t *testing.T) {
	class, c := newReviewChecker(t)
	scheme := cli.Scheme()
	gvk := lzv1.GroupVersion.WithKind("LandingZone")
	good := typed(compliantZone("zone", class), "LandingZone")
	short := compliantZone("zone", class)
	short.Spec.Audit.RetentionDays = 90
	typed(short, "LandingZone")

	capture := func(verbosity int) (logr.Logger, *[]string) {
		var lines []string
		return funcr.New(func(prefix, args string) { lines = append(lines, prefix+" "+args) }, funcr.Options{Verbosity: verbosity}), &lines
	}
	for name, obj := range map[string]client.Object{"Allowed": good, "Denied": short} {
		t.Run(name, func(t *testing.T) {
			body := review(t, "admission.k8s.io/v1", admissionv1.Create, obj, nil)
			fastLog, fast := capture(5)
			serve(admission.VerdictHandlerLoggingTo[*lzv1.LandingZone](scheme, c, gvk, fastLog), "application/json", body)
			stockLog, stock := capture(5)
			serve(admission.StockWebhookLoggingTo[*lzv1.LandingZone](scheme, c, gvk, stockLog), "application/json", body)
			if len(*stock) != 2 || !strings.Contains((*stock)[0], `"msg"="received request"`) || !strings.Contains((*stock)[1], `"msg"="wrote response"`) {
				t.Fatalf("the stock webhook logged %q, want its received and wrote lines", *stock)
			}
			if strings.Join(*fast, "\n") != strings.Join(*stock, "\n") {
				t.Errorf("the verdict handler logged\n%s\nthe stock webhook\n%s", strings.Join(*fast, "\n"), strings.Join(*stock, "\n"))
			}
			quietLog, quiet := capture(4)
			serve(admission.VerdictHandlerLoggingTo[*lzv1.LandingZone](scheme, c, gvk, quietLog), "application/json", body)
			if len(*quiet) != 0 {
				t.Errorf("at verbosity 4 the handler logged %q", *quiet)
			}
		})
	}
}
