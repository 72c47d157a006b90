package rules

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

func TestDefaultParams(t *testing.T) {
	p := DefaultParams()
	if err := p.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	periods := []struct {
		name  string
		got   Period
		value int
		unit  Unit
		basis string
	}{
		{"land notice", p.LandNotice, 20, CalendarDays, "国土资源部令第39号"},
		{"listing period", p.ListingPeriod, 10, WorkingDays, "国土资源部令第39号"},
		{"auction notice", p.AuctionNotice, 7, CalendarDays, "拍卖法》第四十五条"},
		{"auction viewing", p.AuctionViewing, 2, CalendarDays, "拍卖法》第四十八条"},
		{"mining notice", p.MiningNotice, 20, WorkingDays, "矿业权"},
		{"mining listing", p.MiningListing, 10, WorkingDays, "矿业权"},
		{"mining publicity", p.MiningPublicity, 10, WorkingDays, "矿业权"},
		{"mining confirmation", p.MiningConfirmation, 3, WorkingDays, "矿业权"},
		{"mining publicity by", p.MiningPublicityBy, 5, WorkingDays, "矿业权"},
		{"pre-disclosure start", p.PreDisclosureStart, 10, WorkingDays, "令第32号"},
		{"pre-disclosure", p.PreDisclosure, 20, WorkingDays, "令第32号"},
		{"disclosure", p.Disclosure, 20, WorkingDays, "令第32号"},
		{"extension", p.DisclosureExtend, 5, WorkingDays, "令第32号"},
		{"capital increase", p.CapitalIncrease, 40, WorkingDays, "〔2022〕39号"},
	}
	for _, tt := range periods {
		if tt.got.Value != tt.value || tt.got.Unit != tt.unit || !strings.Contains(tt.got.Basis, tt.basis) || tt.got.Tag == "" {
			t.Errorf("%s = %+v, want %d %s with basis containing %q and a tag", tt.name, tt.got, tt.value, tt.unit, tt.basis)
		}
	}
	spans := []struct {
		name string
		got  Span
		want time.Duration
	}{
		{"countdown", p.Countdown, 5 * time.Minute},
		{"reserve lead", p.ReserveLead, 30 * time.Minute},
		{"join window", p.JoinWindow, 5 * time.Minute},
	}
	for _, tt := range spans {
		if tt.got.Duration() != tt.want || !strings.Contains(tt.got.Basis, "汕头") {
			t.Errorf("%s = %+v, want %v with the Shantou basis", tt.name, tt.got, tt.want)
		}
	}
	if p.MinAuctionBidders.Value != 3 || p.MinAuctionBidders.Basis == "" {
		t.Errorf("MinAuctionBidders = %+v, want 3 with a basis", p.MinAuctionBidders)
	}
	if p.MiningAuctionBidders.Value != 3 || p.MiningAuctionBidders.Basis != BasisMiningQuorum || p.MiningAuctionBidders.Tag != TagSecondary {
		t.Errorf("MiningAuctionBidders = %+v, want 3 with the Sichuan basis", p.MiningAuctionBidders)
	}
	if p.ReserveTest.Test != ReserveNotBelow || !strings.Contains(p.ReserveTest.Basis, "第五十条") || p.ReserveTest.Tag != TagLaw {
		t.Errorf("ReserveTest = %+v, want not_below, AL 50, law", p.ReserveTest)
	}
	if !p.IncrementMayChange.On || !strings.Contains(p.IncrementMayChange.Basis, "第十七条") {
		t.Errorf("IncrementMayChange = %+v, want on, LO39 17", p.IncrementMayChange)
	}
	if p.LeaderMayRebid.On || p.LeaderMayRebid.Basis == "" {
		t.Errorf("LeaderMayRebid = %+v, want off (refused) with a basis", p.LeaderMayRebid)
	}
	if p.AgreementRounds.Value != 2 || p.AgreementRounds.Basis == "" {
		t.Errorf("AgreementRounds = %+v, want 2", p.AgreementRounds)
	}
}

func TestParamsValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Params)
		code  apperr.Code // "" = valid
		field string
		basis string
		msg   string
	}{
		{"listing 10 calendar days (other reading of the conflict)", func(p *Params) { p.ListingPeriod = Period{Value: 10, Unit: CalendarDays} }, "", "", "", ""},
		{"listing 15 wd", func(p *Params) { p.ListingPeriod.Value = 15 }, "", "", "", ""},
		{"listing 9 wd refused", func(p *Params) { p.ListingPeriod.Value = 9 }, apperr.Invalid, "listing_period", "国土资源部令第39号", "挂牌期不得少于10日，当前设置为9个工作日"},
		{"listing 9 cd refused", func(p *Params) { p.ListingPeriod = Period{Value: 9, Unit: CalendarDays} }, apperr.Invalid, "listing_period", "国土资源部令第39号", "当前设置为9日"},
		{"land notice 19 cd refused", func(p *Params) { p.LandNotice.Value = 19 }, apperr.Invalid, "land_notice", "国土资源部令第39号", "不得少于20日"},
		{"land notice 20 wd meets a cd floor", func(p *Params) { p.LandNotice.Unit = WorkingDays }, "", "", "", ""},
		{"land notice 30 cd stricter", func(p *Params) { p.LandNotice.Value = 30 }, "", "", "", ""},
		{"auction notice 6 cd refused", func(p *Params) { p.AuctionNotice.Value = 6 }, apperr.Invalid, "auction_notice", "第四十五条", "拍卖公告期不得少于7日"},
		{"viewing 1 cd refused", func(p *Params) { p.AuctionViewing.Value = 1 }, apperr.Invalid, "auction_viewing", "第四十八条", "不得少于2日"},
		{"disclosure in cd refused", func(p *Params) { p.Disclosure.Unit = CalendarDays; p.Disclosure.Value = 30 }, apperr.Invalid, "disclosure", "令第32号", "应以工作日计算"},
		{"disclosure 19 wd refused", func(p *Params) { p.Disclosure.Value = 19 }, apperr.Invalid, "disclosure", "令第32号", "不得少于20个工作日"},
		{"pre-disclosure 19 wd refused", func(p *Params) { p.PreDisclosure.Value = 19 }, apperr.Invalid, "pre_disclosure", "令第32号", ""},
		{"extension 4 wd refused", func(p *Params) { p.DisclosureExtend.Value = 4 }, apperr.Invalid, "disclosure_extension", "令第32号", "不得少于5个工作日"},
		{"capital increase 39 wd refused", func(p *Params) { p.CapitalIncrease.Value = 39 }, apperr.Invalid, "capital_increase", "〔2022〕39号", ""},
		{"mining notice 19 wd refused", func(p *Params) { p.MiningNotice.Value = 19 }, apperr.Invalid, "mining_notice", "矿业权", ""},
		{"pre-disclosure start 11 wd refused", func(p *Params) { p.PreDisclosureStart.Value = 11 }, apperr.Invalid, "pre_disclosure_start", "令第32号", "不得超过10个工作日"},
		{"pre-disclosure start 10 cd meets a wd cap", func(p *Params) { p.PreDisclosureStart.Unit = CalendarDays }, "", "", "", ""},
		{"pre-disclosure start 5 wd stricter", func(p *Params) { p.PreDisclosureStart.Value = 5 }, "", "", "", ""},
		{"mining confirmation 4 wd refused", func(p *Params) { p.MiningConfirmation.Value = 4 }, apperr.Invalid, "mining_confirmation", "矿业权", ""},
		{"unknown unit refused", func(p *Params) { p.LandNotice.Unit = "months" }, apperr.Invalid, "land_notice", "", "单位「months」"},
		{"empty unit refused", func(p *Params) { p.MiningPublicity.Unit = "" }, apperr.Invalid, "mining_publicity", "", ""},
		{"zero period refused", func(p *Params) { p.MiningPublicityBy.Value = 0 }, apperr.Invalid, "mining_publicity_by", "", "应大于零"},
		{"countdown zero refused", func(p *Params) { p.Countdown.Seconds = 0 }, apperr.Invalid, "countdown", "", "倒计时应大于零"},
		{"countdown 3 minutes", func(p *Params) { p.Countdown.Seconds = 180 }, "", "", "", ""},
		{"join window zero refused", func(p *Params) { p.JoinWindow.Seconds = 0 }, apperr.Invalid, "join_window", "", ""},
		{"reserve lead zero allowed", func(p *Params) { p.ReserveLead.Seconds = 0 }, "", "", "", ""},
		{"reserve lead negative refused", func(p *Params) { p.ReserveLead.Seconds = -1 }, apperr.Invalid, "reserve_lead", "", ""},
		{"auction bidders 2", func(p *Params) { p.MinAuctionBidders.Value = 2 }, "", "", "", ""},
		{"auction bidders 1 refused", func(p *Params) { p.MinAuctionBidders.Value = 1 }, apperr.Invalid, "min_auction_bidders", "", "不得少于2人"},
		{"mining auction bidders 2 refused", func(p *Params) { p.MiningAuctionBidders.Value = 2 }, apperr.Invalid, "mining_auction_bidders", "拍卖的竞买人不得少于3人", "不得少于3人"},
		{"mining auction bidders 4 stricter", func(p *Params) { p.MiningAuctionBidders.Value = 4 }, "", "", "", ""},
		{"agreement rounds 0 (direct signing)", func(p *Params) { p.AgreementRounds.Value = 0 }, "", "", "", ""},
		{"agreement rounds negative refused", func(p *Params) { p.AgreementRounds.Value = -1 }, apperr.Invalid, "agreement_rounds", "", ""},
		{"reserve test above", func(p *Params) { p.ReserveTest.Test = ReserveAbove }, "", "", "", ""},
		{"reserve test empty refused", func(p *Params) { p.ReserveTest.Test = "" }, apperr.Invalid, "reserve_test", "", "底价比较方式"},
		{"reserve test unknown refused", func(p *Params) { p.ReserveTest.Test = "gte" }, apperr.Invalid, "reserve_test", "", "「gte」"},
		{"flags free", func(p *Params) { p.IncrementMayChange.On = false; p.LeaderMayRebid.On = true }, "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultParams()
			tt.edit(&p)
			err := p.Validate()
			if tt.code == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			e := checkErr(t, err, tt.code, tt.basis, tt.msg)
			if _, ok := e.Fields[tt.field]; !ok {
				t.Errorf("fields = %v, want %q", e.Fields, tt.field)
			}
		})
	}
}

func TestParamsValidateQuotesStatutoryBasisNotStoredOne(t *testing.T) {
	p := DefaultParams()
	p.AuctionNotice = Period{Value: 3, Unit: CalendarDays, Basis: "edited"}
	checkErr(t, p.Validate(), apperr.Invalid, "《中华人民共和国拍卖法》第四十五条")
}

func TestParamsJSONRoundTrip(t *testing.T) {
	p := DefaultParams()
	p.ReserveTest.Test = ReserveAbove
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"listing_period":{"value":10,"unit":"wd"`, `"countdown":{"seconds":300`, `"reserve_test":{"test":"above"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
	var back Params
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, p) {
		t.Errorf("round trip changed params:\n got %+v\nwant %+v", back, p)
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct{ got, want string }{
		{Period{Value: 20, Unit: CalendarDays}.Describe(), "20日"},
		{Period{Value: 10, Unit: WorkingDays}.Describe(), "10个工作日"},
		{Period{Value: 3}.Describe(), "3（单位未设置）"},
		{Span{Seconds: 300}.Describe(), "5分钟"},
		{Span{Seconds: 90}.Describe(), "90秒"},
		{Span{Seconds: 7200}.Describe(), "2小时"},
		{Span{}.Describe(), "0秒"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("Describe = %q, want %q", tt.got, tt.want)
		}
	}
}

func TestReserveTestClears(t *testing.T) {
	r := yuan(1_000_000)
	tests := []struct {
		test  ReserveTest
		price money.Fen
		want  bool
	}{
		{ReserveNotBelow, r, true},
		{ReserveNotBelow, r - 1, false},
		{ReserveNotBelow, r + 1, true},
		{ReserveAbove, r, false},
		{ReserveAbove, r + 1, true},
		{ReserveAbove, r - 1, false},
		{"", r, true}, // zero value reads as the default
		{"", r - 1, false},
	}
	for _, tt := range tests {
		if got := tt.test.Clears(tt.price, r); got != tt.want {
			t.Errorf("%q.Clears(%s, %s) = %v, want %v", tt.test, tt.price, r, got, tt.want)
		}
	}
}
