package party

import (
	"context"
	"time"

	"ggzy/internal/ids"
	"ggzy/internal/ledger"
)

// EntityReader reads registered entities (used by other contexts too).
type EntityReader interface {
	GetEntity(ctx context.Context, id ids.ID) (Entity, error)
	GetEntityByUSCC(ctx context.Context, uscc string) (Entity, error)
	ListEntities(ctx context.Context, kind EntityKind) ([]Entity, error)       // kind "" = all; ordered by name
	ListControlled(ctx context.Context, controllerID ids.ID) ([]Entity, error) // entities it controls; ordered by ID
}

// Related lists the entities in a control relation with e: its controller
// and the entities it controls (either direction counts for recusal and for
// 《招标投标法实施条例》第三十四条).
func Related(ctx context.Context, r EntityReader, e Entity) ([]ids.ID, error) {
	var out []ids.ID
	if e.ControllerID != "" {
		out = append(out, e.ControllerID)
	}
	cs, err := r.ListControlled(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out, nil
}

// Tx is what the party use cases need from a transaction. Not-found reads
// return an apperr NotFound; a duplicate USCC or username an apperr Conflict.
type Tx interface {
	EntityReader
	CreateEntity(ctx context.Context, e Entity) error
	CreateUser(ctx context.Context, u User) error
	UpdateUser(ctx context.Context, u User) error
	GetUser(ctx context.Context, id ids.ID) (User, error)
	GetUserByUsername(ctx context.Context, username string) (User, error)
	ListUsers(ctx context.Context, role Role) ([]User, error) // role "" = all; ordered by username
	CreateSession(ctx context.Context, s Session) error
	GetSession(ctx context.Context, tokenHash string) (Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	ExtendSession(ctx context.Context, tokenHash string, expiresAt time.Time) error // NotFound if missing
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	AppendLedger(ctx context.Context, e ledger.Entry) (int64, error)

	// The public key registry (keys.go). A duplicate fingerprint is an
	// apperr Conflict; UpdateKey writes the revocation only, once: revoking
	// a revoked key is an apperr Conflict.
	CreateKey(ctx context.Context, k PublicKey) error
	GetKey(ctx context.Context, id ids.ID) (PublicKey, error)
	GetKeyByFingerprint(ctx context.Context, fingerprint string) (PublicKey, error)
	ListKeys(ctx context.Context, f KeyFilter) ([]PublicKey, error) // newest first
	UpdateKey(ctx context.Context, k PublicKey) error
}

// Store runs party transactions; a transaction function may run more than
// once and must have no effect outside the transaction but setting results.
type Store interface {
	WithTx(ctx context.Context, fn func(Tx) error) error
	Read(ctx context.Context, fn func(Tx) error) error
}
