// Package apperr is the one error vocabulary of ggzy: a code, a safe Chinese
// message for users, optional per-field messages, and the legal basis when a
// statutory rule blocked the action. Driver or SQL text never reaches a user:
// anything that is not an *Error is shown as Internal.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error; HTTP status and UI treatment follow from it.
type Code string

const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	Deadline     Code = "deadline"
	RateLimited  Code = "rate_limited"
	Internal     Code = "internal"
)

// Error is a user-presentable error.
type Error struct {
	Code    Code
	Message string            // safe, Chinese, complete sentence
	Fields  map[string]string // field name → message
	Basis   string            // legal basis, e.g. 《招标投标法》第二十四条
	Err     error             // cause, for logs only
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message
	if e.Basis != "" {
		s += "（" + e.Basis + "）"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// New makes an error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Rule makes an error raised by a statutory rule; basis names the law.
func Rule(code Code, basis, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Basis: basis}
}

// WithField adds a per-field message and returns e.
func (e *Error) WithField(field, msg string) *Error {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	e.Fields[field] = msg
	return e
}

// Wrap attaches a cause (kept out of the user message).
func (e *Error) Wrap(err error) *Error { e.Err = err; return e }

// Fields builds an Invalid error from field messages; nil when there are none.
func Fields(msg string, fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: msg, Fields: fields}
}

// As returns the *Error in err's chain, or an Internal one that hides err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "系统内部错误，请稍后重试；如持续出现请联系交易中心技术支持。", Err: err}
}

// CodeOf returns err's code ("" for nil).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// NotFoundf is the common not-found error.
func NotFoundf(what string) *Error { return New(NotFound, "%s不存在或您无权查看。", what) }

// ErrForbidden is returned when the actor may not do the thing.
func Forbiddenf(format string, args ...any) *Error { return New(Forbidden, format, args...) }
