package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
	"ggzy/internal/fixture"
	"ggzy/internal/testkit"
)

// A sale is polled only while someone watches it: the poller starts with
// the first stream and stops with the last; Close ends the streams of the
// sales as well as those of the rooms.
func TestSalePollerFollowsItsWatchers(t *testing.T) {
	w := fixture.New(t, testkit.OpenSQLite(t))
	h, err := New(w.HTTPDeps())
	if err != nil {
		t.Fatal(err)
	}
	s := h.(*server)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	ctx := context.Background()
	d, _ := w.Calendar.PeriodEnd(w.Clock.Now(), 20, calendar.CalendarDays)
	start := azAt(d, 9, 0)
	e, _ := w.Calendar.PeriodEnd(start, 10, calendar.WorkingDays)
	sale, err := w.Auction.CreateSale(ctx, w.Actor("principal"), auction.SaleInput{Kind: auction.Land, Mode: auction.ModeListing, Title: "五象新区GC2026-018号地块国有建设用地使用权",
		Data: auction.Data{Location: "南宁市良庆区", AreaM2: 35678.9, Use: rules.LandResidential, TermYears: 70}, Eligibility: "法人", Deposit: 1,
		StartPrice: azSaleStart, Increment: azSaleInc, StartAt: start, EndAt: azAt(e, 15, 0)})
	if err == nil {
		_, err = w.Auction.Announce(ctx, w.Actor("principal"), sale.ID)
	}
	if err != nil {
		t.Fatal(err)
	}

	open := func() (*http.Response, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/sales/"+string(sale.ID)+"/events", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("stream: %v %v", err, res)
		}
		buf := make([]byte, 32)
		if n, _ := res.Body.Read(buf); !strings.HasPrefix(string(buf[:n]), "retry:") {
			t.Fatalf("stream opens with %q", buf[:n])
		}
		return res, cancel
	}
	eventually := func(what string, cond func() bool) {
		t.Helper()
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if cond() {
				return
			}
		}
		t.Fatalf("timed out waiting for %s", what)
	}
	if n := s.sales.watched(); n != 0 {
		t.Fatalf("%d sales polled before anyone watches", n)
	}
	r1, stop1 := open()
	r2, stop2 := open()
	if n := s.sales.watched(); n != 1 {
		t.Fatalf("two streams on one sale: %d pollers", n)
	}
	stop1()
	r1.Body.Close()
	time.Sleep(100 * time.Millisecond)
	if n := s.sales.watched(); n != 1 {
		t.Fatalf("one stream left: %d pollers", n)
	}
	stop2()
	r2.Body.Close()
	eventually("the poller to stop", func() bool { return s.sales.watched() == 0 })

	r3, stop3 := open()
	defer stop3()
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, r3.Body)
		close(done)
	}()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close left the sale's stream open")
	}
	eventually("the watchers to leave", func() bool { return s.sales.watched() == 0 })
}
