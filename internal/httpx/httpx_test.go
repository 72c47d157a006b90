package httpx

import "testing"

func TestLoginLimiterCountsOnlyFailures(t *testing.T) {
	l := NewLoginLimiter()
	for i := 0; i < 50; i++ {
		if ok, _ := l.Allow("10.0.0.1", "alice"); !ok {
			t.Fatal("successful attempts must not use up tries")
		}
	}
	for i := 0; i < 10; i++ {
		if ok, _ := l.Allow("10.0.0.2", "bob"); !ok {
			t.Fatalf("refused after %d failures; 10 are allowed", i)
		}
		l.Failed("10.0.0.2", "bob")
	}
	ok, wait := l.Allow("10.0.0.2", "carol")
	if ok || wait <= 0 || wait > 7e9 {
		t.Fatalf("after 10 failures from one address: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow("10.0.0.3", "BOB"); ok {
		t.Fatal("the account is not limited across addresses")
	}
	if ok, _ := l.Allow("10.0.0.3", "carol"); !ok {
		t.Fatal("another address and account are limited too")
	}
}
