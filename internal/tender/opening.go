package tender

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/party"
	"ggzy/internal/rules"
)

// LateOpeningTolerance is how late an opening job may run before the record
// flags it and a warning goes to the supervisor.
const LateOpeningTolerance = 2 * time.Minute

// ErrSuspended tells the job runner to try the opening again later: an
// objection is pending at the deadline.
var ErrSuspended = apperr.New(apperr.Conflict, "招标投标活动暂停中，开标顺延至异议答复后。")

// OpenBids runs the opening at the bid deadline (TBL 34). It is idempotent:
// once the lot is no longer in bidding it does nothing, so a job that runs
// twice (two processes, a retry) opens once. A job that runs late opens as of
// the deadline and records both instants.
func (s *Service) OpenBids(ctx context.Context, lotID ids.ID) (Opening, error) {
	now := s.clock.Now()
	actor := party.System()
	var op Opening
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, p, err := lotAndProject(ctx, tx, lotID)
		if err != nil {
			return err
		}
		if l.Status == Decrypting {
			return nil // opened; the record follows the custodians' decryption
		}
		if l.Status != Bidding {
			op, err = tx.GetOpening(ctx, l.ID)
			return err
		}
		if now.Before(l.BidDeadline) {
			return &NotDueError{At: l.BidDeadline, Err: apperr.Rule(apperr.Deadline, "《招标投标法》第三十四条", "开标应当在投标截止时间的同一时间公开进行；投标截止时间为%s（北京时间），任何人不得提前开标。", clock.Format(l.BidDeadline))}
		}
		if l.Suspended {
			return ErrSuspended
		}
		bids, err := tx.ListBids(ctx, l.ID)
		if err != nil {
			return err
		}
		var active []Bid
		for _, b := range bids {
			if b.Status == BidSubmitted {
				active = append(active, b)
			}
		}
		op = Opening{LotID: l.ID, AsOf: l.BidDeadline, RanAt: now, BidderCount: len(active)}
		minBids := s.minBids(l)
		if int64(len(active)) < minBids.Value {
			op.Failed = true
			if err := tx.SaveOpening(ctx, op); err != nil {
				return err
			}
			l.OpenedAt = now
			if err := s.warnIfLate(ctx, tx, now, l); err != nil {
				return err
			}
			return s.failTender(ctx, tx, actor, now, p, l, op, fmt.Sprintf("投标截止时递交投标文件的投标人为%d个，少于%d个，%s（%s）。",
				op.BidderCount, minBids.Value, minBids.Text, minBids.Basis), minBids.Basis)
		}
		if l.Custody != nil {
			// Sealed bids: nobody can read them until k custodians decrypt
			// their shares; the record is published when they have.
			return s.startDecryption(ctx, tx, actor, now, l, len(active))
		}
		for i, b := range active {
			c, openErr := s.openers[b.Format].Open(ctx, l, b)
			if openErr != nil {
				// The bid could not be read. With plain content this is the
				// bidder's fault: revoked (电子招标投标办法第三十一条).
				b.Status, b.Opened = BidRevoked, &OpenedBid{Failure: apperr.As(openErr).Message}
			} else {
				b.Status, b.Opened = BidOpened, &OpenedBid{BidContent: c}
			}
			active[i] = b
		}
		if err := s.warnIfLate(ctx, tx, now, l); err != nil {
			return err
		}
		return s.publishOpening(ctx, tx, actor, now, p, l, &op, active)
	})
	return op, err
}

// publishOpening records the opened (or failed) bids, applies the automatic
// rejections, and publishes the opening record (电子招标投标办法第三十条).
// The bidder count is the one frozen at the deadline (第三十一条).
func (s *Service) publishOpening(ctx context.Context, tx Tx, actor party.Actor, now time.Time, p Project, l Lot, op *Opening, active []Bid) error {
	names := map[ids.ID]party.Entity{}
	for _, b := range active {
		e, err := tx.GetEntity(ctx, b.EntityID)
		if err != nil {
			return err
		}
		names[b.EntityID] = e
		row := OpeningRow{BidID: b.ID, EntityID: b.EntityID, EntityName: e.Name, SubmittedAt: b.SubmittedAt, Status: b.Status}
		switch b.Status {
		case BidOpened:
			c := b.Opened.BidContent
			row.Price, row.DurationDays, row.Quality, row.ProjectManager = c.Price, c.DurationDays, c.Quality, c.ProjectManager
			if l.IsLand() {
				// A land bid is a price and a development period: works terms
				// a form may still carry are not part of its record.
				row.Quality, row.ProjectManager = "", ""
			}
		case BidRevoked:
			row.Note = "投标文件因投标人原因无法解密或读取，视为撤销投标文件（" + basisFailure + "）"
		case BidWithdrawn:
			row.Note = "投标文件因投标人之外的原因未能解密，视为撤回投标文件（" + basisFailure + "）"
		}
		op.Rows = append(op.Rows, row)
		if err := tx.UpdateBid(ctx, b); err != nil {
			return err
		}
	}
	if err := applyAutomaticRejections(ctx, tx, l, names); err != nil {
		return err
	}
	if err := tx.SaveOpening(ctx, *op); err != nil {
		return err
	}
	l.Status, l.UpdatedAt = Evaluating, now
	if l.OpenedAt.IsZero() {
		l.OpenedAt = now
	}
	if err := tx.UpdateLot(ctx, &l); err != nil {
		return err
	}
	data, _ := json.Marshal(op)
	body := fmt.Sprintf("%s %s 于%s（北京时间）投标截止并开标，共%d家投标人递交投标文件。", p.Name, l.Name, clock.Format(l.BidDeadline), op.BidderCount)
	if err := tx.CreateNotice(ctx, Notice{ID: s.ids.New(now), ProjectID: p.ID, LotID: l.ID, Kind: NoticeOpening, Title: p.Name + l.Name + "开标记录",
		Body: body, Public: true, Data: data, PublishedAt: now, Region: p.Region, Category: p.NoticeCategory()}); err != nil {
		return err
	}
	if _, err := record(ctx, tx, now, actor, "tender.opened", l.Code, map[string]any{"lot": l.Code, "as_of": op.AsOf, "ran_at": op.RanAt, "bidders": op.BidderCount, "rows": op.Rows}, nil); err != nil {
		return err
	}
	if err := s.revealConfidential(ctx, tx, now, l); err != nil {
		return err
	}
	for _, b := range active {
		if b.Status == BidOpened {
			return nil
		}
	}
	// Not one bid could be read (each revoked or withdrawn, O20 31): there is
	// nothing to evaluate, so the lot fails now as one with too few bids
	// would, rather than wait in 评标中 for a committee.
	minBids := s.minBids(l)
	return s.failTender(ctx, tx, actor, now, p, l, *op, fmt.Sprintf("开标时%d份投标文件均未能解密或读取，视为撤销或撤回（%s），有效投标不足%d个，%s（%s）。",
		op.BidderCount, basisFailure, minBids.Value, minBids.Text, minBids.Basis), minBids.Basis+"；"+basisFailure)
}

// minBids is the minimum number of bids of the lot with its basis and
// consequence: TBL 28 / TBR 44 for works; for a land sale LO39 art. 13
// (投标人少于三人的，出让人应当终止招标活动) [secondary], whose three is the
// order's own, not the engineering rule set's (which overrides may tighten).
func (s *Service) minBids(l Lot) rules.Rule {
	r := s.rules.Get(rules.MinBids)
	r.Text = "不得开标，招标人应当依法重新招标"
	if l.IsLand() {
		r.Value, r.Basis, r.Text = 3, basisLandOpening, "出让人应当终止招标活动，可依法重新组织出让"
	}
	return r
}

func (s *Service) warnIfLate(ctx context.Context, tx Tx, now time.Time, l Lot) error {
	if now.Sub(l.BidDeadline) <= LateOpeningTolerance {
		return nil
	}
	return tx.CreateWarning(ctx, Warning{ID: s.ids.New(now), LotID: l.ID, Kind: "opening.late",
		Message: fmt.Sprintf("开标程序于%s执行，晚于投标截止时间%s；开标记录以投标截止时间为准。", clock.Format(now), clock.Format(l.BidDeadline)),
		Basis:   "《招标投标法》第三十四条", CreatedAt: now})
}

// failTender ends a lot without enough bids (流标): at the deadline (no
// opening, TBR 44) or when no bid could be decrypted at the opening. reason
// is the public text, basis what the ledger entry cites.
func (s *Service) failTender(ctx context.Context, tx Tx, actor party.Actor, now time.Time, p Project, l Lot, op Opening, reason, basis string) error {
	l.Status, l.UpdatedAt, l.FailedReason = Failed, now, reason
	if err := tx.UpdateLot(ctx, &l); err != nil {
		return err
	}
	data, _ := json.Marshal(map[string]any{"lot_code": l.Code, "bidders": op.BidderCount, "basis": basis})
	if err := tx.CreateNotice(ctx, Notice{ID: s.ids.New(now), ProjectID: p.ID, LotID: l.ID, Kind: NoticeFailed, Title: p.Name + l.Name + "流标公告",
		Body: l.FailedReason, Public: true, Data: data, PublishedAt: now, Region: p.Region, Category: p.NoticeCategory()}); err != nil {
		return err
	}
	if err := s.concludeLand(ctx, tx, now, l); err != nil {
		return err
	}
	_, err := record(ctx, tx, now, actor, "tender.failed", l.Code, map[string]any{"lot": l.Code, "as_of": op.AsOf, "ran_at": op.RanAt, "bidders": op.BidderCount, "basis": basis}, nil)
	return err
}

// applyAutomaticRejections marks the rejections that data alone decides
// (招标投标法实施条例第三十四条、第五十一条): price above the ceiling, several
// prices where alternatives were not invited, and bidders sharing a legal
// representative (all such bids void).
func applyAutomaticRejections(ctx context.Context, tx Tx, l Lot, ents map[ids.ID]party.Entity) error {
	bids, err := tx.ListBids(ctx, l.ID)
	if err != nil {
		return err
	}
	byRep := map[string][]ids.ID{}
	bidding := map[ids.ID]bool{}
	for _, b := range bids {
		if b.Status == BidOpened {
			if rep := ents[b.EntityID].LegalRep; rep != "" {
				byRep[rep] = append(byRep[rep], b.ID)
			}
			bidding[b.EntityID] = true
		}
	}
	// Control relations among the bidders (either direction).
	controlled := map[ids.ID]string{}
	for _, b := range bids {
		if b.Status != BidOpened {
			continue
		}
		rel, err := party.Related(ctx, tx, ents[b.EntityID])
		if err != nil {
			return err
		}
		for _, r := range rel {
			if bidding[r] && r != b.EntityID {
				controlled[b.EntityID] = ents[r].Name
			}
		}
	}
	for _, b := range bids {
		if b.Status != BidOpened {
			continue
		}
		var reasons []string
		if l.IsLand() && b.Opened.Price < l.Land.StartPrice {
			reasons = append(reasons, fmt.Sprintf("投标报价%s低于起始价%s（%s）", b.Opened.Price, l.Land.StartPrice, basisLandStartBid))
		}
		if l.Ceiling > 0 && b.Opened.Price > l.Ceiling {
			reasons = append(reasons, fmt.Sprintf("投标报价%s高于最高投标限价%s（《招标投标法实施条例》第五十一条第五项）", b.Opened.Price, l.Ceiling))
		}
		if len(b.Opened.AlternativePrices) > 0 && !l.AllowAlternatives {
			reasons = append(reasons, "招标文件未要求提交备选投标，同一投标文件提交了多个报价（《招标投标法实施条例》第五十一条第四项）")
		}
		if rep := ents[b.EntityID].LegalRep; rep != "" && len(byRep[rep]) > 1 {
			reasons = append(reasons, fmt.Sprintf("与其他投标人的法定代表人为同一人（%s），相关投标均无效（《招标投标法实施条例》第三十四条）", rep))
		}
		if other, ok := controlled[b.EntityID]; ok {
			reasons = append(reasons, fmt.Sprintf("与投标人%s存在控股或者管理关系，相关投标均无效（《招标投标法实施条例》第三十四条）", other))
		}
		if len(reasons) > 0 {
			b.Reject = reasons
			if err := tx.UpdateBid(ctx, b); err != nil {
				return err
			}
		}
	}
	return nil
}

// Retender starts a new tender for a failed lot (重新招标): a draft lot with
// the same definition that links to the failed one.
func (s *Service) Retender(ctx context.Context, actor party.Actor, lotID ids.ID) (Lot, error) {
	now := s.clock.Now()
	var nl Lot
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, p, err := managedLot(ctx, tx, actor, lotID, "重新招标", Failed, "只有流标的标段可以重新招标。")
		if err != nil {
			return err
		}
		existing, err := tx.ListLots(ctx, LotFilter{ProjectID: p.ID})
		if err != nil {
			return err
		}
		for _, x := range existing {
			if x.RetenderOf == l.ID {
				return apperr.New(apperr.Conflict, "该标段已重新招标：%s。", x.Code)
			}
		}
		in := LotInput{Name: l.Name, Procedure: l.Procedure, Method: l.Method, Estimate: l.Estimate, Ceiling: l.Ceiling, Security: l.Security,
			CategoryCode: l.CategoryCode, Scoring: l.Scoring, CommitteeSize: l.CommitteeSize, PrincipalReps: l.PrincipalReps, AllowAlternatives: l.AllowAlternatives, Land: l.Land}
		nl, err = s.newLot(ctx, tx, p, in, now, l.ID)
		if err != nil {
			return err
		}
		_, err = record(ctx, tx, now, actor, "lot.retendered", nl.Code, map[string]any{"lot": nl.Code, "retender_of": l.Code}, nil)
		return err
	})
	return nl, err
}

// sortedBids returns opened bids in submission order.
func sortedBids(bids []Bid) []Bid {
	out := append([]Bid(nil), bids...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].SubmittedAt.Before(out[j].SubmittedAt) })
	return out
}
