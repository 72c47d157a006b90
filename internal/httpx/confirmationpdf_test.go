package httpx

import (
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/money"
)

// TestConfirmationInput: the confirmation reaches the PDF's input with the
// parties named as the kind names them, the stage in words and the reserve
// only when the sale had one.
func TestConfirmationInput(t *testing.T) {
	at := time.Date(2026, 4, 20, 7, 35, 0, 0, time.UTC)
	c := &auction.Confirmation{SaleCode: "450100-CQ-2026-0003", Title: "某公司40%股权", Kind: auction.Property, Mode: auction.ModeAgreement,
		Stage: auction.StageAgreement, SellerName: "南宁市某国有独资公司", WinnerNo: "4821", WinnerName: "广西某投资有限公司", WinnerUSCC: "914403001922038216",
		Price: 5_200_000_00, PriceText: money.Fen(5_200_000_00).Capital(), At: at, Basis: "O32", LedgerIndex: 77}
	v := auction.View{Confirmation: c, Reserve: 123, HasReserve: false}
	in := Deps{SiteName: "南宁市公共资源交易平台"}.ConfirmationInput(v, []int64{5})
	if in.SellerWord != "转让方" || in.BuyerWord != "受让方" || in.Kind != "国有产权" || in.Mode != "协议转让" || in.HasReserve || in.Reserve != 0 ||
		in.ReserveReveals != nil || in.Winner != c.WinnerName || in.LedgerIndex != 77 || !in.At.Equal(at) || in.Stage != StageText(c.Mode, c.Stage) {
		t.Errorf("property agreement: %+v", in)
	}
	c.Kind, c.Mode, c.Stage = auction.Land, auction.ModeListing, auction.StageTimed
	v.HasReserve, v.Reserve = true, 10_200_000_00
	in = Deps{}.ConfirmationInput(v, []int64{5, 9})
	if in.SellerWord != "出让人" || in.BuyerWord != "竞得人" || !in.HasReserve || in.Reserve != v.Reserve || len(in.ReserveReveals) != 2 {
		t.Errorf("land listing: %+v", in)
	}
	if len(in.Deadlines) != 0 {
		t.Errorf("land deal with deadlines: %+v", in.Deadlines)
	}
	c.Kind = auction.Mining
	c.Mining = &rules.MiningResult{ConfirmBy: at.AddDate(0, 0, 3), PublicityFrom: at, PublicityUntil: at.AddDate(0, 0, 14), Basis: "川"}
	in = Deps{}.ConfirmationInput(v, nil)
	if len(in.Deadlines) != 3 || !in.Deadlines[0].Date.Equal(c.Mining.ConfirmBy) || !in.Deadlines[2].Date.Equal(c.Mining.PublicityUntil) || in.Deadlines[1].Basis != "川" {
		t.Errorf("mining deadlines: %+v", in.Deadlines)
	}
	for _, x := range []struct {
		m    auction.Mode
		st   auction.Stage
		want string
	}{
		{auction.ModeListing, auction.StageListing, "挂牌期间的最高有效报价（挂牌截止时确定）"},
		{auction.ModeListing, auction.StageTimed, "挂牌截止后网上限时竞价的最高出价"},
		{auction.ModeAuction, auction.StageTimed, "网上拍卖（限时竞价）的最高出价"},
		{auction.ModeAscending, auction.StageTimed, "多次报价（公开竞价）的最高报价"},
		{auction.ModeSealed, auction.StageSealed, "一次报价期满开启后的最高报价"},
		{auction.ModeAgreement, auction.StageAgreement, "协议转让：交易中心依批准文件决定，价格不低于挂牌价"},
	} {
		if got := StageText(x.m, x.st); got != x.want {
			t.Errorf("StageText(%s, %s) = %q, want %q", x.m, x.st, got, x.want)
		}
	}
}
