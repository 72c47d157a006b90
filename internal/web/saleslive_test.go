package web

import (
	"context"
	"net/http"
	"testing"

	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
)

// A sale is polled only while someone watches it: the poller starts with
// the first stream and stops with the last; Close ends the streams of the
// sales as well as those of the rooms.
func TestSalePollerFollowsItsWatchers(t *testing.T) {
	w, s, ts := startLiveServer(t)
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

	checkPollerFollowsWatchers(t, s, http.DefaultClient, ts.URL+"/sales/"+string(sale.ID)+"/events", "sale", s.sales.watched)
}
