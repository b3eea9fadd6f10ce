package awsclient

import (
	"testing"

	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

func TestWrap(t *testing.T) {
	api := &smithy.OperationError{ServiceID: "EC2", OperationName: "CreateVpc", Err: &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."}}
	plain := errors.New("dial tcp 127.0.0.1:1: connection refused")
	cases := map[string]struct {
		reason  string
		err     error
		msg     string
		want    string
		wantNil bool
	}{
		"APIError": {
			reason: "An AWS error is reduced to its code and message, with the operation that failed in front.",
			err:    api, msg: "cannot create VPC",
			want: "cannot create VPC: UnauthorizedOperation: You are not authorized to perform this operation.",
		},
		"OtherError": {
			reason: "Any other error is wrapped as it is.",
			err:    plain, msg: "cannot describe VPC",
			want: "cannot describe VPC: dial tcp 127.0.0.1:1: connection refused",
		},
		"Nil": {reason: "Wrap(nil) is nil so calls can be returned directly.", err: nil, msg: "cannot x", wantNil: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := Wrap(tc.err, tc.msg)
			if tc.wantNil {
				if got != nil {
					t.Fatalf("%s\nWrap(nil) = %v, want nil", tc.reason, got)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got.Error()); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("%s\nerrors.Is(Wrap(err), err) = false: the original error is not kept", tc.reason)
			}
		})
	}
	if !IsCode(Wrap(api, "cannot create VPC"), "UnauthorizedOperation") {
		t.Error("IsCode does not see the AWS error code through Wrap")
	}
	var ae smithy.APIError
	if !errors.As(Wrap(api, "x"), &ae) {
		t.Error("errors.As does not find the SDK's APIError through Wrap")
	}
	if IsCode(plain, "UnauthorizedOperation") || ErrorCode(plain) != "" {
		t.Error("a non-AWS error has an AWS error code")
	}
}
