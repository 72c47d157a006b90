package api

import (
	"encoding/json"
	"time"

	arules "ggzy/internal/auction/rules"
	"ggzy/internal/ledger"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/rules"
	"ggzy/internal/tender"
)

// The types below are the JSON of the API. Their names become the schema
// names of the OpenAPI document; a `doc` tag becomes a field description.

// ErrorBody is the content of the error envelope.
type ErrorBody struct {
	Code    string            `json:"code" doc:"错误代码：invalid、not_found、conflict、unauthorized、forbidden、deadline、rate_limited、too_large、method_not_allowed、internal"`
	Message string            `json:"message" doc:"可直接展示给用户的中文说明"`
	Fields  map[string]string `json:"fields" doc:"字段名 → 该字段的问题；金额字段以不带 _fen 的名称出现（如 security）"`
	Basis   string            `json:"basis" doc:"法定规则阻止操作时的法律依据，如《招标投标法》第二十八条；否则为空"`
	State   *SaleState        `json:"state,omitempty" doc:"限时竞价的出价因金额已不高于最新价格被拒绝时：拒绝它的已提交状态（当前价、领先号牌、下一个有效出价），据此重新出价，无需再次查询"`
}

// ErrorEnvelope is every error response.
type ErrorEnvelope struct {
	Error ErrorBody `json:"error"`
}

// ---- auth, users, entities

type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type LoginResponse struct {
	Token     string    `json:"token" doc:"以 Authorization: Bearer <token> 发送"`
	ExpiresAt time.Time `json:"expires_at"`
	User      User      `json:"user"`
}

type User struct {
	ID         string    `json:"id"`
	Username   string    `json:"username"`
	Name       string    `json:"name"`
	Role       string    `json:"role"`
	RoleLabel  string    `json:"role_label"`
	EntityID   string    `json:"entity_id,omitempty"`
	ExpertID   string    `json:"expert_id,omitempty"`
	Department string    `json:"department,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

type Me struct {
	User   User    `json:"user"`
	Entity *Entity `json:"entity,omitempty"`
}

type Entity struct {
	ID        string    `json:"id"`
	USCC      string    `json:"uscc" doc:"统一社会信用代码（GB 32100-2015）"`
	Name      string    `json:"name"`
	LegalRep  string    `json:"legal_rep"`
	Kind      string    `json:"kind" doc:"enterprise | principal | agency"`
	Region    string    `json:"region,omitempty"`
	Address   string    `json:"address,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// ControllerID is the registered entity that controls this one.
	ControllerID string `json:"controller_id,omitempty"`
}

type EntityInput struct {
	USCC     string `json:"uscc"`
	Name     string `json:"name"`
	LegalRep string `json:"legal_rep"`
	Kind     string `json:"kind" doc:"enterprise | principal | agency"`
	Region   string `json:"region,omitempty"`
	Address  string `json:"address,omitempty"`
	Contact  string `json:"contact,omitempty"`
	// ControllerUSCC names the registered entity that controls this one.
	ControllerUSCC string `json:"controller_uscc,omitempty" doc:"控股股东或实际控制人（已登记主体）的统一社会信用代码"`
}

type UserInput struct {
	Username   string `json:"username"`
	Name       string `json:"name"`
	Password   string `json:"password"`
	Role       string `json:"role" doc:"bidder | principal | agency | expert | operator | supervisor | observer | auditor | admin"`
	EntityID   string `json:"entity_id,omitempty"`
	ExpertID   string `json:"expert_id,omitempty"`
	Department string `json:"department,omitempty"`
}

func userDTO(u party.User) User {
	return User{ID: u.ID, Username: u.Username, Name: u.Name, Role: string(u.Role), RoleLabel: u.Role.Label(), EntityID: u.EntityID,
		ExpertID: u.ExpertID, Department: u.Department, CreatedAt: u.CreatedAt}
}

func entityDTO(e party.Entity) Entity {
	return Entity{ID: e.ID, USCC: e.USCC, Name: e.Name, LegalRep: e.LegalRep, Kind: string(e.Kind), Region: e.Region, Address: e.Address, CreatedAt: e.CreatedAt, ControllerID: e.ControllerID}
}

func entityPtr(e party.Entity) *Entity {
	if e.ID == "" {
		return nil
	}
	x := entityDTO(e)
	return &x
}

// ---- rules

type RuleSet struct {
	Name  string `json:"name" doc:"rules 所列规则集的名称（工程建设项目招标）"`
	Rules []Rule `json:"rules"`
	// The other sets keep typed values of their own; they are listed as
	// described values with their basis and its standing.
	Sales   []ParamRule `json:"sales" doc:"土地矿业权与国有产权交易：新创建的交易适用的现行参数（每宗交易保留其创建时的参数）"`
	Experts []ParamRule `json:"experts" doc:"评标专家与评标：专家库和评标室的现行参数"`
}

// ParamRule is one parameter of the sales, the expert pool or the
// evaluation room, as in force.
type ParamRule struct {
	Key           string `json:"key" doc:"稳定键，如 sale.listing_period、expert.age_max、eval.deviation"`
	Text          string `json:"text" doc:"该数值规定的事项"`
	Description   string `json:"description" doc:"现行值，如“10个工作日”“5分钟”“20%”"`
	Basis         string `json:"basis"`
	Standing      string `json:"standing" doc:"依据的来源：law 法律 | secondary 二手来源 | assumption 平台设定"`
	StandingLabel string `json:"standing_label" doc:"来源的中文名称"`
}

type Rule struct {
	Key         string `json:"key"`
	Value       int64  `json:"value"`
	Unit        string `json:"unit" doc:"cd 日 | wd 工作日 | bp 万分比 | count 人数/个数"`
	Description string `json:"description" doc:"如“20日”“2%”"`
	Basis       string `json:"basis"`
	Text        string `json:"text"`
}

func ruleSetDTO(s rules.Set, sales, experts []rules.Row) RuleSet {
	out := RuleSet{Name: s.Name, Rules: []Rule{}, Sales: paramRulesDTO(sales), Experts: paramRulesDTO(experts)}
	for _, r := range s.All() {
		out.Rules = append(out.Rules, Rule{Key: string(r.Key), Value: r.Value, Unit: string(r.Unit), Description: r.Describe(), Basis: r.Basis, Text: r.Text})
	}
	return out
}

func paramRulesDTO(rows []rules.Row) []ParamRule {
	out := make([]ParamRule, 0, len(rows))
	for _, r := range rows {
		out = append(out, ParamRule{Key: r.Key, Text: r.Text, Description: r.Value, Basis: r.Basis, Standing: string(r.Standing), StandingLabel: r.Standing.Label()})
	}
	return out
}

// ---- notices

type NoticeSummary struct {
	ID          string    `json:"id"`
	ProjectID   string    `json:"project_id"`
	LotID       string    `json:"lot_id"`
	Kind        string    `json:"kind" doc:"tender | clarification | opening | failed | candidates | award | contract"`
	KindLabel   string    `json:"kind_label"`
	Title       string    `json:"title"`
	Public      bool      `json:"public"`
	PublishedAt time.Time `json:"published_at"`
	Region      string    `json:"region"`
	Category    string    `json:"category"`
}

type Notice struct {
	NoticeSummary
	Body string          `json:"body"`
	Data json.RawMessage `json:"data,omitempty" doc:"公告的结构化字段，原样发布（金额为以分为单位的整数）"`
}

type NoticePage struct {
	Items      []NoticeSummary `json:"items"`
	NextCursor *string         `json:"next_cursor" doc:"下一页的不透明游标；没有下一页时为 null"`
	Total      int             `json:"total" doc:"符合筛选条件的公告总数"`
}

func noticeSummaryDTO(n tender.Notice) NoticeSummary {
	return NoticeSummary{ID: n.ID, ProjectID: n.ProjectID, LotID: n.LotID, Kind: string(n.Kind), KindLabel: n.Kind.Label(), Title: n.Title,
		Public: n.Public, PublishedAt: n.PublishedAt, Region: n.Region, Category: n.Category}
}

func noticeDTO(n tender.Notice) Notice {
	return Notice{NoticeSummary: noticeSummaryDTO(n), Body: n.Body, Data: n.Data}
}

// ---- projects and lots

type ProjectInput struct {
	Name           string `json:"name"`
	PrincipalUSCC  string `json:"principal_uscc,omitempty" doc:"代理机构登记项目时必填"`
	AgencyUSCC     string `json:"agency_uscc,omitempty" doc:"招标人登记时可选：委托的代理机构"`
	StateFunded    bool   `json:"state_funded" doc:"国有资金占控股或主导地位（《招标投标法实施条例》第五十五条）"`
	Funding        string `json:"funding,omitempty"`
	SupervisorDept string `json:"supervisor_dept" doc:"住建、交通、水利、发改、工信、教育、卫健、自然资源（土地招标出让默认自然资源）"`
	Description    string `json:"description,omitempty"`
	Category       string `json:"category,omitempty" doc:"交易类别：works 工程建设（默认）| land 国有建设用地使用权招标出让（招标人为出让人，标段须填写宗地信息）"`
}

type Project struct {
	ID             string    `json:"id"`
	Code           string    `json:"code"`
	Name           string    `json:"name"`
	Region         string    `json:"region"`
	PrincipalID    string    `json:"principal_id"`
	AgencyID       string    `json:"agency_id,omitempty"`
	StateFunded    bool      `json:"state_funded"`
	Funding        string    `json:"funding,omitempty"`
	SupervisorDept string    `json:"supervisor_dept"`
	Description    string    `json:"description,omitempty"`
	Category       string    `json:"category" doc:"works | land"`
	CategoryLabel  string    `json:"category_label"`
	CreatedAt      time.Time `json:"created_at"`
}

type ProjectView struct {
	Project   Project `json:"project"`
	Principal *Entity `json:"principal,omitempty"`
	Agency    *Entity `json:"agency,omitempty"`
	Lots      []Lot   `json:"lots" doc:"该用户可见的标段"`
}

type ScoreItem struct {
	Key          string `json:"key"`
	Name         string `json:"name"`
	Max          int64  `json:"max" doc:"分值×100（如 30 分为 3000）"`
	Price        bool   `json:"price" doc:"价格分（由报价计算）"`
	Formula      string `json:"formula,omitempty" doc:"价格分公式：base_ratio（默认）| low_price_first（政府采购低价优先法）| benchmark_deviation"`
	DeductAbove  int64  `json:"deduct_above,omitempty" doc:"benchmark_deviation：高于基准价每1%扣分×100"`
	DeductBelow  int64  `json:"deduct_below,omitempty" doc:"benchmark_deviation：低于基准价每1%扣分×100"`
	TrimExtremes bool   `json:"trim_extremes,omitempty" doc:"benchmark_deviation：5家以上时去掉最高最低报价"`
	Aggregate    string `json:"aggregate,omitempty" doc:"主观分汇总：mean（默认）| trimmed_mean"`
}

type LotInput struct {
	Name              string      `json:"name"`
	Procedure         string      `json:"procedure" doc:"open 公开招标 | invited 邀请招标"`
	Method            string      `json:"method" doc:"lowest_price 经评审的最低投标价法 | comprehensive 综合评估法 | highest_price 最高报价法（仅土地招标出让）"`
	EstimateFen       int64       `json:"estimate_fen" doc:"估算价；土地招标出让取起始价，可省略"`
	CeilingFen        int64       `json:"ceiling_fen,omitempty" doc:"最高投标限价，0 表示不设"`
	SecurityFen       int64       `json:"security_fen,omitempty" doc:"投标保证金，不得超过估算价的法定比例（现行值见 GET /api/v1/rules 的 tender.security_cap）"`
	CategoryCode      string      `json:"category_code" doc:"专业分类，如 A0801"`
	Scoring           []ScoreItem `json:"scoring,omitempty" doc:"综合评估法评分表；省略时使用默认评分表"`
	CommitteeSize     int         `json:"committee_size"`
	PrincipalReps     int         `json:"principal_reps"`
	AllowAlternatives bool        `json:"allow_alternatives,omitempty"`
	Land              *Land       `json:"land,omitempty" doc:"宗地信息和起始价：土地招标出让项目的标段必填，其他项目不得填写；专业分类须为 E 类（如 E0101），评标办法为 highest_price 或 comprehensive"`
}

// Land is a land lot's plot and start price as the tender notice announces
// them; the reserve (底价) is never here (PUT /api/v1/lots/{id}/reserve).
type Land struct {
	Location      string  `json:"location" doc:"宗地坐落"`
	AreaM2        float64 `json:"area_m2" doc:"宗地面积（平方米）"`
	Use           string  `json:"use" doc:"土地用途：residential 居住 | industrial 工业 | public 教育科技文化卫生体育 | commercial 商业旅游娱乐 | other 综合或者其他"`
	TermYears     int     `json:"term_years" doc:"出让年期（年），不超过该用途的法定最高年限"`
	PlotRatio     string  `json:"plot_ratio,omitempty" doc:"容积率等规划条件"`
	Conditions    string  `json:"conditions,omitempty" doc:"出让条件（开发建设要求）"`
	StartPriceFen int64   `json:"start_price_fen" doc:"起始价（分），低于起始价的投标在开标时否决"`
	StartDisplay  string  `json:"start_price_display,omitempty"`
}

func landDTO(d *tender.Land) *Land {
	if d == nil {
		return nil
	}
	return &Land{Location: d.Location, AreaM2: d.AreaM2, Use: string(d.Use), TermYears: d.TermYears, PlotRatio: d.PlotRatio, Conditions: d.Conditions,
		StartPriceFen: int64(d.StartPrice), StartDisplay: d.StartPrice.String()}
}

func (d *Land) domain() *tender.Land {
	if d == nil {
		return nil
	}
	return &tender.Land{Location: d.Location, AreaM2: d.AreaM2, Use: arules.LandUse(d.Use), TermYears: d.TermYears, PlotRatio: d.PlotRatio,
		Conditions: d.Conditions, StartPrice: fen(d.StartPriceFen)}
}

// ReserveInput enters a land lot's reserve (底价).
type ReserveInput struct {
	ReserveFen int64 `json:"reserve_fen" doc:"底价（分），不低于起始价；投标截止前录入并保密，结果确定后公开"`
}

// Reserve is a land lot's reserve as the result shows it.
type Reserve struct {
	Set           bool   `json:"set" doc:"出让人是否设有底价"`
	AmountFen     int64  `json:"amount_fen,omitempty"`
	AmountDisplay string `json:"amount_display,omitempty"`
}

type Lot struct {
	ID                string      `json:"id"`
	ProjectID         string      `json:"project_id"`
	Code              string      `json:"code"`
	Name              string      `json:"name"`
	Procedure         string      `json:"procedure"`
	ProcedureLabel    string      `json:"procedure_label"`
	Method            string      `json:"method"`
	MethodLabel       string      `json:"method_label"`
	EstimateFen       int64       `json:"estimate_fen"`
	EstimateDisplay   string      `json:"estimate_display"`
	CeilingFen        int64       `json:"ceiling_fen"`
	CeilingDisplay    string      `json:"ceiling_display"`
	SecurityFen       int64       `json:"security_fen"`
	SecurityDisplay   string      `json:"security_display"`
	CategoryCode      string      `json:"category_code"`
	Scoring           []ScoreItem `json:"scoring"`
	CommitteeSize     int         `json:"committee_size"`
	PrincipalReps     int         `json:"principal_reps"`
	AllowAlternatives bool        `json:"allow_alternatives"`
	Status            string      `json:"status" doc:"draft | bidding | evaluating | publicity | awarded | contracted | failed"`
	StatusLabel       string      `json:"status_label"`
	Suspended         bool        `json:"suspended" doc:"因异议暂停招标投标活动"`
	DocsFrom          time.Time   `json:"docs_from,omitzero"`
	DocsUntil         time.Time   `json:"docs_until,omitzero"`
	BidDeadline       time.Time   `json:"bid_deadline,omitzero" doc:"投标截止时间即开标时间"`
	OpeningPlace      string      `json:"opening_place,omitempty"`
	OpenedAt          time.Time   `json:"opened_at,omitzero"`
	ReportAt          time.Time   `json:"report_at,omitzero"`
	PublicityFrom     time.Time   `json:"publicity_from,omitzero"`
	PublicityUntil    time.Time   `json:"publicity_until,omitzero"`
	AwardedAt         time.Time   `json:"awarded_at,omitzero"`
	RetenderOf        string      `json:"retender_of,omitempty"`
	FailedReason      string      `json:"failed_reason,omitempty"`
	Land              *Land       `json:"land,omitempty" doc:"土地招标出让标段的宗地信息和起始价"`
	CreatedAt         time.Time   `json:"created_at"`
	UpdatedAt         time.Time   `json:"updated_at"`
}

func projectDTO(p tender.Project) Project {
	return Project{ID: p.ID, Code: p.Code, Name: p.Name, Region: p.Region, PrincipalID: p.PrincipalID, AgencyID: p.AgencyID, StateFunded: p.StateFunded,
		Funding: p.Funding, SupervisorDept: p.SupervisorDept, Description: p.Description, Category: string(p.Category), CategoryLabel: p.Category.Label(), CreatedAt: p.CreatedAt}
}

func scoringDTO(items []tender.ScoreItem) []ScoreItem {
	return mapAll(items, func(it tender.ScoreItem) ScoreItem { return ScoreItem(it) })
}

func lotDTO(l tender.Lot) Lot {
	return Lot{ID: l.ID, ProjectID: l.ProjectID, Code: l.Code, Name: l.Name, Procedure: string(l.Procedure), ProcedureLabel: l.Procedure.Label(),
		Method: string(l.Method), MethodLabel: l.Method.Label(),
		EstimateFen: int64(l.Estimate), EstimateDisplay: l.Estimate.String(), CeilingFen: int64(l.Ceiling), CeilingDisplay: l.Ceiling.String(),
		SecurityFen: int64(l.Security), SecurityDisplay: l.Security.String(), CategoryCode: l.CategoryCode, Scoring: scoringDTO(l.Scoring),
		CommitteeSize: l.CommitteeSize, PrincipalReps: l.PrincipalReps, AllowAlternatives: l.AllowAlternatives,
		Status: string(l.Status), StatusLabel: l.Status.Label(), Suspended: l.Suspended,
		DocsFrom: l.DocsFrom, DocsUntil: l.DocsUntil, BidDeadline: l.BidDeadline, OpeningPlace: l.OpeningPlace, OpenedAt: l.OpenedAt,
		ReportAt: l.ReportAt, PublicityFrom: l.PublicityFrom, PublicityUntil: l.PublicityUntil, AwardedAt: l.AwardedAt,
		RetenderOf: l.RetenderOf, FailedReason: l.FailedReason, Land: landDTO(l.Land), CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}

func lotsDTO(ls []tender.Lot) []Lot { return mapAll(ls, lotDTO) }

// ---- documents and files

type Document struct {
	ID         string    `json:"id"`
	LotID      string    `json:"lot_id"`
	Name       string    `json:"name"`
	Size       int64     `json:"size"`
	Hash       string    `json:"hash" doc:"SM3 十六进制"`
	UploadedAt time.Time `json:"uploaded_at"`
	URL        string    `json:"url" doc:"下载地址"`
}

func documentDTO(d tender.Document) Document {
	return Document{ID: d.ID, LotID: d.LotID, Name: d.Name, Size: d.Size, Hash: d.Hash, UploadedAt: d.UploadedAt,
		URL: "/api/v1/lots/" + d.LotID + "/documents/" + d.ID}
}

// FileRef is an uploaded bid attachment, named by its SM3 hash.
type FileRef struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	Hash string `json:"hash" doc:"SM3 十六进制"`
}

func filesDTO(fs []tender.BidFile) []FileRef {
	return mapAll(fs, func(f tender.BidFile) FileRef { return FileRef(f) })
}

// ---- publishing, clarifications, objections

type PublishInput struct {
	DocsFrom     time.Time `json:"docs_from" doc:"招标文件获取开始"`
	DocsUntil    time.Time `json:"docs_until" doc:"招标文件获取截止"`
	BidDeadline  time.Time `json:"bid_deadline" doc:"投标截止时间（即开标时间），距文件发出不少于法定期限（tender.bid_period_min）"`
	OpeningPlace string    `json:"opening_place,omitempty"`
	Body         string    `json:"body,omitempty" doc:"公告正文"`
	Invitees     []string  `json:"invitees,omitempty" doc:"邀请招标：受邀单位的统一社会信用代码"`
}

type ClarificationInput struct {
	Text        string    `json:"text"`
	NewDeadline time.Time `json:"new_deadline,omitzero" doc:"顺延后的投标截止时间；距截止不足法定期限（tender.clarification_lead）时必填，错误信息给出最早可顺延时间"`
}

type Clarification struct {
	ID            string    `json:"id"`
	LotID         string    `json:"lot_id"`
	Text          string    `json:"text"`
	IssuedAt      time.Time `json:"issued_at"`
	OldDeadline   time.Time `json:"old_deadline"`
	NewDeadline   time.Time `json:"new_deadline"`
	DeadlineMoved bool      `json:"deadline_moved"`
}

func clarificationDTO(c tender.Clarification) Clarification {
	return Clarification{ID: c.ID, LotID: c.LotID, Text: c.Text, IssuedAt: c.IssuedAt, OldDeadline: c.OldDeadline, NewDeadline: c.NewDeadline,
		DeadlineMoved: !c.OldDeadline.Equal(c.NewDeadline)}
}

type ObjectionInput struct {
	Stage string `json:"stage" doc:"documents 对招标文件 | publicity 对评标结果"`
	Text  string `json:"text"`
}

type AnswerInput struct {
	Answer string `json:"answer"`
}

type Objection struct {
	ID         string    `json:"id"`
	LotID      string    `json:"lot_id"`
	Stage      string    `json:"stage"`
	EntityID   string    `json:"entity_id,omitempty" doc:"开标前对招标人一方隐去"`
	Text       string    `json:"text"`
	FiledAt    time.Time `json:"filed_at"`
	DueAt      time.Time `json:"due_at"`
	Answer     string    `json:"answer,omitempty"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
}

func objectionDTO(o tender.Objection) Objection {
	return Objection{ID: o.ID, LotID: o.LotID, Stage: string(o.Stage), EntityID: o.EntityID, Text: o.Text, FiledAt: o.FiledAt, DueAt: o.DueAt,
		Answer: o.Answer, AnsweredAt: o.AnsweredAt}
}

// ---- bidding

type Obtained struct {
	LotID    string `json:"lot_id"`
	Obtained bool   `json:"obtained"`
}

type DepositInput struct {
	AmountFen int64  `json:"amount_fen"`
	Reference string `json:"reference" doc:"缴款凭证号或保函编号"`
}

type Deposit struct {
	LotID         string    `json:"lot_id"`
	EntityID      string    `json:"entity_id"`
	AmountFen     int64     `json:"amount_fen"`
	AmountDisplay string    `json:"amount_display"`
	Reference     string    `json:"reference"`
	RecordedAt    time.Time `json:"recorded_at"`
}

func depositDTO(d tender.Deposit) Deposit {
	return Deposit{LotID: d.LotID, EntityID: d.EntityID, AmountFen: int64(d.Amount), AmountDisplay: d.Amount.String(), Reference: d.Reference, RecordedAt: d.RecordedAt}
}

// BidInput submits or modifies a bid.
type BidInput struct {
	Format  string          `json:"format,omitempty" doc:"投标文件格式，默认 plain-v1"`
	Content json.RawMessage `json:"content" doc:"投标文件内容。字符串：内容字节的标准 Base64（RFC 4648，任何格式）；对象：仅限 plain-v1，内容字节为去除无意义空白后的该对象（JSON Compact）。回执中的 content_hash 是这些字节的 SM3。plain-v1 对象字段：price（投标报价，分）、alternative_prices（分，可选）、duration_days（工期；土地招标出让为开发建设周期，日）、quality（质量标准）、project_manager（项目经理），后两项土地招标出让不填"`
	Files   []FileRef       `json:"files,omitempty" doc:"已通过 POST /api/v1/lots/{id}/files 上传的附件"`
}

// PlainBidContent documents the plain-v1 bid format (the domain's format:
// its money fields are fen without the _fen suffix). It is not used to decode.
type PlainBidContent struct {
	Price             int64   `json:"price" doc:"投标报价（分）"`
	AlternativePrices []int64 `json:"alternative_prices,omitempty" doc:"备选报价（分），仅在允许备选方案时"`
	DurationDays      int     `json:"duration_days" doc:"工期（日）；土地招标出让为开发建设周期（日）"`
	Quality           string  `json:"quality" doc:"质量标准（工程）；土地招标出让不填"`
	ProjectManager    string  `json:"project_manager" doc:"项目经理（工程）；土地招标出让不填"`
}

type Receipt struct {
	BidID       string    `json:"bid_id"`
	LotID       string    `json:"lot_id"`
	LotCode     string    `json:"lot_code"`
	EntityID    string    `json:"entity_id"`
	Version     int       `json:"version"`
	ContentHash string    `json:"content_hash" doc:"投标内容字节的 SM3"`
	SubmittedAt time.Time `json:"submitted_at"`
	LedgerIndex int64     `json:"ledger_index" doc:"留痕序号"`
	Withdrawn   bool      `json:"withdrawn"`
	Text        string    `json:"text" doc:"回执说明"`
}

func receiptDTO(r tender.Receipt) Receipt {
	return Receipt{BidID: r.BidID, LotID: r.LotID, LotCode: r.LotCode, EntityID: r.EntityID, Version: r.Version, ContentHash: r.ContentHash,
		SubmittedAt: r.SubmittedAt, LedgerIndex: r.LedgerIndex, Withdrawn: r.Withdrawn, Text: r.Describe()}
}

// MyBid is the bidder's own bid (never its content).
type MyBid struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	Version     int       `json:"version"`
	Format      string    `json:"format"`
	ContentHash string    `json:"content_hash"`
	Files       []FileRef `json:"files"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// OpenedBid is a bid as the opening revealed it.
type OpenedBid struct {
	ID                   string    `json:"id"`
	EntityID             string    `json:"entity_id"`
	Status               string    `json:"status"`
	Version              int       `json:"version"`
	SubmittedAt          time.Time `json:"submitted_at"`
	ContentHash          string    `json:"content_hash"`
	Files                []FileRef `json:"files"`
	PriceFen             int64     `json:"price_fen"`
	PriceDisplay         string    `json:"price_display"`
	AlternativePricesFen []int64   `json:"alternative_prices_fen,omitempty"`
	DurationDays         int       `json:"duration_days"`
	Quality              string    `json:"quality"`
	ProjectManager       string    `json:"project_manager"`
	Failure              string    `json:"failure,omitempty"`
	Reject               []string  `json:"reject,omitempty"`
}

func openedBidDTO(b tender.Bid) OpenedBid {
	o := OpenedBid{ID: b.ID, EntityID: b.EntityID, Status: string(b.Status), Version: b.Version, SubmittedAt: b.SubmittedAt,
		ContentHash: b.ContentHash, Files: filesDTO(b.Files), Reject: b.Reject}
	if b.Opened != nil {
		o.PriceFen, o.PriceDisplay = int64(b.Opened.Price), b.Opened.Price.String()
		for _, p := range b.Opened.AlternativePrices {
			o.AlternativePricesFen = append(o.AlternativePricesFen, int64(p))
		}
		o.DurationDays, o.Quality, o.ProjectManager, o.Failure = b.Opened.DurationDays, b.Opened.Quality, b.Opened.ProjectManager, b.Opened.Failure
	}
	return o
}

type Access struct {
	EntityID string    `json:"entity_id"`
	At       time.Time `json:"at"`
}

// ---- opening, evaluation, award

type OpeningRow struct {
	BidID          string    `json:"bid_id"`
	EntityID       string    `json:"entity_id"`
	EntityName     string    `json:"entity_name"`
	PriceFen       int64     `json:"price_fen"`
	PriceDisplay   string    `json:"price_display"`
	DurationDays   int       `json:"duration_days"`
	Quality        string    `json:"quality"`
	ProjectManager string    `json:"project_manager"`
	SubmittedAt    time.Time `json:"submitted_at"`
	Status         string    `json:"status"`
	Note           string    `json:"note,omitempty"`
}

type Opening struct {
	LotID       string       `json:"lot_id"`
	AsOf        time.Time    `json:"as_of" doc:"法定开标时刻（投标截止时间）"`
	RanAt       time.Time    `json:"ran_at" doc:"平台实际执行开标的时间"`
	BidderCount int          `json:"bidder_count"`
	Failed      bool         `json:"failed"`
	Rows        []OpeningRow `json:"rows"`
}

func openingDTO(o *tender.Opening) *Opening {
	if o == nil {
		return nil
	}
	out := &Opening{LotID: o.LotID, AsOf: o.AsOf, RanAt: o.RanAt, BidderCount: o.BidderCount, Failed: o.Failed, Rows: []OpeningRow{}}
	for _, r := range o.Rows {
		out.Rows = append(out.Rows, OpeningRow{BidID: r.BidID, EntityID: r.EntityID, EntityName: r.EntityName, PriceFen: int64(r.Price), PriceDisplay: r.Price.String(),
			DurationDays: r.DurationDays, Quality: r.Quality, ProjectManager: r.ProjectManager, SubmittedAt: r.SubmittedAt, Status: string(r.Status), Note: r.Note})
	}
	return out
}

type Member struct {
	ID       string `json:"id"`
	Kind     string `json:"kind" doc:"expert | principal_rep"`
	UserID   string `json:"user_id"`
	ExpertID string `json:"expert_id,omitempty"`
	Name     string `json:"name"`
	Chair    bool   `json:"chair"`
}

func memberDTO(m tender.Member) Member {
	return Member{ID: m.ID, Kind: string(m.Kind), UserID: m.UserID, ExpertID: m.ExpertID, Name: m.Name, Chair: m.Chair}
}

func membersDTO(ms []tender.Member) []Member { return mapAll(ms, memberDTO) }

type SheetCheck struct {
	Criterion string `json:"criterion" doc:"审查项：sign | consortium | qualification | single | price | responsive | integrity（条例第五十一条）"`
	Pass      bool   `json:"pass"`
	Reason    string `json:"reason,omitempty" doc:"不通过时必填"`
}

type SheetLine struct {
	BidID         string           `json:"bid_id"`
	Pass          bool             `json:"pass" doc:"通过符合性审查（全部审查项通过时可省略 checks）"`
	Reason        string           `json:"reason,omitempty" doc:"由平台根据不通过的审查项生成"`
	Checks        []SheetCheck     `json:"checks,omitempty" doc:"逐项符合性审查；不通过时必填"`
	Scores        map[string]int64 `json:"scores,omitempty" doc:"综合评估法主观分：评分项代码 → 分值×100"`
	AdjustmentFen int64            `json:"adjustment_fen,omitempty" doc:"经评审的最低投标价法：评审价格调整（分）"`
}

type SheetInput struct {
	Lines       []SheetLine `json:"lines"`
	Fingerprint string      `json:"fingerprint" doc:"本人评审签名公钥指纹"`
	Signature   string      `json:"signature" doc:"SM2 签名（Base64 DER），签名内容为评审意见摘要（tender.SheetDigest）"`
}

type Sheet struct {
	LotID       string      `json:"lot_id"`
	MemberID    string      `json:"member_id"`
	Lines       []SheetLine `json:"lines"`
	SubmittedAt time.Time   `json:"submitted_at"`
	Digest      string      `json:"digest,omitempty"`
	Fingerprint string      `json:"fingerprint,omitempty"`
	Signature   string      `json:"signature,omitempty"`
}

func sheetDTO(s *tender.ScoreSheet) *Sheet {
	if s == nil {
		return nil
	}
	out := &Sheet{LotID: s.LotID, MemberID: s.MemberID, SubmittedAt: s.SubmittedAt, Lines: []SheetLine{}, Digest: s.Digest, Fingerprint: s.Fingerprint, Signature: s.Signature}
	for _, l := range s.Lines {
		ln := SheetLine{BidID: l.BidID, Pass: l.Pass, Reason: l.Reason, Scores: l.Scores, AdjustmentFen: int64(l.Adjustment)}
		for _, c := range l.Checks {
			ln.Checks = append(ln.Checks, SheetCheck(c))
		}
		out.Lines = append(out.Lines, ln)
	}
	return out
}

type ReportRow struct {
	BidID                 string   `json:"bid_id"`
	EntityID              string   `json:"entity_id"`
	EntityName            string   `json:"entity_name"`
	PriceFen              int64    `json:"price_fen"`
	PriceDisplay          string   `json:"price_display"`
	EvaluatedPriceFen     int64    `json:"evaluated_price_fen"`
	EvaluatedPriceDisplay string   `json:"evaluated_price_display"`
	PriceScore            int64    `json:"price_score" doc:"分值×100"`
	OtherScore            int64    `json:"other_score" doc:"分值×100"`
	Total                 int64    `json:"total" doc:"分值×100"`
	Rejected              bool     `json:"rejected"`
	Reasons               []string `json:"reasons,omitempty"`
	Rank                  int      `json:"rank"`
}

type Report struct {
	LotID      string      `json:"lot_id"`
	Method     string      `json:"method"`
	Rows       []ReportRow `json:"rows"`
	Candidates []ReportRow `json:"candidates"`
	Members    []string    `json:"members"`
	FinishedAt time.Time   `json:"finished_at"`
	Failed     bool        `json:"failed"`
}

func reportRows(rs []tender.ReportRow) []ReportRow {
	return mapAll(rs, func(r tender.ReportRow) ReportRow {
		return ReportRow{BidID: r.BidID, EntityID: r.EntityID, EntityName: r.EntityName, PriceFen: int64(r.Price), PriceDisplay: r.Price.String(),
			EvaluatedPriceFen: int64(r.EvaluatedPrice), EvaluatedPriceDisplay: r.EvaluatedPrice.String(), PriceScore: r.PriceScore, OtherScore: r.OtherScore,
			Total: r.Total, Rejected: r.Rejected, Reasons: r.Reasons, Rank: r.Rank}
	})
}

func reportDTO(r *tender.Report) *Report {
	if r == nil {
		return nil
	}
	members := append([]string{}, r.Members...)
	return &Report{LotID: r.LotID, Method: string(r.Method), Rows: reportRows(r.Rows), Candidates: reportRows(r.Candidates), Members: members,
		FinishedAt: r.FinishedAt, Failed: r.Failed}
}

type AwardInput struct {
	BidID           string `json:"bid_id" doc:"中标候选人的投标 ID"`
	ExceptionReason string `json:"exception_reason,omitempty" doc:"国有资金项目不确定排名第一者时的法定情形（《招标投标法实施条例》第五十五条）"`
}

type Award struct {
	LotID           string    `json:"lot_id"`
	BidID           string    `json:"bid_id"`
	EntityID        string    `json:"entity_id"`
	EntityName      string    `json:"entity_name"`
	PriceFen        int64     `json:"price_fen"`
	PriceDisplay    string    `json:"price_display"`
	Rank            int       `json:"rank"`
	ExceptionReason string    `json:"exception_reason,omitempty"`
	NotifiedAt      time.Time `json:"notified_at"`
}

func awardDTO(a *tender.Award) *Award {
	if a == nil {
		return nil
	}
	return &Award{LotID: a.LotID, BidID: a.BidID, EntityID: a.EntityID, EntityName: a.EntityName, PriceFen: int64(a.Price), PriceDisplay: a.Price.String(),
		Rank: a.Rank, ExceptionReason: a.ExceptionReason, NotifiedAt: a.NotifiedAt}
}

type ContractInput struct {
	SignedAt  time.Time `json:"signed_at" doc:"签订时间（RFC 3339）"`
	AmountFen int64     `json:"amount_fen" doc:"合同金额，应与中标价一致"`
}

type Contract struct {
	LotID         string    `json:"lot_id"`
	AmountFen     int64     `json:"amount_fen"`
	AmountDisplay string    `json:"amount_display"`
	SignedAt      time.Time `json:"signed_at"`
	RecordedAt    time.Time `json:"recorded_at"`
}

func contractDTO(c *tender.Contract) *Contract {
	if c == nil {
		return nil
	}
	return &Contract{LotID: c.LotID, AmountFen: int64(c.Amount), AmountDisplay: c.Amount.String(), SignedAt: c.SignedAt, RecordedAt: c.RecordedAt}
}

type Warning struct {
	ID        string    `json:"id"`
	LotID     string    `json:"lot_id"`
	Kind      string    `json:"kind"`
	Message   string    `json:"message"`
	Basis     string    `json:"basis"`
	CreatedAt time.Time `json:"created_at"`
}

func warningsDTO(ws []tender.Warning) []Warning {
	return mapAll(ws, func(w tender.Warning) Warning {
		return Warning{ID: w.ID, LotID: w.LotID, Kind: w.Kind, Message: w.Message, Basis: w.Basis, CreatedAt: w.CreatedAt}
	})
}

// ---- the lot view

// LotView is what one actor may see of a lot; the domain has already blanked
// the rest (《招标投标法》第二十二条: before the opening nobody learns who or
// how many obtained the documents or bid).
type LotView struct {
	Lot            Lot             `json:"lot"`
	Project        Project         `json:"project"`
	Principal      *Entity         `json:"principal,omitempty"`
	Agency         *Entity         `json:"agency,omitempty"`
	Notices        []NoticeSummary `json:"notices"`
	Documents      []Document      `json:"documents"`
	Clarifications []Clarification `json:"clarifications"`
	Objections     []Objection     `json:"objections"`
	Opening        *Opening        `json:"opening,omitempty" doc:"开标记录，开标后公开"`
	Report         *Report         `json:"report,omitempty"`
	Award          *Award          `json:"award,omitempty"`
	Contract       *Contract       `json:"contract,omitempty"`
	Warnings       []Warning       `json:"warnings"`
	Committee      []Member        `json:"committee"`
	Bids           []OpenedBid     `json:"bids" doc:"开标后向评标委员会、招标人一方和工作人员显示"`
	Access         []Access        `json:"access" doc:"获取招标文件的单位，开标后向招标人一方和工作人员显示"`
	Invitees       []Entity        `json:"invitees"`

	CanManage bool      `json:"can_manage"`
	IsMember  bool      `json:"is_member"`
	MyMember  *Member   `json:"my_member,omitempty"`
	MySheet   *Sheet    `json:"my_sheet,omitempty"`
	Invited   bool      `json:"invited"`
	MyAccess  bool      `json:"my_access"`
	MyDeposit *Deposit  `json:"my_deposit,omitempty"`
	MyBid     *MyBid    `json:"my_bid,omitempty"`
	MyReceipt *Receipt  `json:"my_receipt,omitempty"`
	Retender  *Lot      `json:"retender,omitempty" doc:"流标后的重新招标标段"`
	Reserve   *Reserve  `json:"reserve,omitempty" doc:"土地招标出让的底价，仅在结果确定（评标结束或流标）后公开"`
	Now       time.Time `json:"now"`

	EarliestClarificationDeadline time.Time `json:"earliest_clarification_deadline,omitzero" doc:"现在发出澄清修改时最早的合法投标截止时间"`
}

func lotViewDTO(v tender.LotView) LotView {
	out := LotView{Lot: lotDTO(v.Lot), Project: projectDTO(v.Project), Principal: entityPtr(v.Principal), Agency: entityPtr(v.Agency),
		Notices: []NoticeSummary{}, Documents: []Document{}, Clarifications: []Clarification{}, Objections: []Objection{},
		Opening: openingDTO(v.Opening), Report: reportDTO(v.Report), Award: awardDTO(v.Award), Contract: contractDTO(v.Contract),
		Warnings: warningsDTO(v.Warnings), Committee: membersDTO(v.Committee), Bids: []OpenedBid{}, Access: []Access{}, Invitees: []Entity{},
		CanManage: v.CanManage, IsMember: v.IsMember, MySheet: sheetDTO(v.MySheet), Invited: v.Invited, MyAccess: v.MyAccess,
		Now: v.Now, EarliestClarificationDeadline: v.EarliestCl}
	for _, n := range v.Notices {
		out.Notices = append(out.Notices, noticeSummaryDTO(n))
	}
	for _, d := range v.Documents {
		out.Documents = append(out.Documents, documentDTO(d))
	}
	for _, c := range v.Clarifications {
		out.Clarifications = append(out.Clarifications, clarificationDTO(c))
	}
	for _, o := range v.Objections {
		out.Objections = append(out.Objections, objectionDTO(o))
	}
	for _, b := range v.Bids {
		out.Bids = append(out.Bids, openedBidDTO(b))
	}
	for _, a := range v.Access {
		out.Access = append(out.Access, Access{EntityID: a.EntityID, At: a.At})
	}
	for _, e := range v.Invitees {
		out.Invitees = append(out.Invitees, entityDTO(e))
	}
	if v.MyMember != nil {
		m := memberDTO(*v.MyMember)
		out.MyMember = &m
	}
	if v.MyDeposit != nil {
		d := depositDTO(*v.MyDeposit)
		out.MyDeposit = &d
	}
	if b := v.MyBid; b != nil {
		out.MyBid = &MyBid{ID: b.ID, Status: string(b.Status), Version: b.Version, Format: b.Format, ContentHash: b.ContentHash, Files: filesDTO(b.Files), SubmittedAt: b.SubmittedAt}
	}
	if v.MyReceipt != nil {
		r := receiptDTO(*v.MyReceipt)
		out.MyReceipt = &r
	}
	if v.Retender != nil {
		l := lotDTO(*v.Retender)
		out.Retender = &l
	}
	if r := v.Reserve; r != nil {
		out.Reserve = &Reserve{Set: r.Set}
		if r.Set {
			out.Reserve.AmountFen, out.Reserve.AmountDisplay = int64(r.Amount), r.Amount.String()
		}
	}
	return out
}

// ---- timeline

type TimelineEntry struct {
	Index      int64           `json:"index"`
	At         time.Time       `json:"at"`
	Type       string          `json:"type"`
	Subject    string          `json:"subject"`
	Public     json.RawMessage `json:"public" doc:"公开部分（规范化 JSON）"`
	Commitment string          `json:"commitment" doc:"对非公开部分的加盐 SM3 承诺"`
}

func timelineDTO(es []ledger.Entry) []TimelineEntry {
	return mapAll(es, func(e ledger.Entry) TimelineEntry {
		return TimelineEntry{Index: e.Index, At: e.At, Type: e.Type, Subject: e.Subject, Public: e.Public, Commitment: e.Commitment}
	})
}

func fen(v int64) money.Fen { return money.Fen(v) }

// CalendarLoaded reports a loaded holiday table.
type CalendarLoaded struct {
	Years []int `json:"years" doc:"表中包含的年份"`
	Days  int   `json:"days" doc:"节假日和调休工作日的条数"`
}

// mapAll converts a slice element by element; the result is never nil, so
// JSON lists are always [] rather than null.
func mapAll[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}
