package httpx

import "testing"

func TestLoginLimiterCountsOnlyFailures(t *testing.T) {
	l := NewLoginLimiter()
	for i := 0; i < 50; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatal("successful attempts must not use up tries")
		}
	}
	for i := 0; i < 10; i++ {
		if ok, _ := l.Allow("b"); !ok {
			t.Fatalf("refused after %d failures; 10 are allowed", i)
		}
		l.Failed("b")
	}
	ok, wait := l.Allow("b")
	if ok || wait <= 0 || wait > 7e9 {
		t.Fatalf("after 10 failures: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow("c"); !ok {
		t.Fatal("another address is limited too")
	}
}
