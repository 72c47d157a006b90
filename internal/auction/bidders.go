package auction

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	"ggzy/internal/apperr"
	"ggzy/internal/auction/rules"
	"ggzy/internal/ids"
	"ggzy/internal/party"
)

// Register files the actor's entity's application to bid (竞买申请) while
// registration is open (until the listing close or sealed window end, or
// the start of an auction or of open quotes). The seller may not bid on its
// own sale. Who registered is confidential: the ledger entry's public part
// is empty.
func (s *Service) Register(ctx context.Context, actor party.Actor, saleID ids.ID) (Registration, error) {
	if actor.Role != party.RoleBidder || actor.EntityID == "" {
		return Registration{}, apperr.Forbiddenf("竞买申请由竞买人（意向受让方）的登记用户提出。")
	}
	now := s.clock.Now()
	var r Registration
	err := s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.GetSale(ctx, saleID)
		if err != nil {
			return err
		}
		if sale.Status == StatusDraft {
			return apperr.NotFoundf("交易")
		}
		if sale.Status != StatusAnnounced && sale.Status != StatusListing || !now.Before(sale.registerBy()) {
			return apperr.Rule(apperr.Deadline, rules.BasisLO39, "本宗交易的竞买申请已截止。")
		}
		if err := sale.preDisclosing(now); err != nil {
			return err
		}
		if sale.SellerID == actor.EntityID {
			return apperr.Forbiddenf("出让人（转让方）不能参加本单位标的的竞买。")
		}
		ent, err := tx.GetEntity(ctx, actor.EntityID)
		if err != nil {
			return err
		}
		r = Registration{ID: s.ids.New(now), SaleID: sale.ID, EntityID: ent.ID, UserID: actor.UserID, Status: Pending, BindingIndex: -1, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateSaleRegistration(ctx, r); err != nil {
			return err
		}
		_, err = recordConfidential(ctx, tx, now, actor, "auction.registered", map[string]any{"sale": sale.Code, "registration": r.ID, "entity": ent.ID, "entity_name": ent.Name, "uscc": ent.USCC})
		return err
	})
	return r, err
}

// Qualify records the trading centre's qualification review of a
// registration: approve, or reject with a reason.
func (s *Service) Qualify(ctx context.Context, actor party.Actor, regID ids.ID, approve bool, reason string) (Registration, error) {
	if err := operatorOnly(actor, "竞买资格审查"); err != nil {
		return Registration{}, err
	}
	reason = strings.TrimSpace(reason)
	if !approve && reason == "" {
		return Registration{}, apperr.New(apperr.Invalid, "资格审查不通过的，请写明理由。").WithField("reason", "请填写理由")
	}
	now := s.clock.Now()
	var r Registration
	err := s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if r, err = tx.GetSaleRegistration(ctx, regID); err != nil {
			return err
		}
		sale, err := tx.LockSale(ctx, r.SaleID)
		if err != nil {
			return err
		}
		if !sale.Open() {
			return apperr.New(apperr.Conflict, "交易已结束，不能再审查竞买资格。")
		}
		if r.Status != Pending {
			return apperr.New(apperr.Conflict, "该竞买申请已审查（%s）。", r.Status.Label())
		}
		r.Status, r.Reason, r.UpdatedAt = Qualified, reason, now
		if !approve {
			r.Status = Rejected
		}
		if err := tx.UpdateSaleRegistration(ctx, r); err != nil {
			return err
		}
		_, err = recordConfidential(ctx, tx, now, actor, "auction.qualified", map[string]any{"sale": sale.Code, "registration": r.ID, "entity": r.EntityID, "approved": approve, "reason": reason})
		return err
	})
	return r, err
}

// ConfirmDeposit records the trading centre's confirmation that a
// qualified bidder's deposit (竞买保证金) arrived, and assigns the bidder
// number (竞买号牌): four digits drawn at random among those free on the
// sale, so the number says nothing about the order of registration. The
// binding of number and entity is committed in the ledger and revealed for
// the winner at the deal.
func (s *Service) ConfirmDeposit(ctx context.Context, actor party.Actor, regID ids.ID, ref string) (Registration, error) {
	if err := operatorOnly(actor, "竞买保证金确认"); err != nil {
		return Registration{}, err
	}
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Registration{}, apperr.New(apperr.Invalid, "请填写保证金到账凭证号。").WithField("ref", "请填写凭证号")
	}
	now := s.clock.Now()
	var r Registration
	err := s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if r, err = tx.GetSaleRegistration(ctx, regID); err != nil {
			return err
		}
		sale, err := tx.LockSale(ctx, r.SaleID)
		if err != nil {
			return err
		}
		if !sale.Open() {
			return apperr.New(apperr.Conflict, "交易已结束，不能再确认保证金。")
		}
		if r.Status != Qualified {
			return apperr.New(apperr.Conflict, "竞买申请尚未通过资格审查（%s），请先审查。", r.Status.Label())
		}
		if !r.DepositAt.IsZero() {
			return apperr.New(apperr.Conflict, "该竞买人的保证金已于%s确认，竞买号牌为%s。", r.DepositAt.Format("2006-01-02 15:04"), r.BidderNo)
		}
		all, err := tx.ListSaleRegistrations(ctx, sale.ID)
		if err != nil {
			return err
		}
		used := map[string]bool{}
		for _, x := range all {
			used[x.BidderNo] = true
		}
		if r.BidderNo, err = s.drawNumber(used); err != nil {
			return err
		}
		ent, err := tx.GetEntity(ctx, r.EntityID)
		if err != nil {
			return err
		}
		if r.BindingIndex, err = commitSecret(ctx, tx, now, map[string]any{"what": "bidder_number", "sale": sale.Code, "bidder_no": r.BidderNo,
			"entity": ent.ID, "entity_name": ent.Name, "uscc": ent.USCC}); err != nil {
			return err
		}
		r.DepositRef, r.DepositAt, r.UpdatedAt = ref, now, now
		if err := tx.UpdateSaleRegistration(ctx, r); err != nil {
			return err
		}
		_, err = recordConfidential(ctx, tx, now, actor, "auction.deposit_confirmed", map[string]any{"sale": sale.Code, "registration": r.ID,
			"entity": r.EntityID, "ref": ref, "binding": r.BindingIndex})
		return err
	})
	return r, err
}

// drawNumber draws a free four-digit bidder number.
func (s *Service) drawNumber(used map[string]bool) (string, error) {
	if len(used) >= 9000 {
		return "", apperr.New(apperr.Conflict, "竞买号牌已用完。")
	}
	var b [8]byte
	for {
		if _, err := s.rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("auction: bidder number: %w", err)
		}
		// 2^64 mod 9000 skews by < 1e-15: negligible.
		n := fmt.Sprintf("%04d", 1000+binary.BigEndian.Uint64(b[:])%9000)
		if !used[n] {
			return n, nil
		}
	}
}

// Identity is a bidder number with the entity behind it (operator's audited
// view, or the winner after the deal).
type Identity struct {
	RegistrationID ids.ID
	BidderNo       string
	Status         RegStatus
	EntityID       ids.ID
	Name           string
	USCC           string
}

// Identities shows the trading centre, the supervisor or the auditor who is
// behind each registration of a sale. Bidder names are hidden from
// everyone else until the deal, so every look is recorded in the ledger
// with its reason.
func (s *Service) Identities(ctx context.Context, actor party.Actor, saleID ids.ID, reason string) ([]Identity, error) {
	if actor.Role != party.RoleOperator && actor.Role != party.RoleSupervisor && actor.Role != party.RoleAuditor {
		return nil, apperr.Forbiddenf("竞买人身份仅交易中心、监督和审计人员可以查看，且每次查看均留痕。")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.New(apperr.Invalid, "请写明查看竞买人身份的事由。").WithField("reason", "请填写事由")
	}
	now := s.clock.Now()
	var out []Identity
	err := s.store.WithTx(ctx, func(tx Tx) error {
		out = nil
		sale, err := tx.GetSale(ctx, saleID)
		if err != nil {
			return err
		}
		regs, err := tx.ListSaleRegistrations(ctx, sale.ID)
		if err != nil {
			return err
		}
		for _, r := range regs {
			e, err := tx.GetEntity(ctx, r.EntityID)
			if err != nil {
				return err
			}
			out = append(out, Identity{RegistrationID: r.ID, BidderNo: r.BidderNo, Status: r.Status, EntityID: e.ID, Name: e.Name, USCC: e.USCC})
		}
		_, err = record(ctx, tx, now, actor, "auction.identities_viewed", sale, nil, map[string]any{"reason": reason, "registrations": len(out)})
		return err
	})
	return out, err
}
