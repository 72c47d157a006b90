// Package auction runs the sales of issue 5: land-use rights (国有建设用地使用权
// 出让) and mining rights (矿业权出让) by listing (挂牌) with live timed bidding
// (限时竞价) or by online auction (拍卖), and state-owned property rights
// (企业国有产权转让) by open ascending quotes (多次报价), one sealed quote
// (一次报价) or agreement transfer (协议转让). The decisions are the pure
// functions of package rules; this package stores what they return. Every
// state change is one use case, one transaction, with its ledger entry, its
// live-view event and its follow-up job (DESIGN.md §4).
//
// # Lifecycle
//
//	CreateSale (draft) → Announce (periods checked on the holiday calendar)
//	  listing:   Quote … → CloseListing job → deal | no deal | joining
//	             Join … → StartTimed job → timed: Bid … → CloseTimed job
//	  auction:   StartTimed job at the announced time (≥ MinAuctionBidders) → timed
//	  ascending: StartTimed job at the disclosure's end (≥ 2 qualified) → timed
//	  sealed:    SetCustody (before the window) → SubmitSealed … → CloseSealed job
//	             → decrypting: SubmitShares … (k custodians) → opened (sealed.go)
//	  agreement: Agree (trading centre, one qualified buyer)
//	every end → conclude: the reserve revealed; for a deal the winner's
//	identity revealed and the confirmation (成交确认书) produced
//
// Bidders register (Register), are reviewed (Qualify) and have their
// deposit confirmed (ConfirmDeposit), which draws their random bidder number
// (竞买号牌). Only qualified bidders with a confirmed deposit quote or bid.
//
// # Ordering and durability
//
// Every change of a sale first takes the sale row with LockSale (UPDATE …
// SET seq = seq + 1 … RETURNING): the new seq is the change's place in the
// sale's commit order, used for the offer's rank (equal amounts rank by
// commit) and for its event. The row stays locked to the commit, so a
// second transaction — on SQLite's single writer, or in another process on
// the same PostgreSQL — waits and then sees the first one's result: one
// order of bids and one result. The clock is read after the lock, so commit
// order and server time agree.
//
// A bid's state (rules.Timed, with the countdown's end as a column too), its
// offer row, its ledger entry, its auction_events row and its close job are
// written in one transaction; the receipt is returned after the commit and
// live views read events from the database. So every accepted bid is
// durably committed before it is acknowledged or broadcast, by
// construction. After a crash the committed state is authoritative: the
// close job of the last committed countdown end still exists (it was
// enqueued with the bid) and ends the bidding as of that end
// (rules.Resume).
//
// # Secrecy
//
// The reserve (底价) is committed in the ledger when entered (SetReserve: a
// commitment entry holding only the sale and the amount) and kept on the
// sale row for the close; no view and no public entry shows it before the
// end, when every reserve commitment is revealed (ledger.RevealDraft).
// Bidders appear in views, events and public ledger entries by number only;
// registrations, reviews and deposits are confidential entries; the
// binding of a number to an entity is a commitment revealed for the winner
// at the deal. The trading centre sees names only through Identities, which
// records each look in the ledger.
//
// Sealed quotes are sealed on the bidder's side to the sale's k-of-n
// custody (as the tender's sealed bids, sealed.go): the platform stores
// ciphertext and a ledger commitment to the package's digest, and learns
// the amounts only when k custodians have decrypted their shares after the
// window; the valid ones then become offer rows and the commitments are
// revealed.
package auction
