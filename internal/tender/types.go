// Package tender is the engineering-construction tender procedure
// (工程建设项目公开招标 / 邀请招标): projects and lots, notices, documents,
// clarifications, objections, bids, the opening, evaluation, candidate
// publicity, award and contract. Rules come from package rules; every state
// change is one use case in one transaction with its ledger entry and jobs.
package tender

import (
	"encoding/json"
	arules "ggzy/internal/auction/rules"
	"ggzy/internal/scoring"
	"sort"
	"strings"
	"time"

	"ggzy/internal/ids"
	"ggzy/internal/money"
)

// Procedure is the tender procedure.
type Procedure string

const (
	Open    Procedure = "open"    // 公开招标
	Invited Procedure = "invited" // 邀请招标
)

func (p Procedure) Label() string {
	if p == Invited {
		return "邀请招标"
	}
	return "公开招标"
}

// Method is the evaluation method (评标办法).
type Method string

const (
	LowestPrice   Method = "lowest_price"  // 经评审的最低投标价法
	Comprehensive Method = "comprehensive" // 综合评估法
	// HighestPrice is 最高报价法 of a land sale by tender (价高者得): the
	// highest valid price not below the reserve wins (LO39 art. 14).
	HighestPrice Method = "highest_price"
)

func (m Method) Label() string {
	switch m {
	case Comprehensive:
		return "综合评估法"
	case HighestPrice:
		return "最高报价法（价高者得）"
	}
	return "经评审的最低投标价法"
}

// Category is the trading category of a project (交易类别, DESIGN.md §11),
// fixed at registration. The notices of its lots carry it.
type Category string

const (
	Works   Category = "works" // 工程建设
	LandUse Category = "land"  // 国有建设用地使用权招标出让
)

// Label is the Chinese name of a category.
func (c Category) Label() string {
	if c == LandUse {
		return "国有建设用地使用权招标出让"
	}
	return "工程建设"
}

// BasisLandTender is the land tender order (RULES.md §4 "LO39",
// [secondary]: arts. 12–15 govern tender; check the text in force).
const BasisLandTender = arules.BasisLO39

// Land is what a lot sold by land tender (土地使用权招标出让) announces:
// the plot as the land sales describe it (auction.Data's land fields, same
// JSON names) and the start price (起始价), below which a bid is invalid.
// The reserve (底价) is not here: it is committed in the ledger (LotReserve)
// and never stored on the lot, so no view of the lot can show it.
type Land struct {
	Location   string         `json:"location"`             // 坐落
	AreaM2     float64        `json:"area_m2"`              // 面积（平方米）
	Use        arules.LandUse `json:"use"`                  // 土地用途
	TermYears  int            `json:"term_years"`           // 出让年期
	PlotRatio  string         `json:"plot_ratio,omitempty"` // 容积率等规划条件
	Conditions string         `json:"conditions,omitempty"` // 出让条件（开发建设要求）
	StartPrice money.Fen      `json:"start_price"`          // 起始价
}

// LotReserve is one entry of a land lot's reserve (底价/标底) by the seller:
// committed in the ledger at LedgerIndex, revealed with the result. The
// last entry is in force.
type LotReserve struct {
	LotID       ids.ID
	Seq         int64
	Amount      money.Fen
	LedgerIndex int64
	SetAt       time.Time
	SetBy       ids.ID
}

// Status is a lot's place in the lifecycle.
type Status string

const (
	Draft      Status = "draft"      // 未发布
	Bidding    Status = "bidding"    // 投标中
	Evaluating Status = "evaluating" // 评标中（已开标）
	Publicity  Status = "publicity"  // 中标候选人公示中
	Awarded    Status = "awarded"    // 已发中标通知书
	Contracted Status = "contracted" // 已签订合同
	Failed     Status = "failed"     // 流标
)

func (s Status) Label() string {
	switch s {
	case Draft:
		return "未发布"
	case Bidding:
		return "投标中"
	case Decrypting:
		return "开标解密中"
	case Evaluating:
		return "评标中"
	case Publicity:
		return "公示中"
	case Awarded:
		return "已定标"
	case Contracted:
		return "已签约"
	case Failed:
		return "流标"
	}
	return string(s)
}

// Project is a construction project registered by its principal.
type Project struct {
	ID             ids.ID
	Code           string // human-readable: region-category-year-seq
	Name           string
	Region         string // GB/T 2260
	PrincipalID    ids.ID // entity
	AgencyID       ids.ID // entity, "" when self-run
	StateFunded    bool   // 国有资金占控股或主导地位 (TBR 55)
	Funding        string // 资金来源
	SupervisorDept string // 行业监督部门: 住建 / 交通 / 水利 …
	Description    string
	// Category is Works, or LandUse for a land sale by tender: the principal
	// is the seller (出让人) and every lot carries Land.
	Category  Category
	CreatedBy ids.ID
	CreatedAt time.Time
}

// ScoreItem is one line of a comprehensive scoring table.
type ScoreItem struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Max   int64  `json:"max"`   // points ×100
	Price bool   `json:"price"` // computed from the price, not typed
	// The price item's formula (scoring.Formula*; "" = base_ratio) and its
	// parameters; the weight is Max.
	Formula      string `json:"formula,omitempty"`
	DeductAbove  int64  `json:"deduct_above,omitempty"`
	DeductBelow  int64  `json:"deduct_below,omitempty"`
	TrimExtremes bool   `json:"trim_extremes,omitempty"`
	// Aggregate is how the members' scores on a subjective item combine
	// (scoring.AggregateMean, the default, or scoring.AggregateTrimmedMean).
	Aggregate string `json:"aggregate,omitempty"`
}

// PriceRule is the item's price formula for a lot of the given category
// code (A works, B goods, C services).
func (it ScoreItem) PriceRule(categoryCode string) scoring.PriceRule {
	f := it.Formula
	if f == "" {
		f = scoring.FormulaBaseRatio
	}
	return scoring.PriceRule{Formula: f, Weight: it.Max, Category: CategoryOf(categoryCode), DeductAbove: it.DeductAbove, DeductBelow: it.DeductBelow, TrimExtremes: it.TrimExtremes}
}

// CategoryOf maps a classification code to the price-rule category: B
// goods, C services, E land (a sale: the price direction is reversed),
// everything else works.
func CategoryOf(code string) string {
	switch {
	case strings.HasPrefix(code, "E"):
		return scoring.CategorySale
	case strings.HasPrefix(code, "B"):
		return scoring.CategoryGoods
	case strings.HasPrefix(code, "C"):
		return scoring.CategoryServices
	}
	return scoring.CategoryWorks
}

// Lot is a 标段: the unit that is tendered, opened and awarded.
type Lot struct {
	ID                ids.ID
	ProjectID         ids.ID
	Code              string
	Name              string
	Procedure         Procedure
	Method            Method
	Estimate          money.Fen // 估算价
	Ceiling           money.Fen // 最高投标限价, 0 = none
	Security          money.Fen // 投标保证金
	CategoryCode      string    // 专业分类, e.g. A0801
	Scoring           []ScoreItem
	CommitteeSize     int
	PrincipalReps     int // 招标人代表 on the committee
	AllowAlternatives bool
	Status            Status
	Suspended         bool // 暂停 while an objection is unanswered
	DocsFrom          time.Time
	DocsUntil         time.Time
	BidDeadline       time.Time
	OpeningPlace      string
	OpenedAt          time.Time // when the opening job actually ran
	ReportAt          time.Time
	PublicityFrom     time.Time
	PublicityUntil    time.Time
	AwardedAt         time.Time
	RetenderOf        ids.ID
	FailedReason      string
	Version           int64 // optimistic lock
	CreatedAt         time.Time
	UpdatedAt         time.Time
	// Custody is the lot's bid-key custodian set; nil = the lot takes plain
	// bids (only where the platform allows it, see Config.RequireSealed).
	Custody *Custody
	// DecryptBy ends the decryption window after the opening (解密时限).
	DecryptBy time.Time
	// Stalled: fewer than k custodians decrypted within the window.
	Stalled bool
	// Land is the plot and start price of a land sale by tender; nil for
	// works.
	Land *Land
}

// Custody names who holds the shares of every bid key of a lot (k of n,
// DESIGN.md §6.2). It is published with the notice.
type Custody struct {
	Threshold  int         `json:"threshold"`
	Custodians []Custodian `json:"custodians"`
	// WindowMinutes is the decryption window after the deadline.
	WindowMinutes int `json:"window_minutes"`
}

// Custodian is one key holder: a person of an agency, the trading centre or
// a supervising department, with the SM2 key shares are encrypted to.
type Custodian struct {
	UserID      ids.ID `json:"user_id"`
	Name        string `json:"name"`
	Org         string `json:"org"`      // organisation key (entity ID, "centre", "dept:…")
	OrgName     string `json:"org_name"` // for people
	Fingerprint string `json:"key"`      // SM3 of the public key DER
	PublicKey   string `json:"key_pem"`  // PEM
}

// NoticeKind is the type of a published notice.
type NoticeKind string

const (
	NoticeTender        NoticeKind = "tender"        // 招标公告 / 投标邀请书
	NoticeClarification NoticeKind = "clarification" // 澄清修改
	NoticeOpening       NoticeKind = "opening"       // 开标记录
	NoticeFailed        NoticeKind = "failed"        // 流标公告
	NoticeCandidates    NoticeKind = "candidates"    // 中标候选人公示
	NoticeAward         NoticeKind = "award"         // 中标结果公告
	NoticeContract      NoticeKind = "contract"      // 合同订立
)

// NoticeKinds lists kinds in lifecycle order.
var NoticeKinds = []NoticeKind{NoticeTender, NoticeClarification, NoticeOpening, NoticeFailed, NoticeCandidates, NoticeAward, NoticeContract}

func (k NoticeKind) Label() string {
	switch k {
	case NoticeTender:
		return "招标公告"
	case NoticeClarification:
		return "澄清修改"
	case NoticeOpening:
		return "开标记录"
	case NoticeFailed:
		return "流标公告"
	case NoticeCandidates:
		return "中标候选人公示"
	case NoticeAward:
		return "中标结果公告"
	case NoticeContract:
		return "合同订立"
	}
	return string(k)
}

// Notice is a published notice. Public notices appear on the portal;
// invitations to an invited tender are visible to the invitees only.
type Notice struct {
	ID          ids.ID
	ProjectID   ids.ID
	LotID       ids.ID
	Kind        NoticeKind
	Title       string
	Body        string
	Public      bool
	Data        json.RawMessage // structured fields of the notice
	PublishedAt time.Time
	Region      string
	Category    string
}

// Document is a tender document or attachment, stored as a content-addressed blob.
type Document struct {
	ID         ids.ID
	LotID      ids.ID
	NoticeID   ids.ID
	Name       string
	Size       int64
	Hash       string // SM3 hex
	UploadedAt time.Time
}

// Invitee is an entity invited to an invited tender.
type Invitee struct {
	LotID    ids.ID
	EntityID ids.ID
}

// DocumentAccess records that an entity obtained the tender documents.
type DocumentAccess struct {
	LotID    ids.ID
	EntityID ids.ID
	UserID   ids.ID
	At       time.Time
}

// Deposit records a bid security (投标保证金).
type Deposit struct {
	LotID      ids.ID
	EntityID   ids.ID
	Amount     money.Fen
	Reference  string // bank reference or guarantee number
	RecordedAt time.Time
	RecordedBy ids.ID
}

// Clarification is a 澄清或修改 of the tender documents.
type Clarification struct {
	ID          ids.ID
	LotID       ids.ID
	Text        string
	IssuedAt    time.Time
	OldDeadline time.Time
	NewDeadline time.Time
	IssuedBy    ids.ID
}

// ObjectionStage says what an objection is about.
type ObjectionStage string

const (
	ObjectDocuments ObjectionStage = "documents" // 对招标文件 (TBR 22)
	ObjectPublicity ObjectionStage = "publicity" // 对评标结果 (TBR 54)
)

// Objection is an 异议.
type Objection struct {
	ID         ids.ID
	LotID      ids.ID
	Stage      ObjectionStage
	EntityID   ids.ID
	Text       string
	FiledAt    time.Time
	DueAt      time.Time
	Answer     string
	AnsweredAt time.Time
	AnsweredBy ids.ID
}

// BidStatus is the state of a bid.
type BidStatus string

const (
	BidSubmitted BidStatus = "submitted" // 已递交
	BidWithdrawn BidStatus = "withdrawn" // 已撤回
	BidOpened    BidStatus = "opened"    // 已开标
	BidRevoked   BidStatus = "revoked"   // 解密失败（投标人原因）撤销
	BidRejected  BidStatus = "rejected"  // 否决
)

// Bid is a bidder's submission to a lot. Content is opaque until the opening:
// Format names how to open it ("plain-v1" now, a sealed format later), so no
// step before the opening needs the plaintext.
type Bid struct {
	ID          ids.ID
	LotID       ids.ID
	EntityID    ids.ID
	Version     int
	Status      BidStatus
	Format      string
	Content     []byte
	ContentHash string // SM3 hex of Content
	Files       []BidFile
	SubmittedAt time.Time // transfer-complete time of the current version
	ReceiptSeq  int64     // ledger index of the current version's entry
	Opened      *OpenedBid
	Reject      []string // reasons (TBR 51)
}

// BidFile is a file of a bid (technical, commercial parts), by content hash.
type BidFile struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	Hash string `json:"hash"`
}

// BidContent is what an opened bid says.
type BidContent struct {
	Price             money.Fen   `json:"price"`
	AlternativePrices []money.Fen `json:"alternative_prices,omitempty"`
	DurationDays      int         `json:"duration_days"` // 工期
	Quality           string      `json:"quality"`       // 质量标准
	ProjectManager    string      `json:"project_manager"`
}

// OpenedBid is the opening-record view of a bid.
type OpenedBid struct {
	BidContent
	Failure string `json:"failure,omitempty"` // why it could not be opened
}

// Receipt is what a bidder gets the moment a bid version is stored (回执).
type Receipt struct {
	BidID       ids.ID    `json:"bid_id"`
	LotID       ids.ID    `json:"lot_id"`
	LotCode     string    `json:"lot_code"`
	EntityID    ids.ID    `json:"entity_id"`
	Version     int       `json:"version"`
	ContentHash string    `json:"content_hash"`
	SubmittedAt time.Time `json:"submitted_at"`
	LedgerIndex int64     `json:"ledger_index"`
	Withdrawn   bool      `json:"withdrawn,omitempty"`
}

// OpeningRow is one line of the opening record.
type OpeningRow struct {
	BidID          ids.ID    `json:"bid_id"`
	EntityID       ids.ID    `json:"entity_id"`
	EntityName     string    `json:"entity_name"`
	Price          money.Fen `json:"price"`
	DurationDays   int       `json:"duration_days"`
	Quality        string    `json:"quality"`
	ProjectManager string    `json:"project_manager"`
	SubmittedAt    time.Time `json:"submitted_at"`
	Status         BidStatus `json:"status"`
	Note           string    `json:"note,omitempty"`
}

// Opening is the opening record (开标记录).
type Opening struct {
	LotID       ids.ID       `json:"lot_id"`
	AsOf        time.Time    `json:"as_of"`  // the bid deadline: the legal opening instant
	RanAt       time.Time    `json:"ran_at"` // when the platform actually ran it
	BidderCount int          `json:"bidder_count"`
	Failed      bool         `json:"failed"`
	Rows        []OpeningRow `json:"rows"`
}

// MemberKind distinguishes drawn experts from the principal's representatives.
type MemberKind string

const (
	MemberExpert MemberKind = "expert"
	MemberRep    MemberKind = "principal_rep"
)

// Member is a committee member.
type Member struct {
	ID       ids.ID     `json:"id"`
	LotID    ids.ID     `json:"lot_id"`
	Kind     MemberKind `json:"kind"`
	ExpertID ids.ID     `json:"expert_id,omitempty"`
	UserID   ids.ID     `json:"user_id"`
	Name     string     `json:"name"`
	Chair    bool       `json:"chair"`
}

// SheetLine is one member's verdict on one bid.
type SheetLine struct {
	BidID  ids.ID `json:"bid_id"`
	Pass   bool   `json:"pass"`             // 符合性审查: every criterion passed
	Reason string `json:"reason,omitempty"` // the failed criteria with their reasons
	// Checks is the review per criterion (ComplianceCriteria). A line that
	// passes may omit them: NormalizeLines fills them in as passed.
	Checks     []Check          `json:"checks,omitempty"`
	Scores     map[string]int64 `json:"scores,omitempty"` // subjective items, points ×100
	Adjustment money.Fen        `json:"adjustment"`       // 评审价格调整 (lowest-price method)
}

// Check is one compliance criterion's verdict on a bid.
type Check struct {
	Criterion string `json:"criterion"` // ComplianceCriteria key
	Pass      bool   `json:"pass"`
	Reason    string `json:"reason,omitempty"` // required when !Pass
}

// Criterion is a compliance-review item.
type Criterion struct {
	Key   string
	Name  string
	Basis string
}

// ComplianceCriteria are the grounds on which the committee must reject a
// bid (《招标投标法实施条例》第五十一条): the compliance review passes or
// fails each of them, with a reason for every failure.
var ComplianceCriteria = []Criterion{
	{"sign", "投标文件经投标单位盖章和单位负责人签字", "《招标投标法实施条例》第五十一条第（一）项"},
	{"consortium", "联合体投标附有共同投标协议（非联合体的视为符合）", "《招标投标法实施条例》第五十一条第（二）项"},
	{"qualification", "投标人符合国家或者招标文件规定的资格条件", "《招标投标法实施条例》第五十一条第（三）项"},
	{"single", "未提交两个以上不同的投标文件或者投标报价（招标文件要求提交备选投标的除外）", "《招标投标法实施条例》第五十一条第（四）项"},
	{"price", "投标报价不低于成本、不高于最高投标限价", "《招标投标法实施条例》第五十一条第（五）项"},
	{"responsive", "对招标文件的实质性要求和条件作出响应", "《招标投标法实施条例》第五十一条第（六）项"},
	{"integrity", "无串通投标、弄虚作假、行贿等违法行为", "《招标投标法实施条例》第五十一条第（七）项"},
}

// criterionName names a criterion key ("" when unknown).
func criterionName(key string) string {
	for _, c := range ComplianceCriteria {
		if c.Key == key {
			return c.Name
		}
	}
	return ""
}

// criterionIn names a criterion key as the lot's review names it.
func criterionIn(l Lot, key string) string {
	for _, c := range l.Criteria() {
		if c.Key == key {
			return c.Name
		}
	}
	return ""
}

// NormalizeLines is the canonical form of a sheet's lines, used both for
// the digest a member signs and for what is stored: a passing line without
// checks gets every criterion as passed; checks are ordered as the
// criteria; Pass is true exactly when every check passed, and Reason lists
// the failed criteria with their reasons. Lines that are not well formed are
// left for checkSheet to refuse.
func NormalizeLines(lines []SheetLine) []SheetLine {
	out := make([]SheetLine, len(lines))
	order := map[string]int{}
	for i, c := range ComplianceCriteria {
		order[c.Key] = i
	}
	for i, ln := range lines {
		if len(ln.Checks) == 0 && ln.Pass {
			for _, c := range ComplianceCriteria {
				ln.Checks = append(ln.Checks, Check{Criterion: c.Key, Pass: true})
			}
		}
		checks := make([]Check, len(ln.Checks))
		copy(checks, ln.Checks)
		sort.SliceStable(checks, func(a, b int) bool { return order[checks[a].Criterion] < order[checks[b].Criterion] })
		if len(checks) > 0 {
			pass := true
			var why []string
			for j := range checks {
				checks[j].Reason = strings.TrimSpace(checks[j].Reason)
				if checks[j].Pass {
					checks[j].Reason = ""
					continue
				}
				pass = false
				why = append(why, criterionName(checks[j].Criterion)+"："+checks[j].Reason)
			}
			ln.Pass, ln.Reason = pass, strings.Join(why, "；")
		}
		ln.Checks = checks
		out[i] = ln
	}
	return out
}

// ScoreSheet is one member's sheet.
type ScoreSheet struct {
	LotID       ids.ID      `json:"lot_id"`
	MemberID    ids.ID      `json:"member_id"`
	Lines       []SheetLine `json:"lines"`
	SubmittedAt time.Time   `json:"submitted_at"`
	// The member's SM2 signature over Digest (SheetDigest).
	Digest      string `json:"digest,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Signature   string `json:"signature,omitempty"`
}

// ReportRow is one bid in the evaluation report.
type ReportRow struct {
	BidID          ids.ID    `json:"bid_id"`
	EntityID       ids.ID    `json:"entity_id"`
	EntityName     string    `json:"entity_name"`
	Price          money.Fen `json:"price"`
	EvaluatedPrice money.Fen `json:"evaluated_price"`
	PriceScore     int64     `json:"price_score"` // ×100
	OtherScore     int64     `json:"other_score"` // ×100
	Total          int64     `json:"total"`       // ×100
	Rejected       bool      `json:"rejected"`
	Reasons        []string  `json:"reasons,omitempty"`
	Rank           int       `json:"rank"`
}

// Report is the evaluation report (评标报告).
type Report struct {
	LotID      ids.ID      `json:"lot_id"`
	Method     Method      `json:"method"`
	Rows       []ReportRow `json:"rows"`
	Candidates []ReportRow `json:"candidates"`
	Members    []string    `json:"members"`
	FinishedAt time.Time   `json:"finished_at"`
	Failed     bool        `json:"failed"` // no responsive bid: all rejected
	// How the committee was formed and how it worked (issue 4 §3): every
	// draw attempt with its commitments, each seat's signed sheet, the
	// deviations and their explanations. Seats are numbered in committee
	// order; names stay in Members, blanked while secret.
	PriceFormula string            `json:"price_formula,omitempty"`
	Remote       bool              `json:"remote,omitempty"`
	Draws        []ReportDraw      `json:"draws,omitempty"`
	Sheets       []ReportSheet     `json:"sheets,omitempty"`
	Deviations   []ReportDeviation `json:"deviations,omitempty"`
}

// ReportDraw is one draw attempt as the report records it.
type ReportDraw struct {
	ID             ids.ID `json:"id"`
	Attempt        int    `json:"attempt"`
	Status         string `json:"status"`
	Reason         string `json:"reason,omitempty"`
	RequestIndex   int64  `json:"request_index"`
	CheckpointSize int64  `json:"checkpoint_size"`
	ResultDigest   string `json:"result_digest,omitempty"`
	Exclusions     int    `json:"exclusions"`
}

// ReportSheet is one seat's signed sheet.
type ReportSheet struct {
	Seat        int       `json:"seat"` // 1-based, committee order
	Kind        string    `json:"kind"` // expert, principal_rep
	Chair       bool      `json:"chair,omitempty"`
	Digest      string    `json:"digest"`
	Fingerprint string    `json:"fingerprint"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// ReportDeviation is a flagged score with its written explanation.
type ReportDeviation struct {
	Seat        int    `json:"seat"`
	Bidder      string `json:"bidder"`
	Item        string `json:"item"`
	Score       int64  `json:"score"`
	Mean        int64  `json:"mean"`
	Pct         int64  `json:"pct"`
	Explanation string `json:"explanation"`
}

// Award is the award decision (定标) and notice.
type Award struct {
	LotID           ids.ID
	BidID           ids.ID
	EntityID        ids.ID
	EntityName      string
	Price           money.Fen
	Rank            int
	ExceptionReason string // why not rank 1 under state funding (TBR 55)
	NotifiedAt      time.Time
	DecidedBy       ids.ID
}

// Contract is the signed contract.
type Contract struct {
	LotID      ids.ID
	Amount     money.Fen
	SignedAt   time.Time
	RecordedAt time.Time
	RecordedBy ids.ID
}

// Warning is an automatic early warning (预警) for supervisors.
type Warning struct {
	ID        ids.ID
	LotID     ids.ID
	Kind      string
	Message   string
	Basis     string
	CreatedAt time.Time
}
