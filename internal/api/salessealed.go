package api

import (
	"errors"
	"io"
	"net/http"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/ids"
	"ggzy/internal/sealbid"
)

// ---- one sealed quote (一次报价) of a sale under k-of-n custody: the same
// protocol as the tender's sealed bids (sealed.go), with the sale's ID in
// the lot field of the custody and the bidder number as the sealed
// package's bidder. Routes are rows of saleRoutes (sales.go).

// SaleCustodyView is a sale's published custody (what a bidder's client
// seals to: lot_id is the sale's ID, bid_deadline the end of the quote
// window) and the decryption's state; after the opening, the opening record.
type SaleCustodyView struct {
	sealbid.Custody
	Status         string            `json:"status" doc:"交易状态：decrypting 报价解密中 | closed 已结束 等"`
	WindowMinutes  int               `json:"window_minutes" doc:"解密时限（分钟，自报价截止起）"`
	DecryptBy      time.Time         `json:"decrypt_by,omitzero" doc:"解密时限（报价截止后）"`
	Stalled        bool              `json:"stalled,omitempty" doc:"解密时限届满而未达门限：报价未开启，待延长解密时限"`
	CustodiansDone int               `json:"custodians_done" doc:"已提交份额的保管人数（报价截止后）"`
	Packages       int               `json:"packages,omitempty" doc:"收到的密封报价数（报价截止后公开）"`
	Quotes         []SaleSealedQuote `json:"quotes,omitempty" doc:"开启记录（结束后）：每份报价的号牌、金额或无效原因"`
}

// SaleSealedQuote is one sealed quote: the bidder's own before the opening
// (no amount: the platform cannot read it), or a line of the opening record.
type SaleSealedQuote struct {
	BidderNo      string    `json:"bidder_no"`
	Seq           int64     `json:"seq" doc:"提交序号：金额相同的，序号小者在前"`
	At            time.Time `json:"at" doc:"接收时的服务器时间"`
	PackageSM3    string    `json:"package_sm3" doc:"密封报价文件头的 SM3 摘要（竞买人签名的内容）"`
	Status        string    `json:"status" doc:"sealed 密封中 | opened 有效 | rejected 无效"`
	StatusLabel   string    `json:"status_label"`
	AmountFen     int64     `json:"amount_fen,omitempty" doc:"报价（开启后）"`
	AmountDisplay string    `json:"amount_display,omitempty"`
	Failure       string    `json:"failure,omitempty" doc:"无效原因"`
}

// SaleSealedReceipt is the receipt of a sealed quote: the platform cannot
// read the amount; it names the package's digest and the ledger
// commitment.
type SaleSealedReceipt struct {
	SaleID      string    `json:"sale_id"`
	SaleCode    string    `json:"sale_code"`
	BidderNo    string    `json:"bidder_no"`
	PackageSM3  string    `json:"package_sm3" doc:"密封报价文件头的 SM3 摘要"`
	Seq         int64     `json:"seq" doc:"提交序号"`
	At          time.Time `json:"at" doc:"接收时的服务器时间"`
	LedgerIndex int64     `json:"ledger_index" doc:"留痕承诺记录的序号（开启时披露）"`
}

// SaleSharesInput is a custodian's decrypted shares; bid_id is the bidder
// number of the envelope.
type SaleSharesInput = SharesInput

func saleSealedQuoteDTO(l auction.SealedLine) SaleSealedQuote {
	return SaleSealedQuote{BidderNo: l.BidderNo, Seq: l.Seq, At: l.At, PackageSM3: l.Digest, Status: string(l.Status), StatusLabel: l.Status.Label(),
		AmountFen: int64(l.Amount), AmountDisplay: display(l.Amount), Failure: l.Failure}
}

func saleCustodyDTO(v auction.CustodyView) SaleCustodyView {
	c := v.Custody
	return SaleCustodyView{Custody: c.Sealing(v.Sale), Status: string(v.Sale.Status), WindowMinutes: c.WindowMinutes, DecryptBy: c.DecryptBy,
		Stalled: c.Stalled, CustodiansDone: len(v.Done), Packages: v.Packages, Quotes: mapAll(v.Quotes, saleSealedQuoteDTO)}
}

func (s *server) getSaleCustody(c *call) (any, error) {
	v, err := s.d.Auction.SaleCustody(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return saleCustodyDTO(v), nil
}

func (s *server) setSaleCustody(c *call) (any, error) {
	var in CustodyInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	uids := make([]ids.ID, len(in.Custodians))
	for i, u := range in.Custodians {
		uids[i] = ids.ID(u)
	}
	if _, err := s.d.Auction.SetCustody(c.ctx(), c.actor, c.r.PathValue("id"), auction.CustodyInput{UserIDs: uids, Threshold: in.Threshold, WindowMinutes: in.WindowMinutes}); err != nil {
		return nil, err
	}
	return s.getSaleCustody(c)
}

// submitSealedQuote takes the sealed file's raw bytes (application/
// octet-stream), at most auction.MaxSealedQuote.
func (s *server) submitSealedQuote(c *call) (any, error) {
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, auction.MaxSealedQuote))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, apperr.New(apperr.Invalid, "密封报价文件超过允许的大小（%d KiB）。", auction.MaxSealedQuote>>10)
	}
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "密封报价文件未完整接收，请重新提交。").Wrap(err)
	}
	r, err := s.d.Auction.SubmitSealed(c.ctx(), c.actor, c.r.PathValue("id"), body)
	if err != nil {
		return nil, err
	}
	return SaleSealedReceipt{SaleID: r.SaleID, SaleCode: r.SaleCode, BidderNo: r.BidderNo, PackageSM3: r.Digest, Seq: r.Seq, At: r.At, LedgerIndex: r.LedgerIndex}, nil
}

func (s *server) mySealedQuote(c *call) (any, error) {
	l, err := s.d.Auction.MySealedQuote(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return saleSealedQuoteDTO(l), nil
}

func (s *server) saleEnvelopes(c *call) (any, error) {
	sale, envs, err := s.d.Auction.CustodyEnvelopes(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if envs == nil {
		envs = []sealbid.Envelope{}
	}
	return Envelopes{LotID: string(sale.ID), CustodianID: string(c.actor.UserID), Envelopes: envs}, nil
}

func (s *server) submitSaleShares(c *call) (any, error) {
	var in SaleSharesInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	sh := make([]auction.ShareInput, len(in.Shares))
	for i, x := range in.Shares {
		sh[i] = auction.ShareInput{BidderNo: x.BidID, Share: x.Share}
	}
	n, k, err := s.d.Auction.SubmitShares(c.ctx(), c.actor, c.r.PathValue("id"), sh)
	if err != nil {
		return nil, err
	}
	return SharesResult{CustodiansDone: n, Threshold: k}, nil
}

func (s *server) extendSaleDecryption(c *call) (any, error) {
	var in ExtendInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	if _, err := s.d.Auction.ExtendDecryption(c.ctx(), c.actor, c.r.PathValue("id"), in.Until, in.Reason); err != nil {
		return nil, err
	}
	return s.getSaleCustody(c)
}
