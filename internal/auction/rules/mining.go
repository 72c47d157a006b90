package rules

import (
	"time"

	"ggzy/internal/apperr"
)

// AuctionQuorum is the least number of qualified bidders (deposit
// confirmed) an auction needs to start: p.MinAuctionBidders, and for a
// mining right at least p.MiningAuctionBidders (3, BasisMiningQuorum),
// whichever is higher; on a tie the mining rule's basis is named. Fewer
// bidders at the start: no deal (StartAuction refuses with this basis).
func AuctionQuorum(p Params, mining bool) Count {
	q := p.MinAuctionBidders
	q.Basis = basisOr(q.Basis, DefaultParams().MinAuctionBidders.Basis)
	if !mining {
		return q
	}
	m := p.MiningAuctionBidders
	if m.Value <= 0 {
		m = DefaultParams().MiningAuctionBidders
	}
	m.Basis = basisOr(m.Basis, BasisMiningQuorum)
	if m.Value >= q.Value {
		return m
	}
	return q
}

// CheckAuctionQuorum refuses the start of an auction with n distinct
// qualified bidders when the quorum q is not met: a Conflict with q's
// basis, which the service turns into a no-deal (流拍) with that reason.
func CheckAuctionQuorum(q Count, bidders []string) error {
	if n := len(distinct(bidders)); n < q.Value {
		return apperr.Rule(apperr.Conflict, q.Basis, "报名并通过资格审查、交纳保证金的竞买人为%d人，少于%d人，不得开始拍卖。", n, q.Value)
	}
	return nil
}

// MiningResult are the dates that follow a mining-right deal (RULES.md
// §4): the transaction confirmation (成交确认书) is signed within
// p.MiningConfirmation of the deal, the result publicity (出让结果公示)
// starts within p.MiningPublicityBy and lasts at least p.MiningPublicity.
// All dates are Shanghai dates (midnight); a period ends at the end of its
// last day.
type MiningResult struct {
	DealAt         time.Time `json:"deal_at"`         // as of when the deal stands
	ConfirmBy      time.Time `json:"confirm_by"`      // last day to sign the confirmation
	PublicityBy    time.Time `json:"publicity_by"`    // last day the publicity may start
	PublicityFrom  time.Time `json:"publicity_from"`  // the day the platform publishes the result
	PublicityUntil time.Time `json:"publicity_until"` // the publicity runs at least to this day
	Late           bool      `json:"late,omitempty"`  // published after PublicityBy (the close ran late)
	Basis          string    `json:"basis"`
}

// MiningAfterDeal computes the MiningResult of a deal standing as of
// dealAt whose result the platform publishes at publishedAt (the
// conclusion's public ledger entry, which is the start of the publicity).
func MiningAfterDeal(p Params, days Days, dealAt, publishedAt time.Time) MiningResult {
	d := DefaultParams()
	confirm := periodOr(p.MiningConfirmation, d.MiningConfirmation)
	by := periodOr(p.MiningPublicityBy, d.MiningPublicityBy)
	lasts := periodOr(p.MiningPublicity, d.MiningPublicity)
	r := MiningResult{DealAt: dealAt, ConfirmBy: days.End(dealAt, confirm), PublicityBy: days.End(dealAt, by),
		PublicityFrom: day(publishedAt), Basis: BasisMiningResult}
	r.PublicityUntil = days.End(publishedAt, lasts)
	r.Late = r.PublicityFrom.After(r.PublicityBy)
	return r
}
