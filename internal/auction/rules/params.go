package rules

import (
	"fmt"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

// Legal bases quoted in errors and outcomes. RULES.md tags: [law] read in
// the statute, [secondary] quoted second-hand; see Tag on each parameter.
const (
	// BasisLO39 is the land listing/auction order (RULES.md "LO39").
	BasisLO39 = "《招标拍卖挂牌出让国有建设用地使用权规定》（国土资源部令第39号）"
	// BasisLO39Listing is the listing procedure: start price, increment
	// rule and size, each quote confirmed and the price refreshed
	// (RULES.md §4 "LO39 17").
	BasisLO39Listing = BasisLO39 + "第十七条"
	// BasisLO39Close is the listing close: one quote ≥ reserve → deal;
	// several → highest, ties to the earliest quote; below the reserve
	// never wins; ≥ 2 still bidding → timed bidding (RULES.md §4 "Close").
	BasisLO39Close = BasisLO39 + "关于挂牌截止确定竞得人的规定"
	// BasisAL45 is the auction notice (拍卖日七日前发布拍卖公告).
	BasisAL45 = "《中华人民共和国拍卖法》第四十五条"
	// BasisAL48 is the viewing period (展示时间不得少于两日).
	BasisAL48 = "《中华人民共和国拍卖法》第四十八条"
	// BasisAL50 is the reserve (保留价): a top bid below it has no effect.
	BasisAL50 = "《中华人民共和国拍卖法》第五十条"
	// BasisAL51to53 is the conclusion of an auction: the top bid confirmed
	// (落槌或者以其他公开表示买定的方式), the confirmation (成交确认书) signed,
	// the minutes (拍卖笔录) kept.
	BasisAL51to53 = "《中华人民共和国拍卖法》第五十一条至第五十三条"
	// BasisSOAL54 is open transfer of state-owned assets: two or more
	// transferees → competitive bidding (公开竞价) is mandatory.
	BasisSOAL54 = "《中华人民共和国企业国有资产法》第五十四条"
	// BasisSOAL55 is the lowest transfer price fixed from an approved
	// valuation (合理确定最低转让价格).
	BasisSOAL55 = "《中华人民共和国企业国有资产法》第五十五条"
	// BasisO32 is the state-owned asset transaction order (RULES.md "O32").
	BasisO32 = "《企业国有资产交易监督管理办法》（国务院国资委、财政部令第32号）"
	// BasisCapitalIncrease is the 2022 capital-increase disclosure rule.
	BasisCapitalIncrease = "国资发产权规〔2022〕39号"
	// BasisLandTerm is the maximum term of granted land use rights by use.
	BasisLandTerm = "《中华人民共和国城镇国有土地使用权出让和转让暂行条例》第十二条"
	// BasisShantou is the online listing rule the platform follows for the
	// reserve lead, the join window and the countdown (RULES.md §4,
	// [secondary]: quoted second-hand, check the local text in force).
	BasisShantou = "汕头市国有建设用地使用权网上挂牌出让规则（转引，以当地现行规则为准）"
	// BasisSichuanMining is the mining-right online trading rule
	// (RULES.md §4, [secondary]).
	BasisSichuanMining = "四川省矿业权网上交易规则（转引，以当地现行规则为准）"
	// BasisMiningQuorum is the mining-right auction's floor of qualified
	// bidders (RULES.md §4 "auction bidders ≥ 3", [secondary]).
	BasisMiningQuorum = BasisSichuanMining + "（拍卖的竞买人不得少于3人）"
	// BasisMiningResult is the mining-right result publicity and
	// confirmation: publicity within 5 working days of the deal, lasting at
	// least 10 working days; confirmation within 3 working days (RULES.md
	// §4, [secondary]).
	BasisMiningResult = BasisSichuanMining + "（成交后3个工作日内签订成交确认书，5个工作日内公示出让结果，公示期不少于10个工作日）"
	// BasisO32PreDisclosure is the pre-disclosure (信息预披露) of a transfer
	// that moves control of the enterprise: within 10 working days of the
	// approval, for at least 20 working days (RULES.md §5, [secondary]).
	BasisO32PreDisclosure = BasisO32 + "（转让导致实际控制权转移的，转让行为获批后10个工作日内信息预披露，时间不少于20个工作日）"
	// BasisO32Extension is the extension of a formal disclosure that ends
	// without a qualified buyer, at least 5 working days each time
	// (RULES.md §5, [secondary]).
	BasisO32Extension = BasisO32 + "及产权交易机构规则（信息披露期满未征集到合格意向受让方的，可延长信息披露，每次不少于5个工作日）"
	// BasisPlatform marks a setting of the platform's own trading rules,
	// announced with the sale (RULES.md [assumption]).
	BasisPlatform = "本平台交易规则（随公告公布，可配置）"
	// BasisIncrement is the increment rule announced with the sale.
	BasisIncrement = "公告载明的增价规则；" + BasisLO39Listing
)

// Unit is the unit of a period (RULES.md "Units").
type Unit string

const (
	CalendarDays Unit = "cd" // 日
	WorkingDays  Unit = "wd" // 工作日, on the holiday calendar
)

// Tag is the standing of a parameter's source in RULES.md.
type Tag string

const (
	TagLaw        Tag = "law"        // read in the statute
	TagSecondary  Tag = "secondary"  // quoted second-hand
	TagAssumption Tag = "assumption" // unsourced: platform setting
)

// Period is a time limit counted in days, stored as (value, unit) with its
// basis. Counting the days is the caller's business (internal/calendar).
type Period struct {
	Value int    `json:"value"`
	Unit  Unit   `json:"unit"`
	Basis string `json:"basis,omitempty"`
	Tag   Tag    `json:"tag,omitempty"`
}

// Describe renders the period in Chinese: "20日", "10个工作日".
func (p Period) Describe() string {
	switch p.Unit {
	case WorkingDays:
		return fmt.Sprintf("%d个工作日", p.Value)
	case CalendarDays:
		return fmt.Sprintf("%d日", p.Value)
	default:
		return fmt.Sprintf("%d（单位未设置）", p.Value)
	}
}

// Span is a time limit counted in seconds (countdown, join window, reserve
// lead), with its basis.
type Span struct {
	Seconds int64  `json:"seconds"`
	Basis   string `json:"basis,omitempty"`
	Tag     Tag    `json:"tag,omitempty"`
}

// Duration is the span as a time.Duration.
func (s Span) Duration() time.Duration { return time.Duration(s.Seconds) * time.Second }

// Describe renders the span in Chinese: "5分钟", "90秒".
func (s Span) Describe() string { return describeDuration(s.Duration()) }

func describeDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0 && d != 0:
		return fmt.Sprintf("%d小时", d/time.Hour)
	case d%time.Minute == 0 && d != 0:
		return fmt.Sprintf("%d分钟", d/time.Minute)
	default:
		return fmt.Sprintf("%d秒", d/time.Second)
	}
}

// Count is a number of persons or rounds, with its basis.
type Count struct {
	Value int    `json:"value"`
	Basis string `json:"basis,omitempty"`
	Tag   Tag    `json:"tag,omitempty"`
}

// Flag is a yes/no setting, with its basis.
type Flag struct {
	On    bool   `json:"on"`
	Basis string `json:"basis,omitempty"`
	Tag   Tag    `json:"tag,omitempty"`
}

// ReserveTest is how a price is compared with the reserve (底价/保留价).
type ReserveTest string

const (
	// ReserveNotBelow: a price equal to the reserve clears it (default;
	// 《拍卖法》第五十条 voids only a top bid that does not reach it).
	ReserveNotBelow ReserveTest = "not_below"
	// ReserveAbove: the price must exceed the reserve (the "above" reading
	// of some local rules; RULES.md §4 conflict).
	ReserveAbove ReserveTest = "above"
)

// Clears reports whether price clears reserve under the test. Any value
// other than ReserveAbove is read as ReserveNotBelow, so a zero Timed
// applies the default.
func (r ReserveTest) Clears(price, reserve money.Fen) bool {
	if r == ReserveAbove {
		return price > reserve
	}
	return price >= reserve
}

// ReserveRule is the reserve test with its basis.
type ReserveRule struct {
	Test  ReserveTest `json:"test"`
	Basis string      `json:"basis,omitempty"`
	Tag   Tag         `json:"tag,omitempty"`
}

// Params are the settings of one land, mining or property sale (RULES.md
// §4, §5, §11). Each item carries its value, unit and basis; DefaultParams
// gives the RULES.md defaults and Validate refuses settings that relax a
// statutory floor or cap or make no sense.
type Params struct {
	// Land and mining (RULES.md §4).
	LandNotice         Period      `json:"land_notice"`          // ≥ 20 cd before the sale starts
	ListingPeriod      Period      `json:"listing_period"`       // ≥ 10, unit in conflict; default wd
	AuctionNotice      Period      `json:"auction_notice"`       // ≥ 7 cd (AL 45)
	AuctionViewing     Period      `json:"auction_viewing"`      // ≥ 2 cd (AL 48)
	Countdown          Span        `json:"countdown"`            // 5 min, restarted by each bid
	ReserveLead        Span        `json:"reserve_lead"`         // reserve entered ≥ 30 min before the close
	JoinWindow         Span        `json:"join_window"`          // 5 min after the listing close
	MinAuctionBidders  Count       `json:"min_auction_bidders"`  // 3
	ReserveTest        ReserveRule `json:"reserve_test"`         // ≥ (not below)
	IncrementMayChange Flag        `json:"increment_may_change"` // true (LO39 17)
	LeaderMayRebid     Flag        `json:"leader_may_rebid"`     // false: the leader may not outbid itself
	MiningNotice       Period      `json:"mining_notice"`        // ≥ 20 wd (Sichuan)
	MiningListing      Period      `json:"mining_listing"`       // ≥ 10 wd (Sichuan)
	MiningPublicity    Period      `json:"mining_publicity"`     // result publicity ≥ 10 wd (Sichuan)
	MiningConfirmation Period      `json:"mining_confirmation"`  // confirmation ≤ 3 wd after the deal
	MiningPublicityBy  Period      `json:"mining_publicity_by"`  // publicity starts ≤ 5 wd after the deal
	// MiningAuctionBidders is the floor of qualified bidders a mining-right
	// auction needs (Sichuan: 3); it binds whatever MinAuctionBidders says.
	// Zero (parameters stored before it existed) reads as the default.
	MiningAuctionBidders Count `json:"mining_auction_bidders"`

	// State-owned property rights (RULES.md §5).
	PreDisclosureStart Period `json:"pre_disclosure_start"` // ≤ 10 wd after approval
	PreDisclosure      Period `json:"pre_disclosure"`       // ≥ 20 wd
	Disclosure         Period `json:"disclosure"`           // ≥ 20 wd
	DisclosureExtend   Period `json:"disclosure_extension"` // ≥ 5 wd each
	CapitalIncrease    Period `json:"capital_increase"`     // pre + formal ≥ 40 wd
	AgreementRounds    Count  `json:"agreement_rounds"`     // 2 unsuccessful rounds before agreement (old rule)
}

// DefaultParams returns the RULES.md §4/§5/§11 defaults.
func DefaultParams() Params {
	return Params{
		LandNotice:           Period{20, CalendarDays, BasisLO39, TagSecondary},
		ListingPeriod:        Period{10, WorkingDays, BasisLO39 + "（挂牌时间不得少于10日；期限单位各地规定不一，平台默认按10个工作日）", TagSecondary},
		AuctionNotice:        Period{7, CalendarDays, BasisAL45, TagLaw},
		AuctionViewing:       Period{2, CalendarDays, BasisAL48, TagLaw},
		Countdown:            Span{5 * 60, BasisShantou, TagSecondary},
		ReserveLead:          Span{30 * 60, BasisShantou, TagSecondary},
		JoinWindow:           Span{5 * 60, BasisShantou, TagSecondary},
		MinAuctionBidders:    Count{3, BasisSichuanMining + "；土地拍卖人数下限为" + BasisPlatform, TagSecondary},
		ReserveTest:          ReserveRule{ReserveNotBelow, BasisAL50, TagLaw},
		IncrementMayChange:   Flag{true, BasisLO39Listing, TagSecondary},
		LeaderMayRebid:       Flag{false, BasisPlatform, TagAssumption},
		MiningNotice:         Period{20, WorkingDays, BasisSichuanMining, TagSecondary},
		MiningListing:        Period{10, WorkingDays, BasisSichuanMining, TagSecondary},
		MiningPublicity:      Period{10, WorkingDays, BasisSichuanMining, TagSecondary},
		MiningConfirmation:   Period{3, WorkingDays, BasisSichuanMining, TagSecondary},
		MiningPublicityBy:    Period{5, WorkingDays, BasisSichuanMining, TagSecondary},
		MiningAuctionBidders: Count{3, BasisMiningQuorum, TagSecondary},

		PreDisclosureStart: Period{10, WorkingDays, BasisO32, TagSecondary},
		PreDisclosure:      Period{20, WorkingDays, BasisO32, TagSecondary},
		Disclosure:         Period{20, WorkingDays, BasisO32, TagSecondary},
		DisclosureExtend:   Period{5, WorkingDays, BasisO32 + "及产权交易机构规则", TagSecondary},
		CapitalIncrease:    Period{40, WorkingDays, BasisCapitalIncrease, TagSecondary},
		AgreementRounds:    Count{2, BasisO32 + "（原规则：两轮披露未征集到两个以上受让方后方可协议转让）", TagSecondary},
	}
}

// Validate checks p. Periods that are statutory minima may not be set lower
// than the default (a floor in calendar days is met by as many working
// days; a floor in working days must be set in working days), maxima may
// not be set higher; the listing period accepts 10 days in either unit (the
// conflict of RULES.md §4). Spans must be positive (the reserve lead may be
// zero), at least 2 auction bidders, agreement rounds ≥ 0, a known reserve
// test. Errors are *apperr.Error with code Invalid, a field, and the basis
// of the statutory rule when one is relaxed.
func (p Params) Validate() error {
	d := DefaultParams()
	floors := []struct {
		field, name string
		got, def    Period
	}{
		{"land_notice", "土地出让公告期", p.LandNotice, d.LandNotice},
		{"listing_period", "挂牌期", p.ListingPeriod, Period{10, CalendarDays, d.ListingPeriod.Basis, d.ListingPeriod.Tag}},
		{"auction_notice", "拍卖公告期", p.AuctionNotice, d.AuctionNotice},
		{"auction_viewing", "拍卖标的展示期", p.AuctionViewing, d.AuctionViewing},
		{"mining_notice", "矿业权出让公告期", p.MiningNotice, d.MiningNotice},
		{"mining_listing", "矿业权网上挂牌期", p.MiningListing, d.MiningListing},
		{"mining_publicity", "矿业权出让结果公示期", p.MiningPublicity, d.MiningPublicity},
		{"pre_disclosure", "信息预披露期", p.PreDisclosure, d.PreDisclosure},
		{"disclosure", "正式信息披露期", p.Disclosure, d.Disclosure},
		{"disclosure_extension", "每次延长信息披露的期限", p.DisclosureExtend, d.DisclosureExtend},
		{"capital_increase", "增资信息预披露和正式披露合计期限", p.CapitalIncrease, d.CapitalIncrease},
	}
	for _, f := range floors {
		if err := atLeast(f.field, f.name, f.got, f.def); err != nil {
			return err
		}
	}
	caps := []struct {
		field, name string
		got, def    Period
	}{
		{"mining_confirmation", "矿业权成交确认期限", p.MiningConfirmation, d.MiningConfirmation},
		{"mining_publicity_by", "矿业权出让结果公示开始期限", p.MiningPublicityBy, d.MiningPublicityBy},
		{"pre_disclosure_start", "信息预披露开始期限（批准后）", p.PreDisclosureStart, d.PreDisclosureStart},
	}
	for _, f := range caps {
		if err := atMost(f.field, f.name, f.got, f.def); err != nil {
			return err
		}
	}
	spans := []struct {
		field, name string
		got         Span
		zeroOK      bool
	}{
		{"countdown", "限时竞价倒计时", p.Countdown, false},
		{"join_window", "限时竞价确认参与时间", p.JoinWindow, false},
		{"reserve_lead", "底价录入截止时间（距挂牌截止）", p.ReserveLead, true},
	}
	for _, s := range spans {
		if s.got.Seconds < 0 || s.got.Seconds == 0 && !s.zeroOK {
			return apperr.New(apperr.Invalid, "%s应大于零，当前设置为%d秒。", s.name, s.got.Seconds).
				WithField(s.field, "请设置大于零的时长。")
		}
	}
	if p.MinAuctionBidders.Value < 2 {
		return apperr.New(apperr.Invalid, "拍卖的最少竞买人数不得少于2人，当前设置为%d人。", p.MinAuctionBidders.Value).
			WithField("min_auction_bidders", "拍卖至少需要2名竞买人。")
	}
	if d := DefaultParams().MiningAuctionBidders; p.MiningAuctionBidders.Value < d.Value {
		return apperr.Rule(apperr.Invalid, d.Basis, "矿业权拍卖的最少竞买人数不得少于%d人，当前设置为%d人。", d.Value, p.MiningAuctionBidders.Value).
			WithField("mining_auction_bidders", fmt.Sprintf("不得少于%d人。", d.Value))
	}
	if p.AgreementRounds.Value < 0 {
		return apperr.New(apperr.Invalid, "协议转让前的信息披露轮数不得为负数，当前设置为%d。", p.AgreementRounds.Value).
			WithField("agreement_rounds", "请填写0或正整数。")
	}
	switch p.ReserveTest.Test {
	case ReserveNotBelow, ReserveAbove:
	default:
		return apperr.New(apperr.Invalid, "底价比较方式「%s」不受支持，可选：不低于底价（not_below）或高于底价（above）。", p.ReserveTest.Test).
			WithField("reserve_test", "请选择底价比较方式。")
	}
	return nil
}

func checkUnit(field, name string, got Period) error {
	if got.Unit != CalendarDays && got.Unit != WorkingDays {
		return apperr.New(apperr.Invalid, "%s的期限单位「%s」不受支持，应为日（cd）或工作日（wd）。", name, got.Unit).
			WithField(field, "请选择日或工作日。")
	}
	if got.Value <= 0 {
		return apperr.New(apperr.Invalid, "%s应大于零，当前设置为%s。", name, got.Describe()).
			WithField(field, "请设置大于零的期限。")
	}
	return nil
}

// atLeast: n working days are never fewer than n calendar days, so a floor
// in calendar days is met by value ≥ floor in either unit; a floor in
// working days needs working days.
func atLeast(field, name string, got, floor Period) error {
	if err := checkUnit(field, name, got); err != nil {
		return err
	}
	if floor.Unit == WorkingDays && got.Unit != WorkingDays {
		return apperr.Rule(apperr.Invalid, floor.Basis, "%s应以工作日计算，不少于%s，当前设置为%s。", name, floor.Describe(), got.Describe()).
			WithField(field, "请以工作日设置该期限。")
	}
	if got.Value < floor.Value {
		return apperr.Rule(apperr.Invalid, floor.Basis, "%s不得少于%s，当前设置为%s。", name, floor.Describe(), got.Describe()).
			WithField(field, fmt.Sprintf("不得少于%s。", floor.Describe()))
	}
	return nil
}

// atMost mirrors atLeast for maxima: a cap in working days is met by
// value ≤ cap in either unit; a cap in calendar days needs calendar days.
func atMost(field, name string, got, limit Period) error {
	if err := checkUnit(field, name, got); err != nil {
		return err
	}
	if limit.Unit == CalendarDays && got.Unit != CalendarDays {
		return apperr.Rule(apperr.Invalid, limit.Basis, "%s应以日计算，不超过%s，当前设置为%s。", name, limit.Describe(), got.Describe()).
			WithField(field, "请以日设置该期限。")
	}
	if got.Value > limit.Value {
		return apperr.Rule(apperr.Invalid, limit.Basis, "%s不得超过%s，当前设置为%s。", name, limit.Describe(), got.Describe()).
			WithField(field, fmt.Sprintf("不得超过%s。", limit.Describe()))
	}
	return nil
}

// basisOr returns b, or def when b is empty (parameters loaded from old
// records may lack a basis).
func basisOr(b, def string) string {
	if b == "" {
		return def
	}
	return b
}
