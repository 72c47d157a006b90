package rules

import (
	"fmt"

	table "ggzy/internal/rules"
)

// Rows lists every parameter of p for users (the public rules page, GET
// /api/v1/rules), in the order of Params: key "sale." + the field's JSON
// name, what it governs, its value in Chinese, its basis and the standing
// of that basis. A basis or tag missing from p (parameters stored before
// they existed) is the default's, so no row is shown without a source.
// params_test checks by reflection that every field has exactly one row.
func (p Params) Rows() []table.Row {
	d := DefaultParams()
	row := func(key, text, value, basis string, tag Tag, def string, defTag Tag) table.Row {
		if tag == "" {
			tag = defTag
		}
		return table.Row{Key: "sale." + key, Text: text, Value: value, Basis: basisOr(basis, def), Standing: table.Standing(tag)}
	}
	period := func(key, text string, got, def Period) table.Row {
		got = periodOr(got, def)
		return row(key, text, got.Describe(), got.Basis, got.Tag, def.Basis, def.Tag)
	}
	span := func(key, text string, got, def Span) table.Row {
		return row(key, text, got.Describe(), got.Basis, got.Tag, def.Basis, def.Tag)
	}
	count := func(key, text, unit string, got, def Count) table.Row {
		return row(key, text, fmt.Sprintf("%d%s", got.Value, unit), got.Basis, got.Tag, def.Basis, def.Tag)
	}
	flag := func(key, text string, got, def Flag) table.Row {
		v := "否"
		if got.On {
			v = "是"
		}
		return row(key, text, v, got.Basis, got.Tag, def.Basis, def.Tag)
	}
	mining := p.MiningAuctionBidders
	if mining.Value <= 0 { // read as the default, as AuctionQuorum does
		mining = d.MiningAuctionBidders
	}
	reserve := "最高报价不低于底价即为达到底价"
	if p.ReserveTest.Test == ReserveAbove {
		reserve = "最高报价须高于底价"
	}
	return []table.Row{
		period("land_notice", "国有建设用地使用权出让公告期：公告发布之日至拍卖、挂牌开始之日，不得少于", p.LandNotice, d.LandNotice),
		period("listing_period", "挂牌期：挂牌时间不得少于", p.ListingPeriod, d.ListingPeriod),
		period("auction_notice", "拍卖公告期：拍卖人应当于拍卖日前发布拍卖公告，提前不得少于", p.AuctionNotice, d.AuctionNotice),
		period("auction_viewing", "拍卖标的展示期：拍卖前展示拍卖标的，展示时间不得少于", p.AuctionViewing, d.AuctionViewing),
		span("countdown", "限时竞价倒计时：每有一次有效报价即重新计时，倒计时结束无人报价的竞价结束", p.Countdown, d.Countdown),
		span("reserve_lead", "底价录入截止：出让人应当在挂牌截止前录入底价，提前不得少于", p.ReserveLead, d.ReserveLead),
		span("join_window", "确认参加限时竞价：挂牌截止后竞买人确认参加限时竞价的时间", p.JoinWindow, d.JoinWindow),
		count("min_auction_bidders", "拍卖的最少竞买人数：通过资格审查并交纳保证金的竞买人少于该人数的，不得开始拍卖", "人", p.MinAuctionBidders, d.MinAuctionBidders),
		row("reserve_test", "底价（保留价）比较方式：未达到底价的报价不能成交", reserve, p.ReserveTest.Basis, p.ReserveTest.Tag, d.ReserveTest.Basis, d.ReserveTest.Tag),
		flag("increment_may_change", "挂牌期间可以调整增价幅度", p.IncrementMayChange, d.IncrementMayChange),
		flag("leader_may_rebid", "当前最高报价人可以再次加价", p.LeaderMayRebid, d.LeaderMayRebid),
		period("mining_notice", "矿业权出让公告期：不得少于", p.MiningNotice, d.MiningNotice),
		period("mining_listing", "矿业权网上挂牌期：不得少于", p.MiningListing, d.MiningListing),
		period("mining_publicity", "矿业权出让结果公示期：不得少于", p.MiningPublicity, d.MiningPublicity),
		period("mining_confirmation", "矿业权成交确认书：成交后签订，不得超过", p.MiningConfirmation, d.MiningConfirmation),
		period("mining_publicity_by", "矿业权出让结果公示：成交后开始公示，不得超过", p.MiningPublicityBy, d.MiningPublicityBy),
		count("mining_auction_bidders", "矿业权拍卖的最少竞买人数", "人", mining, d.MiningAuctionBidders),
		period("pre_disclosure_start", "信息预披露开始：转让导致标的企业实际控制权转移的，转让行为获批后发布，不得超过", p.PreDisclosureStart, d.PreDisclosureStart),
		period("pre_disclosure", "信息预披露期：不得少于", p.PreDisclosure, d.PreDisclosure),
		period("disclosure", "正式信息披露期：不得少于", p.Disclosure, d.Disclosure),
		period("disclosure_extension", "延长信息披露：披露期满未征集到合格意向受让方的，每次延长不得少于", p.DisclosureExtend, d.DisclosureExtend),
		period("capital_increase", "企业增资：信息预披露和正式披露合计不得少于", p.CapitalIncrease, d.CapitalIncrease),
		count("agreement_rounds", "协议转让前的信息披露：未征集到两个以上意向受让方的披露轮数", "轮", p.AgreementRounds, d.AgreementRounds),
	}
}
