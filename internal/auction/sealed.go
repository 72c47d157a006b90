package auction

import (
	"context"
	"strings"

	"ggzy/internal/apperr"
	"ggzy/internal/auction/rules"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
)

// SubmitSealed accepts a bidder's one sealed quote (一次报价) during the
// window [StartAt, EndAt): one per bidder, not below the listed price.
//
// For now the quote is sealed by the ledger alone: its amount goes into a
// commitment entry (only the sale, bidder number, amount and commit order;
// who submitted is in a separate confidential entry), revealed at the close,
// and the amount is kept on the offer row for the close computation, shown
// in no view before it. The trust core's k-of-n custody (package seal, as
// the tender's sealed bids: the amount encrypted on the bidder's side to
// custodians and opened only with k shares after the window) is the next
// step for sealed quotes; until then the database holds the amount.
func (s *Service) SubmitSealed(ctx context.Context, actor party.Actor, saleID ids.ID, amount money.Fen) (Receipt, error) {
	var rc Receipt
	err := s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if sale.Status == StatusDraft {
			return apperr.NotFoundf("交易")
		}
		if sale.Mode != ModeSealed {
			return apperr.New(apperr.Conflict, "本宗交易的方式为%s，不接受一次报价。", sale.Mode.Label())
		}
		if sale.Status != StatusAnnounced && sale.Status != StatusListing || !now.Before(sale.EndAt) {
			return apperr.Rule(apperr.Deadline, rules.BasisO32, "报价时间已于%s（北京时间）截止。", clock.Format(sale.EndAt))
		}
		if now.Before(sale.StartAt) {
			return apperr.Rule(apperr.Conflict, rules.BasisO32, "报价尚未开始，开始时间为%s（北京时间）。", clock.Format(sale.StartAt))
		}
		reg, err := bidderReg(ctx, tx, actor, sale)
		if err != nil {
			return err
		}
		if amount < sale.StartPrice {
			return apperr.Rule(apperr.Invalid, rules.BasisSOAL55+"；"+rules.BasisO32, "报价%s低于挂牌价%s，不得低于挂牌价。", amount, sale.StartPrice).
				WithField("amount", "报价不得低于挂牌价。")
		}
		mine, err := tx.ListSaleOffers(ctx, sale.ID, StageSealed)
		if err != nil {
			return err
		}
		for _, o := range mine {
			if o.BidderNo == reg.BidderNo {
				return apperr.Rule(apperr.Conflict, rules.BasisO32, "一次报价只能提交一次，您已于%s提交。", clock.Format(o.At))
			}
		}
		idx, err := commitSecret(ctx, tx, now, map[string]any{"what": "sealed_quote", "sale": sale.Code, "bidder_no": reg.BidderNo, "amount": amount, "seq": sale.Seq})
		if err != nil {
			return err
		}
		if _, err := recordConfidential(ctx, tx, now, actor, "auction.sealed_quote", map[string]any{"sale": sale.Code, "registration": reg.ID, "entity": reg.EntityID, "commitment": idx}); err != nil {
			return err
		}
		if err := tx.AddSaleOffer(ctx, Offer{SaleID: sale.ID, Seq: sale.Seq, Stage: StageSealed, BidderNo: reg.BidderNo, RegistrationID: reg.ID, Amount: amount, At: now, LedgerIndex: idx}); err != nil {
			return err
		}
		rc = Receipt{SaleID: sale.ID, Seq: sale.Seq, BidderNo: reg.BidderNo, Amount: amount, At: now, LedgerIndex: idx}
		return nil
	})
	return rc, err
}

// CloseSealed is the job at the end of the sealed window; idempotent. It
// reveals every sealed quote's commitment, decides with rules.CloseSealed
// (highest wins, ties to the earliest commit, never below the reserve) and
// concludes as of the window's end.
func (s *Service) CloseSealed(ctx context.Context, saleID ids.ID) error {
	return s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if sale.Mode != ModeSealed || sale.Status != StatusAnnounced && sale.Status != StatusListing {
			return nil
		}
		if now.Before(sale.EndAt) {
			return &NotDueError{At: sale.EndAt}
		}
		offers, err := tx.ListSaleOffers(ctx, sale.ID, StageSealed)
		if err != nil {
			return err
		}
		for _, o := range offers {
			if _, err := reveal(ctx, tx, now, sale, o.LedgerIndex); err != nil {
				return err
			}
		}
		o := rules.CloseSealed(quotes(offers), sale.Reserve, sale.HasReserve)
		sale.Quotes = len(offers)
		return s.conclude(ctx, tx, now, party.System(), &sale, o, StageSealed, sale.EndAt)
	})
}

// AgreementInput is the trading centre's decision on an agreement transfer
// (协议转让).
type AgreementInput struct {
	RegistrationID ids.ID    // the single qualified buyer
	Price          money.Fen // not below the listed price
	Rounds         int       // disclosure rounds that ended with this single buyer
	Approval       string    // the approving authority's document (批准文件)
}

// Agree concludes an agreement transfer of state-owned property by the
// trading centre's audited decision, after the disclosure ended: exactly
// one qualified buyer (two or more must compete, SOAL 54), the disclosure
// rounds the parameters require (rules.CheckAgreementRounds), a price not
// below the listed price (rules.CheckAgreement), the buyer's deposit
// confirmed.
func (s *Service) Agree(ctx context.Context, actor party.Actor, saleID ids.ID, in AgreementInput) (Sale, error) {
	if err := operatorOnly(actor, "协议转让"); err != nil {
		return Sale{}, err
	}
	in.Approval = strings.TrimSpace(in.Approval)
	if in.Approval == "" {
		return Sale{}, apperr.Rule(apperr.Invalid, rules.BasisO32, "协议转让须经批准，请填写批准文件。").WithField("approval", "请填写批准文件文号")
	}
	var sale Sale
	err := s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if sale, err = tx.LockSale(ctx, saleID); err != nil {
			return err
		}
		now := s.clock.Now()
		if sale.Mode != ModeAgreement {
			return apperr.New(apperr.Conflict, "本宗交易的方式为%s，不能协议转让。", sale.Mode.Label())
		}
		if sale.Status != StatusAnnounced {
			return apperr.New(apperr.Conflict, "该交易不在信息披露后待成交状态（%s）。", sale.Status.Label())
		}
		if now.Before(sale.StartAt) {
			return apperr.Rule(apperr.Conflict, sale.Params.Disclosure.Basis, "信息披露期至%s（北京时间）届满，期满后方可协议转让。", clock.Format(sale.StartAt))
		}
		regs, err := tx.ListSaleRegistrations(ctx, sale.ID)
		if err != nil {
			return err
		}
		n := 0
		var buyer *Registration
		for i, r := range regs {
			if r.Status == Qualified {
				n++
			}
			if r.ID == in.RegistrationID {
				buyer = &regs[i]
			}
		}
		if err := rules.CheckAgreementRounds(sale.Params, in.Rounds); err != nil {
			return err
		}
		if err := rules.CheckAgreement(n, in.Price, sale.StartPrice); err != nil {
			return err
		}
		if buyer == nil || buyer.Status != Qualified {
			return apperr.New(apperr.Invalid, "受让方应为本宗交易唯一的合格意向受让方。").WithField("registration", "不是合格意向受让方")
		}
		if !buyer.Eligible() {
			return apperr.New(apperr.Conflict, "受让方的交易保证金尚未确认。")
		}
		if _, err := record(ctx, tx, now, actor, "auction.agreement_decided", sale, map[string]any{"price": in.Price, "rounds": in.Rounds,
			"approval": in.Approval, "listed": sale.StartPrice}, nil); err != nil {
			return err
		}
		o := rules.Outcome{Result: rules.Deal, Winner: buyer.BidderNo, Price: in.Price, Basis: rules.BasisO32 + "（协议转让）；" + rules.BasisSOAL54}
		return s.conclude(ctx, tx, now, actor, &sale, o, StageAgreement, now)
	})
	return sale, err
}
