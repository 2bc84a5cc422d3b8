// Package derrors holds the sentinel errors that cross package boundaries in
// truce, and FieldError, the error that names the input field at fault.
//
// Callers check them with errors.Is and errors.As; exactly one function per
// transport (httpapi.writeError, the CLI's exit path) turns them into status
// codes or messages.
package derrors

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrNotFound means the thing asked for does not exist, or the caller may
	// not know that it exists.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the input is malformed or breaks a rule.
	ErrInvalid = errors.New("invalid")
	// ErrConflict means the input contradicts what is already stored, such as
	// an observation id reused with different content.
	ErrConflict = errors.New("conflict")
	// ErrUnauthenticated means no valid credential was presented.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden means the caller is known but may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrTooLarge means the input exceeds a size limit.
	ErrTooLarge = errors.New("too large")
)

// FieldError reports which input field is at fault and why. It wraps
// ErrInvalid unless Err says otherwise (for example ErrTooLarge).
type FieldError struct {
	Field   string // JSON field name, dotted for nested fields ("evidence[0].sha256"); "body" for the whole input
	Message string // human-readable reason, lower case, no trailing period
	Err     error  // the sentinel; nil means ErrInvalid
}

// Invalid returns a FieldError for field with a formatted reason.
func Invalid(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %s", e.Field, e.Message)
}

// Unwrap returns the sentinel the error stands for.
func (e *FieldError) Unwrap() error {
	if e.Err == nil {
		return ErrInvalid
	}
	return e.Err
}

// UnknownJSONField returns the field a json.Decoder with
// DisallowUnknownFields refused, if err is that refusal. encoding/json
// reports it only in the message, so this is the one place that reads it.
func UnknownJSONField(err error) (string, bool) {
	const prefix = "json: unknown field "
	if err == nil || !strings.HasPrefix(err.Error(), prefix) {
		return "", false
	}
	return strings.Trim(strings.TrimPrefix(err.Error(), prefix), `"`), true
}
