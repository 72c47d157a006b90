package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
)

// ---- sales of land-use rights, mining rights and state-owned property
// (issue 5): announcements, bidders, listing quotes, live timed bidding,
// sealed quotes and agreement transfers. The auction service decides who
// may do and see what (auction.View); these handlers only translate.

// SaleData is what the announcement says about the object of the sale.
type SaleData struct {
	Location     string          `json:"location,omitempty" doc:"坐落（土地、矿业权必填）"`
	AreaM2       float64         `json:"area_m2,omitempty" doc:"面积（平方米，土地、矿业权必填）"`
	Use          string          `json:"use,omitempty" doc:"土地用途：residential 居住 | industrial 工业 | public 教育科技文化卫生体育 | commercial 商业旅游娱乐 | other 综合或者其他"`
	TermYears    int             `json:"term_years,omitempty" doc:"出让年期（年），不超过该用途的法定最高年限"`
	PlotRatio    string          `json:"plot_ratio,omitempty" doc:"容积率等规划条件"`
	Mineral      string          `json:"mineral,omitempty" doc:"矿种（矿业权必填）"`
	Asset        string          `json:"asset,omitempty" doc:"转让标的（国有产权必填）"`
	ValuationFen int64           `json:"valuation_fen,omitempty" doc:"经核准或备案的评估值（国有产权，分）"`
	Conditions   string          `json:"conditions,omitempty" doc:"出让（转让）条件"`
	Decision     string          `json:"decision,omitempty" doc:"竞得人确定方式"`
	Extra        json.RawMessage `json:"extra,omitempty" doc:"公告载明的其他事项（任意 JSON）"`

	// The statutory phases the announcement states (dates, Beijing time).
	ViewFrom        string `json:"view_from,omitempty" doc:"拍卖标的展示开始日期 YYYY-MM-DD（拍卖必填；展示不少于2日，拍卖日前结束，《拍卖法》第四十八条）"`
	ViewTo          string `json:"view_to,omitempty" doc:"拍卖标的展示结束日期 YYYY-MM-DD（拍卖必填）"`
	ControlTransfer bool   `json:"control_transfer,omitempty" doc:"转让导致转让标的企业实际控制权转移（国有产权；须信息预披露）"`
	ApprovedOn      string `json:"approved_on,omitempty" doc:"转让行为批准日期 YYYY-MM-DD（实际控制权转移的必填；获批后10个工作日内预披露）"`
	DisclosureFrom  string `json:"disclosure_from,omitempty" doc:"正式信息披露开始日期 YYYY-MM-DD（有信息预披露的；预披露自公告发布起，实际控制权转移的不少于20个工作日）"`
}

// SaleTerms are the contents of an announcement that can be changed.
type SaleTerms struct {
	Title         string    `json:"title" doc:"标的名称（至少4个字）"`
	Data          SaleData  `json:"data"`
	Eligibility   string    `json:"eligibility" doc:"竞买人（意向受让方）资格条件"`
	DepositFen    int64     `json:"deposit_fen" doc:"竞买保证金（分）"`
	StartPriceFen int64     `json:"start_price_fen" doc:"起始价（挂牌价，分）"`
	IncrementFen  int64     `json:"increment_fen" doc:"增价幅度（分）；一次报价、协议转让可为0"`
	StartAt       time.Time `json:"start_at,omitzero" doc:"挂牌开始、拍卖时间、多次报价开始（信息披露期满）或一次报价开始；发布公告时必填"`
	EndAt         time.Time `json:"end_at,omitzero" doc:"挂牌截止或一次报价截止（挂牌、一次报价必填）"`
}

// SaleInput registers a sale as a draft.
type SaleInput struct {
	Kind       string `json:"kind" doc:"land 国有建设用地使用权 | mining 矿业权 | property 国有产权"`
	Mode       string `json:"mode" doc:"land、mining：listing 挂牌 | auction 拍卖；property：ascending 多次报价 | sealed 一次报价 | agreement 协议转让"`
	SellerUSCC string `json:"seller_uscc,omitempty" doc:"出让人（转让方）统一社会信用代码：交易中心登记时必填；出让人用户只能为本单位登记"`
	SaleTerms
}

// SaleChange changes an announcement (or edits a draft).
type SaleChange struct {
	SaleTerms
	Reason string `json:"reason,omitempty" doc:"已发布公告的变更理由（必填）；标题以外的变更为实质性变更，公告期自变更之日重新计算"`
}

// SaleRules are the parameters the sale was created with (each with its
// basis in GET /api/v1/rules and RULES.md).
type SaleRules struct {
	NoticePeriod       string `json:"notice_period" doc:"公告发布至开始的最短期限（国有产权为信息披露期），如“20日”“20个工作日”"`
	ListingPeriod      string `json:"listing_period,omitempty" doc:"挂牌期最短期限（挂牌）"`
	CountdownSeconds   int64  `json:"countdown_seconds" doc:"限时竞价倒计时（秒），每次有效出价后重新计时"`
	JoinWindowSeconds  int64  `json:"join_window_seconds" doc:"挂牌截止后确认参加限时竞价的时间（秒）"`
	ReserveLeadSeconds int64  `json:"reserve_lead_seconds" doc:"底价最迟须在截止前多少秒录入"`
	MinAuctionBidders  int    `json:"min_auction_bidders" doc:"拍卖最少竞买人数"`
	LeaderMayRebid     bool   `json:"leader_may_rebid" doc:"最高报价者可否对自己的报价加价"`
	IncrementMayChange bool   `json:"increment_may_change" doc:"挂牌期间可否调整增价幅度"`
	ReserveTest        string `json:"reserve_test" doc:"not_below 不低于底价即成交 | above 须高于底价"`
}

// SaleInfo is a sale as its announcement shows it: no reserve, no bidder.
type SaleInfo struct {
	ID                string    `json:"id"`
	Code              string    `json:"code" doc:"交易编号，如 450100-TD-2026-0001"`
	Kind              string    `json:"kind" doc:"land | mining | property"`
	KindLabel         string    `json:"kind_label"`
	Mode              string    `json:"mode" doc:"listing | auction | ascending | sealed | agreement"`
	ModeLabel         string    `json:"mode_label"`
	Title             string    `json:"title"`
	Region            string    `json:"region"`
	SellerID          string    `json:"seller_id"`
	SellerName        string    `json:"seller_name"`
	Data              SaleData  `json:"data"`
	UseLabel          string    `json:"use_label,omitempty" doc:"土地用途名称"`
	Eligibility       string    `json:"eligibility"`
	DepositFen        int64     `json:"deposit_fen"`
	DepositDisplay    string    `json:"deposit_display"`
	StartPriceFen     int64     `json:"start_price_fen"`
	StartPriceDisplay string    `json:"start_price_display"`
	IncrementFen      int64     `json:"increment_fen"`
	IncrementDisplay  string    `json:"increment_display"`
	NoticeAt          time.Time `json:"notice_at,omitzero" doc:"公告发布（或最近一次实质性变更）时间"`
	StartAt           time.Time `json:"start_at,omitzero"`
	EndAt             time.Time `json:"end_at,omitzero"`
	Status            string    `json:"status" doc:"draft 未发布 | announced 已公告 | listing 挂牌中 | joining 确认参加限时竞价 | timed 限时竞价中 | closed 已结束（按服务器时间）"`
	StatusLabel       string    `json:"status_label"`
	Rules             SaleRules `json:"rules"`

	DisclosurePhases []SalePhase `json:"disclosure_phases,omitempty" doc:"国有产权的信息披露阶段（信息预披露、正式信息披露）"`
}

// SaleState is the public live state of a sale; it is also the content of
// every event. It carries bidder numbers, never names.
type SaleState struct {
	Status       string    `json:"status"`
	StatusLabel  string    `json:"status_label"`
	PriceFen     int64     `json:"price_fen" doc:"当前价（结束后为成交价或最高价）"`
	PriceDisplay string    `json:"price_display"`
	BidderNo     string    `json:"bidder_no,omitempty" doc:"本次报价或出价的竞买号牌（事件）"`
	Leader       string    `json:"leader,omitempty" doc:"当前最高报价的竞买号牌"`
	Bids         int       `json:"bids" doc:"本阶段有效报价（出价）次数"`
	NextFen      int64     `json:"next_fen,omitempty" doc:"下一个有效报价（出价）"`
	NextDisplay  string    `json:"next_display,omitempty"`
	IncrementFen int64     `json:"increment_fen,omitempty"`
	EndsAt       time.Time `json:"ends_at,omitzero" doc:"限时竞价倒计时结束时间（服务器时间）"`
	JoinBy       time.Time `json:"join_by,omitzero" doc:"确认参加限时竞价的截止时间"`
	Joined       int       `json:"joined,omitempty" doc:"已确认参加限时竞价的人数（事件）"`
	Paused       bool      `json:"paused,omitempty" doc:"因技术故障暂停"`
	RemainingMs  int64     `json:"remaining_ms,omitempty" doc:"暂停时冻结的剩余时间（毫秒）"`
	Result       string    `json:"result,omitempty" doc:"deal 成交 | no_deal 不成交"`
	ResultLabel  string    `json:"result_label,omitempty"`
	Reason       string    `json:"reason,omitempty" doc:"不成交原因代码"`
	ReasonText   string    `json:"reason_text,omitempty"`
	Winner       string    `json:"winner,omitempty" doc:"竞得人的竞买号牌"`
}

// SaleEvent is one change of a sale, as the event stream sends it.
type SaleEvent struct {
	Seq   int64     `json:"seq" doc:"交易的提交序号，即事件流的事件 ID（递增，可有间隔）"`
	Type  string    `json:"type" doc:"announced | changed | quote | increment_changed | listing_closed | joined | timed_started | bid | paused | resumed | closed"`
	At    time.Time `json:"at" doc:"服务器时间"`
	State SaleState `json:"state" doc:"变更后的公开状态"`
}

// SaleEvents is a page of a sale's events.
type SaleEvents struct {
	Events     []SaleEvent `json:"events"`
	More       bool        `json:"more" doc:"还有更多事件：以最后一个 seq 作为 after 再次请求"`
	ServerTime time.Time   `json:"server_time"`
}

type SaleOffer struct {
	Seq           int64     `json:"seq" doc:"提交序号：金额相同的，序号小者在前"`
	Stage         string    `json:"stage" doc:"listing 挂牌报价 | timed 限时竞价出价 | sealed 一次报价（结束后公开）"`
	StageLabel    string    `json:"stage_label"`
	BidderNo      string    `json:"bidder_no"`
	AmountFen     int64     `json:"amount_fen"`
	AmountDisplay string    `json:"amount_display"`
	At            time.Time `json:"at"`
}

// SaleConfirmation is the transaction confirmation (成交确认书).
type SaleConfirmation struct {
	SaleID       string    `json:"sale_id"`
	SaleCode     string    `json:"sale_code"`
	Title        string    `json:"title"`
	Kind         string    `json:"kind"`
	Mode         string    `json:"mode"`
	Stage        string    `json:"stage,omitempty" doc:"成交价格产生的阶段"`
	SellerID     string    `json:"seller_id"`
	SellerName   string    `json:"seller_name"`
	WinnerNo     string    `json:"winner_no"`
	WinnerID     string    `json:"winner_id"`
	WinnerName   string    `json:"winner_name"`
	WinnerUSCC   string    `json:"winner_uscc"`
	PriceFen     int64     `json:"price_fen"`
	PriceDisplay string    `json:"price_display"`
	PriceText    string    `json:"price_text" doc:"成交价大写"`
	At           time.Time `json:"at" doc:"成交时间（限时竞价以倒计时结束为准）"`
	Basis        string    `json:"basis"`
	LedgerIndex  int64     `json:"ledger_index" doc:"记录成交结果的留痕序号"`

	Mining *SaleMiningResult `json:"mining,omitempty" doc:"矿业权：成交确认和出让结果公示的期限"`
}

// SaleMiningResult are a mining right's dates after the deal (dates
// YYYY-MM-DD, Beijing time; each period ends at the end of its day).
type SaleMiningResult struct {
	ConfirmBy      string `json:"confirm_by" doc:"成交确认书最迟签订日期（成交后3个工作日内）"`
	PublicityBy    string `json:"publicity_by" doc:"出让结果公示最迟开始日期（成交后5个工作日内）"`
	PublicityFrom  string `json:"publicity_from" doc:"出让结果公示开始日期（平台公布结果之日）"`
	PublicityUntil string `json:"publicity_until" doc:"公示期至少至该日（不少于10个工作日）"`
	Late           bool   `json:"late,omitempty" doc:"结果公布晚于公示最迟开始日期"`
	Basis          string `json:"basis"`
}

// SalePhase is a phase of a state-property disclosure.
type SalePhase struct {
	Label string    `json:"label" doc:"信息预披露 | 正式信息披露"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to" doc:"下一阶段开始（正式披露为报价开始，延长后随之变更）"`
}

// SaleExtendInput extends a formal disclosure that ends without a
// qualified buyer.
type SaleExtendInput struct {
	Days   int    `json:"days" doc:"延长的工作日数，每次不少于5个工作日"`
	Reason string `json:"reason" doc:"延长理由（公开留痕）"`
}

// SaleMine is the signed-in bidder's own standing.
type SaleMine struct {
	RegistrationID   string     `json:"registration_id"`
	Status           string     `json:"status" doc:"pending 待审查 | qualified 已通过 | rejected 未通过"`
	StatusLabel      string     `json:"status_label"`
	Reason           string     `json:"reason,omitempty"`
	DepositConfirmed bool       `json:"deposit_confirmed"`
	BidderNo         string     `json:"bidder_no,omitempty" doc:"竞买号牌（保证金确认后随机分配）"`
	Eligible         bool       `json:"eligible" doc:"可以报价（资格审查通过且保证金已确认）"`
	Joined           bool       `json:"joined" doc:"已确认参加限时竞价"`
	Rank             int        `json:"rank" doc:"本阶段名次：1 为最高；0 为尚无报价"`
	Sealed           *SaleOffer `json:"sealed,omitempty" doc:"本人的一次报价"`
}

// SaleRegistration is an application to bid as the trading centre's
// console and its applicant see it: number and state, no name.
type SaleRegistration struct {
	ID          string    `json:"id"`
	Status      string    `json:"status" doc:"pending | qualified | rejected"`
	StatusLabel string    `json:"status_label"`
	Reason      string    `json:"reason,omitempty"`
	BidderNo    string    `json:"bidder_no,omitempty"`
	DepositAt   time.Time `json:"deposit_at,omitzero"`
	JoinedAt    time.Time `json:"joined_at,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
}

// SaleView is one viewer's view of a sale.
type SaleView struct {
	Sale           SaleInfo           `json:"sale"`
	ServerTime     time.Time          `json:"server_time" doc:"服务器时间（以此为准）"`
	State          SaleState          `json:"state"`
	LeftMs         int64              `json:"left_ms" doc:"限时竞价剩余时间（毫秒，按服务器时间）"`
	Offers         []SaleOffer        `json:"offers" doc:"有效报价和出价（按竞买号牌）；一次报价在结束后公开"`
	HasReserve     bool               `json:"has_reserve" doc:"是否设有底价"`
	ReserveFen     int64              `json:"reserve_fen,omitempty" doc:"底价：仅在交易结束后公开"`
	ReserveDisplay string             `json:"reserve_display,omitempty"`
	JoinBy         time.Time          `json:"join_by,omitzero"`
	ClosedAt       time.Time          `json:"closed_at,omitzero"`
	Confirmation   *SaleConfirmation  `json:"confirmation,omitempty" doc:"成交确认书（成交后）"`
	LastSeq        int64              `json:"last_seq" doc:"最新事件的序号：实时页面以 ?lastEventId= 此值订阅事件流"`
	Mine           *SaleMine          `json:"mine,omitempty" doc:"当前竞买人的申请、号牌和名次"`
	Registrations  []SaleRegistration `json:"registrations" doc:"竞买申请（出让人、交易中心、监督和审计人员可见，只显示号牌和状态，不显示名称）"`
	CanManage      bool               `json:"can_manage"`
	IsSeller       bool               `json:"is_seller"`
}

// SaleReceipt acknowledges an accepted quote or bid: it is sent only after
// the offer, its ledger entry and its event have been committed.
type SaleReceipt struct {
	SaleID        string    `json:"sale_id"`
	Seq           int64     `json:"seq" doc:"提交序号（事件 ID）"`
	BidderNo      string    `json:"bidder_no"`
	AmountFen     int64     `json:"amount_fen"`
	AmountDisplay string    `json:"amount_display"`
	At            time.Time `json:"at" doc:"提交时的服务器时间"`
	LedgerIndex   int64     `json:"ledger_index" doc:"留痕序号（一次报价为其承诺记录）"`
	NextFen       int64     `json:"next_fen,omitempty" doc:"此后的下一个有效报价"`
	NextDisplay   string    `json:"next_display,omitempty"`
	EndsAt        time.Time `json:"ends_at,omitzero" doc:"出价后倒计时的结束时间"`
}

// SaleIdentity is a bidder number with the entity behind it (audited view).
type SaleIdentity struct {
	RegistrationID string `json:"registration_id"`
	BidderNo       string `json:"bidder_no,omitempty"`
	Status         string `json:"status"`
	StatusLabel    string `json:"status_label"`
	EntityID       string `json:"entity_id"`
	Name           string `json:"name"`
	USCC           string `json:"uscc"`
}

type SaleAmountInput struct {
	AmountFen int64 `json:"amount_fen" doc:"报价或出价（分）"`
}

type SaleReserveInput struct {
	ReserveFen int64 `json:"reserve_fen" doc:"底价（分）：在留痕中承诺，结束前不向任何人显示"`
}

type SaleReviewInput struct {
	Approve bool   `json:"approve"`
	Reason  string `json:"reason,omitempty" doc:"不通过时必填"`
}

type SaleDepositInput struct {
	Ref string `json:"ref" doc:"保证金到账凭证号"`
}

type SaleIncrementInput struct {
	IncrementFen int64  `json:"increment_fen" doc:"新的增价幅度（分）"`
	Reason       string `json:"reason" doc:"调整理由（公开留痕）"`
}

type SaleAgreementInput struct {
	RegistrationID string `json:"registration_id" doc:"唯一的合格意向受让方的竞买申请"`
	PriceFen       int64  `json:"price_fen" doc:"转让价格（分），不得低于挂牌价"`
	Rounds         int    `json:"rounds" doc:"只征集到一个意向受让方的信息披露轮数"`
	Approval       string `json:"approval" doc:"批准文件文号"`
}

// ---- conversions

var landUseLabels = map[rules.LandUse]string{
	rules.LandResidential: "居住用地", rules.LandIndustrial: "工业用地", rules.LandPublic: "教育、科技、文化、卫生、体育用地",
	rules.LandCommercial: "商业、旅游、娱乐用地", rules.LandOther: "综合或者其他用地",
}

var stageLabels = map[auction.Stage]string{
	auction.StageListing: "挂牌报价", auction.StageTimed: "限时竞价", auction.StageSealed: "一次报价", auction.StageAgreement: "协议转让",
}

func saleDataDTO(d auction.Data) SaleData {
	return SaleData{Location: d.Location, AreaM2: d.AreaM2, Use: string(d.Use), TermYears: d.TermYears, PlotRatio: d.PlotRatio, Mineral: d.Mineral,
		Asset: d.Asset, ValuationFen: int64(d.Valuation), Conditions: d.Conditions, Decision: d.Decision, Extra: d.Extra,
		ViewFrom: d.ViewFrom, ViewTo: d.ViewTo, ControlTransfer: d.ControlTransfer, ApprovedOn: d.ApprovedOn, DisclosureFrom: d.DisclosureFrom}
}

func (d SaleData) domain() auction.Data {
	return auction.Data{Location: d.Location, AreaM2: d.AreaM2, Use: rules.LandUse(d.Use), TermYears: d.TermYears, PlotRatio: d.PlotRatio, Mineral: d.Mineral,
		Asset: d.Asset, Valuation: fen(d.ValuationFen), Conditions: d.Conditions, Decision: d.Decision, Extra: d.Extra,
		ViewFrom: d.ViewFrom, ViewTo: d.ViewTo, ControlTransfer: d.ControlTransfer, ApprovedOn: d.ApprovedOn, DisclosureFrom: d.DisclosureFrom}
}

func (t SaleTerms) domain(kind auction.Kind, mode auction.Mode, seller string) auction.SaleInput {
	return auction.SaleInput{Kind: kind, Mode: mode, Title: t.Title, SellerUSCC: seller, Data: t.Data.domain(), Eligibility: t.Eligibility,
		Deposit: fen(t.DepositFen), StartPrice: fen(t.StartPriceFen), Increment: fen(t.IncrementFen), StartAt: t.StartAt, EndAt: t.EndAt}
}

func saleRulesDTO(kind auction.Kind, mode auction.Mode, p rules.Params) SaleRules {
	out := SaleRules{CountdownSeconds: p.Countdown.Seconds, JoinWindowSeconds: p.JoinWindow.Seconds, ReserveLeadSeconds: p.ReserveLead.Seconds,
		MinAuctionBidders: rules.AuctionQuorum(p, kind == auction.Mining).Value, LeaderMayRebid: p.LeaderMayRebid.On, IncrementMayChange: p.IncrementMayChange.On,
		ReserveTest: string(p.ReserveTest.Test)}
	switch kind {
	case auction.Land:
		out.NoticePeriod = p.LandNotice.Describe()
		if mode == auction.ModeListing {
			out.ListingPeriod = p.ListingPeriod.Describe()
		}
	case auction.Mining:
		out.NoticePeriod = p.MiningNotice.Describe()
		if mode == auction.ModeListing {
			out.ListingPeriod = p.MiningListing.Describe()
		}
	case auction.Property:
		out.NoticePeriod = p.Disclosure.Describe()
	}
	if out.ReserveTest == "" {
		out.ReserveTest = string(rules.ReserveNotBelow)
	}
	return out
}

func saleInfoDTO(i auction.Info) SaleInfo {
	return SaleInfo{ID: i.ID, Code: i.Code, Kind: string(i.Kind), KindLabel: i.Kind.Label(), Mode: string(i.Mode), ModeLabel: i.Mode.Label(),
		Title: i.Title, Region: i.Region, SellerID: i.SellerID, SellerName: i.SellerName, Data: saleDataDTO(i.Data), UseLabel: landUseLabels[i.Data.Use],
		Eligibility: i.Eligibility, DepositFen: int64(i.Deposit), DepositDisplay: i.Deposit.String(), StartPriceFen: int64(i.StartPrice),
		StartPriceDisplay: i.StartPrice.String(), IncrementFen: int64(i.Increment), IncrementDisplay: i.Increment.String(), NoticeAt: i.NoticeAt,
		StartAt: i.StartAt, EndAt: i.EndAt, Status: string(i.Status), StatusLabel: i.Status.Label(), Rules: saleRulesDTO(i.Kind, i.Mode, i.Params),
		DisclosurePhases: mapAll(i.DisclosurePhases(), func(p auction.DisclosurePhase) SalePhase { return SalePhase{Label: p.Label, From: p.From, To: p.To} })}
}

func display(f money.Fen) string {
	if f == 0 {
		return ""
	}
	return f.String()
}

func saleStateDTO(d auction.EventData) SaleState {
	return SaleState{Status: string(d.Status), StatusLabel: d.Status.Label(), PriceFen: int64(d.Price), PriceDisplay: d.Price.String(), BidderNo: d.BidderNo,
		Leader: d.Leader, Bids: d.Bids, NextFen: int64(d.Next), NextDisplay: display(d.Next), IncrementFen: int64(d.Increment), EndsAt: d.EndsAt,
		JoinBy: d.JoinBy, Joined: d.Joined, Paused: d.Paused, RemainingMs: d.Remaining, Result: string(d.Result), ResultLabel: d.Result.Label(),
		Reason: d.Reason, ReasonText: reasonText(d.Reason), Winner: d.Winner}
}

func reasonText(r string) string {
	if r == "" {
		return ""
	}
	return auction.ReasonText(r)
}

func saleEventDTO(e auction.Event) SaleEvent {
	return SaleEvent{Seq: e.Seq, Type: e.Type, At: e.At, State: saleStateDTO(e.Data)}
}

func saleOfferDTO(o auction.OfferLine) SaleOffer {
	return SaleOffer{Seq: o.Seq, Stage: string(o.Stage), StageLabel: stageLabels[o.Stage], BidderNo: o.BidderNo, AmountFen: int64(o.Amount),
		AmountDisplay: o.Amount.String(), At: o.At}
}

func saleConfirmationDTO(c *auction.Confirmation) *SaleConfirmation {
	if c == nil {
		return nil
	}
	return &SaleConfirmation{SaleID: c.SaleID, SaleCode: c.SaleCode, Title: c.Title, Kind: string(c.Kind), Mode: string(c.Mode), Stage: string(c.Stage),
		SellerID: c.SellerID, SellerName: c.SellerName, WinnerNo: c.WinnerNo, WinnerID: c.WinnerID, WinnerName: c.WinnerName, WinnerUSCC: c.WinnerUSCC,
		PriceFen: int64(c.Price), PriceDisplay: c.Price.String(), PriceText: c.PriceText, At: c.At, Basis: c.Basis, LedgerIndex: c.LedgerIndex,
		Mining: saleMiningDTO(c.Mining)}
}

func saleMiningDTO(r *rules.MiningResult) *SaleMiningResult {
	if r == nil {
		return nil
	}
	day := func(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02") }
	return &SaleMiningResult{ConfirmBy: day(r.ConfirmBy), PublicityBy: day(r.PublicityBy), PublicityFrom: day(r.PublicityFrom),
		PublicityUntil: day(r.PublicityUntil), Late: r.Late, Basis: r.Basis}
}

func saleViewDTO(v auction.View) SaleView {
	out := SaleView{Sale: saleInfoDTO(v.Sale), ServerTime: v.Now, State: saleStateDTO(v.State), LeftMs: v.Left.Milliseconds(),
		Offers: mapAll(v.Offers, saleOfferDTO), HasReserve: v.HasReserve, ReserveFen: int64(v.Reserve), ReserveDisplay: display(v.Reserve),
		JoinBy: v.JoinBy, ClosedAt: v.ClosedAt, Confirmation: saleConfirmationDTO(v.Confirmation), LastSeq: v.LastSeq,
		Registrations: []SaleRegistration{}, CanManage: v.CanManage, IsSeller: v.IsSeller}
	if m := v.Mine; m != nil {
		out.Mine = &SaleMine{RegistrationID: m.RegistrationID, Status: string(m.Status), StatusLabel: m.Status.Label(), Reason: m.Reason,
			DepositConfirmed: m.Deposit, BidderNo: m.BidderNo, Eligible: m.Eligible, Joined: m.Joined, Rank: m.Rank}
		if m.Sealed != nil {
			o := saleOfferDTO(*m.Sealed)
			out.Mine.Sealed = &o
		}
	}
	for _, r := range v.Registrations {
		out.Registrations = append(out.Registrations, SaleRegistration{ID: r.ID, Status: string(r.Status), StatusLabel: r.Status.Label(), Reason: r.Reason,
			BidderNo: r.BidderNo, DepositAt: r.DepositAt, JoinedAt: r.JoinedAt, CreatedAt: r.CreatedAt})
	}
	return out
}

// saleRegistrationDTO leaves out the entity: who applied stays hidden from
// the console until the audited Identities view (or the deal).
func saleRegistrationDTO(r auction.Registration) SaleRegistration {
	return SaleRegistration{ID: r.ID, Status: string(r.Status), StatusLabel: r.Status.Label(), Reason: r.Reason, BidderNo: r.BidderNo,
		DepositAt: r.DepositAt, JoinedAt: r.JoinedAt, CreatedAt: r.CreatedAt}
}

func saleReceiptDTO(r auction.Receipt) SaleReceipt {
	return SaleReceipt{SaleID: r.SaleID, Seq: r.Seq, BidderNo: r.BidderNo, AmountFen: int64(r.Amount), AmountDisplay: r.Amount.String(), At: r.At,
		LedgerIndex: r.LedgerIndex, NextFen: int64(r.Next), NextDisplay: display(r.Next), EndsAt: r.EndsAt}
}

// ---- handlers

// saleView answers with the sale as the actor sees it now.
func (s *server) saleView(c *call, id string) (any, error) {
	svc := s.d.Auction
	v, err := svc.ViewSale(c.ctx(), c.actor, id)
	if err != nil {
		return nil, err
	}
	return saleViewDTO(v), nil
}

// saleAfter answers a use case with the sale as the actor now sees it.
func (s *server) saleAfter(c *call, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return s.saleView(c, c.r.PathValue("id"))
}

func (s *server) listSales(c *call) (any, error) {
	svc := s.d.Auction
	q := c.r.URL.Query()
	f := auction.SaleFilter{Kind: auction.Kind(q.Get("kind")), Mode: auction.Mode(q.Get("mode")), SellerID: q.Get("seller")}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, apperr.New(apperr.Invalid, "每页条数应为1–100的整数。").WithField("limit", "应为1–100。")
		}
		limit = n
	}
	// The status is the one shown at server time (an announced listing
	// whose period has begun is 挂牌中), so it is filtered here.
	status := auction.Status(q.Get("status"))
	if status == "" {
		f.Limit = limit
	}
	is, err := svc.ListSales(c.ctx(), c.actor, f)
	if err != nil {
		return nil, err
	}
	out := []SaleInfo{}
	for _, i := range is {
		if (status == "" || i.Status == status) && len(out) < limit {
			out = append(out, saleInfoDTO(i))
		}
	}
	return out, nil
}

func (s *server) createSale(c *call) (any, error) {
	svc := s.d.Auction
	var in SaleInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	sale, err := svc.CreateSale(c.ctx(), c.actor, in.SaleTerms.domain(auction.Kind(in.Kind), auction.Mode(in.Mode), in.SellerUSCC))
	if err != nil {
		return nil, err
	}
	return s.saleView(c, sale.ID)
}

func (s *server) getSale(c *call) (any, error) { return s.saleView(c, c.r.PathValue("id")) }

func (s *server) changeSale(c *call) (any, error) {
	svc := s.d.Auction
	var in SaleChange
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	// Kind and mode are fixed at creation; the use case keeps the stored ones.
	_, err := svc.ChangeAnnouncement(c.ctx(), c.actor, c.r.PathValue("id"), in.SaleTerms.domain("", "", ""), in.Reason)
	return s.saleAfter(c, err)
}

func (s *server) announceSale(c *call) (any, error) {
	svc := s.d.Auction
	var in struct{}
	if err := c.decode(&in, true); err != nil {
		return nil, err
	}
	_, err := svc.Announce(c.ctx(), c.actor, c.r.PathValue("id"))
	return s.saleAfter(c, err)
}

func (s *server) setReserve(c *call) (any, error) {
	svc := s.d.Auction
	var in SaleReserveInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	return nil, svc.SetReserve(c.ctx(), c.actor, c.r.PathValue("id"), fen(in.ReserveFen))
}

func (s *server) registerForSale(c *call) (any, error) {
	svc := s.d.Auction
	var in struct{}
	if err := c.decode(&in, true); err != nil {
		return nil, err
	}
	r, err := svc.Register(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return saleRegistrationDTO(r), nil
}

// checkRegistration makes sure the registration in the path belongs to the
// sale in the path, for those who may see the sale's registrations; for
// anyone else the use case refuses on its own.
func (s *server) checkRegistration(c *call, svc *auction.Service) error {
	v, err := svc.ViewSale(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	if !v.CanManage && !c.actor.IsStaff() {
		return nil
	}
	for _, r := range v.Registrations {
		if r.ID == c.r.PathValue("regID") {
			return nil
		}
	}
	return apperr.NotFoundf("竞买申请")
}

func (s *server) reviewRegistration(c *call) (any, error) {
	svc := s.d.Auction
	var in SaleReviewInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	if err := s.checkRegistration(c, svc); err != nil {
		return nil, err
	}
	r, err := svc.Qualify(c.ctx(), c.actor, c.r.PathValue("regID"), in.Approve, in.Reason)
	if err != nil {
		return nil, err
	}
	return saleRegistrationDTO(r), nil
}

func (s *server) confirmSaleDeposit(c *call) (any, error) {
	svc := s.d.Auction
	var in SaleDepositInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	if err := s.checkRegistration(c, svc); err != nil {
		return nil, err
	}
	r, err := svc.ConfirmDeposit(c.ctx(), c.actor, c.r.PathValue("regID"), in.Ref)
	if err != nil {
		return nil, err
	}
	return saleRegistrationDTO(r), nil
}

func (s *server) saleIdentities(c *call) (any, error) {
	svc := s.d.Auction
	var in ReasonInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	xs, err := svc.Identities(c.ctx(), c.actor, c.r.PathValue("id"), in.Reason)
	if err != nil {
		return nil, err
	}
	return mapAll(xs, func(x auction.Identity) SaleIdentity {
		return SaleIdentity{RegistrationID: x.RegistrationID, BidderNo: x.BidderNo, Status: string(x.Status), StatusLabel: x.Status.Label(),
			EntityID: x.EntityID, Name: x.Name, USCC: x.USCC}
	}), nil
}

// offerUseCase is a quote, a bid or a sealed quote.
type offerUseCase func(*auction.Service, context.Context, party.Actor, ids.ID, money.Fen) (auction.Receipt, error)

// offer runs an offer and answers with its receipt, which exists only once
// the offer is committed.
func (s *server) offer(uc offerUseCase) handlerFunc {
	return func(c *call) (any, error) {
		svc := s.d.Auction
		var in SaleAmountInput
		if err := c.decode(&in, false); err != nil {
			return nil, err
		}
		r, err := uc(svc, c.ctx(), c.actor, c.r.PathValue("id"), fen(in.AmountFen))
		if err != nil {
			return nil, err
		}
		return saleReceiptDTO(r), nil
	}
}

func (s *server) changeIncrement(c *call) (any, error) {
	svc := s.d.Auction
	var in SaleIncrementInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	_, err := svc.ChangeIncrement(c.ctx(), c.actor, c.r.PathValue("id"), fen(in.IncrementFen), in.Reason)
	return s.saleAfter(c, err)
}

func (s *server) extendDisclosure(c *call) (any, error) {
	svc := s.d.Auction
	var in SaleExtendInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	_, err := svc.ExtendDisclosure(c.ctx(), c.actor, c.r.PathValue("id"), in.Days, in.Reason)
	return s.saleAfter(c, err)
}

func (s *server) joinSale(c *call) (any, error) {
	svc := s.d.Auction
	var in struct{}
	if err := c.decode(&in, true); err != nil {
		return nil, err
	}
	return s.saleAfter(c, svc.Join(c.ctx(), c.actor, c.r.PathValue("id")))
}

func (s *server) pauseSale(pause bool) handlerFunc {
	return func(c *call) (any, error) {
		svc := s.d.Auction
		var in ReasonInput
		if err := c.decode(&in, false); err != nil {
			return nil, err
		}
		var err error
		if pause {
			_, err = svc.Pause(c.ctx(), c.actor, c.r.PathValue("id"), in.Reason)
		} else {
			_, err = svc.Unpause(c.ctx(), c.actor, c.r.PathValue("id"), in.Reason)
		}
		return s.saleAfter(c, err)
	}
}

func (s *server) agreeSale(c *call) (any, error) {
	svc := s.d.Auction
	var in SaleAgreementInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	_, err := svc.Agree(c.ctx(), c.actor, c.r.PathValue("id"), auction.AgreementInput{RegistrationID: in.RegistrationID, Price: fen(in.PriceFen),
		Rounds: in.Rounds, Approval: in.Approval})
	return s.saleAfter(c, err)
}

// MaxSaleEvents bounds one page of GET /sales/{id}/events.
const MaxSaleEvents = 1000

func (s *server) saleEvents(c *call) (any, error) {
	svc := s.d.Auction
	var after int64
	if v := c.r.URL.Query().Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, apperr.New(apperr.Invalid, "after 应为非负整数（已收到的最后一个事件序号）。").WithField("after", "应为非负整数。")
		}
		after = n
	}
	evs, err := svc.Events(c.ctx(), c.r.PathValue("id"), after, MaxSaleEvents+1)
	if err != nil {
		return nil, err
	}
	out := SaleEvents{ServerTime: svc.Now(), More: len(evs) > MaxSaleEvents}
	if out.More {
		evs = evs[:MaxSaleEvents]
	}
	out.Events = mapAll(evs, saleEventDTO)
	return out, nil
}

// saleStream serves the sale's events as server-sent events (live.go).
func (s *server) saleStream(c *call) (any, error) {
	svc := s.d.Auction
	r, err := s.live.prepare(c.ctx(), svc, c.r)
	if err != nil {
		return nil, err
	}
	done := s.live.feed.Watch(saleTopic(c.r.PathValue("id")))
	defer done()
	s.live.handler.ServeHTTP(c.w, r)
	c.done = true
	return nil, nil
}

// sseBody marks a server-sent events stream (text/event-stream).
type sseBody struct{}

func (s *server) saleRoutes() []route {
	sale := func(p string) string { return v1 + "/sales/{id}" + p }
	return []route{
		{Method: "GET", Path: v1 + "/sales", Summary: "土地、矿业权和国有产权交易列表（已发布；交易中心和出让人另见本方草稿）", Tag: "sales", Query: []param{
			{Name: "kind", Type: "string", Doc: "land | mining | property"},
			{Name: "mode", Type: "string", Doc: "listing | auction | ascending | sealed | agreement"},
			{Name: "status", Type: "string", Doc: "按服务器时间的状态筛选：draft | announced | listing | joining | timed | closed"},
			{Name: "seller", Type: "string", Doc: "出让人（转让方）主体ID"},
			{Name: "limit", Type: "integer", Doc: "条数，1–100，默认 50"},
		}, Resp: []SaleInfo{}, Status: 200, h: s.listSales},
		{Method: "POST", Path: v1 + "/sales", Summary: "登记出让（转让）交易草稿（出让人、交易中心）", Tag: "sales", Auth: authRequired, Body: SaleInput{}, Resp: SaleView{}, Status: 201, h: s.createSale},
		{Method: "GET", Path: sale(""), Summary: "交易详情：公告、实时价格与倒计时、报价记录（按号牌）；竞买人另见本人号牌和名次，出让人和交易中心另见竞买申请", Tag: "sales",
			Resp: SaleView{}, Status: 200, h: s.getSale},
		{Method: "PUT", Path: sale(""), Summary: "修改草稿或变更公告（开始前；实质性变更重新计算公告期）", Tag: "sales", Auth: authRequired, Body: SaleChange{}, Resp: SaleView{}, Status: 200, h: s.changeSale},
		{Method: "POST", Path: sale("/announce"), Summary: "发布出让（转让）公告（按节假日表核对法定公告期和挂牌期）", Tag: "sales", Auth: authRequired, Resp: SaleView{}, Status: 200, h: s.announceSale},
		{Method: "PUT", Path: sale("/reserve"), Summary: "录入底价（出让人；在留痕中承诺，结束前不向任何人显示，结束后披露）", Tag: "sales", Auth: authRequired,
			Body: SaleReserveInput{}, Status: http.StatusNoContent, h: s.setReserve},
		{Method: "POST", Path: sale("/registrations"), Summary: "提交竞买申请（竞买人；申请人身份保密）", Tag: "sales", Auth: authRequired, Resp: SaleRegistration{}, Status: 201, h: s.registerForSale},
		{Method: "POST", Path: sale("/registrations/{regID}/review"), Summary: "竞买资格审查（交易中心）", Tag: "sales", Auth: authRequired,
			Body: SaleReviewInput{}, Resp: SaleRegistration{}, Status: 200, h: s.reviewRegistration},
		{Method: "POST", Path: sale("/registrations/{regID}/deposit"), Summary: "确认竞买保证金到账并随机分配竞买号牌（交易中心）", Tag: "sales", Auth: authRequired,
			Body: SaleDepositInput{}, Resp: SaleRegistration{}, Status: 200, h: s.confirmSaleDeposit},
		{Method: "POST", Path: sale("/identities"), Summary: "查看竞买号牌对应的竞买人（交易中心、监督、审计；须写明事由，每次查看留痕）", Tag: "sales", Auth: authRequired,
			Body: ReasonInput{}, Resp: []SaleIdentity{}, Status: 200, h: s.saleIdentities},
		{Method: "POST", Path: sale("/quotes"), Summary: "挂牌报价（竞买人；不低于当前价加增价幅度且为增价幅度整数倍；提交成功后返回回执）", Tag: "sales", Auth: authRequired,
			Body: SaleAmountInput{}, Resp: SaleReceipt{}, Status: 201, h: s.offer((*auction.Service).Quote)},
		{Method: "POST", Path: sale("/increment"), Summary: "挂牌期间调整增价幅度（交易中心，写明理由并公开留痕）", Tag: "sales", Auth: authRequired,
			Body: SaleIncrementInput{}, Resp: SaleView{}, Status: 200, h: s.changeIncrement},
		{Method: "POST", Path: sale("/join"), Summary: "挂牌截止后确认参加限时竞价（有有效挂牌报价的竞买人）", Tag: "sales", Auth: authRequired, Resp: SaleView{}, Status: 200, h: s.joinSale},
		{Method: "POST", Path: sale("/bids"), Summary: "限时竞价、拍卖或多次报价出价（竞买人）：提交成功后才返回回执并推送，倒计时重新开始；被拒绝时说明新的最低有效出价", Tag: "sales", Auth: authRequired,
			Body: SaleAmountInput{}, Resp: SaleReceipt{}, Status: 201, h: s.offer((*auction.Service).Bid)},
		{Method: "POST", Path: sale("/pause"), Summary: "因技术故障暂停竞价（交易中心，写明故障情况，公开留痕）", Tag: "sales", Auth: authRequired, Body: ReasonInput{}, Resp: SaleView{}, Status: 200, h: s.pauseSale(true)},
		{Method: "POST", Path: sale("/unpause"), Summary: "故障排除后恢复竞价，倒计时按暂停时的剩余时间继续（交易中心）", Tag: "sales", Auth: authRequired, Body: ReasonInput{}, Resp: SaleView{}, Status: 200, h: s.pauseSale(false)},
		{Method: "POST", Path: sale("/sealed-quote"), Summary: "递交一次报价（竞买人在本方按 sealed-v1 加密签名的报价文件原始字节，绑定本交易和竞买号牌；每人一次，不得更改；截止后由密钥保管人解密开启）", Tag: "sales", Auth: authRequired,
			Body: binaryBody{}, Resp: SaleSealedReceipt{}, Status: 201, h: s.submitSealedQuote},
		{Method: "GET", Path: sale("/sealed-quote"), Summary: "本人的一次报价回执与状态（竞买人；开启前平台无法读取金额）", Tag: "sales", Auth: authRequired, Resp: SaleSealedQuote{}, Status: 200, h: s.mySealedQuote},
		{Method: "GET", Path: sale("/custody"), Summary: "一次报价的密钥保管人、门限与解密状态（随公告公开；lot_id 为交易ID）；结束后含开启记录", Tag: "sales", Resp: SaleCustodyView{}, Status: 200, h: s.getSaleCustody},
		{Method: "PUT", Path: sale("/custody"), Summary: "指定一次报价的密钥保管人和解密门限（交易中心，报价开始前）", Tag: "sales", Auth: authRequired, Body: CustodyInput{}, Resp: SaleCustodyView{}, Status: 200, h: s.setSaleCustody},
		{Method: "GET", Path: sale("/custody/envelopes"), Summary: "保管人获取待解密的报价密钥份额（仅报价截止后；bid_id 为竞买号牌）", Tag: "sales", Auth: authRequired, Resp: Envelopes{}, Status: 200, h: s.saleEnvelopes},
		{Method: "POST", Path: sale("/custody/shares"), Summary: "保管人提交在本机解密的报价密钥份额；达到门限即开启全部报价并确定结果", Tag: "sales", Auth: authRequired, Body: SaleSharesInput{}, Resp: SharesResult{}, Status: 200, h: s.submitSaleShares},
		{Method: "POST", Path: sale("/custody/extend"), Summary: "决定延长报价解密时限（交易中心或行政监督部门，留痕）", Tag: "sales", Auth: authRequired, Body: ExtendInput{}, Resp: SaleCustodyView{}, Status: 200, h: s.extendSaleDecryption},
		{Method: "POST", Path: sale("/extend-disclosure"), Summary: "延长正式信息披露（交易中心决定：国有产权信息披露期满未征集到合格意向受让方的，每次不少于5个工作日，写明理由并公开留痕）", Tag: "sales", Auth: authRequired,
			Body: SaleExtendInput{}, Resp: SaleView{}, Status: 200, h: s.extendDisclosure},
		{Method: "POST", Path: sale("/agreement"), Summary: "协议转让（交易中心决定：唯一合格意向受让方，价格不低于挂牌价，须有批准文件）", Tag: "sales", Auth: authRequired,
			Body: SaleAgreementInput{}, Resp: SaleView{}, Status: 200, h: s.agreeSale},
		{Method: "GET", Path: sale("/confirmation.pdf"), Summary: "下载成交确认书 PDF（成交后公开；响应头 X-Content-SM3、X-Signature-SM2 为平台签名；成交前或不成交的为 404）", Tag: "sales",
			Resp: pdfBody{}, Status: 200, h: s.saleConfirmationPDF},
		{Method: "GET", Path: sale("/events"), Summary: "交易事件（按提交序号，只含号牌和价格，不含名称）", Tag: "sales", Query: []param{
			{Name: "after", Type: "uint", Doc: "只返回序号大于此值的事件（已收到的最后一个序号），默认 0"},
		}, Resp: SaleEvents{}, Status: 200, h: s.saleEvents},
		{Method: "GET", Path: sale("/stream"), Summary: "实时事件流（server-sent events）：事件 ID 为提交序号，断线重连以 Last-Event-ID（或 ?lastEventId=）续传，不重不漏；事件类型同 events，数据为 SaleEvent", Tag: "sales",
			Query: []param{{Name: "lastEventId", Type: "uint", Doc: "首次连接时从此序号之后开始（取自交易详情的 last_seq）；重连时浏览器发送 Last-Event-ID 请求头"}},
			Resp:  sseBody{}, Status: 200, h: s.saleStream},
	}
}
