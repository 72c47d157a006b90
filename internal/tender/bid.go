package tender

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/rules"
)

// PlainFormat is bid content stored as JSON BidContent. It is the spine's
// format; the sealed format of the trust core replaces it behind Opener.
const PlainFormat = "plain-v1"

// MaxBidContent bounds the structured part of a bid (files are blobs).
const MaxBidContent = 64 << 10

// PlainOpener opens plain-v1 content.
type PlainOpener struct{}

// Check validates the structure of plain content.
func (PlainOpener) Check(l Lot, _ ids.ID, content []byte) error {
	_, err := decodePlain(l, content)
	return err
}

// Open decodes the content.
func (PlainOpener) Open(_ context.Context, l Lot, b Bid) (BidContent, error) {
	return decodePlain(l, b.Content)
}

// decodePlain reads and checks a bid form. Only the price and the period are
// required, for works and land alike: 质量标准 and 项目经理 are works terms
// the web form asks for, a land bid carries neither (their fields stay in
// the form, empty, so sealed packages keep one format).
func decodePlain(l Lot, content []byte) (BidContent, error) {
	var c BidContent
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, apperr.New(apperr.Invalid, "投标文件格式错误，无法识别投标报价等内容。")
	}
	f := map[string]string{}
	if c.Price <= 0 {
		f["price"] = "投标报价应大于0。"
	}
	if c.DurationDays <= 0 || c.DurationDays > 3650 {
		f["duration_days"] = "工期应为1至3650日。"
		if l.IsLand() {
			f["duration_days"] = "开发建设周期应为1至3650日。"
		}
	}
	for _, p := range c.AlternativePrices {
		if p <= 0 {
			f["alternative_prices"] = "备选报价应大于0。"
		}
	}
	return c, apperr.Fields("投标文件内容不完整，请按提示修改。", f)
}

// EncodePlain makes plain-v1 content (the UI and tests use it).
func EncodePlain(c BidContent) []byte {
	b, _ := json.Marshal(c)
	return b
}

// biddable loads the lot with the entity's standing and checks that actor's
// entity may take part now.
func (s *Service) biddable(ctx context.Context, tx Tx, actor party.Actor, lotID ids.ID, now time.Time) (Participation, error) {
	if actor.Role != party.RoleBidder || actor.EntityID == "" {
		return Participation{}, apperr.Forbiddenf("请以投标单位账号登录后操作。")
	}
	p, err := tx.GetParticipation(ctx, lotID, actor.EntityID)
	if err != nil {
		return Participation{}, err
	}
	l := p.Lot
	if l.Status == Draft {
		return p, apperr.NotFoundf("标段")
	}
	if l.Status != Bidding || !now.Before(l.BidDeadline) {
		return p, apperr.Rule(apperr.Deadline, "《招标投标法》第二十八条", "投标截止时间（%s 北京时间）已过，投标文件不予接收。", clock.Format(l.BidDeadline))
	}
	if l.Suspended {
		return p, s.ruleErr(apperr.Conflict, rules.ObjectionAnswer, "该标段因异议处理暂停招标投标活动，答复后恢复。")
	}
	if l.Procedure == Invited && !p.Invited {
		return p, apperr.Rule(apperr.Forbidden, "《招标投标法》第十七条", "本标段为邀请招标，只有收到投标邀请书的单位可以参加。")
	}
	return p, nil
}

// ObtainDocuments records that the bidder's entity obtained the tender
// documents (获取招标文件). Nobody but that entity can learn it before the opening.
func (s *Service) ObtainDocuments(ctx context.Context, actor party.Actor, lotID ids.ID) error {
	now := s.clock.Now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		p, err := s.biddable(ctx, tx, actor, lotID, now)
		if err != nil {
			return err
		}
		l := p.Lot
		if now.Before(l.DocsFrom) || now.After(l.DocsUntil) {
			return s.ruleErr(apperr.Deadline, rules.DocsSaleMin, "招标文件获取时间为%s至%s（北京时间），当前不在获取期内。", clock.Format(l.DocsFrom), clock.Format(l.DocsUntil))
		}
		if p.Access {
			return nil
		}
		if err := tx.RecordAccess(ctx, DocumentAccess{LotID: l.ID, EntityID: actor.EntityID, UserID: actor.UserID, At: now}); err != nil {
			return err
		}
		_, err = recordConfidential(ctx, tx, now, actor, l.ID, "documents.obtained", map[string]any{"lot": l.Code, "entity": actor.EntityID})
		return err
	})
}

// RecordDeposit records the bidder's bid security (投标保证金) for the lot.
func (s *Service) RecordDeposit(ctx context.Context, actor party.Actor, lotID ids.ID, amount money.Fen, reference string) error {
	reference = strings.TrimSpace(reference)
	if reference == "" || len(reference) > 100 {
		return apperr.New(apperr.Invalid, "请填写保证金缴纳凭证号或保函编号。").WithField("reference", "必填。")
	}
	now := s.clock.Now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		p, err := s.biddable(ctx, tx, actor, lotID, now)
		if err != nil {
			return err
		}
		l := p.Lot
		if l.Security == 0 {
			return apperr.New(apperr.Invalid, "本标段不要求投标保证金。")
		}
		if amount < l.Security {
			return apperr.New(apperr.Invalid, "保证金金额不足：本标段要求%s。", l.Security).WithField("amount", "不少于 "+l.Security.String())
		}
		if err := tx.PutDeposit(ctx, Deposit{LotID: l.ID, EntityID: actor.EntityID, Amount: amount, Reference: reference, RecordedAt: now, RecordedBy: actor.UserID}); err != nil {
			return err
		}
		_, err = recordConfidential(ctx, tx, now, actor, l.ID, "deposit.recorded", map[string]any{"lot": l.Code, "entity": actor.EntityID, "amount": amount, "reference": reference})
		return err
	})
}

// BidInput is one submission (or modification) of a bid.
type BidInput struct {
	Format  string
	Content []byte
	Files   []BidFile // already stored as blobs
}

// SubmitBid stores a bid or a new version of it and returns the receipt at
// once. The content is opaque here: only Opener.Check runs, which must not
// need the plaintext.
func (s *Service) SubmitBid(ctx context.Context, actor party.Actor, lotID ids.ID, in BidInput) (Receipt, error) {
	if in.Format == "" {
		in.Format = PlainFormat
	}
	op, ok := s.openers[in.Format]
	if !ok {
		return Receipt{}, apperr.Rule(apperr.Invalid, "《电子招标投标办法》第二十六条", "投标文件未按招标文件要求的格式加密或编制（%s），平台拒收。", in.Format)
	}
	if len(in.Content) == 0 || len(in.Content) > MaxBidContent {
		return Receipt{}, apperr.New(apperr.Invalid, "投标文件内容为空或超过大小限制。")
	}
	for _, f := range in.Files {
		if f.Name == "" || f.Size <= 0 || len(f.Hash) != 64 {
			return Receipt{}, apperr.New(apperr.Invalid, "投标附件信息不完整。")
		}
	}
	check := func(l Lot) error { return op.Check(l, actor.EntityID, in.Content) }
	return s.recordBid(ctx, actor, lotID, in.Format, in.Content, sm3Hex(in.Content), in.Files, check)
}

// WithdrawBid withdraws the bidder's bid before the deadline (撤回).
func (s *Service) WithdrawBid(ctx context.Context, actor party.Actor, lotID ids.ID) (Receipt, error) {
	now := s.clock.Now()
	var r Receipt
	err := s.store.WithTx(ctx, func(tx Tx) error {
		p, err := s.biddable(ctx, tx, actor, lotID, now)
		if err != nil {
			return err
		}
		l := p.Lot
		if p.Bid == nil {
			return apperr.NotFoundf("投标文件")
		}
		b := *p.Bid
		if b.Status != BidSubmitted {
			return apperr.New(apperr.Conflict, "投标文件已撤回。")
		}
		b.Version++
		b.Status, b.SubmittedAt = BidWithdrawn, now
		idx, err := recordConfidential(ctx, tx, now, actor, l.ID, "bid.withdrawn", map[string]any{"lot": l.Code, "entity": actor.EntityID, "bid": b.ID, "version": b.Version})
		if err != nil {
			return err
		}
		b.ReceiptSeq = idx
		r = Receipt{BidID: b.ID, LotID: l.ID, LotCode: l.Code, EntityID: b.EntityID, Version: b.Version, ContentHash: b.ContentHash, SubmittedAt: now, LedgerIndex: idx, Withdrawn: true}
		return tx.UpdateBid(ctx, b)
	})
	return r, err
}

// describeReceipt renders a receipt for people.
func describeReceipt(r Receipt) string {
	return fmt.Sprintf("标段 %s 投标文件第%d版已于 %s（北京时间）完整接收，SM3 %s，留痕序号 %d。", r.LotCode, r.Version, clock.Format(r.SubmittedAt), r.ContentHash, r.LedgerIndex)
}

// Describe is the receipt's sentence.
func (r Receipt) Describe() string { return describeReceipt(r) }
