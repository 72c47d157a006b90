package tender

import (
	"context"
	"ggzy/internal/expert"
	"time"

	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
)

// NoticeFilter selects notices for lists; all fields optional.
type NoticeFilter struct {
	Kind       NoticeKind
	Category   string
	Region     string
	Q          string // substring of title or body
	From, To   time.Time
	ProjectID  ids.ID
	LotID      ids.ID
	PublicOnly bool
	SortAsc    bool
	// ByDeadline sorts by the lot's bid deadline, soonest first, notices
	// without one last (UI.md §2.3 按截止时间排序); it overrides SortAsc.
	ByDeadline bool
	Limit      int // 0 = 20
	Offset     int
}

// LotFilter selects lots; all fields optional.
type LotFilter struct {
	ProjectID    ids.ID
	Status       Status
	EntityID     ids.ID    // lots of projects whose principal or agency is this entity
	IDs          []ids.ID  // only these lots
	Participant  ids.ID    // lots this entity obtained documents for or was invited to
	Custodian    ids.ID    // lots whose bid keys this user holds a share of
	DeadlineFrom time.Time // bid deadline ≥ this
	DeadlineTo   time.Time // bid deadline < this
	Published    bool      // exclude drafts
	Limit        int       // 0 = no limit
}

// Participation is a lot and one entity's standing on it.
type Participation struct {
	Lot       Lot
	Invited   bool // on the invitation list (invited tender)
	Access    bool // obtained the tender documents
	Deposited bool // recorded its bid security
	Bid       *Bid // its bid, if any
}

// Tx is what tender use cases need from one database transaction.
// Reads of a missing row return an apperr NotFound; UpdateLot whose Version
// does not match the stored one returns an apperr Conflict (someone else
// changed the lot meanwhile) and bumps Version on success.
type Tx interface {
	party.EntityReader

	NextSeq(ctx context.Context, name string) (int64, error) // per-name counter starting at 1

	CreateProject(ctx context.Context, p Project) error
	GetProject(ctx context.Context, id ids.ID) (Project, error)
	GetProjectByCode(ctx context.Context, code string) (Project, error)
	ListProjects(ctx context.Context, entityID ids.ID) ([]Project, error) // "" = all; newest first

	CreateLot(ctx context.Context, l Lot) error
	GetLot(ctx context.Context, id ids.ID) (Lot, error)
	// GetParticipation reads a lot with one entity's standing on it in one
	// query: the bid path is the hottest write, and on PostgreSQL each read
	// is a round trip.
	GetParticipation(ctx context.Context, lotID, entityID ids.ID) (Participation, error)
	UpdateLot(ctx context.Context, l *Lot) error
	ListLots(ctx context.Context, f LotFilter) ([]Lot, error) // ordered by project, code

	// A land lot's reserve entries (底价), by Seq (LotReserve).
	AddLotReserve(ctx context.Context, r LotReserve) error
	ListLotReserves(ctx context.Context, lotID ids.ID) ([]LotReserve, error)

	AddInvitee(ctx context.Context, inv Invitee) error
	ListInvitees(ctx context.Context, lotID ids.ID) ([]ids.ID, error)

	CreateNotice(ctx context.Context, n Notice) error
	GetNotice(ctx context.Context, id ids.ID) (Notice, error)
	ListNotices(ctx context.Context, f NoticeFilter) ([]Notice, int, error) // page and total count

	CreateDocument(ctx context.Context, d Document) error
	GetDocument(ctx context.Context, id ids.ID) (Document, error)
	ListDocuments(ctx context.Context, lotID ids.ID) ([]Document, error)

	RecordAccess(ctx context.Context, a DocumentAccess) error // idempotent per lot+entity
	HasAccess(ctx context.Context, lotID, entityID ids.ID) (bool, error)
	ListAccess(ctx context.Context, lotID ids.ID) ([]DocumentAccess, error)

	PutDeposit(ctx context.Context, d Deposit) error // insert or replace per lot+entity
	GetDeposit(ctx context.Context, lotID, entityID ids.ID) (Deposit, error)

	CreateClarification(ctx context.Context, c Clarification) error
	ListClarifications(ctx context.Context, lotID ids.ID) ([]Clarification, error)

	CreateObjection(ctx context.Context, o Objection) error
	UpdateObjection(ctx context.Context, o Objection) error
	GetObjection(ctx context.Context, id ids.ID) (Objection, error)
	ListObjections(ctx context.Context, lotID ids.ID) ([]Objection, error)

	CreateBid(ctx context.Context, b Bid) error
	UpdateBid(ctx context.Context, b Bid) error
	GetBid(ctx context.Context, id ids.ID) (Bid, error)
	GetBidByEntity(ctx context.Context, lotID, entityID ids.ID) (Bid, error)
	ListBids(ctx context.Context, lotID ids.ID) ([]Bid, error) // ordered by SubmittedAt
	ListBidsByEntity(ctx context.Context, entityID ids.ID) ([]Bid, error)

	SaveOpening(ctx context.Context, o Opening) error // insert; a second one for a lot is a Conflict
	GetOpening(ctx context.Context, lotID ids.ID) (Opening, error)

	// The expert pool (read for the draw; ratings written after evaluation).
	expert.Reader
	SaveRating(ctx context.Context, r expert.Rating) error

	// The verifiable draw (draw.go).
	CreateDraw(ctx context.Context, d Draw) error
	UpdateDraw(ctx context.Context, d Draw) error
	GetDraw(ctx context.Context, id ids.ID) (Draw, error)
	ListDraws(ctx context.Context, lotID ids.ID) ([]Draw, error)           // by attempt
	SaveDrawPool(ctx context.Context, digest string, experts []byte) error // idempotent per digest
	GetDrawPool(ctx context.Context, digest string) ([]byte, error)
	CreateInvitation(ctx context.Context, in Invitation) error
	UpdateInvitation(ctx context.Context, in Invitation) error
	GetInvitation(ctx context.Context, id ids.ID) (Invitation, error)
	ListInvitations(ctx context.Context, lotID ids.ID) ([]Invitation, error)         // by draw, need, seq
	ListInvitationsForUser(ctx context.Context, userID ids.ID) ([]Invitation, error) // newest first

	// The evaluation room (room.go).
	CreateRoom(ctx context.Context, r Room) error
	GetRoom(ctx context.Context, lotID ids.ID) (Room, error)
	UpdateRoom(ctx context.Context, r *Room) error // optimistic: Version must match; bumps it
	DeleteRoom(ctx context.Context, lotID ids.ID) error
	SaveVote(ctx context.Context, v Vote) error                                          // replaces the voter's vote of that kind and round
	ListVotes(ctx context.Context, lotID ids.ID, kind string, round int) ([]Vote, error) // kind "" = all; round −1 = all
	ListDeviations(ctx context.Context, lotID ids.ID) ([]Deviation, error)
	SaveDeviations(ctx context.Context, lotID ids.ID, ds []Deviation) error // replaces the lot's
	DeleteSheets(ctx context.Context, lotID, memberID ids.ID) error         // memberID "" = all

	SaveMembers(ctx context.Context, lotID ids.ID, ms []Member) error // replaces the lot's committee
	ListMembers(ctx context.Context, lotID ids.ID) ([]Member, error)
	ListLotsForMember(ctx context.Context, userID ids.ID) ([]ids.ID, error)

	SaveSheet(ctx context.Context, s ScoreSheet) error // insert or replace per lot+member
	ListSheets(ctx context.Context, lotID ids.ID) ([]ScoreSheet, error)

	SaveReport(ctx context.Context, r Report) error
	GetReport(ctx context.Context, lotID ids.ID) (Report, error)

	SaveAward(ctx context.Context, a Award) error
	GetAward(ctx context.Context, lotID ids.ID) (Award, error)
	SaveContract(ctx context.Context, c Contract) error
	GetContract(ctx context.Context, lotID ids.ID) (Contract, error)

	CreateWarning(ctx context.Context, w Warning) error
	ListWarnings(ctx context.Context, lotID ids.ID) ([]Warning, error) // "" = all; newest first

	AppendLedger(ctx context.Context, e ledger.Entry) (int64, error)
	ListLedger(ctx context.Context, subject string, from int64, limit int) ([]ledger.Entry, error) // subject "" = all
	LatestLedgerIndex(ctx context.Context, subject string) (int64, error)                          // −1 when none
	Enqueue(ctx context.Context, j jobs.Job) error

	GetUser(ctx context.Context, id ids.ID) (party.User, error)
	SaveShare(ctx context.Context, s ShareRecord) error // replaces the custodian's earlier share of the bid
	ListShares(ctx context.Context, lotID ids.ID) ([]ShareRecord, error)
	ListShareCustodians(ctx context.Context, lotID ids.ID) ([]ids.ID, error) // custodians who submitted, by ID
	SetCustodians(ctx context.Context, lotID ids.ID, userIDs []ids.ID) error
	NoteConfidential(ctx context.Context, lotID ids.ID, idx int64, ip, ipSalt string) error // a confidential entry about the lot, with the client address it commits to
	ListConfidential(ctx context.Context, lotID ids.ID) ([]int64, error)                    // their indexes, ascending
}

// Store runs tender transactions. A transaction function may run more than
// once (the store may retry it alone after a failed group commit), so it
// must have no effect outside the transaction but setting its results.
type Store interface {
	WithTx(ctx context.Context, fn func(Tx) error) error
	Read(ctx context.Context, fn func(Tx) error) error
}

// ShareRecord is a custodian's decrypted share of one bid's key, submitted
// after the deadline.
type ShareRecord struct {
	LotID       ids.ID
	BidID       ids.ID
	CustodianID ids.ID
	Share       string // JSON of seal.Share
	SubmittedAt time.Time
}
