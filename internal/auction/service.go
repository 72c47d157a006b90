package auction

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
)

// Service runs the sale use cases.
type Service struct {
	store  Store
	clock  clock.Clock
	ids    *ids.Generator
	cal    *calendar.Calendar
	params rules.Params
	region string
	rand   io.Reader
	keys   Keys // registered keys for sealed quotes (sealed.go); nil = refused

	hot       sync.Map // ids.ID → *hotSale: sales in live bidding (hot.go)
	listenMu  sync.Mutex
	listeners atomic.Pointer[[]func(Committed)]
}

// Config wires a Service.
type Config struct {
	Store    Store
	Clock    clock.Clock
	IDs      *ids.Generator
	Calendar *calendar.Calendar
	// Params are the settings new sales take (zero: rules.DefaultParams);
	// each sale keeps the ones it was created with.
	Params *rules.Params
	Region string    // GB/T 2260 of this platform, prefix of sale codes
	Rand   io.Reader // bidder numbers; nil = crypto/rand
	Keys   Keys      // the key registry (party.Keyring): sealed quotes' signers and custodians
}

// New returns a Service; it refuses parameters that relax a statutory rule.
func New(c Config) (*Service, error) {
	p := rules.DefaultParams()
	if c.Params != nil {
		p = *c.Params
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("auction: parameters: %w", err)
	}
	if c.IDs == nil {
		c.IDs = &ids.Generator{}
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	return &Service{store: c.Store, clock: c.Clock, ids: c.IDs, cal: c.Calendar, params: p, region: c.Region, rand: c.Rand, keys: c.Keys}, nil
}

// Params returns the parameters new sales take.
func (s *Service) Params() rules.Params { return s.params }

// Now is the service clock: server time, which is authoritative and shown.
func (s *Service) Now() time.Time { return s.clock.Now() }

// NotDueError tells the job runner that a use case ran before its time (jobs
// are scheduled a little early, and the database's clock may run ahead of
// ours) and should run again at At.
type NotDueError struct{ At time.Time }

func (e *NotDueError) Error() string { return "not due until " + e.At.UTC().Format(time.RFC3339Nano) }

// ---- ledger

// record appends an entry about a sale: public part without names (role
// only), the actor and the IP in the committed private part.
func record(ctx context.Context, tx Tx, now time.Time, actor party.Actor, typ string, sale Sale, public, private map[string]any) (int64, error) {
	if public == nil {
		public = map[string]any{}
	}
	public["sale"] = sale.Code
	public["role"] = string(actor.Role)
	if private == nil {
		private = map[string]any{}
	}
	private["actor"] = actor.UserID
	private["actor_name"] = actor.Name
	private["role"] = string(actor.Role)
	private["ip"] = actor.IP
	e, err := ledger.Seal(ledger.Draft{Type: typ, Subject: sale.Code, Public: public, Private: private}, now)
	if err != nil {
		return 0, err
	}
	return tx.AppendLedger(ctx, e)
}

// recordConfidential appends an entry whose kind and subject stay secret
// (a registration, a review, a deposit: who wants to buy is hidden until the
// deal). Nothing about it is ever revealed; auditors read it.
func recordConfidential(ctx context.Context, tx Tx, now time.Time, actor party.Actor, typ string, private map[string]any) (int64, error) {
	private["type"] = typ
	private["actor"] = actor.UserID
	private["actor_name"] = actor.Name
	private["role"] = string(actor.Role)
	private["ip"] = actor.IP
	e, err := ledger.Seal(ledger.Draft{Type: ledger.Confidential, Public: map[string]any{}, Private: private}, now)
	if err != nil {
		return 0, err
	}
	return tx.AppendLedger(ctx, e)
}

// commitSecret appends a commitment to secret alone — a reserve, a sealed
// quote, the binding of a bidder number to an entity — to be revealed at the
// end with reveal. It holds no actor and no IP, since its private part is
// published whole by the reveal; who did it is recorded in a separate entry
// (record or recordConfidential) that names this one.
func commitSecret(ctx context.Context, tx Tx, now time.Time, secret map[string]any) (int64, error) {
	e, err := ledger.Seal(ledger.Draft{Type: ledger.Confidential, Public: map[string]any{}, Private: secret}, now)
	if err != nil {
		return 0, err
	}
	return tx.AppendLedger(ctx, e)
}

// reveal discloses the private part of entry idx under the sale's code.
func reveal(ctx context.Context, tx Tx, now time.Time, sale Sale, idx int64) (int64, error) {
	es, err := tx.ListLedger(ctx, "", idx, 1)
	if err != nil {
		return 0, err
	}
	if len(es) != 1 || es[0].Index != idx {
		return 0, fmt.Errorf("auction: ledger entry %d of sale %s missing", idx, sale.ID)
	}
	e, err := ledger.Seal(ledger.RevealDraft(es[0], sale.Code), now)
	if err != nil {
		return 0, err
	}
	return tx.AppendLedger(ctx, e)
}

// ---- events

// state is the public state of a sale at now, as events and views show it.
func state(sale Sale, now time.Time) EventData {
	d := EventData{Status: sale.Phase(now), Price: sale.Price, Leader: sale.Leader, Bids: sale.Quotes, Increment: sale.Increment,
		JoinBy: sale.JoinBy, Result: sale.Result, Reason: sale.Reason, Winner: sale.Winner}
	switch {
	case sale.Status == StatusClosed:
		d.Price = sale.Final
		if sale.Result != Deal {
			d.Price = sale.Price
		}
		if sale.Timed != nil {
			d.Bids = sale.Timed.Bids
			d.EndsAt = sale.Timed.EndsAt
		}
	case sale.Timed != nil:
		t := *sale.Timed
		d.Price, d.Leader, d.Bids, d.Next, d.EndsAt, d.Increment = t.Price, t.Leader, t.Bids, t.Next(), t.EndsAt, t.Increment
		d.Paused = t.Paused
		if t.Paused {
			d.Remaining = t.Remaining.Milliseconds()
		}
	case sale.Mode == ModeListing && (sale.Status == StatusAnnounced || sale.Status == StatusListing):
		d.Next = rules.NextValid(sale.Price, sale.StartPrice, sale.Increment, sale.Quotes > 0)
	case sale.Mode == ModeSealed:
		d.Price, d.Leader, d.Bids = 0, "", 0 // nothing about sealed quotes before the close
	}
	return d
}

// event writes the live-view event of a change, in the change's
// transaction, under the sale's commit sequence: a watcher only ever reads
// committed events, so nothing is broadcast before it is durable.
func event(ctx context.Context, tx Tx, sale Sale, typ string, now time.Time, d EventData) error {
	return tx.AddAuctionEvent(ctx, Event{SaleID: sale.ID, Seq: sale.Seq, Type: typ, At: now, Data: d})
}

// ---- authorisation

// isSeller reports whether actor is a user of the seller entity (出让人/转让方).
func isSeller(actor party.Actor, sale Sale) bool {
	return actor.Role == party.RolePrincipal && actor.EntityID != "" && actor.EntityID == sale.SellerID
}

// manages reports whether actor may announce and change the sale: the
// trading centre, or the seller.
func manages(actor party.Actor, sale Sale) bool {
	return actor.Role == party.RoleOperator || isSeller(actor, sale)
}

func operatorOnly(actor party.Actor, what string) error {
	if actor.Role != party.RoleOperator {
		return apperr.Forbiddenf("%s由交易中心工作人员办理。", what)
	}
	return nil
}

// decision checks an audited decision of the trading centre: taken by its
// staff, with a written reason, which it returns trimmed.
func decision(actor party.Actor, what, reason string) (string, error) {
	if err := operatorOnly(actor, what); err != nil {
		return "", err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", apperr.New(apperr.Invalid, "请写明%s的理由。", what).WithField("reason", "请填写理由")
	}
	return reason, nil
}

// bidderReg returns the actor's registration on the sale, which must be
// eligible (qualified, deposit confirmed).
func bidderReg(ctx context.Context, tx Tx, actor party.Actor, sale Sale) (Registration, error) {
	if actor.Role != party.RoleBidder || actor.EntityID == "" {
		return Registration{}, apperr.Forbiddenf("只有竞买人可以报价或出价。")
	}
	r, err := tx.GetSaleRegistrationByEntity(ctx, sale.ID, actor.EntityID)
	if apperr.Is(err, apperr.NotFound) {
		return Registration{}, apperr.Rule(apperr.Forbidden, rules.BasisLO39, "贵单位未报名参加本宗交易，不能报价。")
	}
	if err != nil {
		return Registration{}, err
	}
	if !r.Eligible() {
		deposit := ""
		if r.DepositAt.IsZero() {
			deposit = "，保证金尚未确认"
		}
		return Registration{}, apperr.Rule(apperr.Forbidden, rules.BasisLO39,
			"只有通过资格审查并交纳竞买保证金的竞买人可以报价；贵单位的申请状态为%s%s。", r.Status.Label(), deposit)
	}
	return r, nil
}

func (s *Service) enqueue(ctx context.Context, tx Tx, kind, subject string, at time.Time) error {
	return tx.Enqueue(ctx, jobs.Job{Kind: kind, Subject: subject, RunAt: at})
}

// TimedCloseSubject is the subject of the close job of a timed bidding
// whose countdown ends at endsAt: the sale and the end it was scheduled for,
// so a job left behind by a later bid knows it is stale.
func TimedCloseSubject(saleID ids.ID, endsAt time.Time) string {
	return saleID + "@" + endsAt.UTC().Format(time.RFC3339Nano)
}

// ParseTimedCloseSubject splits a TimedCloseSubject; a bare sale ID has a
// zero due time.
func ParseTimedCloseSubject(subject string) (ids.ID, time.Time, error) {
	for i := len(subject) - 1; i >= 0; i-- {
		if subject[i] == '@' {
			t, err := time.Parse(time.RFC3339Nano, subject[i+1:])
			if err != nil {
				return "", time.Time{}, apperr.New(apperr.Invalid, "限时竞价结束任务的时间无效。").Wrap(err)
			}
			return subject[:i], t.UTC(), nil
		}
	}
	return subject, time.Time{}, nil
}

// sameInstant compares stored instants at the storage precision (µs).
func sameInstant(a, b time.Time) bool {
	return a.UTC().Truncate(time.Microsecond).Equal(b.UTC().Truncate(time.Microsecond))
}
