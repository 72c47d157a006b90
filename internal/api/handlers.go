package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ggzy/internal/apperr"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/httpx"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/tender"
)

func (s *server) getOpenAPI(c *call) (any, error) {
	c.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	c.w.Header().Set("Cache-Control", "public, max-age=300")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(s.openapi)
	c.done = true
	return nil, nil
}

// ---- auth

func (s *server) login(c *call) (any, error) {
	ip := s.d.ClientIP(c.r)
	var in LoginRequest
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	if s.d.Logins != nil {
		if ok, wait := s.d.Logins.Allow(ip, in.Username); !ok {
			c.w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			return nil, httpx.RateLimitedError(wait)
		}
	}
	token, sess, u, err := s.d.Party.Login(c.ctx(), in.Username, in.Password, "api", ip)
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) && s.d.Logins != nil {
			s.d.Logins.Failed(ip, in.Username)
		}
		return nil, err
	}
	return LoginResponse{Token: token, ExpiresAt: sess.ExpiresAt, User: userDTO(u)}, nil
}

func (s *server) logout(c *call) (any, error) {
	return nil, s.d.Party.Logout(c.ctx(), c.token)
}

func (s *server) me(c *call) (any, error) {
	_, u, err := s.d.Party.Authenticate(c.ctx(), c.token, "api")
	if err != nil {
		return nil, err
	}
	out := Me{User: userDTO(u)}
	if u.EntityID != "" {
		e, err := s.d.Party.Entity(c.ctx(), u.EntityID)
		if err != nil {
			return nil, err
		}
		out.Entity = entityPtr(e)
	}
	return out, nil
}

// getRules lists the rules the services in force apply: the engineering
// tender's set, the sales' parameters, the expert pool's and the room's.
func (s *server) getRules(c *call) (any, error) {
	return ruleSetDTO(s.d.Tender.Rules(), s.d.SaleRules(), s.d.ExpertRules()), nil
}

// ---- notices

// noticeCursor is the opaque pagination token: an offset into a snapshot of
// the list (notices published after the first page are not seen, so pages
// neither skip nor repeat), bound to the filter it was made for.
type noticeCursor struct {
	Offset   int    `json:"o"`
	Snapshot int64  `json:"s"` // µs since epoch, exclusive upper bound of published_at
	Filter   string `json:"f"`
}

func (s *server) listNotices(c *call) (any, error) {
	q := c.r.URL.Query()
	f := tender.NoticeFilter{Kind: tender.NoticeKind(q.Get("kind")), Region: q.Get("region"), Category: q.Get("category"), Q: strings.TrimSpace(q.Get("q"))}
	bad := map[string]string{}
	if f.Kind != "" && !validKind(f.Kind) {
		bad["kind"] = "公告类型应为 tender、clarification、opening、failed、candidates、award、contract 之一。"
	}
	if v := q.Get("from"); v != "" {
		d, err := time.ParseInLocation(time.DateOnly, v, clock.Shanghai)
		if err != nil {
			bad["from"] = "日期格式应为 YYYY-MM-DD。"
		}
		f.From = d.UTC()
	}
	if v := q.Get("to"); v != "" {
		d, err := time.ParseInLocation(time.DateOnly, v, clock.Shanghai)
		if err != nil {
			bad["to"] = "日期格式应为 YYYY-MM-DD。"
		}
		f.To = d.AddDate(0, 0, 1).UTC()
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad["to"] = "截止日期不能早于起始日期。"
	}
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			bad["limit"] = "每页条数应为1至100。"
		}
		limit = n
	}
	key := filterKey(q)
	cur := noticeCursor{Snapshot: s.d.Clock.Now().UnixMicro() + 1, Filter: key}
	if v := q.Get("cursor"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || json.Unmarshal(raw, &cur) != nil || cur.Offset < 0 {
			bad["cursor"] = "分页游标无效。"
		} else if cur.Filter != key {
			bad["cursor"] = "分页游标与筛选条件不符，请从第一页重新查询。"
		}
	}
	if err := apperr.Fields("查询条件有误。", bad); err != nil {
		return nil, err
	}
	snap := time.UnixMicro(cur.Snapshot).UTC()
	if f.To.IsZero() || snap.Before(f.To) {
		f.To = snap
	}
	f.Limit, f.Offset = limit, cur.Offset
	list, total, err := s.d.Tender.Notices(c.ctx(), c.actor, f)
	if err != nil {
		return nil, err
	}
	page := NoticePage{Items: []NoticeSummary{}, Total: total}
	for _, n := range list {
		page.Items = append(page.Items, noticeSummaryDTO(n))
	}
	if next := cur.Offset + len(list); len(list) > 0 && next < total {
		b, _ := json.Marshal(noticeCursor{Offset: next, Snapshot: cur.Snapshot, Filter: key})
		tok := base64.RawURLEncoding.EncodeToString(b)
		page.NextCursor = &tok
	}
	return page, nil
}

func validKind(k tender.NoticeKind) bool {
	for _, x := range tender.NoticeKinds {
		if x == k {
			return true
		}
	}
	return false
}

func filterKey(q url.Values) string {
	h := sha256.New()
	for _, k := range []string{"kind", "region", "category", "q", "from", "to"} {
		fmt.Fprintf(h, "%s=%s\x00", k, q.Get(k))
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func (s *server) getNotice(c *call) (any, error) {
	n, err := s.d.Tender.Notice(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return noticeDTO(n), nil
}

// ---- projects and lots

func (s *server) createProject(c *call) (any, error) {
	var in ProjectInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	p, err := s.d.Tender.CreateProject(c.ctx(), c.actor, tender.ProjectInput{Name: in.Name, PrincipalUSCC: in.PrincipalUSCC, AgencyUSCC: in.AgencyUSCC,
		StateFunded: in.StateFunded, Funding: in.Funding, SupervisorDept: in.SupervisorDept, Description: in.Description, Category: tender.Category(in.Category)})
	if err != nil {
		return nil, err
	}
	return projectDTO(p), nil
}

func (s *server) getProject(c *call) (any, error) {
	pv, err := s.d.Tender.ViewProject(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	out := ProjectView{Project: projectDTO(pv.Project), Principal: entityPtr(pv.Principal), Agency: entityPtr(pv.Agency), Lots: []Lot{}}
	for _, v := range pv.Lots {
		out.Lots = append(out.Lots, lotDTO(v.Lot))
	}
	return out, nil
}

func (s *server) addLot(c *call) (any, error) {
	var in LotInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	var scoring []tender.ScoreItem
	for _, it := range in.Scoring {
		scoring = append(scoring, tender.ScoreItem(it))
	}
	l, err := s.d.Tender.AddLot(c.ctx(), c.actor, c.r.PathValue("id"), tender.LotInput{Name: in.Name, Procedure: tender.Procedure(in.Procedure),
		Method: tender.Method(in.Method), Estimate: fen(in.EstimateFen), Ceiling: fen(in.CeilingFen), Security: fen(in.SecurityFen),
		CategoryCode: in.CategoryCode, Scoring: scoring, CommitteeSize: in.CommitteeSize, PrincipalReps: in.PrincipalReps, AllowAlternatives: in.AllowAlternatives,
		Land: in.Land.domain()})
	if err != nil {
		return nil, err
	}
	return lotDTO(l), nil
}

// setLotReserve enters a land lot's reserve (底价); nothing of it is answered
// back: it stays secret until the result (LO39 art. 12).
func (s *server) setLotReserve(c *call) (any, error) {
	var in ReserveInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	return nil, s.d.Tender.SetReserve(c.ctx(), c.actor, c.r.PathValue("id"), fen(in.ReserveFen))
}

func (s *server) view(c *call) (tender.LotView, error) {
	return s.d.Tender.ViewLot(c.ctx(), c.actor, c.r.PathValue("id"))
}

func (s *server) getLot(c *call) (any, error) {
	v, err := s.view(c)
	if err != nil {
		return nil, err
	}
	return lotViewDTO(v), nil
}

// reportPDF sends the evaluation report as a signed PDF, to whoever ViewLot
// lets see the report.
func (s *server) reportPDF(c *call) (any, error) {
	v, err := s.view(c)
	if err != nil {
		return nil, err
	}
	if err := s.d.ServeReportPDF(c.w, v); err != nil {
		return nil, err
	}
	c.done = true
	return nil, nil
}

// upload streams the raw request body into the blob store (at most
// d.MaxUpload bytes) and returns the file's name, size and SM3 hash.
func (s *server) upload(c *call) (FileRef, error) {
	name := strings.TrimSpace(c.r.URL.Query().Get("name"))
	if name == "" || utf8.RuneCountInString(name) > 200 || strings.ContainsAny(name, "/\\\x00") {
		return FileRef{}, apperr.New(apperr.Invalid, "请在查询参数 name 中给出文件名（不超过200个字，不含路径）。").WithField("name", "文件名无效。")
	}
	max := s.d.MaxUpload
	if max <= 0 {
		max = 64 << 20
	}
	if c.r.ContentLength > max {
		return FileRef{}, &http.MaxBytesError{Limit: max}
	}
	hash, size, err := s.d.Blobs.Put(http.MaxBytesReader(c.w, c.r.Body, max), max)
	if err != nil {
		return FileRef{}, err
	}
	return FileRef{Name: name, Size: size, Hash: hash}, nil
}

func (s *server) uploadDocument(c *call) (any, error) {
	// Decide before storing, so a refused upload leaves no file behind.
	if err := s.d.Tender.CheckDocumentUpload(c.ctx(), c.actor, c.r.PathValue("id")); err != nil {
		return nil, err
	}
	f, err := s.upload(c)
	if err != nil {
		return nil, err
	}
	d, err := s.d.Tender.AddDocument(c.ctx(), c.actor, c.r.PathValue("id"), f.Name, f.Size, f.Hash)
	if err != nil {
		return nil, err
	}
	return documentDTO(d), nil
}

func (s *server) downloadDocument(c *call) (any, error) {
	doc, err := s.d.Tender.Document(c.ctx(), c.actor, c.r.PathValue("id"), c.r.PathValue("docID"))
	if err != nil {
		return nil, err
	}
	if err := s.d.ServeFile(c.w, c.r, doc.Name, doc.Hash, doc.UploadedAt); err != nil {
		return nil, err
	}
	c.done = true
	return nil, nil
}

func (s *server) downloadBidFile(c *call) (any, error) {
	f, err := s.d.Tender.BidAttachment(c.ctx(), c.actor, c.r.PathValue("id"), c.r.PathValue("bidID"), c.r.PathValue("hash"))
	if err != nil {
		return nil, err
	}
	if err := s.d.ServeFile(c.w, c.r, f.Name, f.Hash, time.Time{}); err != nil {
		return nil, err
	}
	c.done = true
	return nil, nil
}

func (s *server) publish(c *call) (any, error) {
	var in PublishInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	n, err := s.d.Tender.PublishTender(c.ctx(), c.actor, c.r.PathValue("id"), tender.PublishInput{DocsFrom: in.DocsFrom, DocsUntil: in.DocsUntil,
		BidDeadline: in.BidDeadline, OpeningPlace: in.OpeningPlace, Body: in.Body, Invitees: in.Invitees})
	if err != nil {
		return nil, err
	}
	return noticeDTO(n), nil
}

func (s *server) clarify(c *call) (any, error) {
	var in ClarificationInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	cl, err := s.d.Tender.IssueClarification(c.ctx(), c.actor, c.r.PathValue("id"), in.Text, in.NewDeadline)
	if err != nil {
		return nil, err
	}
	return clarificationDTO(cl), nil
}

func (s *server) fileObjection(c *call) (any, error) {
	var in ObjectionInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	o, err := s.d.Tender.FileObjection(c.ctx(), c.actor, c.r.PathValue("id"), tender.ObjectionStage(in.Stage), in.Text)
	if err != nil {
		return nil, err
	}
	return objectionDTO(o), nil
}

func (s *server) answerObjection(c *call) (any, error) {
	var in AnswerInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	o, err := s.d.Tender.AnswerObjection(c.ctx(), c.actor, c.r.PathValue("id"), in.Answer)
	if err != nil {
		return nil, err
	}
	return objectionDTO(o), nil
}

// ---- bidding

func (s *server) obtain(c *call) (any, error) {
	var in struct{}
	if err := c.decode(&in, true); err != nil {
		return nil, err
	}
	id := c.r.PathValue("id")
	if err := s.d.Tender.ObtainDocuments(c.ctx(), c.actor, id); err != nil {
		return nil, err
	}
	return Obtained{LotID: id, Obtained: true}, nil
}

func (s *server) deposit(c *call) (any, error) {
	var in DepositInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	if err := s.d.Tender.RecordDeposit(c.ctx(), c.actor, c.r.PathValue("id"), fen(in.AmountFen), in.Reference); err != nil {
		return nil, err
	}
	v, err := s.view(c)
	if err != nil {
		return nil, err
	}
	if v.MyDeposit == nil {
		return nil, fmt.Errorf("api: deposit recorded but not visible to its bidder")
	}
	return depositDTO(*v.MyDeposit), nil
}

// bidContent turns the content field into the bytes that are stored and hashed.
func bidContent(format string, raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	bad := func(msg string) error {
		return apperr.New(apperr.Invalid, "投标文件内容无效：%s", msg).WithField("content", msg)
	}
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, bad("必填。")
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, bad("应为 Base64 字符串。")
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, bad("不是有效的标准 Base64 编码。")
		}
		return b, nil
	case raw[0] == '{':
		if format != "" && format != tender.PlainFormat {
			return nil, bad("只有 plain-v1 格式可以直接以 JSON 对象提交，其他格式请使用 Base64。")
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, bad("JSON 对象无效。")
		}
		return buf.Bytes(), nil
	}
	return nil, bad("应为 Base64 字符串或 plain-v1 JSON 对象。")
}

func (s *server) submitBid(c *call) (any, error) {
	var in BidInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	content, err := bidContent(in.Format, in.Content)
	if err != nil {
		return nil, err
	}
	var files []tender.BidFile
	for i, f := range in.Files {
		if err := s.checkBlob(f); err != nil {
			return nil, apperr.New(apperr.Invalid, "投标附件“%s”未上传或大小不符，请先通过 POST /api/v1/lots/{id}/files 上传。", f.Name).WithField(fmt.Sprintf("files[%d]", i), "未找到该附件。")
		}
		files = append(files, tender.BidFile(f))
	}
	r, err := s.d.Tender.SubmitBid(c.ctx(), c.actor, c.r.PathValue("id"), tender.BidInput{Format: in.Format, Content: content, Files: files})
	if err != nil {
		return nil, err
	}
	return receiptDTO(r), nil
}

// checkBlob verifies that an attachment was uploaded with the stated size.
func (s *server) checkBlob(f FileRef) error {
	if f.Name == "" || f.Size <= 0 {
		return apperr.New(apperr.Invalid, "附件信息不完整。")
	}
	fh, err := s.d.Blobs.Open(f.Hash)
	if err != nil {
		return err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return err
	}
	if st.Size() != f.Size {
		return apperr.New(apperr.Invalid, "附件大小不符。")
	}
	return nil
}

func (s *server) withdrawBid(c *call) (any, error) {
	r, err := s.d.Tender.WithdrawBid(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return receiptDTO(r), nil
}

func (s *server) myReceipt(c *call) (any, error) {
	v, err := s.view(c)
	if err != nil {
		return nil, err
	}
	if v.MyReceipt == nil {
		return nil, apperr.NotFoundf("本单位的投标回执")
	}
	return receiptDTO(*v.MyReceipt), nil
}

func (s *server) uploadFile(c *call) (any, error) {
	// Decide before storing: only a bidder that may bid on this lot now.
	if err := s.d.Tender.CheckBidUpload(c.ctx(), c.actor, c.r.PathValue("id")); err != nil {
		return nil, err
	}
	f, err := s.upload(c)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ---- evaluation and award

func (s *server) submitSheet(c *call) (any, error) {
	var in SheetInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	lines := sheetLines(in.Lines)
	sh, err := s.d.Tender.SubmitScoreSheet(c.ctx(), c.actor, c.r.PathValue("id"), lines, tender.SheetSignature{Fingerprint: in.Fingerprint, Signature: in.Signature})
	if err != nil {
		return nil, err
	}
	return sheetDTO(&sh), nil
}

// sheetLines converts the API's lines to the domain's: the digest a member
// signs is computed over the latter (tender.SheetDigest).
func sheetLines(in []SheetLine) []tender.SheetLine {
	lines := []tender.SheetLine{}
	for _, l := range in {
		ln := tender.SheetLine{BidID: l.BidID, Pass: l.Pass, Reason: l.Reason, Scores: l.Scores, Adjustment: money.Fen(l.AdjustmentFen)}
		for _, c := range l.Checks {
			ln.Checks = append(ln.Checks, tender.Check(c))
		}
		lines = append(lines, ln)
	}
	return lines
}

func (s *server) sheetDigest(c *call) (any, error) {
	var in SheetInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	d, err := s.d.Tender.SheetDigestFor(c.ctx(), c.actor, c.r.PathValue("id"), sheetLines(in.Lines))
	if err != nil {
		return nil, err
	}
	return SheetDigestOut{Digest: d}, nil
}

func (s *server) award(c *call) (any, error) {
	var in AwardInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	a, err := s.d.Tender.DecideAward(c.ctx(), c.actor, c.r.PathValue("id"), tender.AwardInput{BidID: in.BidID, ExceptionReason: in.ExceptionReason})
	if err != nil {
		return nil, err
	}
	return awardDTO(&a), nil
}

func (s *server) contract(c *call) (any, error) {
	var in ContractInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	ct, err := s.d.Tender.RecordContract(c.ctx(), c.actor, c.r.PathValue("id"), in.SignedAt, fen(in.AmountFen))
	if err != nil {
		return nil, err
	}
	return contractDTO(&ct), nil
}

func (s *server) retender(c *call) (any, error) {
	var in struct{}
	if err := c.decode(&in, true); err != nil {
		return nil, err
	}
	l, err := s.d.Tender.Retender(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return lotDTO(l), nil
}

func (s *server) timeline(c *call) (any, error) {
	v, err := s.view(c)
	if err != nil {
		return nil, err
	}
	es, err := s.d.Tender.Timeline(c.ctx(), v.Lot.Code)
	if err != nil {
		return nil, err
	}
	return timelineDTO(es), nil
}

// ---- console and registry

func (s *server) consoleLots(c *call) (any, error) {
	ls, err := s.d.Tender.ConsoleLots(c.ctx(), c.actor)
	if err != nil {
		return nil, err
	}
	return lotsDTO(ls), nil
}

func (s *server) warnings(c *call) (any, error) {
	ws, err := s.d.Tender.Warnings(c.ctx(), c.actor)
	if err != nil {
		return nil, err
	}
	return warningsDTO(ws), nil
}

func (s *server) listEntities(c *call) (any, error) {
	kind := party.EntityKind(c.r.URL.Query().Get("kind"))
	switch kind {
	case "", party.KindEnterprise, party.KindPrincipal, party.KindAgency:
	default:
		return nil, apperr.New(apperr.Invalid, "主体类型应为 enterprise、principal 或 agency。").WithField("kind", "无效。")
	}
	es, err := s.d.Party.Entities(c.ctx(), kind)
	if err != nil {
		return nil, err
	}
	return mapAll(es, entityDTO), nil
}

func (s *server) registerEntity(c *call) (any, error) {
	var in EntityInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	e, err := s.d.Party.RegisterEntity(c.ctx(), c.actor, party.EntityInput{USCC: in.USCC, Name: in.Name, LegalRep: in.LegalRep, Kind: party.EntityKind(in.Kind),
		Region: in.Region, Address: in.Address, Contact: in.Contact, ControllerUSCC: in.ControllerUSCC})
	if err != nil {
		return nil, err
	}
	return entityDTO(e), nil
}

func (s *server) createUser(c *call) (any, error) {
	var in UserInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	u, err := s.d.Party.CreateUser(c.ctx(), c.actor, party.UserInput{Username: in.Username, Name: in.Name, Password: in.Password, Role: party.Role(in.Role),
		EntityID: in.EntityID, ExpertID: in.ExpertID, Department: in.Department})
	if err != nil {
		return nil, err
	}
	return userDTO(u), nil
}

// ---- calendar

func (s *server) loadCalendar(c *call) (any, error) {
	if s.d.Holidays == nil {
		return nil, apperr.New(apperr.Internal, "节假日表服务未启用。")
	}
	days, err := calendar.ParseCSV(http.MaxBytesReader(c.w, c.r.Body, MaxJSONBody))
	if err != nil {
		return nil, err
	}
	years, err := s.d.Holidays.Load(c.ctx(), c.actor, days)
	if err != nil {
		return nil, err
	}
	return CalendarLoaded{Years: years, Days: len(days)}, nil
}
