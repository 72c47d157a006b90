package tender

import (
	"context"
	"encoding/json"
	"fmt"
	"ggzy/internal/scoring"
	"sort"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/rules"
)

// SubmitScoreSheet stores a member's own sheet, signed with the member's
// SM2 key (SheetDigest). While the room runs a member may revise it. When
// every member has submitted, deviating subjective scores must be explained
// (ExplainDeviation); then the report is computed, candidates are ranked and
// the candidate publicity starts at once (so it always starts within the 3
// days of TBR 54).
func (s *Service) SubmitScoreSheet(ctx context.Context, actor party.Actor, lotID ids.ID, lines []SheetLine, sig SheetSignature) (ScoreSheet, error) {
	now := s.clock.Now()
	var sheet ScoreSheet
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, p, err := lotAndProject(ctx, tx, lotID)
		if err != nil {
			return err
		}
		members, err := tx.ListMembers(ctx, l.ID)
		if err != nil {
			return err
		}
		me, err := roomMember(members, actor)
		if err != nil {
			return err
		}
		if l.Status != Evaluating {
			return apperr.New(apperr.Conflict, "评标已结束，评分表不能再修改。")
		}
		room, err := tx.GetRoom(ctx, l.ID)
		if err != nil {
			return err
		}
		if room.Status != RoomRunning && room.Status != RoomExplaining {
			return apperr.New(apperr.Conflict, "评标室当前状态为“%s”，不能提交评审意见。", room.Status.Label())
		}
		bids, err := tx.ListBids(ctx, l.ID)
		if err != nil {
			return err
		}
		lines := NormalizeLines(lines)
		if err := checkSheet(l, evaluable(bids), lines); err != nil {
			return err
		}
		digest, err := SheetDigest(l.Code, me.UserID, lines)
		if err != nil {
			return err
		}
		if err := s.checkSignature(ctx, actor.UserID, digest, sig, now); err != nil {
			return err
		}
		sheet = ScoreSheet{LotID: l.ID, MemberID: me.ID, Lines: lines, SubmittedAt: now, Digest: digest, Fingerprint: sig.Fingerprint, Signature: sig.Signature}
		if err := tx.SaveSheet(ctx, sheet); err != nil {
			return err
		}
		if _, err := record(ctx, tx, now, actor, "evaluation.sheet_submitted", l.Code, map[string]any{"lot": l.Code, "member": me.ID, "digest": digest},
			map[string]any{"lines": lines, "fingerprint": sig.Fingerprint, "signature": sig.Signature}); err != nil {
			return err
		}
		return s.afterSheets(ctx, tx, now, p, l, room, bids, members)
	})
	return sheet, err
}

// reportRecord adds to the report how the committee was formed and how it
// worked: draws, signed sheets by seat, deviations with explanations.
func (s *Service) reportRecord(ctx context.Context, tx Tx, l Lot, members []Member, sheets []ScoreSheet, names map[ids.ID]string, bids []Bid, rep *Report) error {
	for _, it := range l.Scoring {
		if it.Price && l.Method == Comprehensive {
			rep.PriceFormula = it.PriceRule(l.CategoryCode).Formula
		}
	}
	draws, err := tx.ListDraws(ctx, l.ID)
	if err != nil {
		return err
	}
	for _, d := range draws {
		rd := ReportDraw{ID: d.ID, Attempt: d.Attempt, Status: string(d.Status), Reason: d.Reason, RequestIndex: d.RequestIndex, CheckpointSize: d.CheckpointSize, ResultDigest: d.ResultDigest}
		if d.Result != nil {
			rd.Exclusions = len(d.Result.Exclusions)
		}
		rep.Remote = rep.Remote || d.Remote
		rep.Draws = append(rep.Draws, rd)
	}
	seat := map[ids.ID]int{}
	for i, m := range members {
		seat[m.ID] = i + 1
	}
	for _, sh := range sheets {
		m := members[seat[sh.MemberID]-1]
		rep.Sheets = append(rep.Sheets, ReportSheet{Seat: seat[sh.MemberID], Kind: string(m.Kind), Chair: m.Chair, Digest: sh.Digest, Fingerprint: sh.Fingerprint, SubmittedAt: sh.SubmittedAt})
	}
	sort.Slice(rep.Sheets, func(i, j int) bool { return rep.Sheets[i].Seat < rep.Sheets[j].Seat })
	devs, err := tx.ListDeviations(ctx, l.ID)
	if err != nil {
		return err
	}
	bidder := map[ids.ID]string{}
	for _, b := range bids {
		bidder[b.ID] = names[b.EntityID]
	}
	item := map[string]string{}
	for _, it := range l.Scoring {
		item[it.Key] = it.Name
	}
	for _, d := range devs {
		rep.Deviations = append(rep.Deviations, ReportDeviation{Seat: seat[d.MemberID], Bidder: bidder[d.BidID], Item: item[d.Item], Score: d.Score, Mean: d.Mean, Pct: d.Pct, Explanation: d.Explanation})
	}
	return nil
}

// evaluable are the bids that were opened (not revoked at the opening).
func evaluable(bids []Bid) []Bid {
	var out []Bid
	for _, b := range sortedBids(bids) {
		if b.Status == BidOpened || b.Status == BidRejected {
			out = append(out, b)
		}
	}
	return out
}

// checkChecks reports what is wrong with a line's compliance checks: each
// criterion exactly once, a reason for every failure.
func checkChecks(l Lot, cs []Check) string {
	seen := map[string]bool{}
	for _, c := range cs {
		if criterionName(c.Criterion) == "" {
			return fmt.Sprintf("未知的符合性审查项“%s”。", c.Criterion)
		}
		if seen[c.Criterion] {
			return "同一符合性审查项出现了两次。"
		}
		seen[c.Criterion] = true
		if !c.Pass && strings.TrimSpace(c.Reason) == "" {
			return fmt.Sprintf("“%s”不通过的，须写明理由（%s）。", criterionIn(l, c.Criterion), l.ComplianceBasis())
		}
	}
	if len(seen) != len(ComplianceCriteria) {
		return fmt.Sprintf("符合性审查应逐项给出结论（共%d项）。", len(ComplianceCriteria))
	}
	return ""
}

func checkSheet(l Lot, bids []Bid, lines []SheetLine) error {
	byBid := map[ids.ID]SheetLine{}
	for _, ln := range lines {
		if _, dup := byBid[ln.BidID]; dup {
			return apperr.New(apperr.Invalid, "评分表中同一投标出现了两次。")
		}
		byBid[ln.BidID] = ln
	}
	if len(byBid) != len(bids) {
		return apperr.New(apperr.Invalid, "评分表应对全部%d份有效开启的投标逐一评审。", len(bids))
	}
	f := map[string]string{}
	for _, b := range bids {
		ln, ok := byBid[b.ID]
		if !ok {
			return apperr.New(apperr.Invalid, "评分表缺少对部分投标的评审。")
		}
		if len(ln.Checks) == 0 {
			f[b.ID+".reason"] = "请逐项完成符合性审查，不通过的须指明审查项并写明理由（" + l.ComplianceBasis() + "）。"
		} else if msg := checkChecks(l, ln.Checks); msg != "" {
			f[b.ID+".reason"] = msg
		}
		if l.Method == Comprehensive && ln.Pass {
			for _, it := range l.Scoring {
				if it.Price {
					continue
				}
				v, ok := ln.Scores[it.Key]
				if !ok || v < 0 || v > it.Max {
					f[b.ID+"."+it.Key] = fmt.Sprintf("“%s”应在0至%s分之间。", it.Name, points(it.Max))
				}
			}
		}
		if l.Method == LowestPrice && ln.Pass && b.Opened != nil && int64(ln.Adjustment) < -int64(b.Opened.Price) {
			f[b.ID+".adjustment"] = "价格调整不能使评审价为负。"
		}
	}
	return apperr.Fields("评分表有误，请按提示修改。", f)
}

func (s *Service) finishEvaluation(ctx context.Context, tx Tx, now time.Time, p Project, l Lot, bids []Bid, members []Member, sheets []ScoreSheet) error {
	names := map[ids.ID]string{}
	for _, b := range bids {
		e, err := tx.GetEntity(ctx, b.EntityID)
		if err != nil {
			return err
		}
		names[b.EntityID] = e.Name
	}
	valid := evaluable(bids)
	if l.IsLand() {
		rs, err := tx.ListLotReserves(ctx, l.ID)
		if err != nil {
			return err
		}
		if reserve, ok := reserveOf(rs); ok {
			valid = belowReserve(valid, reserve)
		}
	}
	rep := Evaluate(l, valid, sheets, names, int(s.rules.Get(rules.CandidatesMax).Value))
	rep.FinishedAt = now
	for _, m := range members {
		rep.Members = append(rep.Members, m.Name)
	}
	if err := s.reportRecord(ctx, tx, l, members, sheets, names, bids, &rep); err != nil {
		return err
	}
	if err := tx.SaveReport(ctx, rep); err != nil {
		return err
	}
	// The result is known: a land lot's reserve is revealed now.
	if err := s.concludeLand(ctx, tx, now, l); err != nil {
		return err
	}
	l.ReportAt, l.UpdatedAt = now, now
	if rep.Failed {
		l.Status = Failed
		l.FailedReason = "评标委员会否决全部投标，招标人应当依法重新招标（《招标投标法》第四十二条）。"
		if l.IsLand() {
			l.FailedReason = "无有效投标（投标均被否决或报价低于底价），本次招标出让不成交，出让人可以依法重新招标（" + basisLandWinner + "）。"
		}
		if err := tx.UpdateLot(ctx, &l); err != nil {
			return err
		}
		if err := tx.CreateNotice(ctx, Notice{ID: s.ids.New(now), ProjectID: p.ID, LotID: l.ID, Kind: NoticeFailed, Title: p.Name + l.Name + "流标公告",
			Body: l.FailedReason, Public: true, PublishedAt: now, Region: p.Region, Category: p.NoticeCategory()}); err != nil {
			return err
		}
		// With no winner the result is settled: the committee may be named (TBL 37).
		_, err := record(ctx, tx, now, party.System(), "evaluation.all_rejected", l.Code, map[string]any{"lot": l.Code, "members": rep.Members}, nil)
		return err
	}
	pub := s.rules.Get(rules.PublicityMin)
	l.Status, l.PublicityFrom, l.PublicityUntil = Publicity, now, s.endOfPeriod(now, int(pub.Value))
	if err := tx.UpdateLot(ctx, &l); err != nil {
		return err
	}
	data, _ := json.Marshal(map[string]any{"candidates": rep.Candidates, "from": l.PublicityFrom, "until": l.PublicityUntil, "method": l.Method})
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s 评标工作已结束，现将中标候选人公示如下，公示期自%s至%s（北京时间）。", p.Name, l.Name, clock.Format(l.PublicityFrom), clock.Format(l.PublicityUntil))
	fmt.Fprintf(&b, "投标人或者其他利害关系人对评标结果有异议的，应当在公示期间通过本平台提出（%s）。", pub.Basis)
	title := p.Name + l.Name + "中标候选人公示"
	if l.IsLand() {
		title = p.Name + l.Name + "国有建设用地使用权招标出让中标候选人公示"
	}
	if err := tx.CreateNotice(ctx, Notice{ID: s.ids.New(now), ProjectID: p.ID, LotID: l.ID, Kind: NoticeCandidates, Title: title,
		Body: b.String(), Public: true, Data: data, PublishedAt: now, Region: p.Region, Category: p.NoticeCategory()}); err != nil {
		return err
	}
	if _, err := record(ctx, tx, now, party.System(), "evaluation.finished", l.Code, map[string]any{
		"lot": l.Code, "candidates": rep.Candidates, "publicity_until": l.PublicityUntil},
		// Names stay secret until the award is decided (《招标投标法》第三十七条).
		map[string]any{"members": rep.Members}); err != nil {
		return err
	}
	return s.enqueue(ctx, tx, jobs.PublicityEnd, l.ID, l.PublicityUntil)
}

// Evaluate computes the report from the members' sheets. Pure.
//   - A bid fails compliance when a majority of members fail it (TBR 51(6)); it
//     is also rejected for any automatic reason found at the opening.
//   - Lowest evaluated price: price + mean adjustment of the members who
//     passed the bid, ascending; ties by price, then earlier submission.
//   - Highest price (land tender): the price itself, descending; ties by
//     earlier submission. Bids below the start price or the reserve come
//     rejected (Bid.Reject).
//   - Comprehensive: the price score is computed from the valid prices by the
//     price item's configured formula (scoring.PriceScores: the engineering
//     base ratio by default, the government-procurement low-price-first rule,
//     or the benchmark deviation); each subjective item combines the scores
//     of the members who passed the bid by the item's aggregation rule
//     (mean or trimmed mean); descending total; ties by lower price, then
//     earlier submission.
func Evaluate(l Lot, bids []Bid, sheets []ScoreSheet, names map[ids.ID]string, maxCandidates int) Report {
	rep := Report{LotID: l.ID, Method: l.Method}
	fails := map[ids.ID][]string{}
	adj := map[ids.ID]int64{}
	scores := map[ids.ID]map[string][]int64{}
	scored := map[ids.ID]int64{} // members who passed, so adjusted and scored, the bid
	for _, sh := range sheets {
		for _, ln := range sh.Lines {
			if !ln.Pass {
				fails[ln.BidID] = append(fails[ln.BidID], ln.Reason)
				continue
			}
			scored[ln.BidID]++
			adj[ln.BidID] += int64(ln.Adjustment)
			if scores[ln.BidID] == nil {
				scores[ln.BidID] = map[string][]int64{}
			}
			for k, v := range ln.Scores {
				scores[ln.BidID][k] = append(scores[ln.BidID][k], v)
			}
		}
	}
	n := int64(len(sheets))
	var valid []int
	for _, b := range bids {
		row := ReportRow{BidID: b.ID, EntityID: b.EntityID, EntityName: names[b.EntityID], Price: b.Opened.Price}
		row.Reasons = append(row.Reasons, b.Reject...)
		if n > 0 && int64(len(fails[b.ID]))*2 > n {
			row.Reasons = append(row.Reasons, "未通过符合性审查（评标委员会多数意见）："+strings.Join(fails[b.ID], "；"))
		}
		row.Rejected = len(row.Reasons) > 0
		rep.Rows = append(rep.Rows, row)
		if !row.Rejected {
			valid = append(valid, len(rep.Rows)-1)
		}
	}
	prices := make([]money.Fen, len(valid))
	for i, vi := range valid {
		prices[i] = rep.Rows[vi].Price
	}
	for k, i := range valid {
		r := &rep.Rows[i]
		if l.Method == LowestPrice {
			r.EvaluatedPrice = r.Price + money.Fen(divRound(adj[r.BidID], scored[r.BidID]))
			continue
		}
		if l.Method == HighestPrice {
			r.EvaluatedPrice = r.Price
			continue
		}
		r.EvaluatedPrice = r.Price
		for _, it := range l.Scoring {
			if it.Price {
				// Validated at lot creation; a failure here leaves the score 0.
				if ps, err := scoring.PriceScores(it.PriceRule(l.CategoryCode), prices); err == nil {
					r.PriceScore = ps[k]
				}
				continue
			}
			rule := it.Aggregate
			if rule == "" {
				rule = scoring.AggregateMean
			}
			if xs := scores[r.BidID][it.Key]; len(xs) > 0 {
				v, _ := scoring.Aggregate(rule, xs)
				r.OtherScore += v
			}
		}
		r.Total = r.PriceScore + r.OtherScore
	}
	order := map[ids.ID]int{}
	for i, b := range bids {
		order[b.ID] = i
	}
	sort.SliceStable(valid, func(a, b int) bool {
		x, y := rep.Rows[valid[a]], rep.Rows[valid[b]]
		switch {
		case l.Method == LowestPrice:
			if x.EvaluatedPrice != y.EvaluatedPrice {
				return x.EvaluatedPrice < y.EvaluatedPrice
			}
		case l.Method == Comprehensive && x.Total != y.Total:
			return x.Total > y.Total
		}
		if x.Price != y.Price {
			// A sale prefers the higher price, a purchase the lower.
			return (x.Price > y.Price) == l.IsLand()
		}
		return order[x.BidID] < order[y.BidID]
	})
	for rank, i := range valid {
		rep.Rows[i].Rank = rank + 1
		if rank < maxCandidates {
			rep.Candidates = append(rep.Candidates, rep.Rows[i])
		}
	}
	rep.Failed = len(valid) == 0
	return rep
}

// divRound divides rounding half away from zero.
func divRound(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	if (a < 0) != (b < 0) {
		return -((abs(a) + abs(b)/2) / abs(b))
	}
	return (abs(a) + abs(b)/2) / abs(b)
}
