// Package jobs names the durable follow-up work that use cases enqueue inside
// their transaction (the outbox). The runner (River) lives in package worker;
// domain code sees only this plain data.
package jobs

import "time"

// Kinds of jobs.
const (
	OpenBids       = "tender.open_bids"        // at the bid deadline
	ContractDue    = "tender.contract_due"     // 30 days after the award notice
	ObjectionDue   = "tender.objection_due"    // answer deadline of an objection
	PublicityEnd   = "tender.publicity_end"    // end of candidate publicity
	DecryptBids    = "tender.decrypt_bids"     // k custodians have submitted shares
	DecryptionDue  = "tender.decryption_due"   // end of the decryption window
	RunDraw        = "tender.run_draw"         // a committed draw request awaits its checkpoint
	InvitationDue  = "tender.invitation_due"   // an invited expert's confirmation deadline
	RoomFailureDue = "tender.room_failure_due" // an evaluation-room failure's wait ends

	AuctionCloseListing = "auction.close_listing" // at a listing's close
	AuctionStartTimed   = "auction.start_timed"   // end of the join window; an auction's or open quotes' start
	AuctionCloseTimed   = "auction.close_timed"   // a countdown's end; subject auction.TimedCloseSubject (sale@end)
	AuctionCloseSealed  = "auction.close_sealed"  // end of a sealed-quote window
)

// Job is one unit of deferred work.
type Job struct {
	Kind    string
	Subject string    // usually a lot ID
	RunAt   time.Time // zero = now
}
