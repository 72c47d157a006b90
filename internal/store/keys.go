package store

import (
	"context"
	"fmt"
	"strings"

	"ggzy/internal/apperr"
	"ggzy/internal/ids"
	"ggzy/internal/party"
)

// ---- the public key registry (party/keys.go)

const keyCols = `id, fingerprint, purpose, entity_id, user_id, pem, label, valid_from, valid_to, revoked_at, revoked_reason, created_at, created_by`

func scanKey(r rowScanner) (party.PublicKey, error) {
	var k party.PublicKey
	err := r.Scan(&k.ID, &k.Fingerprint, &k.Purpose, &k.EntityID, &k.UserID, &k.PEM, &k.Label,
		tm(&k.ValidFrom), tm(&k.ValidTo), tm(&k.RevokedAt), &k.RevokedReason, tm(&k.CreatedAt), &k.CreatedBy)
	return k, err
}

// CreateKey stores a new key; a duplicate fingerprint (or ID) is an apperr
// Conflict.
func (tx *Tx) CreateKey(ctx context.Context, k party.PublicKey) error {
	_, err := tx.exec(ctx, `INSERT INTO public_keys (`+keyCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		k.ID, k.Fingerprint, k.Purpose, k.EntityID, k.UserID, k.PEM, k.Label,
		tx.t(k.ValidFrom), tx.t(k.ValidTo), tx.t(k.RevokedAt), k.RevokedReason, tx.t(k.CreatedAt), k.CreatedBy)
	if err != nil {
		return writeErr("create key", err, "该公钥已登记。", "")
	}
	return nil
}

func (tx *Tx) GetKey(ctx context.Context, id ids.ID) (party.PublicKey, error) {
	k, err := scanKey(tx.queryRow(ctx, `SELECT `+keyCols+` FROM public_keys WHERE id = ?`, id))
	if err != nil {
		return party.PublicKey{}, readErr("get key", err, "公钥")
	}
	return k, nil
}

func (tx *Tx) GetKeyByFingerprint(ctx context.Context, fingerprint string) (party.PublicKey, error) {
	k, err := scanKey(tx.queryRow(ctx, `SELECT `+keyCols+` FROM public_keys WHERE fingerprint = ?`, fingerprint))
	if err != nil {
		return party.PublicKey{}, readErr("get key by fingerprint", err, "公钥")
	}
	return k, nil
}

// ListKeys lists the keys matching every non-empty field of f, newest
// (CreatedAt, then ID) first. Only the set conditions are in the SQL, so the
// entity and user indexes serve.
func (tx *Tx) ListKeys(ctx context.Context, f party.KeyFilter) ([]party.PublicKey, error) {
	var (
		conds []string
		args  []any
	)
	if f.EntityID != "" {
		conds, args = append(conds, "entity_id = ?"), append(args, f.EntityID)
	}
	if f.UserID != "" {
		conds, args = append(conds, "user_id = ?"), append(args, f.UserID)
	}
	if f.Purpose != "" {
		conds, args = append(conds, "purpose = ?"), append(args, f.Purpose)
	}
	q := `SELECT ` + keyCols + ` FROM public_keys`
	if len(conds) > 0 {
		q += ` WHERE ` + strings.Join(conds, " AND ")
	}
	return collect(ctx, tx, "list keys", scanKey, q+` ORDER BY created_at DESC, id DESC`, args...)
}

// UpdateKey writes a key's revocation (RevokedAt, RevokedReason) and nothing
// else. Revocation is forever: a key already revoked is not changed and the
// call is an apperr Conflict; a missing key is an apperr NotFound.
func (tx *Tx) UpdateKey(ctx context.Context, k party.PublicKey) error {
	if k.RevokedAt.IsZero() {
		return fmt.Errorf("store: update key %s: no revocation time", k.ID)
	}
	res, err := tx.exec(ctx, `UPDATE public_keys SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL`,
		tx.t(k.RevokedAt), k.RevokedReason, k.ID)
	if err != nil {
		return fmt.Errorf("store: update key: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: update key: %w", err)
	}
	if n == 1 {
		return nil
	}
	if _, err := tx.GetKey(ctx, k.ID); err != nil {
		return err
	}
	return apperr.New(apperr.Conflict, "该公钥已吊销，吊销不可撤回。")
}
