package tender

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/gm"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/party"
	"ggzy/internal/sealbid"
)

// Decrypting is the state between the opening (the deadline) and the
// publication of the opening record: custodians are decrypting their shares.
const Decrypting Status = "decrypting" // 解密中

// Custody defaults (DESIGN.md §6.2) and bounds of the decryption window,
// which the tender documents set (电子招标投标办法第三十条).
const (
	DefaultCustodians    = 3
	DefaultThreshold     = party.DefaultThreshold
	DefaultDecryptWindow = party.DefaultDecryptWindow // minutes
	MinDecryptWindow     = party.MinDecryptWindow
	MaxDecryptWindow     = party.MaxDecryptWindow
)

// Legal bases quoted by the custody rules.
const (
	basisEncrypt = "《电子招标投标办法》第二十六条"
	basisDecrypt = "《电子招标投标办法》第三十条"
	basisFailure = "《电子招标投标办法》第三十一条"
	basisOpening = "《招标投标法》第三十四条"
)

// Keys looks up registered public keys (the party registry): a bidder's
// signing key and a custodian's share key, valid at a given time.
type Keys interface {
	BidKey(ctx context.Context, entityID ids.ID, fingerprint string, at time.Time) (*gm.PublicKey, error)
	CustodyKey(ctx context.Context, userID ids.ID, at time.Time) (fingerprint, pem string, err error)
	// SignKey is a committee member's registered sheet-signing key.
	SignKey(ctx context.Context, userID ids.ID, fingerprint string, at time.Time) (*gm.PublicKey, error)
}

// CustodyInput names a lot's custodians and threshold.
type CustodyInput = party.CustodyInput

// custodianOrg is the organisation a custodian acts for; custodians of one lot
// must come from at least two, so no single body can open bids early.
func custodianOrg(ctx context.Context, tx Tx, u party.User) (key, name string, err error) {
	switch u.Role {
	case party.RoleAgency:
		e, err := tx.GetEntity(ctx, u.EntityID)
		if err != nil {
			return "", "", err
		}
		return "entity:" + string(u.EntityID), e.Name, nil
	case party.RoleOperator:
		return "centre", "交易中心", nil
	case party.RoleSupervisor:
		return "dept:" + u.Department, u.Department + "行政监督部门", nil
	}
	return "", "", apperr.New(apperr.Invalid, "%s（%s）不能担任投标文件密钥保管人：保管人应为招标代理机构、交易中心或行政监督部门的工作人员。", u.Name, u.Role.Label())
}

// SetCustody names the custodians of a draft lot's bid keys. Each must hold a
// valid registered custody key; the set and threshold become part of the
// tender notice and of the ledger.
func (s *Service) SetCustody(ctx context.Context, actor party.Actor, lotID ids.ID, in CustodyInput) (Lot, error) {
	if err := in.Check(); err != nil {
		return Lot{}, err
	}
	now := s.clock.Now()
	// Keys are read first (another context's store); the lot is changed in one transaction.
	type key struct{ fp, pem string }
	keys := map[ids.ID]key{}
	for _, u := range in.UserIDs {
		if s.keys == nil {
			return Lot{}, apperr.New(apperr.Internal, "密钥登记服务未启用。")
		}
		fp, pem, err := s.keys.CustodyKey(ctx, u, now)
		if err != nil {
			return Lot{}, err
		}
		keys[u] = key{fp, pem}
	}
	var out Lot
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, _, err := managedLot(ctx, tx, actor, lotID, "设置投标文件密钥保管人", Draft, "标段已发布，密钥保管人随招标公告公布后不能更改。")
		if err != nil {
			return err
		}
		c := &Custody{Threshold: in.Threshold, WindowMinutes: in.WindowMinutes}
		orgs := map[string]bool{}
		for _, id := range in.UserIDs {
			u, err := tx.GetUser(ctx, id)
			if err != nil {
				return err
			}
			org, orgName, err := custodianOrg(ctx, tx, u)
			if err != nil {
				return err
			}
			orgs[org] = true
			k := keys[id]
			c.Custodians = append(c.Custodians, Custodian{UserID: id, Name: u.Name, Org: org, OrgName: orgName, Fingerprint: k.fp, PublicKey: k.pem})
		}
		if len(orgs) < 2 {
			return apperr.New(apperr.Invalid, "密钥保管人应来自至少两个不同单位（如代理机构、交易中心、行政监督部门），任何一方都不能单独解密投标文件。")
		}
		l.Custody, l.UpdatedAt = c, now
		if err := tx.UpdateLot(ctx, &l); err != nil {
			return err
		}
		if err := tx.SetCustodians(ctx, l.ID, in.UserIDs); err != nil {
			return err
		}
		out = l
		pub := publicCustody(c)
		pub["lot"] = l.Code
		_, err = record(ctx, tx, now, actor, "lot.custody_set", l.Code, pub, nil)
		return err
	})
	return out, err
}

// CustodianIndex is the user's position among the lot's custodians (share
// x = index+1), or -1 when the user holds no share of its bids.
func (l Lot) CustodianIndex(userID ids.ID) int {
	if l.Custody == nil || userID == "" {
		return -1
	}
	for i, c := range l.Custody.Custodians {
		if c.UserID == userID {
			return i
		}
	}
	return -1
}

// startDecryption ends bidding on a lot with sealed bids: nobody could read
// them until now; custodians have until DecryptBy to submit their shares
// (电子招标投标办法第三十条).
func (s *Service) startDecryption(ctx context.Context, tx Tx, actor party.Actor, now time.Time, l Lot, bidders int) error {
	start := l.BidDeadline
	if now.After(start) {
		start = now // a late job still gives custodians the whole window
	}
	l.Status, l.OpenedAt, l.UpdatedAt = Decrypting, now, now
	l.DecryptBy = start.Add(time.Duration(l.Custody.WindowMinutes) * time.Minute)
	if err := tx.UpdateLot(ctx, &l); err != nil {
		return err
	}
	if err := s.warnIfLate(ctx, tx, now, l); err != nil {
		return err
	}
	if _, err := record(ctx, tx, now, actor, "tender.decryption_started", l.Code, map[string]any{"lot": l.Code, "as_of": l.BidDeadline, "ran_at": now,
		"bidders": bidders, "decrypt_by": l.DecryptBy, "threshold": l.Custody.Threshold}, nil); err != nil {
		return err
	}
	return s.enqueue(ctx, tx, jobs.DecryptionDue, l.ID, l.DecryptBy)
}

// CheckDecryption runs at the end of the decryption window: a lot still
// waiting for custodians is marked stalled and the supervisor is alerted.
func (s *Service) CheckDecryption(ctx context.Context, lotID ids.ID) error {
	now := s.clock.Now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		l, err := tx.GetLot(ctx, lotID)
		if err != nil {
			return err
		}
		if l.Status != Decrypting || l.Stalled {
			return nil
		}
		if now.Before(l.DecryptBy) {
			return &NotDueError{At: l.DecryptBy, Err: apperr.New(apperr.Deadline, "解密时限尚未届满。")}
		}
		got, err := tx.ListShareCustodians(ctx, l.ID)
		if err != nil {
			return err
		}
		if len(got) >= l.Custody.Threshold {
			// Enough custodians: decrypt with what there is.
			return s.enqueue(ctx, tx, jobs.DecryptBids, l.ID, now)
		}
		l.Stalled, l.UpdatedAt = true, now
		if err := tx.UpdateLot(ctx, &l); err != nil {
			return err
		}
		msg := fmt.Sprintf("标段 %s 解密时限（%s）已届满，仅%d名密钥保管人提交解密份额，少于门限%d，开标停滞；请行政监督部门督促保管人或作出延长解密时限的决定。",
			l.Code, clock.Format(l.DecryptBy), len(got), l.Custody.Threshold)
		if err := tx.CreateWarning(ctx, Warning{ID: s.ids.New(now), LotID: l.ID, Kind: "decryption.stalled", Message: msg, Basis: basisDecrypt, CreatedAt: now}); err != nil {
			return err
		}
		_, err = record(ctx, tx, now, party.System(), "tender.decryption_stalled", l.Code, map[string]any{"lot": l.Code, "decrypt_by": l.DecryptBy, "custodians_done": len(got), "threshold": l.Custody.Threshold}, nil)
		return err
	})
}

// ExtendDecryption extends the decryption window of a lot by an audited
// decision of the supervising department or the trading centre.
func (s *Service) ExtendDecryption(ctx context.Context, actor party.Actor, lotID ids.ID, until time.Time, reason string) (Lot, error) {
	if actor.Role != party.RoleSupervisor && actor.Role != party.RoleOperator {
		return Lot{}, apperr.Forbiddenf("只有行政监督部门或交易中心可以决定延长解密时限。")
	}
	if len([]rune(reason)) < 4 {
		return Lot{}, apperr.Fields("请说明延长解密时限的理由。", map[string]string{"reason": "理由至少4个字。"})
	}
	now := s.clock.Now()
	var out Lot
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, err := tx.GetLot(ctx, lotID)
		if err != nil {
			return err
		}
		if l.Status != Decrypting {
			return apperr.New(apperr.Conflict, "该标段不在解密阶段。")
		}
		if !until.After(now) || !until.After(l.DecryptBy) || until.Sub(now) > MaxDecryptWindow*time.Minute {
			return apperr.Fields("延长后的解密时限有误。", map[string]string{"until": fmt.Sprintf("应晚于现有时限（%s）和当前时间，且不超过24小时之后。", clock.Format(l.DecryptBy))})
		}
		old := l.DecryptBy
		l.DecryptBy, l.Stalled, l.UpdatedAt = until, false, now
		if err := tx.UpdateLot(ctx, &l); err != nil {
			return err
		}
		out = l
		if _, err := record(ctx, tx, now, actor, "tender.decryption_extended", l.Code, map[string]any{"lot": l.Code, "from": old, "until": until, "reason": reason}, nil); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, jobs.DecryptionDue, l.ID, until)
	})
	return out, err
}

// Sealing is the lot's custody as published (GET /api/v1/lots/{id}/custody):
// what a bidder's client seals to. Only for a lot with custody.
func (l Lot) Sealing() sealbid.Custody {
	c := sealbid.Custody{LotID: string(l.ID), LotCode: l.Code, Deadline: l.BidDeadline, Threshold: l.Custody.Threshold}
	for _, cu := range l.Custody.Custodians {
		c.Custodians = append(c.Custodians, sealbid.Custodian{UserID: string(cu.UserID), Name: cu.Name, OrgName: cu.OrgName, Fingerprint: cu.Fingerprint, PublicKey: cu.PublicKey})
	}
	return c
}

// sealedEnvelope is a sealed bid's stored descriptor (Bid.Content).
type sealedEnvelope struct {
	Blob   string          `json:"blob"` // SM3 of the sealed file
	Size   int64           `json:"size"`
	Header json.RawMessage `json:"header"` // the sealed file's header, verbatim
}

func decodeEnvelope(b Bid) (sealedEnvelope, error) {
	var e sealedEnvelope
	if err := json.Unmarshal(b.Content, &e); err != nil || e.Blob == "" {
		return e, fmt.Errorf("tender: bid %s: bad sealed descriptor", b.ID)
	}
	return e, nil
}

// publicCustody is the custody as the notice and the ledger publish it:
// threshold, window, and each custodian's name, organisation and key
// fingerprint (the keys themselves are in the public key registry).
func publicCustody(c *Custody) map[string]any {
	if c == nil {
		return nil
	}
	var cs []map[string]any
	for _, cu := range c.Custodians {
		cs = append(cs, map[string]any{"name": cu.Name, "org": cu.OrgName, "key": cu.Fingerprint})
	}
	return map[string]any{"threshold": c.Threshold, "window_minutes": c.WindowMinutes, "custodians": cs}
}

// CustodyLots lists the published lots whose bid keys the actor holds a
// share of, whichever agency runs them.
func (s *Service) CustodyLots(ctx context.Context, actor party.Actor) ([]Lot, error) {
	if actor.UserID == "" {
		return nil, nil
	}
	var out []Lot
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListLots(ctx, LotFilter{Custodian: actor.UserID, Published: true})
		return err
	})
	return out, err
}

// CustodiansDone lists the custodians who have submitted their shares of a
// lot's bid keys (the decryption's public progress).
func (s *Service) CustodiansDone(ctx context.Context, lotID ids.ID) ([]ids.ID, error) {
	var out []ids.ID
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListShareCustodians(ctx, lotID)
		return err
	})
	return out, err
}
