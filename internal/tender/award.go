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
	"ggzy/internal/ledger"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/rules"
)

// AwardInput is the principal's award decision (定标).
type AwardInput struct {
	BidID           ids.ID
	ExceptionReason string // required to pass over the first candidate on a state-funded project (TBR 55)
}

// DecideAward decides the winner after the candidate publicity and issues the
// award notice (中标通知书). Under state funding the first candidate wins unless
// a lawful exception is recorded (TBR 55).
func (s *Service) DecideAward(ctx context.Context, actor party.Actor, lotID ids.ID, in AwardInput) (Award, error) {
	now := s.clock.Now()
	var a Award
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, p, err := managedLot(ctx, tx, actor, lotID, "确定中标人", Publicity, "该标段不在中标候选人公示阶段，不能定标。")
		if err != nil {
			return err
		}
		if now.Before(l.PublicityUntil) {
			return s.ruleErr(apperr.Deadline, rules.PublicityMin, "中标候选人公示期至%s（北京时间）结束，公示期满后方可定标。", clock.Format(l.PublicityUntil))
		}
		if l.Suspended {
			return s.ruleErr(apperr.Conflict, rules.PublicityObjectionAns, "有尚未答复的异议，作出答复前应当暂停招标投标活动。")
		}
		rep, err := tx.GetReport(ctx, l.ID)
		if err != nil {
			return err
		}
		var chosen *ReportRow
		for i := range rep.Candidates {
			if rep.Candidates[i].BidID == in.BidID {
				chosen = &rep.Candidates[i]
			}
		}
		if chosen == nil {
			return apperr.Rule(apperr.Invalid, "《招标投标法》第四十条", "中标人应当从评标委员会推荐的中标候选人中确定。").WithField("bid_id", "不是中标候选人。")
		}
		reason := strings.TrimSpace(in.ExceptionReason)
		if chosen.Rank != 1 && l.IsLand() && utf8.RuneCountInString(reason) < 10 {
			return apperr.Rule(apperr.Invalid, basisLandWinner,
				"土地招标出让应当确定满足招标文件实质性要求且报价最高（或综合评价最优）的投标人为中标人，即排名第一的中标候选人；其放弃或不能签订出让合同的，方可依次确定其他候选人，请写明具体情形。").
				WithField("exception_reason", "须写明具体情形（至少10个字）。")
		}
		if chosen.Rank != 1 && p.StateFunded && utf8.RuneCountInString(reason) < 10 {
			return apperr.Rule(apperr.Invalid, "《招标投标法实施条例》第五十五条",
				"国有资金占控股或者主导地位的项目，应当确定排名第一的中标候选人为中标人；排名第一的中标候选人放弃中标、因不可抗力不能履行合同、不按要求提交履约保证金或被查实存在影响中标结果的违法行为的，方可依次确定其他候选人，请写明具体情形。").
				WithField("exception_reason", "须写明法定情形（至少10个字）。")
		}
		a = Award{LotID: l.ID, BidID: chosen.BidID, EntityID: chosen.EntityID, EntityName: chosen.EntityName, Price: chosen.Price, Rank: chosen.Rank,
			ExceptionReason: reason, NotifiedAt: now, DecidedBy: actor.UserID}
		if err := tx.SaveAward(ctx, a); err != nil {
			return err
		}
		l.Status, l.AwardedAt, l.UpdatedAt = Awarded, now, now
		if err := tx.UpdateLot(ctx, &l); err != nil {
			return err
		}
		data, _ := json.Marshal(map[string]any{"winner": a.EntityName, "price": a.Price, "rank": a.Rank, "exception": a.ExceptionReason})
		body := fmt.Sprintf("%s %s 经评标委员会评审、中标候选人公示期满，确定中标人为%s，中标价%s（%s）。", p.Name, l.Name, a.EntityName, a.Price, a.Price.Capital())
		title := p.Name + l.Name + "中标结果公告"
		if l.IsLand() {
			// A sale: the winner pays the price (成交价) and signs the
			// grant contract (出让合同).
			body = fmt.Sprintf("%s %s 国有建设用地使用权招标出让经评标小组评审、中标候选人公示期满，确定中标人（竞得人）为%s，成交价%s（%s），中标人应当按照中标通知书约定的时间与出让人签订国有建设用地使用权出让合同。",
				p.Name, l.Name, a.EntityName, a.Price, a.Price.Capital())
			title = p.Name + l.Name + "国有建设用地使用权招标出让结果公告"
		}
		if a.ExceptionReason != "" {
			body += "未确定排名第一的中标候选人的理由：" + a.ExceptionReason
		}
		if err := tx.CreateNotice(ctx, Notice{ID: s.ids.New(now), ProjectID: p.ID, LotID: l.ID, Kind: NoticeAward, Title: title,
			Body: body, Public: true, Data: data, PublishedAt: now, Region: p.Region, Category: p.NoticeCategory()}); err != nil {
			return err
		}
		if _, err := record(ctx, tx, now, actor, "evaluation.committee_revealed", l.Code, map[string]any{"lot": l.Code, "members": rep.Members}, nil); err != nil {
			return err
		}
		// The draws' committed results (who was drawn, backups included)
		// are opened now that the names may be known (DESIGN.md §6.1).
		draws, err := tx.ListDraws(ctx, l.ID)
		if err != nil {
			return err
		}
		for _, d := range draws {
			if d.Status != DrawDone {
				continue
			}
			es, err := tx.ListLedger(ctx, "", d.ResultIndex, 1)
			if err != nil {
				return err
			}
			if len(es) != 1 || es[0].Index != d.ResultIndex {
				return fmt.Errorf("tender: draw result entry %d of lot %s missing", d.ResultIndex, l.ID)
			}
			e, err := ledger.Seal(ledger.RevealDraft(es[0], l.Code), now)
			if err != nil {
				return err
			}
			if _, err := tx.AppendLedger(ctx, e); err != nil {
				return err
			}
		}
		if _, err := record(ctx, tx, now, actor, "tender.awarded", l.Code, map[string]any{"lot": l.Code, "winner": a.EntityID, "winner_name": a.EntityName, "price": a.Price, "rank": a.Rank, "exception": a.ExceptionReason}, nil); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, jobs.ContractDue, l.ID, s.endOfPeriod(now, int(s.rules.Get(rules.ContractMax).Value)))
	})
	return a, err
}

// RecordContract records the signed contract (TBL 46). A contract signed
// after the 30 days is recorded with a warning for the supervisor.
func (s *Service) RecordContract(ctx context.Context, actor party.Actor, lotID ids.ID, signedAt time.Time, amount money.Fen) (Contract, error) {
	now := s.clock.Now()
	var c Contract
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, p, err := managedLot(ctx, tx, actor, lotID, "登记合同", Awarded, "只有已发出中标通知书的标段可以登记合同。")
		if err != nil {
			return err
		}
		a, err := tx.GetAward(ctx, l.ID)
		if err != nil {
			return err
		}
		f := map[string]string{}
		if signedAt.IsZero() || signedAt.After(now) || signedAt.Before(clock.Date(l.AwardedAt)) {
			f["signed_at"] = "签订日期应在中标通知书发出之后、不晚于今天。"
		}
		basis := ""
		if amount <= 0 {
			f["amount"] = "合同金额应大于0。"
		} else if amount != a.Price {
			f["amount"] = fmt.Sprintf("合同金额应与中标价%s一致，不得订立背离合同实质性内容的协议。", a.Price)
			basis = "《招标投标法》第四十六条"
		}
		if len(f) > 0 {
			return &apperr.Error{Code: apperr.Invalid, Message: "合同信息有误。", Fields: f, Basis: basis}
		}
		c = Contract{LotID: l.ID, Amount: amount, SignedAt: signedAt.UTC(), RecordedAt: now, RecordedBy: actor.UserID}
		if err := tx.SaveContract(ctx, c); err != nil {
			return err
		}
		due := s.endOfPeriod(l.AwardedAt, int(s.rules.Get(rules.ContractMax).Value))
		if !signedAt.Before(due) {
			if err := tx.CreateWarning(ctx, Warning{ID: s.ids.New(now), LotID: l.ID, Kind: "contract.late",
				Message: fmt.Sprintf("合同于%s签订，超过中标通知书发出之日起%s的期限（%s）。", signedAt.In(clock.Shanghai).Format("2006-01-02"), s.rules.Get(rules.ContractMax).Describe(), clock.Format(due)),
				Basis:   s.rules.Get(rules.ContractMax).Basis, CreatedAt: now}); err != nil {
				return err
			}
		}
		l.Status, l.UpdatedAt = Contracted, now
		if err := tx.UpdateLot(ctx, &l); err != nil {
			return err
		}
		data, _ := json.Marshal(map[string]any{"winner": a.EntityName, "amount": amount, "signed_at": c.SignedAt})
		title := p.Name + l.Name + "合同订立信息"
		body := fmt.Sprintf("招标人与中标人%s于%s订立书面合同，合同金额%s。", a.EntityName, c.SignedAt.In(clock.Shanghai).Format("2006-01-02"), amount)
		if l.IsLand() {
			title = p.Name + l.Name + "国有建设用地使用权出让合同订立信息"
			body = fmt.Sprintf("出让人与中标人（竞得人）%s于%s签订国有建设用地使用权出让合同，出让价款%s。", a.EntityName, c.SignedAt.In(clock.Shanghai).Format("2006-01-02"), amount)
		}
		if err := tx.CreateNotice(ctx, Notice{ID: s.ids.New(now), ProjectID: p.ID, LotID: l.ID, Kind: NoticeContract, Title: title,
			Body: body, Public: true, Data: data, PublishedAt: now, Region: p.Region, Category: p.NoticeCategory()}); err != nil {
			return err
		}
		_, err = record(ctx, tx, now, actor, "contract.recorded", l.Code, map[string]any{"lot": l.Code, "amount": amount, "signed_at": c.SignedAt}, nil)
		return err
	})
	return c, err
}

// CheckContractDue is the job at the end of the 30 days: still unsigned → warning.
func (s *Service) CheckContractDue(ctx context.Context, lotID ids.ID) error {
	now := s.clock.Now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		l, err := tx.GetLot(ctx, lotID)
		if err != nil || l.Status != Awarded {
			return err
		}
		r := s.rules.Get(rules.ContractMax)
		if due := s.endOfPeriod(l.AwardedAt, int(r.Value)); now.Before(due) {
			return &NotDueError{At: due}
		}
		if err := tx.CreateWarning(ctx, Warning{ID: s.ids.New(now), LotID: l.ID, Kind: "contract.overdue",
			Message: fmt.Sprintf("中标通知书于%s发出，%s内尚未登记书面合同。", clock.Format(l.AwardedAt), r.Describe()), Basis: r.Basis, CreatedAt: now}); err != nil {
			return err
		}
		_, err = record(ctx, tx, now, party.System(), "warning.contract_overdue", l.Code, map[string]any{"lot": l.Code, "basis": r.Basis}, nil)
		return err
	})
}

// CheckObjectionDue is the job at an objection's answer deadline.
func (s *Service) CheckObjectionDue(ctx context.Context, objectionID ids.ID) error {
	now := s.clock.Now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		o, err := tx.GetObjection(ctx, objectionID)
		if err != nil || !o.AnsweredAt.IsZero() {
			return err
		}
		if now.Before(o.DueAt) {
			return &NotDueError{At: o.DueAt}
		}
		l, err := tx.GetLot(ctx, o.LotID)
		if err != nil {
			return err
		}
		r := s.rules.Get(rules.ObjectionAnswer)
		if err := tx.CreateWarning(ctx, Warning{ID: s.ids.New(now), LotID: l.ID, Kind: "objection.overdue",
			Message: fmt.Sprintf("异议于%s提出，招标人未在%s内答复。", clock.Format(o.FiledAt), r.Describe()), Basis: r.Basis, CreatedAt: now}); err != nil {
			return err
		}
		_, err = record(ctx, tx, now, party.System(), "warning.objection_overdue", l.Code, map[string]any{"lot": l.Code, "objection": o.ID}, nil)
		return err
	})
}

// NotDueError tells the job runner that a use case ran before its time (jobs
// are scheduled a little early, and the database's clock may run ahead of
// ours) and should run again at At. Err, when set, is the rule that refused
// it (an opening before the deadline, TBL 34).
type NotDueError struct {
	At  time.Time
	Err *apperr.Error
}

func (e *NotDueError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return "not due until " + e.At.UTC().Format(time.RFC3339Nano)
}

// Unwrap exposes the rule error, if any.
func (e *NotDueError) Unwrap() error {
	if e.Err == nil {
		return nil
	}
	return e.Err
}

// CheckPublicityEnd is the job at the end of the candidate publicity: it
// records in the ledger that the publicity ran its full period and how many
// objections it drew, so the award that follows can be checked against it.
func (s *Service) CheckPublicityEnd(ctx context.Context, lotID ids.ID) error {
	now := s.clock.Now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		l, err := tx.GetLot(ctx, lotID)
		if err != nil || l.Status != Publicity {
			return err
		}
		if now.Before(l.PublicityUntil) {
			return &NotDueError{At: l.PublicityUntil}
		}
		objs, err := tx.ListObjections(ctx, l.ID)
		if err != nil {
			return err
		}
		n, open := 0, 0
		for _, o := range objs {
			if o.Stage == ObjectPublicity {
				n++
				if o.AnsweredAt.IsZero() {
					open++
				}
			}
		}
		_, err = record(ctx, tx, now, party.System(), "publicity.ended", l.Code, map[string]any{
			"lot": l.Code, "from": l.PublicityFrom, "until": l.PublicityUntil, "objections": n, "unanswered": open}, nil)
		return err
	})
}
