package tender

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/blob"
	"ggzy/internal/clock"
	"ggzy/internal/gm"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
	"ggzy/internal/rules"
	"ggzy/internal/seal"
	"ggzy/internal/sealbid"
)

// SealedFormat is a bid sealed on the bidder's side (package seal): SM4-GCM
// content, its key split among the lot's custodians, signed by the bidder.
const SealedFormat = "sealed-v1"

// Blobs stores files: sealed bids are streamed into a pending blob named by
// their signed digest.
type Blobs interface {
	Create(max int64) (*blob.Pending, error)
	Put(r io.Reader, max int64) (hash string, size int64, err error)
	PutUnsynced(r io.Reader, max int64) (hash string, size int64, err error)
	Sync(hashes ...string) error
	Open(hash string) (*os.File, error)
}

// binding is what a sealed bid for l by entity must be bound to.
func binding(l Lot, entityID ids.ID) (seal.Binding, error) {
	b := seal.Binding{LotID: string(l.ID), EntityID: string(entityID), Threshold: l.Custody.Threshold}
	for _, c := range l.Custody.Custodians {
		k, err := gm.ParsePublicKeyPEM([]byte(c.PublicKey))
		if err != nil {
			return b, fmt.Errorf("tender: custodian %s key: %w", c.UserID, err)
		}
		b.Custodians = append(b.Custodians, seal.Custodian{ID: string(c.UserID), Key: k})
	}
	return b, nil
}

// SubmitSealedBid streams a sealed bid file from r, checks it (format,
// binding to this lot and bidder and the lot's custody, integrity, the
// bidder's signature with a key registered and valid now) while storing it,
// and records the bid. The server never sees the content key. The submission
// time is when the transfer completed; a file completed after the deadline is
// refused.
func (s *Service) SubmitSealedBid(ctx context.Context, actor party.Actor, lotID ids.ID, r io.Reader, max int64) (Receipt, error) {
	if s.blobs == nil || s.keys == nil {
		return Receipt{}, apperr.New(apperr.Internal, "密封投标服务未启用。")
	}
	var p Participation
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		p, err = s.biddable(ctx, tx, actor, lotID, s.clock.Now())
		return err
	})
	if err != nil {
		return Receipt{}, err
	}
	if p.Lot.Custody == nil {
		return Receipt{}, apperr.New(apperr.Invalid, "本标段未设置密钥保管人，不接受加密投标文件。")
	}
	want, err := binding(p.Lot, actor.EntityID)
	if err != nil {
		return Receipt{}, err
	}
	want.MaxSize = max
	pending, err := s.blobs.Create(max)
	if err != nil {
		return Receipt{}, err
	}
	defer pending.Abort()
	keyOf := func(fp string) (*gm.PublicKey, error) { return s.keys.BidKey(ctx, actor.EntityID, fp, s.clock.Now()) }
	// Large buffers: the network delivers small reads, and a write system
	// call per read would cost more than hashing.
	out := bufio.NewWriterSize(pending, 1<<20)
	h, err := seal.Check(bufio.NewReaderSize(r, 256<<10), want, keyOf, out)
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		var ce *seal.CheckError
		if errors.As(err, &ce) {
			reason := ce.Reason
			var ae *apperr.Error
			if errors.As(ce.Err, &ae) {
				reason = ae.Message // the key registry says why the signing key is not acceptable
			}
			return Receipt{}, apperr.Rule(apperr.Invalid, basisEncrypt, "投标文件未按要求加密或签名，平台拒收：%s", reason)
		}
		if e := apperr.As(err); e.Code != apperr.Internal {
			return Receipt{}, err
		}
		return Receipt{}, fmt.Errorf("tender: sealed intake: %w", err)
	}
	digest := h.Digest()
	size, err := pending.Commit(digest)
	if err != nil {
		return Receipt{}, err
	}
	content, err := json.Marshal(sealedEnvelope{Blob: digest, Size: size, Header: h.Raw()})
	if err != nil {
		return Receipt{}, err
	}
	return s.recordBid(ctx, actor, lotID, SealedFormat, content, digest, nil, nil)
}

// recordBid stores a bid version and its confidential ledger entry; check,
// when given, validates the content against the lot inside the transaction.
func (s *Service) recordBid(ctx context.Context, actor party.Actor, lotID ids.ID, format string, content []byte, hash string, files []BidFile, check func(Lot) error) (Receipt, error) {
	now := s.clock.Now()
	var r Receipt
	err := s.store.WithTx(ctx, func(tx Tx) error {
		p, err := s.biddable(ctx, tx, actor, lotID, now)
		if err != nil {
			return err
		}
		l := p.Lot
		if check != nil {
			if err := check(l); err != nil {
				return err
			}
		}
		if !p.Access {
			return apperr.New(apperr.Conflict, "请先获取招标文件，再递交投标文件。")
		}
		if l.Security > 0 && !p.Deposited {
			return s.ruleErr(apperr.Conflict, rules.SecurityCap, "本标段要求提交投标保证金%s，请先登记保证金缴纳信息。", l.Security)
		}
		if (l.Custody != nil) != (format == SealedFormat) {
			return apperr.Rule(apperr.Invalid, basisEncrypt, "本标段要求投标文件在投标人一方加密（%s），未加密的投标文件平台拒收。", SealedFormat)
		}
		isNew := p.Bid == nil
		b := Bid{ID: s.ids.New(now), LotID: l.ID, EntityID: actor.EntityID}
		if !isNew {
			b = *p.Bid
		}
		b.Version++
		b.Status, b.Format, b.Content, b.ContentHash, b.Files, b.SubmittedAt = BidSubmitted, format, content, hash, files, now
		idx, err := recordConfidential(ctx, tx, now, actor, l.ID, "bid.submitted", map[string]any{
			"lot": l.Code, "entity": actor.EntityID, "bid": b.ID, "version": b.Version, "format": format, "content_sm3": b.ContentHash, "files": files})
		if err != nil {
			return err
		}
		b.ReceiptSeq = idx
		if isNew {
			err = tx.CreateBid(ctx, b)
		} else {
			err = tx.UpdateBid(ctx, b)
		}
		r = Receipt{BidID: b.ID, LotID: l.ID, LotCode: l.Code, EntityID: b.EntityID, Version: b.Version, ContentHash: b.ContentHash, SubmittedAt: now, LedgerIndex: idx}
		return err
	})
	return r, err
}

// decryptionOpen checks that the actor is a custodian of a lot whose bids may
// now be decrypted: never before the deadline (招标投标法第三十四条).
func decryptionOpen(l Lot, actor party.Actor, now time.Time) (int, error) {
	i := l.CustodianIndex(actor.UserID)
	if i < 0 {
		return i, apperr.Forbiddenf("您不是本标段的投标文件密钥保管人。")
	}
	if now.Before(l.BidDeadline) || l.Status == Bidding {
		return i, apperr.Rule(apperr.Deadline, basisOpening, "投标截止时间（%s，北京时间）前任何人不得解密投标文件。", clock.Format(l.BidDeadline))
	}
	if l.Status != Decrypting {
		return i, apperr.New(apperr.Conflict, "本标段已不在解密阶段。")
	}
	return i, nil
}

// CustodyEnvelopes lists, for a custodian after the deadline, each sealed
// bid's header: the custodian decrypts its own share on its own device.
func (s *Service) CustodyEnvelopes(ctx context.Context, actor party.Actor, lotID ids.ID) (Lot, []sealbid.Envelope, error) {
	now := s.clock.Now()
	var l Lot
	var out []sealbid.Envelope
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if l, err = tx.GetLot(ctx, lotID); err != nil {
			return err
		}
		i, err := decryptionOpen(l, actor, now)
		if err != nil {
			return err
		}
		bids, err := tx.ListBids(ctx, l.ID)
		if err != nil {
			return err
		}
		for _, b := range bids {
			if b.Status != BidSubmitted || b.Format != SealedFormat {
				continue
			}
			e, err := decodeEnvelope(b)
			if err != nil {
				return err
			}
			out = append(out, sealbid.Envelope{BidID: string(b.ID), Index: i, Header: e.Header})
		}
		return nil
	})
	return l, out, err
}

// ShareInput is one decrypted share a custodian submits.
type ShareInput struct {
	BidID ids.ID
	Share seal.Share
}

// SubmitShares records a custodian's decrypted shares of the lot's bid keys
// (after the deadline only) and says how many custodians have, of the k
// needed. When enough have, the decryption job runs.
func (s *Service) SubmitShares(ctx context.Context, actor party.Actor, lotID ids.ID, in []ShareInput) (done, threshold int, err error) {
	now := s.clock.Now()
	err = s.store.WithTx(ctx, func(tx Tx) error {
		l, err := tx.GetLot(ctx, lotID)
		if err != nil {
			return err
		}
		i, err := decryptionOpen(l, actor, now)
		if err != nil {
			return err
		}
		bids, err := tx.ListBids(ctx, l.ID)
		if err != nil {
			return err
		}
		sealed := map[ids.ID]bool{}
		for _, b := range bids {
			if b.Status == BidSubmitted && b.Format == SealedFormat {
				sealed[b.ID] = true
			}
		}
		if len(in) == 0 {
			return apperr.New(apperr.Invalid, "未提交任何解密份额。")
		}
		for _, sh := range in {
			if !sealed[sh.BidID] {
				return apperr.New(apperr.Invalid, "份额对应的投标文件 %s 不在本标段的待解密投标文件中。", sh.BidID)
			}
			if int(sh.Share.X) != i+1 {
				return apperr.New(apperr.Invalid, "份额编号 %d 与您在保管人中的序号 %d 不符。", sh.Share.X, i+1)
			}
			b, _ := json.Marshal(sh.Share)
			if err := tx.SaveShare(ctx, ShareRecord{LotID: l.ID, BidID: sh.BidID, CustodianID: actor.UserID, Share: string(b), SubmittedAt: now}); err != nil {
				return err
			}
		}
		custodians, err := tx.ListShareCustodians(ctx, l.ID)
		if err != nil {
			return err
		}
		done, threshold = len(custodians), l.Custody.Threshold
		if _, err := record(ctx, tx, now, actor, "tender.shares_submitted", l.Code, map[string]any{"lot": l.Code, "custodian": l.Custody.Custodians[i].Name, "custodian_id": actor.UserID,
			"shares": len(in), "custodians_done": done, "threshold": l.Custody.Threshold}, nil); err != nil {
			return err
		}
		if done >= l.Custody.Threshold {
			return s.enqueue(ctx, tx, jobs.DecryptBids, l.ID, now)
		}
		return nil
	})
	return done, threshold, err
}

// openedSealed is the outcome of decrypting one bid.
type openedSealed struct {
	status  BidStatus
	content BidContent
	files   []BidFile
	failure string
}

// DecryptBids recovers each sealed bid's key from the custodians' shares,
// decrypts the bids and publishes the opening record. It runs as a job once
// k custodians have submitted; the heavy work happens outside any
// transaction, and the result is recorded once (a second run does nothing).
// It waits while some bid still lacks k shares, other custodians may still
// submit and the window is open.
func (s *Service) DecryptBids(ctx context.Context, lotID ids.ID) error {
	now := s.clock.Now()
	var l Lot
	var bids []Bid
	var shares []ShareRecord
	var done []ids.ID
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if l, err = tx.GetLot(ctx, lotID); err != nil {
			return err
		}
		if l.Status != Decrypting {
			return nil
		}
		if bids, err = tx.ListBids(ctx, l.ID); err != nil {
			return err
		}
		if shares, err = tx.ListShares(ctx, l.ID); err != nil {
			return err
		}
		done, err = tx.ListShareCustodians(ctx, l.ID)
		return err
	})
	if err != nil || l.Status != Decrypting {
		return err
	}
	k := l.Custody.Threshold
	if len(done) < k {
		return nil
	}
	byBid := map[ids.ID][]seal.Share{}
	for _, r := range shares {
		var sh seal.Share
		if json.Unmarshal([]byte(r.Share), &sh) == nil {
			byBid[r.BidID] = append(byBid[r.BidID], sh)
		}
	}
	waiting := len(done) < len(l.Custody.Custodians) && now.Before(l.DecryptBy)
	var todo []Bid
	for _, b := range bids {
		if b.Status != BidSubmitted {
			continue
		}
		if len(byBid[b.ID]) < k && waiting {
			return nil // another custodian may still bring the missing share
		}
		todo = append(todo, b)
	}
	// Bids decrypt independently, one per core; the decrypted files are made
	// durable by one more goroutine meanwhile, so the disk works while the
	// CPU decrypts, and all before the opening is recorded.
	results := make(map[ids.ID]openedSealed, len(todo))
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan Bid)
	toSync := make(chan []string, len(todo))
	synced := make(chan error, 1)
	go func() {
		var first error
		for hs := range toSync {
			if err := s.blobs.Sync(hs...); err != nil && first == nil {
				first = err
			}
		}
		synced <- first
	}()
	for range min(runtime.GOMAXPROCS(0), max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				res := s.openSealed(l, b, byBid[b.ID])
				var hs []string
				for _, f := range res.files {
					hs = append(hs, f.Hash)
				}
				toSync <- hs
				mu.Lock()
				results[b.ID] = res
				mu.Unlock()
			}
		}()
	}
	for _, b := range todo {
		next <- b
	}
	close(next)
	wg.Wait()
	close(toSync)
	if err := <-synced; err != nil {
		return err
	}
	for _, res := range results {
		if res.status == BidSubmitted && waiting {
			return nil // a key check failed: more shares may settle it
		}
	}
	return s.store.WithTx(ctx, func(tx Tx) error {
		l, p, err := lotAndProject(ctx, tx, lotID)
		if err != nil {
			return err
		}
		if l.Status != Decrypting {
			return nil
		}
		bids, err := tx.ListBids(ctx, l.ID)
		if err != nil {
			return err
		}
		var active []Bid
		for _, b := range bids {
			if b.Status != BidSubmitted {
				continue
			}
			res, ok := results[b.ID]
			if !ok {
				return fmt.Errorf("tender: bid %s appeared during decryption", b.ID)
			}
			switch res.status {
			case BidOpened:
				b.Status, b.Opened, b.Files = BidOpened, &OpenedBid{BidContent: res.content}, res.files
			case BidWithdrawn:
				b.Status, b.Opened = BidWithdrawn, &OpenedBid{Failure: res.failure}
			default:
				b.Status, b.Opened = BidRevoked, &OpenedBid{Failure: res.failure}
			}
			active = append(active, b)
		}
		op := Opening{LotID: l.ID, AsOf: l.BidDeadline, RanAt: l.OpenedAt, BidderCount: len(active)}
		return s.publishOpening(ctx, tx, party.System(), now, p, l, &op, active)
	})
}

// openSealed decrypts one bid. A failure of the bidder's own making (a
// defective envelope, shares that do not give its key, content that does not
// authenticate or parse) revokes the bid; a failure of the platform (its
// stored file is gone) counts as withdrawn (电子招标投标办法第三十一条).
// Status BidSubmitted means the key check failed (maybe more shares help).
func (s *Service) openSealed(l Lot, b Bid, shares []seal.Share) openedSealed {
	revoked := func(why string) openedSealed { return openedSealed{status: BidRevoked, failure: why} }
	env, err := decodeEnvelope(b)
	if err != nil {
		return openedSealed{status: BidWithdrawn, failure: "平台保存的投标文件描述损坏"}
	}
	h, err := sealbid.Header(env.Header)
	if err != nil {
		return revoked("投标文件封装格式错误")
	}
	if len(shares) < l.Custody.Threshold {
		return revoked(fmt.Sprintf("仅有%d个有效密钥份额，少于解密门限%d", len(shares), l.Custody.Threshold))
	}
	key, err := seal.RecoverKey(h, shares)
	if err != nil {
		return openedSealed{status: BidSubmitted, failure: "密钥份额无法还原投标文件密钥：" + err.Error()}
	}
	defer clear(key)
	want, err := binding(l, b.EntityID)
	if err != nil {
		return openedSealed{status: BidWithdrawn, failure: "平台保存的保管人公钥损坏"}
	}
	f, err := s.blobs.Open(env.Blob)
	if err != nil {
		return openedSealed{status: BidWithdrawn, failure: "平台未能读取已接收的投标文件"}
	}
	defer f.Close()
	pr, pw := io.Pipe()
	go func() {
		_, err := seal.Open(f, key, want, pw)
		pw.CloseWithError(err)
	}()
	defer pr.Close()
	form, files, err := s.unpack(pr)
	if err != nil {
		return revoked("投标文件解密或读取失败：" + apperr.As(err).Message)
	}
	c, err := decodePlain(l, form)
	if err != nil {
		return revoked("投标文件内容不完整：" + fieldMessages(err))
	}
	return openedSealed{status: BidOpened, content: c, files: files}
}

// unpack reads a decrypted bid package: the form and its files (stored).
func (s *Service) unpack(r io.Reader) ([]byte, []BidFile, error) {
	pkg, err := seal.ReadPackage(r)
	if err != nil {
		return nil, nil, err
	}
	form := pkg.Form()
	var files []BidFile
	for {
		name, size, body, err := pkg.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		hash, n, err := s.blobs.PutUnsynced(body, size) // synced together before the opening is recorded
		if err != nil {
			return nil, nil, err
		}
		files = append(files, BidFile{Name: name, Size: n, Hash: hash})
	}
	return form, files, nil
}

// revealConfidential discloses every confidential entry about the lot
// (documents obtained, deposits, every bid version and withdrawal, objections
// to the documents and their answers): after the opening the secrecy of
// 招标投标法第二十二条 has ended, and anyone can check each against the
// commitment made at the time.
func (s *Service) revealConfidential(ctx context.Context, tx Tx, now time.Time, l Lot) error {
	idxs, err := tx.ListConfidential(ctx, l.ID)
	if err != nil {
		return err
	}
	for _, idx := range idxs {
		es, err := tx.ListLedger(ctx, "", idx, 1)
		if err != nil {
			return err
		}
		if len(es) != 1 || es[0].Index != idx {
			return fmt.Errorf("tender: confidential ledger entry %d of lot %s missing", idx, l.ID)
		}
		e, err := ledger.Seal(ledger.RevealDraft(es[0], l.Code), now)
		if err != nil {
			return err
		}
		if _, err := tx.AppendLedger(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// ReceiptEntry returns the bidder's own current bid with the ledger entry its
// receipt refers to, private part included (it is the bidder's own
// submission), so the bidder can keep a receipt that verifies offline.
func (s *Service) ReceiptEntry(ctx context.Context, actor party.Actor, lotID ids.ID) (Receipt, ledger.Entry, error) {
	v, err := s.ViewLot(ctx, actor, lotID)
	if err != nil {
		return Receipt{}, ledger.Entry{}, err
	}
	if v.MyReceipt == nil {
		return Receipt{}, ledger.Entry{}, apperr.NotFoundf("本单位的投标回执")
	}
	r := *v.MyReceipt
	var e ledger.Entry
	err = s.store.Read(ctx, func(tx Tx) error {
		es, err := tx.ListLedger(ctx, "", r.LedgerIndex, 1)
		if err != nil {
			return err
		}
		if len(es) != 1 || es[0].Index != r.LedgerIndex {
			return fmt.Errorf("tender: receipt entry %d missing", r.LedgerIndex)
		}
		e = es[0]
		return nil
	})
	return r, e, err
}

// fieldMessages is an error's per-field messages (or its message), for a
// record that has no form to show them next to.
func fieldMessages(err error) string {
	e := apperr.As(err)
	if len(e.Fields) == 0 {
		return e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(e.Fields[k])
	}
	return b.String()
}
