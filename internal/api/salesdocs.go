package api

// ---- documents of a sale: the transaction confirmation (成交确认书) as a
// signed PDF.

// saleConfirmationPDF sends a sale's confirmation as a PDF signed by the
// platform key. It is public once the deal stands — the sale view shows the
// confirmation, with the winner's name, to everyone after the deal — and
// not found before a deal or for a sale without one.
func (s *server) saleConfirmationPDF(c *call) (any, error) {
	v, err := s.d.Auction.ViewSale(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if err := s.d.ServeConfirmationPDF(c.ctx(), c.w, v); err != nil {
		return nil, err
	}
	c.done = true
	return nil, nil
}
