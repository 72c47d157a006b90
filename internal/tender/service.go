package tender

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/expert"
	"ggzy/internal/gm"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
	"ggzy/internal/rules"
)

// Opener turns a stored bid into its content. Check runs at submission and
// must not need the plaintext (a sealed format verifies a signature); Open runs
// only at the opening.
type Opener interface {
	Check(lot Lot, entityID ids.ID, content []byte) error
	Open(ctx context.Context, lot Lot, b Bid) (BidContent, error)
}

// Service runs the tender use cases.
type Service struct {
	store   Store
	clock   clock.Clock
	ids     *ids.Generator
	rules   rules.Set
	cal     *calendar.Calendar
	openers map[string]Opener
	region  string
	rand    io.Reader
	keys    Keys
	blobs   Blobs
	sealed  bool

	checkpoints    Checkpoints
	pool           expert.Policy
	eval           EvalPolicy
	validSpecialty func(string) bool
}

// Config wires a Service.
type Config struct {
	Store    Store
	Clock    clock.Clock
	IDs      *ids.Generator
	Rules    rules.Set
	Calendar *calendar.Calendar
	Region   string // GB/T 2260 of this platform, prefix of business codes
	Openers  map[string]Opener
	Rand     io.Reader // nil = crypto/rand
	Keys     Keys      // registered public keys (sealed bids, custody)
	Blobs    Blobs     // file store (sealed bids and their opened files)
	// RequireSealed makes every lot name custodians before it is published,
	// so that only bids sealed on the bidder's side are accepted
	// (电子招标投标办法第二十六条). Off only in tests of the plain format.
	RequireSealed bool
	// Checkpoints seeds the expert draw (ledger.Log); Pool is the expert
	// pool's policy (frequency cap, confirmation window, age limit);
	// ValidSpecialty checks codes against the classification table.
	Checkpoints    Checkpoints
	Pool           expert.Policy
	ValidSpecialty func(string) bool
	// Eval is the evaluation room's policy (zero: DefaultEvalPolicy).
	Eval EvalPolicy
}

// New returns a Service. The plain-v1 opener is always present.
func New(c Config) *Service {
	op := map[string]Opener{PlainFormat: PlainOpener{}}
	for k, v := range c.Openers {
		op[k] = v
	}
	r := c.Rand
	if r == nil {
		r = rand.Reader
	}
	if c.IDs == nil {
		c.IDs = &ids.Generator{}
	}
	s := &Service{store: c.Store, clock: c.Clock, ids: c.IDs, rules: c.Rules, cal: c.Calendar, openers: op, region: c.Region, rand: r,
		keys: c.Keys, blobs: c.Blobs, sealed: c.RequireSealed, checkpoints: c.Checkpoints, pool: c.Pool, validSpecialty: c.ValidSpecialty, eval: c.Eval}
	if s.eval.Duration == 0 {
		s.eval = DefaultEvalPolicy()
	}
	if s.pool.AgeMax == 0 {
		s.pool = expert.DefaultPolicy()
	}
	return s
}

// Rules returns the rule set in force.
func (s *Service) Rules() rules.Set { return s.rules }

// Now is the service clock (for views that show remaining time).
func (s *Service) Now() time.Time { return s.clock.Now() }

// rule quotes a rule's basis into an error.
func (s *Service) ruleErr(code apperr.Code, k rules.Key, format string, args ...any) *apperr.Error {
	return apperr.Rule(code, s.rules.Get(k).Basis, format, args...)
}

// record appends a ledger entry inside tx.
func record(ctx context.Context, tx Tx, now time.Time, actor party.Actor, typ, subject string, public, private map[string]any) (int64, error) {
	if private == nil {
		private = map[string]any{}
	}
	private["actor"] = actor.UserID
	private["actor_name"] = actor.Name
	private["role"] = string(actor.Role)
	private["ip"] = actor.IP
	if public == nil {
		public = map[string]any{}
	}
	public["role"] = string(actor.Role)
	e, err := ledger.Seal(ledger.Draft{Type: typ, Subject: subject, Public: public, Private: private}, now)
	if err != nil {
		return 0, err
	}
	return tx.AppendLedger(ctx, e)
}

// recordConfidential appends an entry whose type and subject are secret until
// the opening (招标投标法第二十二条): the public part says only that a
// confidential submission happened. The entry is noted against the lot, so
// that the opening reveals it.
//
// The private part is published by that reveal, so the client address is
// not in it: the entry commits to the address (ip_commitment), and the
// address with its salt stays in the database for auditors (DESIGN.md §6.1:
// client IPs are never published).
func recordConfidential(ctx context.Context, tx Tx, now time.Time, actor party.Actor, lotID ids.ID, typ string, private map[string]any) (int64, error) {
	private["type"] = typ
	private["actor"] = actor.UserID
	private["role"] = string(actor.Role)
	ipSalt := ids.Token(16)
	private["ip_commitment"] = ledger.Commit(ipSalt, []byte(actor.IP))
	e, err := ledger.Seal(ledger.Draft{Type: ledger.Confidential, Public: map[string]any{}, Private: private}, now)
	if err != nil {
		return 0, err
	}
	idx, err := tx.AppendLedger(ctx, e)
	if err != nil {
		return 0, err
	}
	return idx, tx.NoteConfidential(ctx, lotID, idx, actor.IP, ipSalt)
}

// sm3Hex hashes b.
func sm3Hex(b []byte) string {
	h := gm.SM3(b)
	return hex.EncodeToString(h[:])
}

// endOfPeriod returns the instant a period of n calendar days starting at t
// ends: the end (24:00 Beijing time) of its last day (民法典第二百零一、二百零三条).
func (s *Service) endOfPeriod(t time.Time, n int) time.Time {
	end, _ := s.cal.PeriodEnd(t, n, calendar.CalendarDays)
	return end.AddDate(0, 0, 1).UTC()
}

// daysBefore counts whole calendar days from t's date to deadline's date.
func daysBefore(t, deadline time.Time) int {
	a, b := clock.Date(t), clock.Date(deadline)
	return int(b.Sub(a).Hours()+12) / 24
}

func (s *Service) enqueue(ctx context.Context, tx Tx, kind, subject string, at time.Time) error {
	return tx.Enqueue(ctx, jobs.Job{Kind: kind, Subject: subject, RunAt: at})
}
