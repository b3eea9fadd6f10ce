package awsclient

import (
	"slices"

	"github.com/aws/smithy-go"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// apiError keeps what AWS said (the error code and message) and drops the transport details the
// SDK adds (operation name, HTTP status, request ID). Condition messages built from it stay the
// same from one failed poll to the next, so they never flap, and they read like
// "cannot create VPC: UnauthorizedOperation: You are not authorized to perform this operation".
type apiError struct {
	code, message string
	err           error
}

func (e *apiError) Error() string {
	if e.message == "" {
		return e.code
	}
	return e.code + ": " + e.message
}

func (e *apiError) Unwrap() error { return e.err }

// Wrap returns err with the context msg, reduced to AWS's code and message when err is an AWS API
// error. It returns nil when err is nil. errors.Is and errors.As still see the SDK's error.
func Wrap(err error, msg string) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return errors.Wrap(&apiError{code: ae.ErrorCode(), message: ae.ErrorMessage(), err: err}, msg)
	}
	return errors.Wrap(err, msg)
}

// Wrapf is Wrap with a formatted context.
func Wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return Wrap(err, errors.Errorf(format, args...).Error())
}

// ErrorCode returns the AWS error code of err, or "" when err is not an AWS API error.
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// IsCode reports whether err is an AWS API error with one of codes.
func IsCode(err error, codes ...string) bool {
	c := ErrorCode(err)
	return c != "" && slices.Contains(codes, c)
}
