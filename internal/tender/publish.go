package tender

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/party"
	"ggzy/internal/rules"
)

// AddDocument records a tender document already stored as a blob (the HTTP
// layer streams the upload and hashes it) on a draft lot.
func (s *Service) AddDocument(ctx context.Context, actor party.Actor, lotID ids.ID, name string, size int64, hash string) (Document, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 200 || size <= 0 || len(hash) != 64 {
		return Document{}, apperr.New(apperr.Invalid, "招标文件无效：需要文件名和非空内容。")
	}
	now := s.clock.Now()
	var d Document
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, _, err := managedLot(ctx, tx, actor, lotID, "上传招标文件", Draft, "招标公告已发布，招标文件的修改请通过“澄清修改”发出。")
		if err != nil {
			return err
		}
		d = Document{ID: s.ids.New(now), LotID: l.ID, Name: name, Size: size, Hash: hash, UploadedAt: now}
		if err := tx.CreateDocument(ctx, d); err != nil {
			return err
		}
		_, err = record(ctx, tx, now, actor, "document.uploaded", l.Code, map[string]any{"lot": l.Code, "name": name, "size": size, "sm3": hash}, nil)
		return err
	})
	return d, err
}

// managedLot loads a lot for a use case reserved to its project's principal
// or agency, and checks the state the use case requires (want "" = any).
func managedLot(ctx context.Context, tx Tx, actor party.Actor, lotID ids.ID, action string, want Status, wrongState string) (Lot, Project, error) {
	l, p, err := lotAndProject(ctx, tx, lotID)
	if err != nil {
		return l, p, err
	}
	if !manages(actor, p) {
		return l, p, apperr.Forbiddenf("只有本项目的招标人或代理机构可以%s。", action)
	}
	if want != "" && l.Status != want {
		return l, p, apperr.New(apperr.Conflict, "%s", wrongState)
	}
	return l, p, nil
}

func lotAndProject(ctx context.Context, tx Tx, lotID ids.ID) (Lot, Project, error) {
	l, err := tx.GetLot(ctx, lotID)
	if err != nil {
		return Lot{}, Project{}, err
	}
	p, err := tx.GetProject(ctx, l.ProjectID)
	return l, p, err
}

// PublishInput is the tender notice (招标公告 / 投标邀请书).
type PublishInput struct {
	DocsFrom     time.Time // 文件获取开始
	DocsUntil    time.Time // 文件获取截止
	BidDeadline  time.Time // 投标截止 = 开标时间
	OpeningPlace string
	Body         string
	Invitees     []string // USCCs, invited tender only
}

// EarliestDeadline is the earliest lawful bid deadline for documents first
// available at docsFrom (TBL 24: at least 20 days), at the given clock time.
func (s *Service) EarliestDeadline(docsFrom time.Time, hour, min int) time.Time {
	end, _ := s.cal.PeriodEnd(docsFrom, int(s.rules.Get(rules.BidPeriodMin).Value), "cd")
	return time.Date(end.Year(), end.Month(), end.Day(), hour, min, 0, 0, clock.Shanghai).UTC()
}

// ValidateSchedule checks the notice dates against the statutory periods.
func (s *Service) ValidateSchedule(now time.Time, in PublishInput) error {
	f := map[string]string{}
	var basis []string
	if in.DocsFrom.IsZero() || in.DocsUntil.IsZero() || in.BidDeadline.IsZero() {
		return apperr.New(apperr.Invalid, "请填写文件获取起止时间和投标截止时间。")
	}
	if in.DocsFrom.Before(now.Add(-time.Minute)) {
		f["docs_from"] = "文件获取开始时间不能早于发布时间。"
	}
	sale := s.rules.Get(rules.DocsSaleMin)
	saleEnd, _ := s.cal.PeriodEnd(in.DocsFrom, int(sale.Value), "cd")
	if clock.Date(in.DocsUntil).Before(saleEnd) {
		f["docs_until"] = fmt.Sprintf("招标文件获取期不得少于%s，最早可截止于%s。", sale.Describe(), saleEnd.Format("2006-01-02"))
		basis = append(basis, sale.Basis)
	}
	period := s.rules.Get(rules.BidPeriodMin)
	dl := in.BidDeadline.In(clock.Shanghai)
	earliest := s.EarliestDeadline(in.DocsFrom, dl.Hour(), dl.Minute())
	if in.BidDeadline.Before(earliest) {
		f["bid_deadline"] = fmt.Sprintf("自招标文件开始发出之日起至投标截止之日止不得少于%s，最早可定为%s（北京时间）。", period.Describe(), clock.Format(earliest))
		basis = append(basis, period.Basis)
	}
	if in.DocsUntil.After(in.BidDeadline) {
		f["docs_until"] = "文件获取截止时间不能晚于投标截止时间。"
	}
	if len(f) == 0 {
		return nil
	}
	return &apperr.Error{Code: apperr.Invalid, Message: "公告时间安排不符合法定时限，请按提示修改。", Fields: f, Basis: strings.Join(basis, "；")}
}

// PublishTender publishes the tender notice with its documents: the lot opens
// for bidding and the opening is scheduled at the deadline.
func (s *Service) PublishTender(ctx context.Context, actor party.Actor, lotID ids.ID, in PublishInput) (Notice, error) {
	now := s.clock.Now()
	if strings.TrimSpace(in.OpeningPlace) == "" {
		in.OpeningPlace = "本平台电子开标大厅（线上开标）"
	}
	var n Notice
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, p, err := managedLot(ctx, tx, actor, lotID, "发布招标公告", Draft, "该标段的招标公告已发布。")
		if err != nil {
			return err
		}
		// The period rule depends on what is tendered: TBL 24 for works,
		// the land notice period for a land sale.
		if err := s.validateSchedule(now, p, in); err != nil {
			return err
		}
		docs, err := tx.ListDocuments(ctx, l.ID)
		if err != nil {
			return err
		}
		if len(docs) == 0 {
			return apperr.New(apperr.Invalid, "请先上传招标文件再发布公告。").WithField("documents", "至少上传一份招标文件。")
		}
		if s.sealed && l.Custody == nil {
			return apperr.Rule(apperr.Invalid, basisEncrypt, "投标文件须在投标人一方加密，请先为本标段指定投标文件密钥保管人（至少来自两个单位）及解密门限，再发布公告。").WithField("custody", "尚未设置密钥保管人。")
		}
		var invited []party.Entity
		if l.Procedure == Invited {
			minInv := s.rules.Get(rules.InviteesMin)
			seen := map[string]bool{}
			for _, u := range in.Invitees {
				e, err := entityOfKind(ctx, tx, u, party.KindEnterprise, "invitees", "投标企业")
				if err != nil {
					return err
				}
				if !seen[e.ID] {
					seen[e.ID] = true
					invited = append(invited, e)
				}
			}
			if int64(len(invited)) < minInv.Value {
				return apperr.Rule(apperr.Invalid, minInv.Basis, "邀请招标应当向%d个以上特定的法人或其他组织发出投标邀请书，现为%d个。", minInv.Value, len(invited)).WithField("invitees", "受邀单位不足。")
			}
			for _, e := range invited {
				if err := tx.AddInvitee(ctx, Invitee{LotID: l.ID, EntityID: e.ID}); err != nil {
					return err
				}
			}
		}
		l.DocsFrom, l.DocsUntil, l.BidDeadline, l.OpeningPlace = in.DocsFrom.UTC(), in.DocsUntil.UTC(), in.BidDeadline.UTC(), in.OpeningPlace
		l.Status, l.UpdatedAt = Bidding, now
		if err := tx.UpdateLot(ctx, &l); err != nil {
			return err
		}
		title := p.Name + l.Name + "招标公告"
		switch {
		case l.IsLand():
			title = p.Name + l.Name + "国有建设用地使用权招标出让公告"
		case l.Procedure == Invited:
			title = p.Name + l.Name + "投标邀请书"
		}
		nd := map[string]any{
			"project_code": p.Code, "lot_code": l.Code, "procedure": l.Procedure, "method": l.Method,
			"estimate": l.Estimate, "ceiling": l.Ceiling, "security": l.Security, "category_code": l.CategoryCode,
			"docs_from": l.DocsFrom, "docs_until": l.DocsUntil, "bid_deadline": l.BidDeadline, "opening_place": l.OpeningPlace,
		}
		custody := publicCustody(l.Custody)
		if custody != nil {
			nd["custody"] = custody // the bidders seal to these keys
		}
		if l.IsLand() {
			// The notice names the plot, the start price and how the winner
			// is decided (RULES.md §4 "Notice").
			nd["land"], nd["start_price"], nd["decision"] = l.Land, l.Land.StartPrice, l.Method.Label()
		}
		data, _ := json.Marshal(nd)
		n = Notice{ID: s.ids.New(now), ProjectID: p.ID, LotID: l.ID, Kind: NoticeTender, Title: title, Body: strings.TrimSpace(in.Body),
			Public: l.Procedure == Open, Data: data, PublishedAt: now, Region: p.Region, Category: p.NoticeCategory()}
		if err := tx.CreateNotice(ctx, n); err != nil {
			return err
		}
		docHashes := make([]string, len(docs))
		for i, d := range docs {
			docHashes[i] = d.Hash
		}
		if _, err := record(ctx, tx, now, actor, "tender.published", l.Code, map[string]any{
			"lot": l.Code, "notice": n.ID, "docs_from": l.DocsFrom, "docs_until": l.DocsUntil, "bid_deadline": l.BidDeadline,
			"documents": docHashes, "procedure": l.Procedure, "custody": custody},
			// How many were invited tells a bidder how many rivals it may have.
			map[string]any{"invitees": len(invited)}); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, jobs.OpenBids, l.ID, l.BidDeadline)
	})
	return n, err
}

// EarliestClarificationDeadline is the earliest lawful deadline if a
// clarification is issued now: unchanged when at least 15 days remain,
// otherwise 15 days after today at the deadline's clock time (TBR 21).
func (s *Service) EarliestClarificationDeadline(now time.Time, l Lot) time.Time {
	lead := s.rules.Get(rules.ClarificationLead)
	if daysBefore(now, l.BidDeadline) >= int(lead.Value) {
		return l.BidDeadline
	}
	end, _ := s.cal.PeriodEnd(now, int(lead.Value), "cd")
	dl := l.BidDeadline.In(clock.Shanghai)
	return time.Date(end.Year(), end.Month(), end.Day(), dl.Hour(), dl.Minute(), 0, 0, clock.Shanghai).UTC()
}

// IssueClarification publishes a clarification or amendment of the tender
// documents. One issued less than 15 days before the deadline must move the
// deadline to at least the earliest lawful one, which the error offers.
func (s *Service) IssueClarification(ctx context.Context, actor party.Actor, lotID ids.ID, text string, newDeadline time.Time) (Clarification, error) {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) < 5 {
		return Clarification{}, apperr.New(apperr.Invalid, "请填写澄清或修改的内容（至少5个字）。").WithField("text", "必填。")
	}
	now := s.clock.Now()
	var c Clarification
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, p, err := managedLot(ctx, tx, actor, lotID, "发出澄清修改", "", "")
		if err != nil {
			return err
		}
		if l.Status != Bidding || !now.Before(l.BidDeadline) {
			return apperr.New(apperr.Conflict, "只能在投标截止前对招标文件进行澄清或修改。")
		}
		earliest := s.EarliestClarificationDeadline(now, l)
		lead := s.rules.Get(rules.ClarificationLead)
		if newDeadline.IsZero() {
			newDeadline = l.BidDeadline
		}
		if newDeadline.Before(l.BidDeadline) {
			return apperr.New(apperr.Invalid, "澄清修改不能提前投标截止时间。").WithField("new_deadline", "不得早于原截止时间 "+clock.Format(l.BidDeadline)+"。")
		}
		// The lead is counted in days (TBR 21): any time on the lawful date will do.
		if clock.Date(newDeadline).Before(clock.Date(earliest)) {
			return s.ruleErr(apperr.Invalid, rules.ClarificationLead,
				"澄清修改发出时距投标截止不足%s，应当顺延投标截止时间，最早可顺延至%s（北京时间，当日任一时间均可）。", lead.Describe(), clock.Format(earliest)).
				WithField("new_deadline", "最早 "+clock.Format(earliest))
		}
		c = Clarification{ID: s.ids.New(now), LotID: l.ID, Text: text, IssuedAt: now, OldDeadline: l.BidDeadline, NewDeadline: newDeadline.UTC(), IssuedBy: actor.UserID}
		if err := tx.CreateClarification(ctx, c); err != nil {
			return err
		}
		moved := !c.NewDeadline.Equal(l.BidDeadline)
		l.BidDeadline, l.UpdatedAt = c.NewDeadline, now
		if l.DocsUntil.After(l.BidDeadline) {
			l.DocsUntil = l.BidDeadline
		}
		if err := tx.UpdateLot(ctx, &l); err != nil {
			return err
		}
		data, _ := json.Marshal(map[string]any{"lot_code": l.Code, "old_deadline": c.OldDeadline, "new_deadline": c.NewDeadline})
		n := Notice{ID: s.ids.New(now), ProjectID: p.ID, LotID: l.ID, Kind: NoticeClarification, Title: p.Name + l.Name + "澄清修改公告",
			Body: text, Public: l.Procedure == Open, Data: data, PublishedAt: now, Region: p.Region, Category: p.NoticeCategory()}
		if err := tx.CreateNotice(ctx, n); err != nil {
			return err
		}
		if _, err := record(ctx, tx, now, actor, "tender.clarified", l.Code, map[string]any{
			"lot": l.Code, "notice": n.ID, "old_deadline": c.OldDeadline, "new_deadline": c.NewDeadline, "text_sm3": sm3Hex([]byte(text))}, nil); err != nil {
			return err
		}
		if moved {
			return s.enqueue(ctx, tx, jobs.OpenBids, l.ID, l.BidDeadline)
		}
		return nil
	})
	return c, err
}

// FileObjection files an 异议: on the tender documents until 10 days before
// the deadline (TBR 22), or on the evaluation result during candidate
// publicity (TBR 54). The procedure is suspended until it is answered.
func (s *Service) FileObjection(ctx context.Context, actor party.Actor, lotID ids.ID, stage ObjectionStage, text string) (Objection, error) {
	if actor.Role != party.RoleBidder || actor.EntityID == "" {
		return Objection{}, apperr.Forbiddenf("异议应由潜在投标人或投标人以单位名义提出。")
	}
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) < 10 {
		return Objection{}, apperr.New(apperr.Invalid, "请写明异议事项、理由和依据（至少10个字）。").WithField("text", "内容过短。")
	}
	now := s.clock.Now()
	var o Objection
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, err := tx.GetLot(ctx, lotID)
		if err != nil {
			return err
		}
		var ansKey rules.Key
		switch stage {
		case ObjectDocuments:
			if l.Status != Bidding {
				return apperr.New(apperr.Conflict, "该标段不在投标阶段，不能对招标文件提出异议。")
			}
			lead := s.rules.Get(rules.DocObjectionLead)
			if daysBefore(now, l.BidDeadline) < int(lead.Value) {
				return s.ruleErr(apperr.Deadline, rules.DocObjectionLead, "对招标文件的异议应当在投标截止时间%s前提出，已超过异议期限。", lead.Describe())
			}
			ok, err := tx.HasAccess(ctx, l.ID, actor.EntityID)
			if err != nil {
				return err
			}
			if !ok {
				return apperr.Forbiddenf("获取招标文件的潜在投标人才能对招标文件提出异议。")
			}
			ansKey = rules.ObjectionAnswer
		case ObjectPublicity:
			if l.Status != Publicity || !now.Before(l.PublicityUntil) {
				return s.ruleErr(apperr.Deadline, rules.PublicityObjectionAns, "对评标结果的异议应当在中标候选人公示期间提出。")
			}
			if _, err := tx.GetBidByEntity(ctx, l.ID, actor.EntityID); err != nil {
				if apperr.Is(err, apperr.NotFound) {
					return apperr.Forbiddenf("只有本标段的投标人可以对评标结果提出异议。")
				}
				return err
			}
			ansKey = rules.PublicityObjectionAns
		default:
			return apperr.New(apperr.Invalid, "异议类型无效。")
		}
		o = Objection{ID: s.ids.New(now), LotID: l.ID, Stage: stage, EntityID: actor.EntityID, Text: text, FiledAt: now,
			DueAt: s.endOfPeriod(now, int(s.rules.Get(ansKey).Value))}
		if err := tx.CreateObjection(ctx, o); err != nil {
			return err
		}
		l.Suspended, l.UpdatedAt = true, now
		if err := tx.UpdateLot(ctx, &l); err != nil {
			return err
		}
		priv := map[string]any{"lot": l.Code, "objection": o.ID, "entity": actor.EntityID, "stage": stage, "text_sm3": sm3Hex([]byte(text))}
		if stage == ObjectDocuments {
			// Who objects to the documents reveals who obtained them (TBL 22).
			if _, err := recordConfidential(ctx, tx, now, actor, l.ID, "objection.filed", priv); err != nil {
				return err
			}
		} else if _, err := record(ctx, tx, now, actor, "objection.filed", l.Code, map[string]any{"lot": l.Code, "objection": o.ID, "stage": stage, "due": o.DueAt}, priv); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, jobs.ObjectionDue, o.ID, o.DueAt)
	})
	return o, err
}

// AnswerObjection answers an objection; when none is left open the
// suspension ends.
func (s *Service) AnswerObjection(ctx context.Context, actor party.Actor, objectionID ids.ID, answer string) (Objection, error) {
	answer = strings.TrimSpace(answer)
	if utf8.RuneCountInString(answer) < 5 {
		return Objection{}, apperr.New(apperr.Invalid, "请填写答复内容（至少5个字）。").WithField("answer", "必填。")
	}
	now := s.clock.Now()
	var o Objection
	err := s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		o, err = tx.GetObjection(ctx, objectionID)
		if err != nil {
			return err
		}
		l, _, err := managedLot(ctx, tx, actor, o.LotID, "答复异议", "", "")
		if err != nil {
			return err
		}
		if !o.AnsweredAt.IsZero() {
			return apperr.New(apperr.Conflict, "该异议已答复。")
		}
		o.Answer, o.AnsweredAt, o.AnsweredBy = answer, now, actor.UserID
		if err := tx.UpdateObjection(ctx, o); err != nil {
			return err
		}
		all, err := tx.ListObjections(ctx, l.ID)
		if err != nil {
			return err
		}
		open := false
		for _, x := range all {
			if x.AnsweredAt.IsZero() && x.ID != o.ID {
				open = true
			}
		}
		if !open && l.Suspended {
			l.Suspended, l.UpdatedAt = false, now
			if err := tx.UpdateLot(ctx, &l); err != nil {
				return err
			}
		}
		fields := map[string]any{"lot": l.Code, "objection": o.ID, "late": now.After(o.DueAt), "answer_sm3": sm3Hex([]byte(answer))}
		if o.Stage == ObjectDocuments && l.Status == Bidding {
			// Like the objection itself, its answer is not tied to the lot in
			// public before the opening (TBL 22).
			_, err = recordConfidential(ctx, tx, now, actor, l.ID, "objection.answered", fields)
		} else {
			_, err = record(ctx, tx, now, actor, "objection.answered", l.Code, fields, nil)
		}
		if err != nil {
			return err
		}
		// An answer that resumes a procedure whose deadline passed meanwhile
		// lets the waiting opening job run now.
		if !open && l.Status == Bidding && !now.Before(l.BidDeadline) {
			return s.enqueue(ctx, tx, jobs.OpenBids, l.ID, now)
		}
		return nil
	})
	return o, err
}
