package api

import (
	"net/http"
	"slices"

	"ggzy/internal/ledger"
)

// route is one operation: it registers the handler and documents itself.
type route struct {
	Method  string
	Path    string // full path template, e.g. /api/v1/lots/{id}
	Summary string // Chinese, shown in the OpenAPI document
	Tag     string
	Auth    authMode
	Query   []param
	Body    any // request DTO (zero value); binaryBody for raw uploads; nil = none
	Resp    any // response DTO (zero value); binaryBody for downloads; nil = 204
	Status  int
	h       handlerFunc
}

type param struct {
	Name, Type, Doc string
	Required        bool
}

// binaryBody marks a raw (application/octet-stream) body.
type binaryBody struct{}

// pdfBody marks a signed PDF download (application/pdf, signature headers).
type pdfBody struct{}

const v1 = "/api/v1"

func (s *server) table() []route {
	lotID := func(p string) string { return v1 + "/lots/{id}" + p }
	return append([]route{
		{Method: "GET", Path: "/api/openapi.json", Summary: "本接口的 OpenAPI 3.1 文档", Tag: "meta", Auth: authNone, Resp: map[string]any{}, Status: 200, h: s.getOpenAPI},

		{Method: "POST", Path: v1 + "/auth/login", Summary: "登录并获取接口令牌（按客户端地址限制频率）", Tag: "auth", Auth: authNone, Body: LoginRequest{}, Resp: LoginResponse{}, Status: 200, h: s.login},
		{Method: "POST", Path: v1 + "/auth/logout", Summary: "注销当前令牌", Tag: "auth", Auth: authRequired, Status: http.StatusNoContent, h: s.logout},
		{Method: "GET", Path: v1 + "/me", Summary: "当前登录用户及其所属主体", Tag: "auth", Auth: authRequired, Resp: Me{}, Status: 200, h: s.me},

		{Method: "POST", Path: v1 + "/keys", Summary: "登记 SM2 公钥（投标签名、解密保管或平台签名）", Tag: "keys", Auth: authRequired, Body: KeyInput{}, Resp: PublicKey{}, Status: 201, h: s.registerKey},
		{Method: "GET", Path: v1 + "/keys", Summary: "本人或本单位登记的公钥", Tag: "keys", Auth: authRequired, Resp: KeyList{}, Status: 200, h: s.myKeys},
		{Method: "POST", Path: v1 + "/keys/{keyID}/revoke", Summary: "吊销公钥（不可撤销）", Tag: "keys", Auth: authRequired, Body: RevokeInput{}, Resp: PublicKey{}, Status: 200, h: s.revokeKey},
		{Method: "GET", Path: v1 + "/entities/{id}/keys", Summary: "市场主体登记的投标签名公钥（公开）", Tag: "keys", Resp: KeyList{}, Status: 200, h: s.entityKeys},
		{Method: "GET", Path: v1 + "/users/{id}/keys", Summary: "人员登记的解密保管公钥（公开）", Tag: "keys", Resp: KeyList{}, Status: 200, h: s.userKeys},

		{Method: "GET", Path: v1 + "/ledger/checkpoint", Summary: "最新签名检查点（C2SP signed-note，平台 SM2 签名）", Tag: "ledger", Resp: textBody{}, Status: 200, h: s.ledgerCheckpoint},
		{Method: "GET", Path: v1 + "/ledger/key", Summary: "检查点签名公钥", Tag: "ledger", Resp: LedgerKey{}, Status: 200, h: s.ledgerKey},
		{Method: "GET", Path: v1 + "/ledger/entries", Summary: "按序号区间公开留痕记录（每次至多 1000 条）", Tag: "ledger", Query: []param{
			{Name: "start", Type: "uint", Doc: "起始序号（含）", Required: true},
			{Name: "end", Type: "uint", Doc: "结束序号（不含）", Required: true},
		}, Resp: LedgerEntries{}, Status: 200, h: s.ledgerEntries},
		{Method: "GET", Path: v1 + "/ledger/proof/inclusion", Summary: "包含性证明（RFC 6962，SM3）", Tag: "ledger", Query: []param{
			{Name: "index", Type: "uint", Doc: "记录序号", Required: true},
			{Name: "size", Type: "uint", Doc: "树规模（取自某一检查点）", Required: true},
		}, Resp: LedgerProof{}, Status: 200, h: s.ledgerInclusion},
		{Method: "GET", Path: v1 + "/ledger/proof/consistency", Summary: "一致性证明（RFC 6962，SM3）", Tag: "ledger", Query: []param{
			{Name: "from", Type: "uint", Doc: "前一规模", Required: true},
			{Name: "to", Type: "uint", Doc: "后一规模", Required: true},
		}, Resp: LedgerProof{}, Status: 200, h: s.ledgerConsistency},

		{Method: "GET", Path: v1 + "/rules", Summary: "现行法定规则及法律依据：工程建设项目招标、土地矿业权与国有产权交易、评标专家与评标", Tag: "rules", Resp: RuleSet{}, Status: 200, h: s.getRules},
		{Method: "POST", Path: v1 + "/calendar", Summary: "加载节假日表（CSV：date,kind,name；交易中心或系统管理员），立即生效并留痕", Tag: "rules", Auth: authRequired,
			Body: binaryBody{}, Resp: CalendarLoaded{}, Status: 200, h: s.loadCalendar},

		{Method: "GET", Path: v1 + "/notices", Summary: "公告列表（筛选、游标分页）", Tag: "notices", Query: []param{
			{Name: "kind", Type: "string", Doc: "公告类型：tender、clarification、opening、failed、candidates、award、contract"},
			{Name: "region", Type: "string", Doc: "行政区划代码（GB/T 2260）"},
			{Name: "category", Type: "string", Doc: "交易类别：works 工程建设 | land 国有建设用地使用权招标出让"},
			{Name: "q", Type: "string", Doc: "标题或正文包含的文字"},
			{Name: "from", Type: "date", Doc: "发布日期起（含），YYYY-MM-DD，北京时间"},
			{Name: "to", Type: "date", Doc: "发布日期止（含），YYYY-MM-DD，北京时间"},
			{Name: "cursor", Type: "string", Doc: "上一页返回的 next_cursor（须与相同筛选条件一起使用）"},
			{Name: "limit", Type: "integer", Doc: "每页条数，1–100，默认 20"},
		}, Resp: NoticePage{}, Status: 200, h: s.listNotices},
		{Method: "GET", Path: v1 + "/notices/{id}", Summary: "公告详情", Tag: "notices", Resp: Notice{}, Status: 200, h: s.getNotice},

		{Method: "POST", Path: v1 + "/projects", Summary: "登记招标项目（招标人或代理机构；category 为 land 时为国有建设用地使用权招标出让）", Tag: "projects", Auth: authRequired, Body: ProjectInput{}, Resp: Project{}, Status: 201, h: s.createProject},
		{Method: "GET", Path: v1 + "/projects/{id}", Summary: "项目及其可见标段", Tag: "projects", Resp: ProjectView{}, Status: 200, h: s.getProject},
		{Method: "POST", Path: v1 + "/projects/{id}/lots", Summary: "设置标段", Tag: "projects", Auth: authRequired, Body: LotInput{}, Resp: Lot{}, Status: 201, h: s.addLot},

		{Method: "GET", Path: lotID(""), Summary: "标段详情（按当前用户可见范围）", Tag: "lots", Resp: LotView{}, Status: 200, h: s.getLot},
		{Method: "POST", Path: lotID("/documents"), Summary: "上传招标文件（请求体为文件原始字节）", Tag: "lots", Auth: authRequired,
			Query: []param{{Name: "name", Type: "string", Doc: "文件名", Required: true}}, Body: binaryBody{}, Resp: Document{}, Status: 201, h: s.uploadDocument},
		{Method: "GET", Path: lotID("/documents/{docID}"), Summary: "下载招标文件", Tag: "lots", Resp: binaryBody{}, Status: 200, h: s.downloadDocument},
		{Method: "PUT", Path: lotID("/reserve"), Summary: "录入土地招标出让的底价（出让人或其代理，投标截止前；保密，结果确定后公开）", Tag: "lots", Auth: authRequired, Body: ReserveInput{}, Status: http.StatusNoContent, h: s.setLotReserve},
		{Method: "POST", Path: lotID("/publish"), Summary: "发布招标公告（或投标邀请书）", Tag: "lots", Auth: authRequired, Body: PublishInput{}, Resp: Notice{}, Status: 201, h: s.publish},
		{Method: "POST", Path: lotID("/clarifications"), Summary: "发出澄清或修改（距截止不足法定期限的须顺延截止时间）", Tag: "lots", Auth: authRequired, Body: ClarificationInput{}, Resp: Clarification{}, Status: 201, h: s.clarify},
		{Method: "POST", Path: lotID("/objections"), Summary: "提出异议（对招标文件或评标结果）", Tag: "lots", Auth: authRequired, Body: ObjectionInput{}, Resp: Objection{}, Status: 201, h: s.fileObjection},
		{Method: "POST", Path: v1 + "/objections/{id}/answer", Summary: "答复异议", Tag: "lots", Auth: authRequired, Body: AnswerInput{}, Resp: Objection{}, Status: 200, h: s.answerObjection},

		{Method: "POST", Path: lotID("/obtain"), Summary: "获取招标文件（投标人）", Tag: "bids", Auth: authRequired, Resp: Obtained{}, Status: 200, h: s.obtain},
		{Method: "POST", Path: lotID("/deposit"), Summary: "登记投标保证金", Tag: "bids", Auth: authRequired, Body: DepositInput{}, Resp: Deposit{}, Status: 200, h: s.deposit},
		{Method: "PUT", Path: lotID("/bid"), Summary: "递交或修改投标文件，立即返回回执", Tag: "bids", Auth: authRequired, Body: BidInput{}, Resp: Receipt{}, Status: 201, h: s.submitBid},
		{Method: "DELETE", Path: lotID("/bid"), Summary: "撤回投标文件", Tag: "bids", Auth: authRequired, Resp: Receipt{}, Status: 200, h: s.withdrawBid},
		{Method: "GET", Path: lotID("/bid"), Summary: "本单位投标回执", Tag: "bids", Auth: authRequired, Resp: Receipt{}, Status: 200, h: s.myReceipt},
		{Method: "GET", Path: lotID("/bid/receipt"), Summary: "下载可离线核验的投标回执（留痕记录、签名检查点、包含性证明；ggzy verify receipt）", Tag: "bids", Auth: authRequired,
			Resp: ledger.Receipt{}, Status: 200, h: s.receiptDocument},
		{Method: "POST", Path: lotID("/sealed-bid"), Summary: "递交在投标人一方加密签名的投标文件（sealed-v1，请求体为文件原始字节，边接收边校验）", Tag: "bids", Auth: authRequired,
			Body: binaryBody{}, Resp: Receipt{}, Status: 201, h: s.submitSealed},
		{Method: "POST", Path: lotID("/uploads"), Summary: "开始断点续传上传加密投标文件（声明文件大小）", Tag: "bids", Auth: authRequired, Body: UploadInput{}, Resp: Upload{}, Status: 201, h: s.createUpload},
		{Method: "GET", Path: v1 + "/uploads/{uploadID}", Summary: "查询续传位置", Tag: "bids", Auth: authRequired, Resp: Upload{}, Status: 200, h: s.getUpload},
		{Method: "PATCH", Path: v1 + "/uploads/{uploadID}", Summary: "续传一段（请求头 Upload-Offset 为已接收字节数）", Tag: "bids", Auth: authRequired, Body: binaryBody{}, Resp: Upload{}, Status: 200, h: s.appendUpload},
		{Method: "POST", Path: v1 + "/uploads/{uploadID}/bid", Summary: "以完整上传的文件递交加密投标文件", Tag: "bids", Auth: authRequired, Resp: Receipt{}, Status: 201, h: s.completeUpload},
		{Method: "GET", Path: lotID("/custody"), Summary: "标段的密钥保管人、门限与解密状态（随招标公告公开）", Tag: "custody", Resp: CustodyView{}, Status: 200, h: s.getCustody},
		{Method: "PUT", Path: lotID("/custody"), Summary: "指定密钥保管人和解密门限（招标人或代理，发布前）", Tag: "custody", Auth: authRequired, Body: CustodyInput{}, Resp: CustodyView{}, Status: 200, h: s.setCustody},
		{Method: "GET", Path: lotID("/custody/envelopes"), Summary: "保管人获取待解密的密钥份额（仅投标截止后）", Tag: "custody", Auth: authRequired, Resp: Envelopes{}, Status: 200, h: s.custodyEnvelopes},
		{Method: "POST", Path: lotID("/custody/shares"), Summary: "保管人提交在本机解密的密钥份额", Tag: "custody", Auth: authRequired, Body: SharesInput{}, Resp: SharesResult{}, Status: 200, h: s.submitShares},
		{Method: "POST", Path: lotID("/custody/extend"), Summary: "决定延长解密时限（行政监督部门或交易中心，留痕）", Tag: "custody", Auth: authRequired, Body: ExtendInput{}, Resp: CustodyView{}, Status: 200, h: s.extendDecryption},
		{Method: "GET", Path: lotID("/bids/{bidID}/files/{hash}"), Summary: "下载投标附件（投标人本人；开标后评标委员会、招标人及代理、监管人员）", Tag: "bids",
			Resp: binaryBody{}, Status: 200, h: s.downloadBidFile},
		{Method: "POST", Path: lotID("/files"), Summary: "上传本标段的投标附件（请求体为文件原始字节；仅投标截止前的投标单位）", Tag: "bids", Auth: authRequired,
			Query: []param{{Name: "name", Type: "string", Doc: "文件名", Required: true}}, Body: binaryBody{}, Resp: FileRef{}, Status: 201, h: s.uploadFile},

		{Method: "GET", Path: lotID("/report.pdf"), Summary: "下载评标报告 PDF（招标人、代理、评标委员会成员和监管人员；响应头 X-Content-SM3、X-Signature-SM2 为平台签名）", Tag: "evaluation",
			Resp: pdfBody{}, Status: 200, h: s.reportPDF},
		{Method: "PUT", Path: lotID("/sheet"), Summary: "提交本人评分表（评标委员会成员）", Tag: "evaluation", Auth: authRequired, Body: SheetInput{}, Resp: Sheet{}, Status: 200, h: s.submitSheet},
		{Method: "POST", Path: lotID("/award"), Summary: "确定中标人并发出中标通知书", Tag: "award", Auth: authRequired, Body: AwardInput{}, Resp: Award{}, Status: 201, h: s.award},
		{Method: "POST", Path: lotID("/contract"), Summary: "登记书面合同", Tag: "award", Auth: authRequired, Body: ContractInput{}, Resp: Contract{}, Status: 201, h: s.contract},
		{Method: "POST", Path: lotID("/retender"), Summary: "流标后重新招标", Tag: "award", Auth: authRequired, Resp: Lot{}, Status: 201, h: s.retender},
		{Method: "GET", Path: lotID("/timeline"), Summary: "标段的公开留痕记录", Tag: "lots", Resp: []TimelineEntry{}, Status: 200, h: s.timeline},

		{Method: "GET", Path: v1 + "/console/lots", Summary: "我的工作台标段", Tag: "console", Auth: authRequired, Resp: []Lot{}, Status: 200, h: s.consoleLots},
		{Method: "GET", Path: v1 + "/warnings", Summary: "预警信息（交易中心、监督部门）", Tag: "console", Auth: authRequired, Resp: []Warning{}, Status: 200, h: s.warnings},

		{Method: "GET", Path: v1 + "/entities", Summary: "已登记的市场主体", Tag: "registry",
			Query: []param{{Name: "kind", Type: "string", Doc: "enterprise | principal | agency；省略为全部"}}, Resp: []Entity{}, Status: 200, h: s.listEntities},
		{Method: "POST", Path: v1 + "/entities", Summary: "登记市场主体（交易中心、管理员）", Tag: "registry", Auth: authRequired, Body: EntityInput{}, Resp: Entity{}, Status: 201, h: s.registerEntity},
		{Method: "POST", Path: v1 + "/users", Summary: "开设用户（管理员、交易中心）", Tag: "registry", Auth: authRequired, Body: UserInput{}, Resp: User{}, Status: 201, h: s.createUser},
	}, slices.Concat(s.expertRoutes(), s.roomRoutes(), s.saleRoutes())...)
}
