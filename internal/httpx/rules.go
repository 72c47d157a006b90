package httpx

import "ggzy/internal/rules"

// SaleRules lists the parameters the sales service applies to new land,
// mining-right and state-property sales (none without that service), for
// the rules page and GET /api/v1/rules alike.
func (d Deps) SaleRules() []rules.Row {
	if d.Auction == nil {
		return nil
	}
	return d.Auction.Params().Rows()
}

// ExpertRules lists the expert pool's numbers (the review's policy) and
// the evaluation room's, as the services in force hold them.
func (d Deps) ExpertRules() []rules.Row {
	var out []rules.Row
	if d.Expert != nil {
		out = append(out, d.Expert.Policy().Rows()...)
	}
	if d.Tender != nil {
		out = append(out, d.Tender.EvalPolicy().Rows()...)
	}
	return out
}
