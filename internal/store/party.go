package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"ggzy/internal/ids"
	"ggzy/internal/party"
	"ggzy/internal/tender"
)

// Tx is one database transaction; it implements party.Tx and tender.Tx.
type Tx struct {
	db   *DB
	tx   *sql.Tx
	pg   bool
	pool *sql.DB
}

var (
	_ party.Tx     = (*Tx)(nil)
	_ tender.Tx    = (*Tx)(nil)
	_ party.Store  = Runner[party.Tx]{}
	_ tender.Store = Runner[tender.Tx]{}
)

// SQL is the underlying transaction (for the job runner and special queries).
func (tx *Tx) SQL() *sql.Tx { return tx.tx }

// ---- entities

const entityCols = `id, uscc, name, legal_rep, kind, region, address, contact, created_at, controller_id`

func scanEntity(r rowScanner) (party.Entity, error) {
	var e party.Entity
	err := r.Scan(&e.ID, &e.USCC, &e.Name, &e.LegalRep, &e.Kind, &e.Region, &e.Address, &e.Contact, tm(&e.CreatedAt), &e.ControllerID)
	return e, err
}

// ListControlled lists the entities controller controls, ordered by ID.
func (tx *Tx) ListControlled(ctx context.Context, controller ids.ID) ([]party.Entity, error) {
	if controller == "" {
		return nil, nil
	}
	return collect(ctx, tx, "list controlled", scanEntity, `SELECT `+entityCols+` FROM entities WHERE controller_id = ? ORDER BY id`, controller)
}

func (tx *Tx) CreateEntity(ctx context.Context, e party.Entity) error {
	_, err := tx.exec(ctx, `INSERT INTO entities (`+entityCols+`) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		e.ID, e.USCC, e.Name, e.LegalRep, e.Kind, e.Region, e.Address, e.Contact, tx.t(e.CreatedAt), e.ControllerID)
	if err != nil {
		return writeErr("create entity", err, "该统一社会信用代码已注册。", "")
	}
	return nil
}

func (tx *Tx) GetEntity(ctx context.Context, id ids.ID) (party.Entity, error) {
	e, err := scanEntity(tx.queryRow(ctx, `SELECT `+entityCols+` FROM entities WHERE id = ?`, id))
	if err != nil {
		return party.Entity{}, readErr("get entity", err, "主体")
	}
	return e, nil
}

func (tx *Tx) GetEntityByUSCC(ctx context.Context, uscc string) (party.Entity, error) {
	e, err := scanEntity(tx.queryRow(ctx, `SELECT `+entityCols+` FROM entities WHERE uscc = ?`, uscc))
	if err != nil {
		return party.Entity{}, readErr("get entity by uscc", err, "主体")
	}
	return e, nil
}

func (tx *Tx) ListEntities(ctx context.Context, kind party.EntityKind) ([]party.Entity, error) {
	return collect(ctx, tx, "list entities", scanEntity,
		`SELECT `+entityCols+` FROM entities WHERE (? = '' OR kind = ?) ORDER BY name, id`, kind, kind)
}

// ---- users

const userCols = `id, username, name, role, entity_id, expert_id, department, password_hash, disabled, created_at`

func scanUser(r rowScanner) (party.User, error) {
	var u party.User
	err := r.Scan(&u.ID, &u.Username, &u.Name, &u.Role, &u.EntityID, &u.ExpertID, &u.Department, &u.PasswordHash, &u.Disabled, tm(&u.CreatedAt))
	return u, err
}

const dupUsername = "该用户名已被使用。"

func (tx *Tx) CreateUser(ctx context.Context, u party.User) error {
	_, err := tx.exec(ctx, `INSERT INTO users (`+userCols+`) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		u.ID, u.Username, u.Name, u.Role, u.EntityID, u.ExpertID, u.Department, u.PasswordHash, u.Disabled, tx.t(u.CreatedAt))
	if err != nil {
		return writeErr("create user", err, dupUsername, "")
	}
	return nil
}

// UpdateUser updates every field but ID and CreatedAt.
func (tx *Tx) UpdateUser(ctx context.Context, u party.User) error {
	res, err := tx.exec(ctx, `UPDATE users SET username = ?, name = ?, role = ?, entity_id = ?, expert_id = ?, department = ?, password_hash = ?, disabled = ? WHERE id = ?`,
		u.Username, u.Name, u.Role, u.EntityID, u.ExpertID, u.Department, u.PasswordHash, u.Disabled, u.ID)
	if err != nil {
		return writeErr("update user", err, dupUsername, "")
	}
	return mustAffect("update user", res, "用户")
}

func (tx *Tx) GetUser(ctx context.Context, id ids.ID) (party.User, error) {
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return party.User{}, readErr("get user", err, "用户")
	}
	return u, nil
}

func (tx *Tx) GetUserByUsername(ctx context.Context, username string) (party.User, error) {
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE username = ?`, username))
	if err != nil {
		return party.User{}, readErr("get user by username", err, "用户")
	}
	return u, nil
}

func (tx *Tx) ListUsers(ctx context.Context, role party.Role) ([]party.User, error) {
	return collect(ctx, tx, "list users", scanUser,
		`SELECT `+userCols+` FROM users WHERE (? = '' OR role = ?) ORDER BY username`, role, role)
}

// ---- sessions

func (tx *Tx) CreateSession(ctx context.Context, s party.Session) error {
	_, err := tx.exec(ctx, `INSERT INTO sessions (token_hash, user_id, kind, csrf, expires_at, created_at) VALUES (?,?,?,?,?,?)`,
		s.TokenHash, s.UserID, s.Kind, s.CSRF, tx.t(s.ExpiresAt), tx.t(s.CreatedAt))
	if err != nil {
		return writeErr("create session", err, "会话已存在。", "用户")
	}
	return nil
}

func (tx *Tx) GetSession(ctx context.Context, tokenHash string) (party.Session, error) {
	var s party.Session
	err := tx.queryRow(ctx, `SELECT token_hash, user_id, kind, csrf, expires_at, created_at FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&s.TokenHash, &s.UserID, &s.Kind, &s.CSRF, tm(&s.ExpiresAt), tm(&s.CreatedAt))
	if err != nil {
		return party.Session{}, readErr("get session", err, "会话")
	}
	return s, nil
}

// ExtendSession moves a session's expiry.
func (tx *Tx) ExtendSession(ctx context.Context, tokenHash string, expiresAt time.Time) error {
	res, err := tx.exec(ctx, `UPDATE sessions SET expires_at = ? WHERE token_hash = ?`, tx.t(expiresAt), tokenHash)
	if err != nil {
		return fmt.Errorf("store: extend session: %w", err)
	}
	return mustAffect("extend session", res, "会话")
}

// DeleteSession deletes a session; deleting a missing one is not an error.
func (tx *Tx) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions deletes sessions whose ExpiresAt is before now.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE expires_at < ?`, tx.t(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return n, nil
}

// ---- counters

// NextSeq returns the next value of the named counter, starting at 1.
func (tx *Tx) NextSeq(ctx context.Context, name string) (int64, error) {
	var v int64
	err := tx.queryRow(ctx, `INSERT INTO counters (name, v) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET v = counters.v + 1 RETURNING v`, name).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: next seq: %w", err)
	}
	return v, nil
}
