package httpx

import (
	"context"
	"encoding/json"
	"net/http"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/pdf"
)

// SellerWord and BuyerWord name the parties as the sale's kind does:
// 出让人/竞得人 for land and mining rights, 转让方/受让方 for state property.
func SellerWord(k auction.Kind) string {
	if k == auction.Property {
		return "转让方"
	}
	return "出让人"
}

func BuyerWord(k auction.Kind) string {
	if k == auction.Property {
		return "受让方"
	}
	return "竞得人"
}

// StageText says how a deal's price was reached.
func StageText(m auction.Mode, st auction.Stage) string {
	switch st {
	case auction.StageListing:
		return "挂牌期间的最高有效报价（挂牌截止时确定）"
	case auction.StageTimed:
		switch m {
		case auction.ModeListing:
			return "挂牌截止后网上限时竞价的最高出价"
		case auction.ModeAuction:
			return "网上拍卖（限时竞价）的最高出价"
		case auction.ModeAscending:
			return "多次报价（公开竞价）的最高报价"
		}
		return "限时竞价的最高出价"
	case auction.StageSealed:
		return "一次报价期满开启后的最高报价"
	case auction.StageAgreement:
		return "协议转让：交易中心依批准文件决定，价格不低于挂牌价"
	}
	return string(st)
}

// ConfirmationInput maps the confirmation of a sale's view into the PDF's
// input; reveals are the ledger entries that opened the reserve's
// commitments.
func (d Deps) ConfirmationInput(v auction.View, reveals []int64) pdf.ConfirmationInput {
	c := v.Confirmation
	in := pdf.ConfirmationInput{SiteName: d.SiteName, SaleCode: c.SaleCode, Title: c.Title, Kind: c.Kind.Label(), Mode: c.Mode.Label(),
		SellerWord: SellerWord(c.Kind), Seller: c.SellerName, BuyerWord: BuyerWord(c.Kind),
		Winner: c.WinnerName, WinnerUSCC: c.WinnerUSCC, WinnerNo: c.WinnerNo, Price: c.Price, PriceText: c.PriceText,
		Stage: StageText(c.Mode, c.Stage), Basis: c.Basis, At: c.At, LedgerIndex: c.LedgerIndex}
	if v.HasReserve {
		in.HasReserve, in.Reserve, in.ReserveReveals = true, v.Reserve, reveals
	}
	if m := c.Mining; m != nil {
		in.Deadlines = []pdf.Deadline{
			{Label: "成交确认书签订截止", Date: m.ConfirmBy, Basis: m.Basis},
			{Label: "成交结果公示开始", Date: m.PublicityFrom, Basis: m.Basis},
			{Label: "公示至少持续至", Date: m.PublicityUntil, Basis: m.Basis},
		}
	}
	return in
}

// reserveReveals reads, from the public part of the deal's ledger entry,
// the entries that revealed the reserve's commitments.
func (d Deps) reserveReveals(ctx context.Context, c *auction.Confirmation) ([]int64, error) {
	if d.Ledger == nil {
		return nil, nil // the PDF then says the reserve was revealed, without the entries' numbers
	}
	es, err := d.Ledger.Entries(ctx, uint64(c.LedgerIndex), uint64(c.LedgerIndex)+1, 1)
	if err != nil {
		return nil, err
	}
	if len(es) != 1 || es[0].Index != c.LedgerIndex || es[0].Subject != c.SaleCode {
		return nil, apperr.New(apperr.Internal, "成交留痕记录与成交确认书不符。")
	}
	var pub struct {
		Reveals []int64 `json:"reserve_reveals"`
	}
	if err := json.Unmarshal(es[0].Public, &pub); err != nil {
		return nil, err
	}
	return pub.Reveals, nil
}

// NoConfirmation is the not-found answer for a sale without a deal: the
// result is not yet known, or there was no deal.
func NoConfirmation(v auction.View) *apperr.Error {
	if v.State.Status == auction.StatusClosed {
		return apperr.New(apperr.NotFound, "本宗交易不成交，没有成交确认书。")
	}
	return apperr.New(apperr.NotFound, "本宗交易尚未成交，成交后方可下载成交确认书。")
}

// ServeConfirmationPDF renders, signs and sends the transaction
// confirmation (成交确认书) of v, for the API and the web UI alike. It is
// public once the deal stands, as v.Confirmation is in everyone's view
// (auction.View); before a deal, or without one, the answer is not found.
// Errors come back before anything is written. The signature headers are
// those of the evaluation report (ServeReportPDF).
func (d Deps) ServeConfirmationPDF(ctx context.Context, w http.ResponseWriter, v auction.View) error {
	if v.Confirmation == nil {
		return NoConfirmation(v)
	}
	if d.Font == nil {
		return pdf.ErrNoFont()
	}
	reveals, err := d.reserveReveals(ctx, v.Confirmation)
	if err != nil {
		return err
	}
	b, err := pdf.Confirmation(d.Font, d.ConfirmationInput(v, reveals))
	if err != nil {
		return err
	}
	// Public, but the answer changes with the deal: not cached on the way.
	return d.sendSignedPDF(w, b, ConfirmationDisposition(v.Confirmation.SaleCode), "no-cache")
}

// ConfirmationDisposition names the download 成交确认书-<sale code>.pdf
// (RFC 5987), with an ASCII fallback.
func ConfirmationDisposition(code string) string {
	return disposition("confirmation-", "成交确认书-", code)
}
