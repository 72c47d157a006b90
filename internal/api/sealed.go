package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/ids"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
	"ggzy/internal/sealbid"
	"ggzy/internal/tender"
	"ggzy/internal/upload"
)

// CustodyInput names a lot's custodians (user IDs) and threshold.
type CustodyInput struct {
	Custodians    []string `json:"custodians" doc:"密钥保管人的用户ID，按顺序；至少2人、来自至少两个单位"`
	Threshold     int      `json:"threshold,omitempty" doc:"解密门限 k（1 < k ≤ n），默认2"`
	WindowMinutes int      `json:"window_minutes,omitempty" doc:"解密时限（分钟，自投标截止起），默认60"`
}

// Custody is a lot's published custody, what a bidder's client seals to.
type Custody = sealbid.Custody

// CustodyView adds the decryption state.
type CustodyView struct {
	sealbid.Custody
	Status        string    `json:"status" doc:"标段状态"`
	WindowMinutes int       `json:"window_minutes"`
	DecryptBy     time.Time `json:"decrypt_by,omitzero" doc:"解密时限（开标后）"`
	Stalled       bool      `json:"stalled,omitempty" doc:"解密时限届满而未达门限"`
}

// Envelopes is what a custodian decrypts after the deadline.
type Envelopes struct {
	LotID       string             `json:"lot_id"`
	CustodianID string             `json:"custodian_id" doc:"本保管人的用户ID（解密份额时使用）"`
	Envelopes   []sealbid.Envelope `json:"envelopes"`
}

// SharesInput is a custodian's decrypted shares.
type SharesInput struct {
	Shares []sealbid.Share `json:"shares"`
}

// SharesResult says how far the decryption is.
type SharesResult struct {
	CustodiansDone int `json:"custodians_done" doc:"已提交份额的保管人数"`
	Threshold      int `json:"threshold"`
}

// ExtendInput extends the decryption window (an audited decision).
type ExtendInput struct {
	Until  time.Time `json:"until" doc:"新的解密时限（RFC 3339）"`
	Reason string    `json:"reason" doc:"决定理由"`
}

// UploadInput starts a resumable upload.
type UploadInput struct {
	Size int64 `json:"size" doc:"文件总字节数"`
}

// Upload is a resumable upload's state.
type Upload struct {
	ID     string `json:"upload_id"`
	Offset int64  `json:"offset" doc:"已接收字节数：从此处续传"`
	Size   int64  `json:"size"`
}

func custodyDTO(l tender.Lot) CustodyView {
	c := CustodyView{Custody: sealbid.Custody{LotID: string(l.ID), LotCode: l.Code, Deadline: l.BidDeadline}, Status: string(l.Status), DecryptBy: l.DecryptBy, Stalled: l.Stalled}
	if l.Custody != nil {
		c.Custody, c.WindowMinutes = l.Sealing(), l.Custody.WindowMinutes
	}
	return c
}

func (s *server) getCustody(c *call) (any, error) {
	v, err := s.d.Tender.ViewLot(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if v.Lot.Custody == nil {
		return nil, apperr.NotFoundf("本标段的密钥保管设置")
	}
	return custodyDTO(v.Lot), nil
}

func (s *server) setCustody(c *call) (any, error) {
	var in CustodyInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	uids := make([]ids.ID, len(in.Custodians))
	for i, u := range in.Custodians {
		uids[i] = ids.ID(u)
	}
	l, err := s.d.Tender.SetCustody(c.ctx(), c.actor, c.r.PathValue("id"), tender.CustodyInput{UserIDs: uids, Threshold: in.Threshold, WindowMinutes: in.WindowMinutes})
	if err != nil {
		return nil, err
	}
	return custodyDTO(l), nil
}

func (s *server) submitSealed(c *call) (any, error) {
	max := s.maxSealed()
	body := http.MaxBytesReader(c.w, c.r.Body, max)
	r, err := s.d.Tender.SubmitSealedBid(c.ctx(), c.actor, c.r.PathValue("id"), body, max)
	if err != nil {
		return nil, err
	}
	return receiptDTO(r), nil
}

func (s *server) maxSealed() int64 {
	if s.d.Uploads != nil {
		return s.d.Uploads.Max()
	}
	return s.d.MaxUpload
}

func (s *server) uploads() (*upload.Store, error) {
	if s.d.Uploads == nil {
		return nil, apperr.New(apperr.Internal, "断点续传服务未启用。")
	}
	return s.d.Uploads, nil
}

func uploadDTO(u upload.Session) Upload { return Upload{ID: u.ID, Offset: u.Offset, Size: u.Size} }

func (s *server) createUpload(c *call) (any, error) {
	up, err := s.uploads()
	if err != nil {
		return nil, err
	}
	if c.actor.Role != party.RoleBidder {
		return nil, apperr.Forbiddenf("只有投标单位可以上传投标文件。")
	}
	var in UploadInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	// Refuse early what the bid would be refused for (deadline, documents, deposit).
	if err := s.d.Tender.CheckBidUpload(c.ctx(), c.actor, c.r.PathValue("id")); err != nil {
		return nil, err
	}
	u, err := up.Create(string(c.actor.UserID), c.r.PathValue("id"), in.Size)
	if err != nil {
		return nil, err
	}
	return uploadDTO(u), nil
}

func (s *server) getUpload(c *call) (any, error) {
	up, err := s.uploads()
	if err != nil {
		return nil, err
	}
	u, err := up.Get(c.r.PathValue("uploadID"), string(c.actor.UserID))
	if err != nil {
		return nil, err
	}
	return uploadDTO(u), nil
}

func (s *server) appendUpload(c *call) (any, error) {
	up, err := s.uploads()
	if err != nil {
		return nil, err
	}
	off, err := strconv.ParseInt(c.r.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || off < 0 {
		return nil, apperr.Fields("请求头 Upload-Offset 应为续传位置（已接收字节数）。", map[string]string{"Upload-Offset": "应为非负整数。"})
	}
	u, err := up.Append(c.r.PathValue("uploadID"), string(c.actor.UserID), off, c.r.Body)
	var oe *upload.OffsetError
	if errors.As(err, &oe) {
		c.w.Header().Set("Upload-Offset", strconv.FormatInt(oe.Have, 10))
		return nil, apperr.New(apperr.Conflict, "%s", oe.Error()).WithField("Upload-Offset", strconv.FormatInt(oe.Have, 10))
	}
	if err != nil && apperr.CodeOf(err) == apperr.Internal {
		// The connection broke: what arrived is kept; say where to resume.
		c.w.Header().Set("Upload-Offset", strconv.FormatInt(u.Offset, 10))
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	c.w.Header().Set("Upload-Offset", strconv.FormatInt(u.Offset, 10))
	return uploadDTO(u), nil
}

func (s *server) completeUpload(c *call) (any, error) {
	up, err := s.uploads()
	if err != nil {
		return nil, err
	}
	id := c.r.PathValue("uploadID")
	f, u, err := up.Reader(id, string(c.actor.UserID))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := s.d.Tender.SubmitSealedBid(c.ctx(), c.actor, ids.ID(u.Subject), f, up.Max())
	if err != nil {
		return nil, err
	}
	up.Remove(id)
	return receiptDTO(r), nil
}

func (s *server) custodyEnvelopes(c *call) (any, error) {
	l, envs, err := s.d.Tender.CustodyEnvelopes(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if envs == nil {
		envs = []sealbid.Envelope{}
	}
	return Envelopes{LotID: string(l.ID), CustodianID: string(c.actor.UserID), Envelopes: envs}, nil
}

func (s *server) submitShares(c *call) (any, error) {
	var in SharesInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	sh := make([]tender.ShareInput, len(in.Shares))
	for i, x := range in.Shares {
		sh[i] = tender.ShareInput{BidID: ids.ID(x.BidID), Share: x.Share}
	}
	n, k, err := s.d.Tender.SubmitShares(c.ctx(), c.actor, c.r.PathValue("id"), sh)
	if err != nil {
		return nil, err
	}
	return SharesResult{CustodiansDone: n, Threshold: k}, nil
}

func (s *server) extendDecryption(c *call) (any, error) {
	var in ExtendInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	l, err := s.d.Tender.ExtendDecryption(c.ctx(), c.actor, c.r.PathValue("id"), in.Until, in.Reason)
	if err != nil {
		return nil, err
	}
	return custodyDTO(l), nil
}

// receiptDocument is the bidder's downloadable receipt: the ledger entry of
// its submission with the private part, a signed checkpoint covering it and
// the inclusion proof — `ggzy verify receipt` checks it offline.
func (s *server) receiptDocument(c *call) (any, error) {
	l, err := s.ledgerLog()
	if err != nil {
		return nil, err
	}
	r, e, err := s.d.Tender.ReceiptEntry(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	cp, err := l.CheckpointCovering(c.ctx(), e.Index)
	if err != nil {
		return nil, err
	}
	p, err := l.Inclusion(c.ctx(), uint64(e.Index), cp.Size)
	if err != nil {
		return nil, err
	}
	st, err := json.Marshal(receiptDTO(r))
	if err != nil {
		return nil, err
	}
	// Never hand out a receipt whose proof does not hold.
	leaf, err := e.LeafHash()
	if err != nil {
		return nil, err
	}
	if err := ledger.VerifyInclusion(uint64(e.Index), cp.Size, leaf, p, cp.Root); err != nil {
		return nil, fmt.Errorf("api: receipt proof for entry %d: %w", e.Index, err)
	}
	doc := ledger.NewReceipt(e, r.ContentHash, st, l.Origin(), cp.Note, p, s.d.LedgerKey.VerifierKey)
	c.w.Header().Set("Content-Disposition", `attachment; filename="receipt-`+r.LotCode+`-v`+strconv.Itoa(r.Version)+`.json"`)
	return doc, nil
}
