package auction

import (
	"context"

	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
)

// Tx is what the sale use cases need from one database transaction. Reads
// of a missing row return an apperr NotFound.
type Tx interface {
	party.EntityReader

	NextSeq(ctx context.Context, name string) (int64, error) // per-name counter starting at 1 (sale codes)

	CreateSale(ctx context.Context, s Sale) error // Version 1, Seq 0; a duplicate code is a Conflict
	GetSale(ctx context.Context, id ids.ID) (Sale, error)
	GetSaleByCode(ctx context.Context, code string) (Sale, error)
	ListSales(ctx context.Context, f SaleFilter) ([]Sale, error) // newest first
	// LockSale takes the sale row for the rest of the transaction and the
	// next value of its commit sequence in one statement (UPDATE sales SET
	// seq = seq + 1 … RETURNING …): two transactions on one sale — on
	// SQLite's single writer or on two processes sharing a PostgreSQL — are
	// ordered by it, and the second sees what the first committed. The
	// returned Sale carries the new Seq.
	LockSale(ctx context.Context, id ids.ID) (Sale, error)
	// UpdateSale writes every column but seq, code and creation when
	// s.Version is the stored one and bumps it; otherwise a Conflict.
	UpdateSale(ctx context.Context, s *Sale) error

	CreateSaleRegistration(ctx context.Context, r Registration) error // one per sale and entity; a bidder number once per sale (Conflict)
	UpdateSaleRegistration(ctx context.Context, r Registration) error
	GetSaleRegistration(ctx context.Context, id ids.ID) (Registration, error)
	GetSaleRegistrationByEntity(ctx context.Context, saleID, entityID ids.ID) (Registration, error)
	ListSaleRegistrations(ctx context.Context, saleID ids.ID) ([]Registration, error) // by creation

	AddSaleOffer(ctx context.Context, o Offer) error                                 // one sealed offer per bidder number (Conflict)
	ListSaleOffers(ctx context.Context, saleID ids.ID, stage Stage) ([]Offer, error) // stage "" = all; by Seq

	AddSaleReserve(ctx context.Context, r Reserve) error
	ListSaleReserves(ctx context.Context, saleID ids.ID) ([]Reserve, error) // by Seq

	AddAuctionEvent(ctx context.Context, e Event) error
	ListAuctionEvents(ctx context.Context, saleID ids.ID, afterSeq int64, limit int) ([]Event, error) // Seq > afterSeq, ascending; limit ≤ 0 = all
	LatestAuctionEvent(ctx context.Context, saleID ids.ID) (Event, error)                             // NotFound when none

	// The bid path (hot.go): LockSaleLive is LockSale returning the live
	// state only (Data, Eligibility, Params and Confirmation zero — never
	// hand its Sale to UpdateSale); CommitBid writes an accepted bid's offer,
	// the live state (Timed, EndsAt, Price, Leader, UpdatedAt; under the
	// version check, which it bumps) and its event, and returns the sequence
	// of the sale's event before it (0: none).
	LockSaleLive(ctx context.Context, id ids.ID) (Sale, error)
	CommitBid(ctx context.Context, o Offer, s *Sale, e Event) (prev int64, err error)

	// Sealed quotes under k-of-n custody (sealed.go).
	GetUser(ctx context.Context, id ids.ID) (party.User, error)
	PutSaleCustody(ctx context.Context, c Custody) error                        // insert or replace, with the custodian index
	GetSaleCustody(ctx context.Context, saleID ids.ID) (Custody, error)         // NotFound when none
	ListCustodySales(ctx context.Context, userID ids.ID) ([]Sale, error)        // sales the user holds a share of; newest first
	AddSealedQuote(ctx context.Context, q SealedQuote) error                    // one per sale and bidder number (Conflict)
	UpdateSealedQuote(ctx context.Context, q SealedQuote) error                 // status, amount, failure
	ListSealedQuotes(ctx context.Context, saleID ids.ID) ([]SealedQuote, error) // by Seq
	SaveSaleShare(ctx context.Context, sh SaleShare) error                      // insert or replace (sale, bidder number, custodian)
	ListSaleShares(ctx context.Context, saleID ids.ID) ([]SaleShare, error)     // by bidder number, custodian

	AppendLedger(ctx context.Context, e ledger.Entry) (int64, error)
	ListLedger(ctx context.Context, subject string, from int64, limit int) ([]ledger.Entry, error)
	Enqueue(ctx context.Context, j jobs.Job) error
}

// Store runs sale transactions. A transaction function may run more than
// once (SQLite group commit), so it must have no effect outside the
// transaction but setting its results.
type Store interface {
	WithTx(ctx context.Context, fn func(Tx) error) error
	Read(ctx context.Context, fn func(Tx) error) error
}
