package rules

import (
	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

// Floors a sealed amount must clear. The platform cannot read a sealed
// amount before the opening, so the bidder's side — the browser's sealing
// form and `ggzy seal` — checks it before sealing, with the rule it would
// fail at the opening.

// CheckListedPrice refuses a one-time quote (一次报价) below the listed
// price: the transfer price may not be below it (SOAL 55, O32).
func CheckListedPrice(amount, listed money.Fen) error {
	if amount < listed {
		return apperr.Rule(apperr.Invalid, BasisSOAL55+"；"+BasisO32, "报价不得低于挂牌价 %s（您的报价为 %s），低于挂牌价的报价开启时无效。", listed, amount).
			WithField("amount", "不得低于挂牌价"+listed.String()+"。")
	}
	return nil
}

// CheckLandStartPrice refuses a bid in a land tender (招标出让) below the
// start price the notice states (LO39 art. 14 [secondary]: such a bid is
// rejected at the opening).
func CheckLandStartPrice(price, start money.Fen) error {
	if price < start {
		return apperr.Rule(apperr.Invalid, BasisLO39+"第十四条", "报价不得低于招标出让公告载明的起始价 %s（您的报价为 %s），低于起始价的投标将在开标时否决。", start, price).
			WithField("price", "不得低于起始价"+start.String()+"。")
	}
	return nil
}
