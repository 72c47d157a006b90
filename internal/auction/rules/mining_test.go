package rules

import (
	"testing"
	"time"

	"ggzy/internal/apperr"
)

func TestAuctionQuorum(t *testing.T) {
	def := DefaultParams()
	with := func(edit func(*Params)) Params { p := DefaultParams(); edit(&p); return p }
	tests := []struct {
		name   string
		p      Params
		mining bool
		want   int
		basis  string
	}{
		{"land: the platform's minimum", def, false, 3, def.MinAuctionBidders.Basis},
		{"mining: the Sichuan rule", def, true, 3, BasisMiningQuorum},
		{"land with 2 set", with(func(p *Params) { p.MinAuctionBidders.Value = 2 }), false, 2, def.MinAuctionBidders.Basis},
		{"mining with 2 set still needs 3", with(func(p *Params) { p.MinAuctionBidders.Value = 2 }), true, 3, BasisMiningQuorum},
		{"mining with a stricter platform minimum", with(func(p *Params) { p.MinAuctionBidders.Value = 4 }), true, 4, def.MinAuctionBidders.Basis},
		{"mining, parameters stored before the rule", with(func(p *Params) { p.MinAuctionBidders.Value = 2; p.MiningAuctionBidders = Count{} }), true, 3, BasisMiningQuorum},
		{"land, basis missing in an old record", with(func(p *Params) { p.MinAuctionBidders.Basis = "" }), false, 3, def.MinAuctionBidders.Basis},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AuctionQuorum(tt.p, tt.mining)
			if got.Value != tt.want || got.Basis != tt.basis {
				t.Fatalf("AuctionQuorum = %+v, want %d with basis %q", got, tt.want, tt.basis)
			}
		})
	}
}

// TestMiningAuctionStart: a mining auction with fewer than 3 qualified
// bidders does not start, under the Sichuan basis, even when the platform
// allows 2 for land; StartAuction takes the quorum as its minimum.
func TestMiningAuctionStart(t *testing.T) {
	land := DefaultParams()
	land.MinAuctionBidders.Value = 2
	tests := []struct {
		name    string
		mining  bool
		bidders []string
		basis   string // "" = starts
		msg     string
	}{
		{"mining, 2 bidders", true, []string{"1001", "1002"}, BasisMiningQuorum, "竞买人为2人，少于3人"},
		{"mining, 3 numbers of 2 bidders", true, []string{"1001", "1002", "1001"}, BasisMiningQuorum, "竞买人为2人"},
		{"mining, none", true, nil, BasisMiningQuorum, "竞买人为0人"},
		{"mining, 3 bidders", true, []string{"1001", "1002", "1003"}, "", ""},
		{"land, 2 bidders under a minimum of 2", false, []string{"1001", "1002"}, "", ""},
		{"land, 1 bidder", false, []string{"1001"}, land.MinAuctionBidders.Basis, "少于2人"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := AuctionQuorum(land, tt.mining)
			err := CheckAuctionQuorum(q, tt.bidders)
			p := land
			p.MinAuctionBidders = q
			_, startErr := StartAuction(p, yuan(1_000_000), yuan(10_000), tt.bidders, t0)
			if tt.basis == "" {
				if err != nil || startErr != nil {
					t.Fatalf("CheckAuctionQuorum = %v, StartAuction = %v; want both nil", err, startErr)
				}
				return
			}
			checkErr(t, err, apperr.Conflict, tt.basis, tt.msg)
			checkErr(t, startErr, apperr.Conflict, tt.basis)
		})
	}
}

func TestMiningAfterDeal(t *testing.T) {
	cal := national2025(t)
	short := DefaultParams()
	short.MiningConfirmation.Value, short.MiningPublicityBy.Value, short.MiningPublicity.Value = 1, 2, 15
	old := DefaultParams()
	old.MiningConfirmation, old.MiningPublicityBy, old.MiningPublicity = Period{}, Period{}, Period{}
	tests := []struct {
		name            string
		p               Params
		deal, published time.Time
		confirm, by     time.Time
		from, until     time.Time
		late            bool
	}{
		// Friday before the holiday: Sunday 28 Sep is worked, 1–8 Oct off,
		// Saturday 11 Oct worked.
		{"deal before National Day, published at once", DefaultParams(), on(9, 26, 15, 30), on(9, 26, 15, 30),
			date(9, 30), date(10, 10), date(9, 26), date(10, 16), false},
		{"the close ran the next morning", DefaultParams(), on(9, 26, 15, 30), on(9, 27, 9, 0),
			date(9, 30), date(10, 10), date(9, 27), date(10, 16), false},
		{"the close ran after the latest start", DefaultParams(), on(9, 26, 15, 30), on(10, 13, 9, 0),
			date(9, 30), date(10, 10), date(10, 13), date(10, 27), true},
		{"ordinary week", DefaultParams(), on(9, 1, 10, 0), on(9, 1, 10, 0),
			date(9, 4), date(9, 8), date(9, 1), date(9, 15), false},
		{"stricter settings", short, on(9, 1, 10, 0), on(9, 1, 10, 0),
			date(9, 2), date(9, 3), date(9, 1), date(9, 22), false},
		{"parameters missing read as the defaults", old, on(9, 1, 10, 0), on(9, 1, 10, 0),
			date(9, 4), date(9, 8), date(9, 1), date(9, 15), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := MiningAfterDeal(tt.p, cal, tt.deal, tt.published)
			want := MiningResult{DealAt: tt.deal, ConfirmBy: tt.confirm, PublicityBy: tt.by, PublicityFrom: tt.from, PublicityUntil: tt.until,
				Late: tt.late, Basis: BasisMiningResult}
			if !r.DealAt.Equal(want.DealAt) || !r.ConfirmBy.Equal(want.ConfirmBy) || !r.PublicityBy.Equal(want.PublicityBy) ||
				!r.PublicityFrom.Equal(want.PublicityFrom) || !r.PublicityUntil.Equal(want.PublicityUntil) || r.Late != want.Late || r.Basis != want.Basis {
				t.Fatalf("MiningAfterDeal =\n %+v\nwant\n %+v", r, want)
			}
		})
	}
}
