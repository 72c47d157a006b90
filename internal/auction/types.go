package auction

import (
	"encoding/json"
	"time"

	"ggzy/internal/auction/rules"
	"ggzy/internal/ids"
	"ggzy/internal/money"
)

// Kind is what is sold (出让/转让标的).
type Kind string

const (
	Land     Kind = "land"     // 国有建设用地使用权出让
	Mining   Kind = "mining"   // 矿业权出让
	Property Kind = "property" // 企业国有产权转让
)

// Label is the Chinese name of a kind.
func (k Kind) Label() string {
	switch k {
	case Land:
		return "国有建设用地使用权"
	case Mining:
		return "矿业权"
	case Property:
		return "国有产权"
	}
	return string(k)
}

// Mode is the selling procedure.
type Mode string

const (
	ModeListing   Mode = "listing"   // 挂牌（截止时两人以上仍在竞价的转入限时竞价）
	ModeAuction   Mode = "auction"   // 拍卖（网上拍卖：自起始价起的限时竞价）
	ModeAscending Mode = "ascending" // 多次报价（国有产权公开竞价）
	ModeSealed    Mode = "sealed"    // 一次报价
	ModeAgreement Mode = "agreement" // 协议转让（只有一个合格意向受让方）
)

// Label is the Chinese name of a mode.
func (m Mode) Label() string {
	switch m {
	case ModeListing:
		return "挂牌"
	case ModeAuction:
		return "拍卖"
	case ModeAscending:
		return "多次报价"
	case ModeSealed:
		return "一次报价"
	case ModeAgreement:
		return "协议转让"
	}
	return string(m)
}

// modes lists the modes each kind may use (issue 5 §1): land and mining
// rights by listing or auction (land tender reuses the tender procedure);
// state-owned property rights by open ascending quotes, one sealed quote or
// agreement transfer.
var modes = map[Kind][]Mode{
	Land:     {ModeListing, ModeAuction},
	Mining:   {ModeListing, ModeAuction},
	Property: {ModeAscending, ModeSealed, ModeAgreement},
}

// Status is a sale's stored place in its lifecycle.
type Status string

const (
	StatusDraft     Status = "draft"     // 未发布
	StatusAnnounced Status = "announced" // 已公告（挂牌/报价尚未开始，或国有产权信息披露中）
	StatusListing   Status = "listing"   // 挂牌报价中（有第一笔报价后）
	StatusJoining   Status = "joining"   // 挂牌截止，确认参加限时竞价中
	StatusTimed     Status = "timed"     // 限时竞价（拍卖、多次报价）中
	StatusClosed    Status = "closed"    // 已结束（成交或不成交）
)

// Label is the Chinese name of a status.
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "未发布"
	case StatusAnnounced:
		return "已公告"
	case StatusListing:
		return "挂牌中"
	case StatusJoining:
		return "确认参加限时竞价"
	case StatusTimed:
		return "限时竞价中"
	case StatusDecrypting:
		return "报价解密中"
	case StatusClosed:
		return "已结束"
	}
	return string(s)
}

// Result of a closed sale.
type Result string

const (
	Deal   Result = "deal"    // 成交
	NoDeal Result = "no_deal" // 不成交（流拍）
)

// Label is the Chinese name of a result.
func (r Result) Label() string {
	switch r {
	case Deal:
		return "成交"
	case NoDeal:
		return "不成交"
	}
	return ""
}

// Reasons for no deal beyond rules.Reason.
const (
	TooFewBidders = "too_few_bidders" // 拍卖：竞买人少于最低人数
	SingleBuyer   = "single_buyer"    // 多次报价：合格意向受让方不足两个
)

// ReasonText is a no-deal reason in Chinese.
func ReasonText(r string) string {
	switch r {
	case TooFewBidders:
		return "竞买人少于规定人数"
	case SingleBuyer:
		return "合格意向受让方不足两个"
	}
	return rules.Reason(r).Text()
}

// Data is what the announcement says about the object of the sale
// (宗地/矿区/标的资产). Area is in square metres, with up to two decimals as
// the survey gives them.
type Data struct {
	Location   string          `json:"location"`             // 坐落
	AreaM2     float64         `json:"area_m2,omitempty"`    // 面积（平方米）
	Use        rules.LandUse   `json:"use,omitempty"`        // 土地用途（土地）
	TermYears  int             `json:"term_years,omitempty"` // 出让年期
	PlotRatio  string          `json:"plot_ratio,omitempty"` // 容积率等规划条件
	Mineral    string          `json:"mineral,omitempty"`    // 矿种（矿业权）
	Asset      string          `json:"asset,omitempty"`      // 转让标的（国有产权）
	Valuation  money.Fen       `json:"valuation,omitempty"`  // 经核准或备案的评估值（国有产权）
	Conditions string          `json:"conditions,omitempty"` // 出让/转让条件
	Decision   string          `json:"decision,omitempty"`   // 竞得人确定方式
	Extra      json.RawMessage `json:"extra,omitempty"`      // anything else the notice lists
	// Auction (拍卖): the viewing period (展示), dates YYYY-MM-DD (AL 48).
	ViewFrom string `json:"view_from,omitempty"`
	ViewTo   string `json:"view_to,omitempty"`
	// State property: a transfer that moves control of the enterprise
	// (实际控制权转移) needs a pre-disclosure within 10 working days of the
	// approval (ApprovedOn); with a pre-disclosure, the formal disclosure
	// starts on DisclosureFrom (dates YYYY-MM-DD; sale.go checks them).
	ControlTransfer bool   `json:"control_transfer,omitempty"`
	ApprovedOn      string `json:"approved_on,omitempty"`
	DisclosureFrom  string `json:"disclosure_from,omitempty"`
}

// Sale is one land-use, mining-right or state-property sale.
//
// The reserve (Reserve, HasReserve) is stored here for the close and is
// never put into a view or a public ledger entry before the end: it is
// committed in the ledger when entered and revealed at the close.
type Sale struct {
	ID          ids.ID
	Code        string // region-kind-year-seq, e.g. 450100-TD-2026-0001
	Kind        Kind
	Mode        Mode
	Title       string
	Region      string // GB/T 2260
	SellerID    ids.ID // registered entity (出让人/转让方)
	Data        Data
	Eligibility string    // 竞买人资格条件
	Deposit     money.Fen // 竞买保证金
	StartPrice  money.Fen // 起始价/挂牌价
	Increment   money.Fen // 增价幅度
	Params      rules.Params

	NoticeAt time.Time // the announcement (or its last change of substance)
	StartAt  time.Time // listing start / auction / quoting start / sealed window start; end of the disclosure
	EndAt    time.Time // listing close / sealed window end; zero for auction and ascending
	JoinBy   time.Time // end of the join window after a listing close
	EndsAt   time.Time // countdown end of the timed bidding (mirrors Timed.EndsAt)
	ClosedAt time.Time // as of when the result stands

	Status Status
	Result Result
	Reason string    // no-deal reason (rules.Reason, TooFewBidders, SingleBuyer)
	Winner string    // winning bidder number
	Final  money.Fen // deal price

	// Live state: the standing price and its bidder number, the number of
	// accepted listing quotes, the timed bidding's state.
	Price  money.Fen
	Leader string
	Quotes int
	Timed  *rules.Timed

	Reserve    money.Fen
	HasReserve bool

	Confirmation *Confirmation

	// Seq is the sale's commit sequence: LockSale takes the next value with
	// an UPDATE … RETURNING on this row, so every change of the sale is
	// ordered, on SQLite and across processes on one PostgreSQL.
	Seq int64

	CreatedBy ids.ID
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Open reports whether the sale has been announced and is not closed.
func (s Sale) Open() bool {
	return s.Status != StatusDraft && s.Status != StatusClosed
}

// Phase is the status as shown at server time now: an announced listing
// whose period has started is 挂牌中 even before its first quote.
func (s Sale) Phase(now time.Time) Status {
	if s.Status == StatusAnnounced && (s.Mode == ModeListing || s.Mode == ModeSealed) && !now.Before(s.StartAt) {
		return StatusListing
	}
	return s.Status
}

// closeAt is the instant the reserve must be entered before (with the
// lead of rules.CheckReserveEntry): the listing close or sealed window end,
// else the start of the bidding or of the agreement.
func (s Sale) closeAt() time.Time {
	if s.Mode == ModeListing || s.Mode == ModeSealed {
		return s.EndAt
	}
	return s.StartAt
}

// registerBy is the end of registration: the listing close or sealed window
// end, or the start of an auction or of open quotes.
func (s Sale) registerBy() time.Time {
	if s.Mode == ModeListing || s.Mode == ModeSealed {
		return s.EndAt
	}
	return s.StartAt
}

// RegStatus is a registration's review status.
type RegStatus string

const (
	Pending   RegStatus = "pending"   // 待审查
	Qualified RegStatus = "qualified" // 资格审查通过
	Rejected  RegStatus = "rejected"  // 资格审查未通过
)

// Label is the Chinese name of a review status.
func (r RegStatus) Label() string {
	switch r {
	case Pending:
		return "待审查"
	case Qualified:
		return "已通过"
	case Rejected:
		return "未通过"
	}
	return string(r)
}

// Registration is one entity's application to bid (竞买申请).
type Registration struct {
	ID       ids.ID
	SaleID   ids.ID
	EntityID ids.ID
	UserID   ids.ID // who applied
	Status   RegStatus
	Reason   string // of a rejection
	// Deposit confirmed by the operator, with the bank reference.
	DepositRef string
	DepositAt  time.Time
	// BidderNo is the anonymous bidder number (竞买号牌), assigned at random
	// with the deposit confirmation; "" before.
	BidderNo string
	// BindingIndex is the ledger entry committing BidderNo to the entity
	// (revealed for the winner at the deal); −1 before.
	BindingIndex int64
	JoinedAt     time.Time // confirmed timed bidding (listing)
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Eligible reports whether the registration may quote: qualified, deposit
// confirmed, number assigned.
func (r Registration) Eligible() bool {
	return r.Status == Qualified && !r.DepositAt.IsZero() && r.BidderNo != ""
}

// Stage of an offer.
type Stage string

const (
	StageListing Stage = "listing" // 挂牌报价
	StageTimed   Stage = "timed"   // 限时竞价、拍卖、多次报价的出价
	StageSealed  Stage = "sealed"  // 一次报价
	// StageAgreement marks a confirmation reached by agreement (no offer row).
	StageAgreement Stage = "agreement" // 协议转让
)

// Offer is an accepted quote or bid, in the sale's commit order (Seq).
// A sealed offer's Amount is stored for the close and shown to nobody
// before it.
type Offer struct {
	SaleID         ids.ID
	Seq            int64
	Stage          Stage
	BidderNo       string
	RegistrationID ids.ID
	Amount         money.Fen
	At             time.Time
	LedgerIndex    int64 // the public entry (listing, timed) or the sealed commitment
}

// quote is the offer as the pure rules see it.
func (o Offer) quote() rules.Quote {
	return rules.Quote{Bidder: o.BidderNo, Amount: o.Amount, Seq: o.Seq, At: o.At}
}

// Reserve is one entry of the reserve (底价) by the seller's side; the last
// one counts. LedgerIndex is its commitment entry, revealed at the end.
type Reserve struct {
	SaleID      ids.ID
	Seq         int64
	Amount      money.Fen
	LedgerIndex int64
	SetAt       time.Time
	SetBy       ids.ID
}

// Confirmation is the transaction confirmation (成交确认书) as data.
type Confirmation struct {
	SaleID     ids.ID    `json:"sale_id"`
	SaleCode   string    `json:"sale_code"`
	Title      string    `json:"title"`
	Kind       Kind      `json:"kind"`
	Mode       Mode      `json:"mode"`
	Stage      Stage     `json:"stage,omitempty"` // how the price was reached
	SellerID   ids.ID    `json:"seller_id"`
	SellerName string    `json:"seller_name"`
	WinnerNo   string    `json:"winner_no"`
	WinnerID   ids.ID    `json:"winner_id"`
	WinnerName string    `json:"winner_name"`
	WinnerUSCC string    `json:"winner_uscc"`
	Price      money.Fen `json:"price"`
	PriceText  string    `json:"price_text"` // 大写
	At         time.Time `json:"at"`         // as of when the deal stands
	Basis      string    `json:"basis"`
	// LedgerIndex is the entry recording the deal.
	LedgerIndex int64 `json:"ledger_index"`
	// Mining are a mining right's deadlines after the deal: confirmation,
	// result publicity (disclosure.go).
	Mining *rules.MiningResult `json:"mining,omitempty"`
}

// Event is one change of a sale for live views (auction_events): it carries
// numbers, prices and times, never names. Seq is the sale's commit sequence
// of the change (increasing; a change that shows nothing — a reserve, a
// sealed quote — leaves a gap).
type Event struct {
	SaleID ids.ID
	Seq    int64
	Type   string
	At     time.Time
	Data   EventData
}

// Event types.
const (
	EvAnnounced        = "announced"
	EvChanged          = "changed"
	EvQuote            = "quote"
	EvIncrementChanged = "increment_changed"
	EvListingClosed    = "listing_closed" // join window open
	EvJoined           = "joined"
	EvTimedStarted     = "timed_started"
	EvBid              = "bid"
	EvPaused           = "paused"
	EvResumed          = "resumed"
	EvClosed           = "closed"
)

// EventData is an event's content: the public state after the change.
type EventData struct {
	Status    Status    `json:"status"`
	Price     money.Fen `json:"price,omitempty"`
	BidderNo  string    `json:"bidder_no,omitempty"` // who quoted or bid (a number)
	Leader    string    `json:"leader,omitempty"`
	Bids      int       `json:"bids"`
	Next      money.Fen `json:"next,omitempty"`
	Increment money.Fen `json:"increment,omitempty"`
	EndsAt    time.Time `json:"ends_at,omitzero"`
	JoinBy    time.Time `json:"join_by,omitzero"`
	Joined    int       `json:"joined,omitempty"`
	Paused    bool      `json:"paused,omitempty"`
	Remaining int64     `json:"remaining_ms,omitempty"`
	Result    Result    `json:"result,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Winner    string    `json:"winner,omitempty"` // the winning number
}

// SaleFilter selects sales; empty fields match all.
type SaleFilter struct {
	Kind     Kind
	Mode     Mode
	Status   Status
	SellerID ids.ID
	Public   bool // exclude drafts
	Limit    int
}
