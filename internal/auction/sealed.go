package auction

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction/rules"
	"ggzy/internal/clock"
	"ggzy/internal/gm"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/seal"
	"ggzy/internal/sealbid"
)

// One sealed quote (一次报价) under the trust core's k-of-n custody
// (DESIGN.md §6.2), as the tender's sealed bids:
//
//  1. Before the quote window opens the trading centre names the sale's
//     custodians (each with a registered SM2 custody key, from at least two
//     organisations) and the threshold k (SetCustody); the set is published
//     (Sealing) and recorded in the ledger.
//  2. The bidder's client seals the quote form (EncodeQuote) with
//     sealbid.Seal to the custodians, bound to the sale (its ID in the lot
//     field) and to the bidder's number (not its entity: custodians learn
//     no names), signed with the bidder's registered key. SubmitSealed
//     checks format, binding, integrity and signature and stores the sealed
//     package; the ledger gets a commitment to its digest and number, and a
//     confidential entry says who submitted. Nobody can read the amount:
//     the database holds ciphertext only until the opening.
//  3. At the window's end (CloseSealed job) the sale turns to decrypting;
//     custodians fetch their envelopes (CustodyEnvelopes), decrypt their
//     shares on their own devices and submit them (SubmitShares). With k
//     custodians' shares the platform recovers each package's key, opens
//     and verifies every package, rejects with the reason one that does not
//     open or quotes below the listed price, reveals the commitments and
//     concludes with rules.CloseSealed (highest wins, ties to the earliest
//     commit, never below the reserve) as of the window's end.
//  4. If fewer than k custodians have acted by the decryption deadline, the
//     sale is marked stalled and nothing is opened; the trading centre or
//     the supervisor extends the deadline by an audited decision
//     (ExtendDecryption), as for the tender.
//
// One package per bidder, never replaced: 一次报价 is one quote each
// (RULES.md §5, O32), and a quote that could be changed after seeing the
// sale's progress would not be one. A bidder whose package does not open
// has no valid quote.

// StatusDecrypting is a sealed-quote sale after its window: custodians are
// decrypting their shares; nothing has been opened.
const StatusDecrypting Status = "decrypting" // 报价解密中

// EvDecrypting is the live-view event of the window's end.
const EvDecrypting = "decrypting"

// Custody defaults and bounds (the tender's, party.CustodyInput).
const (
	DefaultThreshold     = party.DefaultThreshold
	DefaultDecryptWindow = party.DefaultDecryptWindow
	MinDecryptWindow     = party.MinDecryptWindow
	MaxDecryptWindow     = party.MaxDecryptWindow
	// MaxSealedQuote bounds a sealed quote package: a form of a few bytes
	// sealed to a handful of custodians is far smaller.
	MaxSealedQuote = 64 << 10
)

// Legal bases quoted by the custody of sealed quotes.
const (
	basisSealed  = rules.BasisO32 + "（一次报价）"
	basisCustody = rules.BasisPlatform + "（一次报价的密钥保管与解密）"
)

// Keys looks up registered public keys (the party registry, party.Keyring):
// a bidder's signing key and a custodian's share key, valid at a time.
type Keys interface {
	BidKey(ctx context.Context, entityID ids.ID, fingerprint string, at time.Time) (*gm.PublicKey, error)
	CustodyKey(ctx context.Context, userID ids.ID, at time.Time) (fingerprint, pem string, err error)
}

// Custodian is one holder of a share of the sealed quotes' keys.
type Custodian struct {
	UserID      ids.ID `json:"user_id"`
	Name        string `json:"name"`
	Org         string `json:"org"` // party.CustodianOrg key
	OrgName     string `json:"org_name"`
	Fingerprint string `json:"key"`
	PublicKey   string `json:"key_pem"`
}

// Custody is a sealed-quote sale's custodian set and threshold, and the
// decryption's deadline once the window has closed.
type Custody struct {
	SaleID        ids.ID
	Threshold     int
	WindowMinutes int
	Custodians    []Custodian
	DecryptBy     time.Time // zero before the window's end
	Stalled       bool      // the deadline passed with fewer than k custodians
	SetAt         time.Time
	SetBy         ids.ID
}

// Index is the user's position among the custodians (share x = index+1),
// or −1.
func (c Custody) Index(userID ids.ID) int {
	for i, cu := range c.Custodians {
		if userID != "" && cu.UserID == userID {
			return i
		}
	}
	return -1
}

// Sealing is the custody as published (GET /api/v1/sales/{id}/custody):
// what a bidder's client seals to, the sale's ID in the lot field.
func (c Custody) Sealing(sale Sale) sealbid.Custody {
	out := sealbid.Custody{LotID: string(sale.ID), LotCode: sale.Code, Deadline: sale.EndAt, Threshold: c.Threshold}
	for _, cu := range c.Custodians {
		out.Custodians = append(out.Custodians, sealbid.Custodian{UserID: string(cu.UserID), Name: cu.Name, OrgName: cu.OrgName,
			Fingerprint: cu.Fingerprint, PublicKey: cu.PublicKey})
	}
	return out
}

// binding is what a sealed quote of bidder number no must be bound to.
func (c Custody) binding(sale Sale, no string) (seal.Binding, error) {
	b := seal.Binding{LotID: string(sale.ID), EntityID: no, Threshold: c.Threshold}
	for _, cu := range c.Custodians {
		k, err := gm.ParsePublicKeyPEM([]byte(cu.PublicKey))
		if err != nil {
			return b, fmt.Errorf("auction: custodian %s key: %w", cu.UserID, err)
		}
		b.Custodians = append(b.Custodians, seal.Custodian{ID: string(cu.UserID), Key: k})
	}
	return b, nil
}

// public is the custody as the ledger publishes it: names, organisations,
// key fingerprints (the keys are in the public key registry).
func (c Custody) public() map[string]any {
	var cs []map[string]any
	for _, cu := range c.Custodians {
		cs = append(cs, map[string]any{"name": cu.Name, "org": cu.OrgName, "key": cu.Fingerprint})
	}
	return map[string]any{"threshold": c.Threshold, "window_minutes": c.WindowMinutes, "custodians": cs}
}

// SealedStatus is where a sealed quote package stands.
type SealedStatus string

const (
	SealedPending  SealedStatus = "sealed"   // 密封中
	SealedOpened   SealedStatus = "opened"   // 已解密，有效报价
	SealedRejected SealedStatus = "rejected" // 无法解密或无效，不作为有效报价
)

// Label is the Chinese name of a sealed quote's status.
func (s SealedStatus) Label() string {
	switch s {
	case SealedPending:
		return "密封中"
	case SealedOpened:
		return "有效"
	case SealedRejected:
		return "无效"
	}
	return string(s)
}

// SealedQuote is one bidder's sealed quote package. Amount is zero until
// the opening: before it the platform holds only the ciphertext.
type SealedQuote struct {
	SaleID         ids.ID
	RegistrationID ids.ID
	BidderNo       string
	Seq            int64           // the sale's commit order of the submission (ties)
	Digest         string          // SM3 of the header (seal.Header.Digest), signed by the bidder
	Header         json.RawMessage // the package's header, verbatim (what custodians decrypt)
	Package        []byte          // the whole sealed file
	At             time.Time
	LedgerIndex    int64 // the commitment to number and digest
	Status         SealedStatus
	Amount         money.Fen // after the opening
	Failure        string    // why it was rejected
}

// SaleShare is a custodian's decrypted share of one package's key.
type SaleShare struct {
	SaleID      ids.ID
	BidderNo    string
	CustodianID ids.ID
	Share       string // seal.Share JSON
	SubmittedAt time.Time
}

// QuoteForm is the plaintext of a sealed quote (the bid package's form).
type QuoteForm struct {
	Amount money.Fen `json:"amount"` // 报价（分）
}

// EncodeQuote is the form a bidder's client seals for amount.
func EncodeQuote(amount money.Fen) []byte {
	b, _ := json.Marshal(QuoteForm{Amount: amount})
	return b
}

// DecodeQuote reads an opened quote form.
func DecodeQuote(form []byte) (money.Fen, error) {
	var f QuoteForm
	d := json.NewDecoder(bytes.NewReader(form))
	d.DisallowUnknownFields()
	if err := d.Decode(&f); err != nil || d.More() {
		return 0, apperr.New(apperr.Invalid, "报价表单格式错误")
	}
	if f.Amount <= 0 {
		return 0, apperr.New(apperr.Invalid, "报价金额应大于零")
	}
	return f.Amount, nil
}

// CustodyInput names a sealed-quote sale's custodians and threshold.
type CustodyInput = party.CustodyInput

// SetCustody names the custodians of a sealed-quote sale, by the trading
// centre, before the quote window opens (a draft, or an announced sale
// before its start): once a quote may have been sealed to them they are
// fixed. Each must hold a valid registered custody key; they come from at
// least two organisations, so no single body can open quotes early.
func (s *Service) SetCustody(ctx context.Context, actor party.Actor, saleID ids.ID, in CustodyInput) (Custody, error) {
	if err := operatorOnly(actor, "指定一次报价的密钥保管人"); err != nil {
		return Custody{}, err
	}
	if err := in.Check(); err != nil {
		return Custody{}, err
	}
	if s.keys == nil {
		return Custody{}, apperr.New(apperr.Internal, "密钥登记服务未启用。")
	}
	now := s.clock.Now()
	// Keys are read first (the registry's own transactions); the sale is
	// changed in one transaction.
	type key struct{ fp, pem string }
	keys := map[ids.ID]key{}
	for _, u := range in.UserIDs {
		fp, pem, err := s.keys.CustodyKey(ctx, u, now)
		if err != nil {
			return Custody{}, err
		}
		keys[u] = key{fp, pem}
	}
	var c Custody
	err := s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		if sale.Mode != ModeSealed {
			return apperr.New(apperr.Conflict, "本宗交易的方式为%s，不使用密封报价。", sale.Mode.Label())
		}
		if sale.Status != StatusDraft && (sale.Status != StatusAnnounced || !now.Before(sale.StartAt)) {
			return apperr.Rule(apperr.Conflict, basisCustody, "报价已于%s（北京时间）开始，密钥保管人不能再更改。", clock.Format(sale.StartAt))
		}
		c = Custody{SaleID: sale.ID, Threshold: in.Threshold, WindowMinutes: in.WindowMinutes, SetAt: now, SetBy: actor.UserID}
		orgs := map[string]bool{}
		for _, id := range in.UserIDs {
			u, err := tx.GetUser(ctx, id)
			if err != nil {
				return err
			}
			if !party.CanHoldCustody(u.Role) || u.Disabled {
				return apperr.New(apperr.Invalid, "%s（%s）不能担任报价密钥保管人：保管人应为交易中心、行政监督部门或代理机构的在岗人员。", u.Name, u.Role.Label()).
					WithField("custodians", "不能担任保管人")
			}
			var e party.Entity
			if u.Role == party.RoleAgency && u.EntityID != "" {
				if e, err = tx.GetEntity(ctx, u.EntityID); err != nil {
					return err
				}
			}
			org, orgName := party.CustodianOrg(u, e)
			orgs[org] = true
			c.Custodians = append(c.Custodians, Custodian{UserID: id, Name: u.Name, Org: org, OrgName: orgName, Fingerprint: keys[id].fp, PublicKey: keys[id].pem})
		}
		if len(orgs) < 2 {
			return apperr.Rule(apperr.Invalid, basisCustody, "密钥保管人应来自至少两个不同单位（如交易中心、行政监督部门），任何一方都不能单独解密报价。").
				WithField("custodians", "应来自至少两个单位")
		}
		if err := tx.PutSaleCustody(ctx, c); err != nil {
			return err
		}
		_, err = record(ctx, tx, now, actor, "auction.custody_set", sale, c.public(), nil)
		return err
	})
	return c, err
}

// CustodyView is a sale's published custody and how far the decryption is.
type CustodyView struct {
	Sale    Sale // for Sealing; callers show only what Info shows
	Custody Custody
	Done    []ids.ID // custodians who have submitted their shares
	// Packages is the number of sealed quotes received, once the window has
	// closed (before, even their number is secret).
	Packages int
	Quotes   []SealedLine // after the opening
}

// SealedLine is a sealed quote as the opening record shows it.
type SealedLine struct {
	BidderNo string
	Seq      int64
	At       time.Time
	Digest   string
	Status   SealedStatus
	Amount   money.Fen
	Failure  string
	// LedgerIndex is the ledger's commitment to number and digest: the
	// bidder's receipt names it (revealed at the opening).
	LedgerIndex int64
}

// SaleCustody returns the sale's custody as published: anyone may read it
// once the sale is announced (bidders seal to it); the progress of the
// decryption is public.
func (s *Service) SaleCustody(ctx context.Context, actor party.Actor, saleID ids.ID) (CustodyView, error) {
	var v CustodyView
	err := s.store.Read(ctx, func(tx Tx) error {
		sale, err := tx.GetSale(ctx, saleID)
		if err != nil {
			return err
		}
		if sale.Status == StatusDraft && !manages(actor, sale) && !actor.IsStaff() {
			return apperr.NotFoundf("交易")
		}
		c, err := tx.GetSaleCustody(ctx, sale.ID)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.NotFoundf("本宗交易的报价密钥保管设置")
		}
		if err != nil {
			return err
		}
		v = CustodyView{Sale: sale, Custody: c}
		if sale.Status != StatusDecrypting && sale.Status != StatusClosed {
			return nil
		}
		qs, err := tx.ListSealedQuotes(ctx, sale.ID)
		if err != nil {
			return err
		}
		v.Packages = len(qs)
		shares, err := tx.ListSaleShares(ctx, sale.ID)
		if err != nil {
			return err
		}
		v.Done = custodiansDone(shares)
		if sale.Status == StatusClosed {
			for _, q := range qs {
				v.Quotes = append(v.Quotes, SealedLine{BidderNo: q.BidderNo, Seq: q.Seq, At: q.At, Digest: q.Digest, Status: q.Status, Amount: q.Amount, Failure: q.Failure})
			}
		}
		return nil
	})
	return v, err
}

func custodiansDone(shares []SaleShare) []ids.ID {
	seen := map[ids.ID]bool{}
	var out []ids.ID
	for _, sh := range shares {
		if !seen[sh.CustodianID] {
			seen[sh.CustodianID] = true
			out = append(out, sh.CustodianID)
		}
	}
	return out
}

// CustodySales lists the sales whose sealed quotes the actor holds a share
// of, announced ones only.
func (s *Service) CustodySales(ctx context.Context, actor party.Actor) ([]Sale, error) {
	if actor.UserID == "" {
		return nil, nil
	}
	var out []Sale
	err := s.store.Read(ctx, func(tx Tx) error {
		all, err := tx.ListCustodySales(ctx, actor.UserID)
		out = out[:0]
		for _, sale := range all {
			if sale.Status != StatusDraft {
				out = append(out, sale)
			}
		}
		return err
	})
	return out, err
}

// SealedReceipt is what the bidder gets for a sealed quote: the platform
// cannot read the amount, so the receipt names the package's digest.
type SealedReceipt struct {
	SaleID      ids.ID
	SaleCode    string
	BidderNo    string
	Digest      string
	Seq         int64
	At          time.Time
	LedgerIndex int64
}

// sealedOpen checks that a sale accepts sealed quotes at now: the window
// [StartAt, EndAt) of a sealed-quote sale.
func sealedOpen(sale Sale, now time.Time) error {
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
	return nil
}

// sealedIntake reads what a submission is checked against: the sale, its
// custody and the actor's registration, in the window.
func sealedIntake(ctx context.Context, tx Tx, actor party.Actor, saleID ids.ID, now time.Time) (Sale, Custody, Registration, error) {
	sale, err := tx.GetSale(ctx, saleID)
	if err != nil {
		return Sale{}, Custody{}, Registration{}, err
	}
	if err := sealedOpen(sale, now); err != nil {
		return Sale{}, Custody{}, Registration{}, err
	}
	c, err := tx.GetSaleCustody(ctx, sale.ID)
	if apperr.Is(err, apperr.NotFound) {
		return Sale{}, Custody{}, Registration{}, apperr.Rule(apperr.Conflict, basisCustody, "本宗交易尚未公布报价密钥保管人，暂不能密封报价，请联系交易中心。")
	}
	if err != nil {
		return Sale{}, Custody{}, Registration{}, err
	}
	reg, err := bidderReg(ctx, tx, actor, sale)
	return sale, c, reg, err
}

// SubmitSealed accepts a bidder's one sealed quote (一次报价) during the
// window [StartAt, EndAt): a sealed package (package seal) of the quote form
// (EncodeQuote), sealed to the sale's custodians on the bidder's side,
// bound to the sale and the bidder's number and signed with the bidder's
// registered key. The platform checks it and stores it; it cannot read the
// amount, which is checked against the listed price at the opening. The
// ledger gets a commitment to the number and the package's digest
// (revealed at the opening) and a confidential entry naming who submitted.
// One per bidder; it cannot be replaced.
func (s *Service) SubmitSealed(ctx context.Context, actor party.Actor, saleID ids.ID, pkg []byte) (SealedReceipt, error) {
	if s.keys == nil {
		return SealedReceipt{}, apperr.New(apperr.Internal, "密封报价服务未启用。")
	}
	var (
		sale Sale
		c    Custody
		reg  Registration
	)
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		sale, c, reg, err = sealedIntake(ctx, tx, actor, saleID, s.clock.Now())
		return err
	})
	if err != nil {
		return SealedReceipt{}, err
	}
	want, err := c.binding(sale, reg.BidderNo)
	if err != nil {
		return SealedReceipt{}, err
	}
	want.MaxSize = MaxSealedQuote
	keyOf := func(fp string) (*gm.PublicKey, error) { return s.keys.BidKey(ctx, actor.EntityID, fp, s.clock.Now()) }
	h, err := seal.Check(bytes.NewReader(pkg), want, keyOf, nil)
	if err != nil {
		return SealedReceipt{}, sealedRefusal(err)
	}
	var rc SealedReceipt
	err = s.store.WithTx(ctx, func(tx Tx) error {
		locked, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		sale, c2, reg2, err := sealedIntake(ctx, tx, actor, saleID, now)
		if err != nil {
			return err
		}
		if reg2.BidderNo != reg.BidderNo || !c2.SetAt.Equal(c.SetAt) {
			return apperr.New(apperr.Conflict, "报价密钥保管设置或竞买号牌已变化，请刷新后重新密封报价。")
		}
		sale.Seq = locked.Seq
		mine, err := tx.ListSealedQuotes(ctx, sale.ID)
		if err != nil {
			return err
		}
		for _, q := range mine {
			if q.BidderNo == reg.BidderNo {
				return apperr.Rule(apperr.Conflict, basisSealed, "一次报价只能提交一次，您已于%s提交，不能撤回或更改。", clock.Format(q.At))
			}
		}
		digest := h.Digest()
		idx, err := commitSecret(ctx, tx, now, map[string]any{"what": "sealed_quote", "sale": sale.Code, "bidder_no": reg.BidderNo, "package_sm3": digest, "seq": sale.Seq})
		if err != nil {
			return err
		}
		if _, err := recordConfidential(ctx, tx, now, actor, "auction.sealed_quote", map[string]any{"sale": sale.Code, "registration": reg.ID,
			"entity": reg.EntityID, "commitment": idx, "package_sm3": digest, "size": len(pkg)}); err != nil {
			return err
		}
		q := SealedQuote{SaleID: sale.ID, RegistrationID: reg.ID, BidderNo: reg.BidderNo, Seq: sale.Seq, Digest: digest, Header: h.Raw(),
			Package: pkg, At: now, LedgerIndex: idx, Status: SealedPending}
		if err := tx.AddSealedQuote(ctx, q); err != nil {
			return err
		}
		rc = SealedReceipt{SaleID: sale.ID, SaleCode: sale.Code, BidderNo: reg.BidderNo, Digest: digest, Seq: sale.Seq, At: now, LedgerIndex: idx}
		return nil
	})
	return rc, err
}

// sealedRefusal turns a seal check failure into the bidder's error.
func sealedRefusal(err error) error {
	var ce *seal.CheckError
	if errors.As(err, &ce) {
		reason := ce.Reason
		var ae *apperr.Error
		if errors.As(ce.Err, &ae) {
			reason = ae.Message // the key registry says why the signing key is not acceptable
		}
		reason = strings.NewReplacer("投标文件", "报价文件", "投标人", "竞买人", "标段", "交易").Replace(reason)
		return apperr.Rule(apperr.Invalid, basisSealed, "报价未按要求在竞买人一方加密并签名，平台拒收：%s。", reason)
	}
	if e := apperr.As(err); e.Code != apperr.Internal {
		return err
	}
	return fmt.Errorf("auction: sealed quote intake: %w", err)
}

// MySealedQuote is the actor's own sealed quote on a sale (without the
// package); NotFound when it has none.
func (s *Service) MySealedQuote(ctx context.Context, actor party.Actor, saleID ids.ID) (SealedLine, error) {
	var out SealedLine
	err := s.store.Read(ctx, func(tx Tx) error {
		if actor.Role != party.RoleBidder || actor.EntityID == "" {
			return apperr.Forbiddenf("只有竞买人有本人的报价。")
		}
		r, err := tx.GetSaleRegistrationByEntity(ctx, saleID, actor.EntityID)
		if err != nil {
			return err
		}
		qs, err := tx.ListSealedQuotes(ctx, saleID)
		if err != nil {
			return err
		}
		for _, q := range qs {
			if q.BidderNo != "" && q.BidderNo == r.BidderNo {
				out = SealedLine{BidderNo: q.BidderNo, Seq: q.Seq, At: q.At, Digest: q.Digest, Status: q.Status, Amount: q.Amount, Failure: q.Failure,
					LedgerIndex: q.LedgerIndex}
				return nil
			}
		}
		return apperr.NotFoundf("本单位的一次报价")
	})
	return out, err
}

// CloseSealed is the job at the end of the sealed window and at the end of
// the decryption window; idempotent. At the window's end a sale with
// sealed quotes turns to decrypting (custodians have WindowMinutes to
// submit their shares); one without concludes at once (no quote, no deal).
// At the decryption deadline it opens with the shares there are if k
// custodians have acted, and otherwise marks the sale stalled and records
// it: nothing is opened until an extension (ExtendDecryption) and more
// shares.
func (s *Service) CloseSealed(ctx context.Context, saleID ids.ID) error {
	return s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if sale.Mode != ModeSealed {
			return nil
		}
		switch sale.Status {
		case StatusAnnounced, StatusListing:
			if now.Before(sale.EndAt) {
				return &NotDueError{At: sale.EndAt}
			}
			return s.endWindow(ctx, tx, now, &sale)
		case StatusDecrypting:
			c, err := tx.GetSaleCustody(ctx, sale.ID)
			if err != nil {
				return err
			}
			if now.Before(c.DecryptBy) {
				return &NotDueError{At: c.DecryptBy}
			}
			if c.Stalled {
				return nil
			}
			opened, err := s.openQuotes(ctx, tx, now, party.System(), &sale, c, true)
			if err != nil || opened {
				return err
			}
			c.Stalled = true
			if err := tx.PutSaleCustody(ctx, c); err != nil {
				return err
			}
			shares, err := tx.ListSaleShares(ctx, sale.ID)
			if err != nil {
				return err
			}
			_, err = record(ctx, tx, now, party.System(), "auction.decryption_stalled", sale, map[string]any{"decrypt_by": c.DecryptBy,
				"custodians_done": len(custodiansDone(shares)), "threshold": c.Threshold,
				"note": "解密时限届满，提交解密份额的保管人少于门限，报价未开启；须由交易中心或行政监督部门决定延长解密时限。"}, nil)
			return err
		}
		return nil
	})
}

// endWindow ends the sealed window as of EndAt.
func (s *Service) endWindow(ctx context.Context, tx Tx, now time.Time, sale *Sale) error {
	qs, err := tx.ListSealedQuotes(ctx, sale.ID)
	if err != nil {
		return err
	}
	if len(qs) == 0 {
		o := rules.CloseSealed(nil, sale.Reserve, sale.HasReserve)
		sale.Quotes = 0
		return s.conclude(ctx, tx, now, party.System(), sale, o, StageSealed, sale.EndAt)
	}
	c, err := tx.GetSaleCustody(ctx, sale.ID)
	if err != nil {
		return err
	}
	start := sale.EndAt
	if now.After(start) {
		start = now // a late job still gives custodians the whole window
	}
	c.DecryptBy = start.Add(time.Duration(c.WindowMinutes) * time.Minute)
	if err := tx.PutSaleCustody(ctx, c); err != nil {
		return err
	}
	sale.Status, sale.UpdatedAt = StatusDecrypting, now
	if err := tx.UpdateSale(ctx, sale); err != nil {
		return err
	}
	if _, err := record(ctx, tx, now, party.System(), "auction.decryption_started", *sale, map[string]any{"as_of": sale.EndAt, "ran_at": now,
		"packages": len(qs), "decrypt_by": c.DecryptBy, "threshold": c.Threshold}, nil); err != nil {
		return err
	}
	if err := event(ctx, tx, *sale, EvDecrypting, now, state(*sale, now)); err != nil {
		return err
	}
	return s.enqueue(ctx, tx, jobs.AuctionCloseSealed, sale.ID, c.DecryptBy)
}

// decryptionOpen checks that the actor is a custodian of a sale whose
// sealed quotes may now be decrypted: never before the window's end.
func decryptionOpen(sale Sale, c Custody, actor party.Actor, now time.Time) (int, error) {
	i := c.Index(actor.UserID)
	if i < 0 {
		return i, apperr.Forbiddenf("您不是本宗交易的报价密钥保管人。")
	}
	if now.Before(sale.EndAt) || sale.Status == StatusAnnounced || sale.Status == StatusListing {
		return i, apperr.Rule(apperr.Deadline, basisSealed, "报价截止时间（%s，北京时间）前任何人不得解密报价。", clock.Format(sale.EndAt))
	}
	if sale.Status != StatusDecrypting {
		return i, apperr.New(apperr.Conflict, "本宗交易已不在报价解密阶段。")
	}
	return i, nil
}

// saleAndCustody reads a sale with its custody.
func saleAndCustody(ctx context.Context, tx Tx, saleID ids.ID) (Sale, Custody, error) {
	sale, err := tx.GetSale(ctx, saleID)
	if err != nil {
		return Sale{}, Custody{}, err
	}
	c, err := tx.GetSaleCustody(ctx, sale.ID)
	if apperr.Is(err, apperr.NotFound) {
		return sale, c, apperr.NotFoundf("本宗交易的报价密钥保管设置")
	}
	return sale, c, err
}

// CustodyEnvelopes lists, for a custodian after the window, each sealed
// quote's header (BidID is the bidder number): the custodian decrypts its
// own share on its own device (sealbid.OpenShares with the sale's ID).
func (s *Service) CustodyEnvelopes(ctx context.Context, actor party.Actor, saleID ids.ID) (Sale, []sealbid.Envelope, error) {
	now := s.clock.Now()
	var sale Sale
	var out []sealbid.Envelope
	err := s.store.Read(ctx, func(tx Tx) error {
		var c Custody
		var err error
		if sale, c, err = saleAndCustody(ctx, tx, saleID); err != nil {
			return err
		}
		i, err := decryptionOpen(sale, c, actor, now)
		if err != nil {
			return err
		}
		qs, err := tx.ListSealedQuotes(ctx, sale.ID)
		if err != nil {
			return err
		}
		out = out[:0]
		for _, q := range qs {
			out = append(out, sealbid.Envelope{BidID: q.BidderNo, Index: i, Header: q.Header})
		}
		return nil
	})
	return sale, out, err
}

// ShareInput is one decrypted share a custodian submits.
type ShareInput struct {
	BidderNo string
	Share    seal.Share
}

// SubmitShares records a custodian's decrypted shares (after the window
// only) and says how many custodians have, of the k needed. When enough
// have, the quotes are opened and the sale concluded in the same
// transaction (a quote package is a few hundred bytes).
func (s *Service) SubmitShares(ctx context.Context, actor party.Actor, saleID ids.ID, in []ShareInput) (done, threshold int, err error) {
	err = s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		c, err := tx.GetSaleCustody(ctx, sale.ID)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Forbiddenf("您不是本宗交易的报价密钥保管人。")
		}
		if err != nil {
			return err
		}
		i, err := decryptionOpen(sale, c, actor, now)
		if err != nil {
			return err
		}
		if len(in) == 0 {
			return apperr.New(apperr.Invalid, "未提交任何解密份额。")
		}
		qs, err := tx.ListSealedQuotes(ctx, sale.ID)
		if err != nil {
			return err
		}
		sealed := map[string]bool{}
		for _, q := range qs {
			sealed[q.BidderNo] = true
		}
		for _, sh := range in {
			if !sealed[sh.BidderNo] {
				return apperr.New(apperr.Invalid, "份额对应的报价（号牌 %s）不在本宗交易的待解密报价中。", sh.BidderNo)
			}
			if int(sh.Share.X) != i+1 {
				return apperr.New(apperr.Invalid, "份额编号 %d 与您在保管人中的序号 %d 不符。", sh.Share.X, i+1)
			}
			b, _ := json.Marshal(sh.Share)
			if err := tx.SaveSaleShare(ctx, SaleShare{SaleID: sale.ID, BidderNo: sh.BidderNo, CustodianID: actor.UserID, Share: string(b), SubmittedAt: now}); err != nil {
				return err
			}
		}
		shares, err := tx.ListSaleShares(ctx, sale.ID)
		if err != nil {
			return err
		}
		done, threshold = len(custodiansDone(shares)), c.Threshold
		if _, err := record(ctx, tx, now, actor, "auction.shares_submitted", sale, map[string]any{"custodian": c.Custodians[i].Name,
			"org": c.Custodians[i].OrgName, "shares": len(in), "custodians_done": done, "threshold": c.Threshold}, nil); err != nil {
			return err
		}
		_, err = s.openQuotes(ctx, tx, now, party.System(), &sale, c, false)
		return err
	})
	return done, threshold, err
}

// opened is the outcome of decrypting one sealed quote.
type opened struct {
	amount  money.Fen
	failure string
	retry   bool // the shares did not give the key: more shares may
}

// openQuotes opens every sealed quote with the custodians' shares and
// concludes the sale, when k custodians have acted. Unless final, it waits
// (returns false) while a package lacks k shares or its shares do not give
// its key, other custodians may still submit and the deadline is ahead.
// A package that does not open, or quotes below the listed price, is
// rejected with the reason; the others are the valid quotes, ranked in the
// order they were committed.
func (s *Service) openQuotes(ctx context.Context, tx Tx, now time.Time, actor party.Actor, sale *Sale, c Custody, final bool) (bool, error) {
	shares, err := tx.ListSaleShares(ctx, sale.ID)
	if err != nil {
		return false, err
	}
	done := custodiansDone(shares)
	if len(done) < c.Threshold {
		return false, nil
	}
	waiting := !final && len(done) < len(c.Custodians) && now.Before(c.DecryptBy)
	byNo := map[string][]seal.Share{}
	for _, r := range shares {
		var sh seal.Share
		if json.Unmarshal([]byte(r.Share), &sh) == nil {
			byNo[r.BidderNo] = append(byNo[r.BidderNo], sh)
		}
	}
	qs, err := tx.ListSealedQuotes(ctx, sale.ID)
	if err != nil {
		return false, err
	}
	results := make([]opened, len(qs))
	for i, q := range qs {
		if len(byNo[q.BidderNo]) < c.Threshold && waiting {
			return false, nil // another custodian may still bring the missing share
		}
		results[i] = openQuote(*sale, c, q, byNo[q.BidderNo])
		if results[i].retry && waiting {
			return false, nil
		}
	}
	var valid []Offer
	var rows []map[string]any
	for i, q := range qs {
		res := results[i]
		q.Amount, q.Failure, q.Status = res.amount, res.failure, SealedOpened
		if res.failure != "" {
			q.Status = SealedRejected
		}
		if err := tx.UpdateSealedQuote(ctx, q); err != nil {
			return false, err
		}
		if _, err := reveal(ctx, tx, now, *sale, q.LedgerIndex); err != nil {
			return false, err
		}
		row := map[string]any{"bidder_no": q.BidderNo, "seq": q.Seq, "at": q.At, "package_sm3": q.Digest, "status": q.Status}
		if q.Amount > 0 {
			row["amount"] = q.Amount
		}
		if q.Failure != "" {
			row["failure"] = q.Failure
		}
		rows = append(rows, row)
		if q.Status != SealedOpened {
			continue
		}
		o := Offer{SaleID: sale.ID, Seq: q.Seq, Stage: StageSealed, BidderNo: q.BidderNo, RegistrationID: q.RegistrationID, Amount: q.Amount, At: q.At, LedgerIndex: q.LedgerIndex}
		if err := tx.AddSaleOffer(ctx, o); err != nil {
			return false, err
		}
		valid = append(valid, o)
	}
	if _, err := record(ctx, tx, now, actor, "auction.quotes_opened", *sale, map[string]any{"as_of": sale.EndAt, "ran_at": now,
		"custodians_done": len(done), "threshold": c.Threshold, "listed": sale.StartPrice, "quotes": rows}, nil); err != nil {
		return false, err
	}
	o := rules.CloseSealed(quotes(valid), sale.Reserve, sale.HasReserve)
	sale.Quotes = len(valid)
	return true, s.conclude(ctx, tx, now, actor, sale, o, StageSealed, sale.EndAt)
}

// openQuote decrypts one sealed quote with its shares. A failure of the
// bidder's own making (a defective package, shares that do not give its
// key, content that does not authenticate or parse, an amount below the
// listed price) rejects the quote, with the reason.
func openQuote(sale Sale, c Custody, q SealedQuote, shares []seal.Share) opened {
	h, err := sealbid.Header(q.Header)
	if err != nil {
		return opened{failure: "报价文件封装格式错误"}
	}
	if len(shares) < c.Threshold {
		return opened{failure: fmt.Sprintf("仅有%d个有效密钥份额，少于解密门限%d", len(shares), c.Threshold)}
	}
	key, err := seal.RecoverKey(h, shares)
	if err != nil {
		return opened{failure: "密钥份额无法还原报价密钥：" + err.Error(), retry: true}
	}
	defer clear(key)
	want, err := c.binding(sale, q.BidderNo)
	if err != nil {
		return opened{failure: "平台保存的保管人公钥损坏"}
	}
	var plain bytes.Buffer
	if _, err := seal.Open(bytes.NewReader(q.Package), key, want, &plain); err != nil {
		return opened{failure: "报价文件解密失败：" + err.Error()}
	}
	pkg, err := seal.ReadPackage(&plain)
	if err != nil {
		return opened{failure: "报价文件内容无法读取"}
	}
	amount, err := DecodeQuote(pkg.Form())
	if err != nil {
		return opened{failure: "报价内容不完整：" + apperr.As(err).Message}
	}
	if amount < sale.StartPrice {
		return opened{amount: amount, failure: fmt.Sprintf("报价%s低于挂牌价%s（%s；%s）", amount, sale.StartPrice, rules.BasisSOAL55, rules.BasisO32)}
	}
	return opened{amount: amount}
}

// ExtendDecryption extends the decryption deadline of a sale by an audited
// decision of the trading centre or the supervising department, as for the
// tender's sealed bids.
func (s *Service) ExtendDecryption(ctx context.Context, actor party.Actor, saleID ids.ID, until time.Time, reason string) (Custody, error) {
	if actor.Role != party.RoleSupervisor && actor.Role != party.RoleOperator {
		return Custody{}, apperr.Forbiddenf("只有交易中心或行政监督部门可以决定延长报价解密时限。")
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < 4 {
		return Custody{}, apperr.Fields("请说明延长解密时限的理由。", map[string]string{"reason": "理由至少4个字。"})
	}
	var c Custody
	err := s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if sale.Status != StatusDecrypting {
			return apperr.New(apperr.Conflict, "本宗交易不在报价解密阶段。")
		}
		if c, err = tx.GetSaleCustody(ctx, sale.ID); err != nil {
			return err
		}
		if !until.After(now) || !until.After(c.DecryptBy) || until.Sub(now) > MaxDecryptWindow*time.Minute {
			return apperr.Fields("延长后的解密时限有误。", map[string]string{"until": fmt.Sprintf("应晚于现有时限（%s）和当前时间，且不超过24小时之后。", clock.Format(c.DecryptBy))})
		}
		old := c.DecryptBy
		c.DecryptBy, c.Stalled = until.UTC(), false
		if err := tx.PutSaleCustody(ctx, c); err != nil {
			return err
		}
		if _, err := record(ctx, tx, now, actor, "auction.decryption_extended", sale, map[string]any{"from": old, "until": c.DecryptBy, "reason": reason}, nil); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, jobs.AuctionCloseSealed, sale.ID, c.DecryptBy)
	})
	return c, err
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
