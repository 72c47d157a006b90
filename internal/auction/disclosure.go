package auction

import (
	"context"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction/rules"
	"ggzy/internal/ids"
	"ggzy/internal/party"
)

// Statutory phases around the sale that are not bidding: the pre-disclosure
// and the extension of a state-property disclosure (RULES.md §5), the
// result publicity and confirmation of a mining right (RULES.md §4).

// DisclosurePhase is one phase of a state-property disclosure: from From
// until To (the start of the next phase).
type DisclosurePhase struct {
	Label    string
	From, To time.Time
}

// DisclosurePhases lists an announced state-property sale's disclosure
// phases: the pre-disclosure (信息预披露) from the announcement to the
// formal disclosure's start, if any, then the formal disclosure (正式披露)
// to the quoting start (extended, if it was). Nil for other kinds and
// drafts.
func (i Info) DisclosurePhases() []DisclosurePhase {
	if i.Kind != Property || i.NoticeAt.IsZero() {
		return nil
	}
	var out []DisclosurePhase
	formal := i.Data.preDisclosure().FormalStart(i.NoticeAt)
	if !formal.Equal(i.NoticeAt) {
		out = append(out, DisclosurePhase{Label: "信息预披露", From: i.NoticeAt, To: formal})
	}
	return append(out, DisclosurePhase{Label: "正式信息披露", From: formal, To: i.StartAt})
}

// preDisclosing refuses what waits for the formal disclosure (a
// registration) while the pre-disclosure runs.
func (sale Sale) preDisclosing(now time.Time) error {
	if sale.Kind != Property || sale.NoticeAt.IsZero() {
		return nil
	}
	if formal := sale.Data.preDisclosure().FormalStart(sale.NoticeAt); now.Before(formal) {
		return apperr.Rule(apperr.Conflict, rules.BasisO32PreDisclosure, "本宗转让尚在信息预披露期，正式信息披露于%s开始，届时方可提交受让申请。", formal.Format(dayLayout))
	}
	return nil
}

// resultPublicity adds to a mining-right deal's confirmation and to the
// conclusion's public entry the dates that follow it
// (rules.MiningAfterDeal): the confirmation within 3 working days of the
// deal standing at closedAt, the result publicity from its publication now
// for at least 10 working days, to start within 5.
func (s *Service) resultPublicity(sale Sale, conf *Confirmation, pub map[string]any, closedAt, now time.Time) {
	if sale.Kind != Mining || conf == nil {
		return
	}
	r := rules.MiningAfterDeal(sale.Params, s.days(), closedAt, now)
	conf.Mining = &r
	pub["mining"] = r
}

// ExtendDisclosure extends the formal disclosure of a state-property
// transfer that is ending without a qualified buyer (none qualified with a
// confirmed deposit), by the trading centre's decision with its reason: by
// n working days, at least the parameter (5) each time, once less than a
// working day of the disclosure remains (rules.CheckExtension). The
// quoting start moves to the end of the extension (a sealed window moves
// with it); the decision is a public ledger entry with the old and new
// ends, and the job at the new time is scheduled (the one at the old time
// finds the sale not yet due).
func (s *Service) ExtendDisclosure(ctx context.Context, actor party.Actor, saleID ids.ID, n int, reason string) (Sale, error) {
	reason, err := decision(actor, "延长信息披露", reason)
	if err != nil {
		return Sale{}, err
	}
	var sale Sale
	err = s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if sale, err = tx.LockSale(ctx, saleID); err != nil {
			return err
		}
		now := s.clock.Now()
		if sale.Kind != Property {
			return apperr.Rule(apperr.Conflict, rules.BasisO32Extension, "只有国有产权转让的信息披露可以延长。")
		}
		if sale.Status != StatusAnnounced {
			return apperr.Rule(apperr.Conflict, rules.BasisO32Extension, "交易不在信息披露期（状态：%s），不能延长信息披露。", sale.Phase(now).Label())
		}
		if err := sale.preDisclosing(now); err != nil {
			return apperr.Rule(apperr.Conflict, rules.BasisO32Extension, "正式信息披露尚未开始，不能延长。")
		}
		regs, err := tx.ListSaleRegistrations(ctx, sale.ID)
		if err != nil {
			return err
		}
		if err := rules.CheckExtension(sale.Params, s.days(), now, sale.StartAt, n, len(eligible(regs))); err != nil {
			return err
		}
		oldStart, oldEnd := sale.StartAt, sale.EndAt
		start := rules.ExtendedStart(sale.Params, s.days(), oldStart, n)
		if !start.After(now) {
			return apperr.Rule(apperr.Conflict, rules.BasisO32Extension, "延长后的信息披露期（至%s）已经届满，请延长更多工作日。", start.Format(dayLayout))
		}
		sale.StartAt, sale.UpdatedAt = start, now
		if !oldEnd.IsZero() {
			sale.EndAt = oldEnd.Add(start.Sub(oldStart))
		}
		if err := tx.UpdateSale(ctx, &sale); err != nil {
			return err
		}
		if _, err := record(ctx, tx, now, actor, "auction.disclosure_extended", sale, map[string]any{"old_start_at": oldStart, "start_at": sale.StartAt,
			"old_end_at": oldEnd, "end_at": sale.EndAt, "days": n, "unit": sale.Params.DisclosureExtend.Unit, "reason": reason, "basis": rules.BasisO32Extension}, nil); err != nil {
			return err
		}
		if err := event(ctx, tx, sale, EvChanged, now, state(sale, now)); err != nil {
			return err
		}
		return s.schedule(ctx, tx, sale)
	})
	return sale, err
}
