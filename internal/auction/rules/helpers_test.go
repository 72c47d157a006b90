package rules

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

// t0 is a fixed server time; tests never read the clock.
var t0 = time.Date(2025, 6, 3, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

func at(d time.Duration) time.Time { return t0.Add(d) }

// yuan converts whole yuan to fen.
func yuan(y int64) money.Fen { return money.Fen(y * 100) }

func q(bidder string, amount money.Fen, seq int64) Quote {
	return Quote{Bidder: bidder, Amount: amount, Seq: seq, At: at(time.Duration(seq) * time.Second)}
}

// checkErr asserts err is an *apperr.Error with code whose basis contains
// basis ("" = must be empty, "*" = any) and whose message contains each msg.
func checkErr(t *testing.T, err error, code apperr.Code, basis string, msgs ...string) *apperr.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %s", code)
	}
	var e *apperr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T (%v) is not *apperr.Error", err, err)
	}
	if e.Code != code {
		t.Errorf("code = %s, want %s (%v)", e.Code, code, err)
	}
	switch basis {
	case "*":
	case "":
		if e.Basis != "" {
			t.Errorf("unexpected basis %q", e.Basis)
		}
	default:
		if !strings.Contains(e.Basis, basis) {
			t.Errorf("basis = %q, want it to contain %q", e.Basis, basis)
		}
	}
	for _, m := range msgs {
		if !strings.Contains(e.Message, m) {
			t.Errorf("message %q does not contain %q", e.Message, m)
		}
	}
	return e
}
