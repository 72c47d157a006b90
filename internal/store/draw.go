package store

import (
	"context"
	"database/sql"
	"fmt"

	"ggzy/internal/ids"
	"ggzy/internal/tender"
)

// ---- the verifiable draw (tender/draw.go)

const drawCols = `id, lot_id, attempt, status, remote, reason, request, request_digest, pool_digest, pool_size, request_index, checkpoint_size, checkpoint, result, result_digest, result_index, failure, reps, created_by, created_at, done_at`

func scanDraw(r rowScanner) (tender.Draw, error) {
	var d tender.Draw
	err := r.Scan(&d.ID, &d.LotID, &d.Attempt, &d.Status, &d.Remote, &d.Reason, nj{&d.Request}, &d.RequestDigest, &d.PoolDigest, &d.PoolSize,
		&d.RequestIndex, &d.CheckpointSize, &d.Checkpoint, nj{&d.Result}, &d.ResultDigest, &d.ResultIndex, &d.Failure, nj{&d.Reps},
		&d.CreatedBy, tm(&d.CreatedAt), tm(&d.DoneAt))
	return d, err
}

func (tx *Tx) drawArgs(d tender.Draw) ([]any, error) {
	req, err := js(d.Request)
	if err != nil {
		return nil, err
	}
	res, err := js(d.Result)
	if err != nil {
		return nil, err
	}
	reps, err := js(d.Reps)
	if err != nil {
		return nil, err
	}
	return []any{d.ID, d.LotID, d.Attempt, d.Status, d.Remote, d.Reason, req, d.RequestDigest, d.PoolDigest, d.PoolSize,
		d.RequestIndex, d.CheckpointSize, d.Checkpoint, res, d.ResultDigest, d.ResultIndex, d.Failure, reps,
		d.CreatedBy, tx.t(d.CreatedAt), tx.t(d.DoneAt)}, nil
}

// CreateDraw stores a new attempt; a second attempt with the same number
// for the lot is an apperr Conflict (two operators racing).
func (tx *Tx) CreateDraw(ctx context.Context, d tender.Draw) error {
	args, err := tx.drawArgs(d)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO draws (`+drawCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...); err != nil {
		return writeErr("create draw", err, "另一抽取请求已同时提交，请刷新后查看。", "标段")
	}
	return nil
}

// UpdateDraw writes the outcome of an attempt (status, checkpoint, result).
func (tx *Tx) UpdateDraw(ctx context.Context, d tender.Draw) error {
	res, err := js(d.Result)
	if err != nil {
		return err
	}
	r, err := tx.exec(ctx, `UPDATE draws SET status = ?, checkpoint_size = ?, checkpoint = ?, result = ?, result_digest = ?, result_index = ?, failure = ?, done_at = ? WHERE id = ?`,
		d.Status, d.CheckpointSize, d.Checkpoint, res, d.ResultDigest, d.ResultIndex, d.Failure, tx.t(d.DoneAt), d.ID)
	if err != nil {
		return fmt.Errorf("store: update draw: %w", err)
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return readErr("update draw", sql.ErrNoRows, "抽取记录")
	}
	return nil
}

func (tx *Tx) GetDraw(ctx context.Context, id ids.ID) (tender.Draw, error) {
	d, err := scanDraw(tx.queryRow(ctx, `SELECT `+drawCols+` FROM draws WHERE id = ?`, id))
	if err != nil {
		return tender.Draw{}, readErr("get draw", err, "抽取记录")
	}
	return d, nil
}

func (tx *Tx) ListDraws(ctx context.Context, lotID ids.ID) ([]tender.Draw, error) {
	return collect(ctx, tx, "list draws", scanDraw, `SELECT `+drawCols+` FROM draws WHERE lot_id = ? ORDER BY attempt`, lotID)
}

// SaveDrawPool stores a pool snapshot under its digest; the same snapshot
// saved twice is kept once.
func (tx *Tx) SaveDrawPool(ctx context.Context, digest string, experts []byte) error {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM draw_pools WHERE digest = ?`, digest).Scan(&one)
	if err == nil {
		return nil
	}
	if _, err := tx.exec(ctx, `INSERT INTO draw_pools (digest, experts) VALUES (?,?)`, digest, string(experts)); err != nil {
		return fmt.Errorf("store: save draw pool: %w", err)
	}
	return nil
}

func (tx *Tx) GetDrawPool(ctx context.Context, digest string) ([]byte, error) {
	var s string
	if err := tx.queryRow(ctx, `SELECT experts FROM draw_pools WHERE digest = ?`, digest).Scan(&s); err != nil {
		return nil, readErr("get draw pool", err, "专家库快照")
	}
	return []byte(s), nil
}

const invCols = `id, draw_id, lot_id, expert_id, user_id, name, need, seq, backup, status, deadline, responded_at, reason, created_at`

func scanInv(r rowScanner) (tender.Invitation, error) {
	var iv tender.Invitation
	err := r.Scan(&iv.ID, &iv.DrawID, &iv.LotID, &iv.ExpertID, &iv.UserID, &iv.Name, &iv.Need, &iv.Seq, &iv.Backup, &iv.Status,
		tm(&iv.Deadline), tm(&iv.RespondedAt), &iv.Reason, tm(&iv.CreatedAt))
	return iv, err
}

func (tx *Tx) CreateInvitation(ctx context.Context, iv tender.Invitation) error {
	_, err := tx.exec(ctx, `INSERT INTO draw_invitations (`+invCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		iv.ID, iv.DrawID, iv.LotID, iv.ExpertID, iv.UserID, iv.Name, iv.Need, iv.Seq, iv.Backup, iv.Status,
		tx.t(iv.Deadline), tx.t(iv.RespondedAt), iv.Reason, tx.t(iv.CreatedAt))
	if err != nil {
		return writeErr("create invitation", err, "抽取通知重复。", "抽取记录")
	}
	return nil
}

// UpdateInvitation writes an invitation's state, deadline and answer.
func (tx *Tx) UpdateInvitation(ctx context.Context, iv tender.Invitation) error {
	r, err := tx.exec(ctx, `UPDATE draw_invitations SET status = ?, deadline = ?, responded_at = ?, reason = ? WHERE id = ?`,
		iv.Status, tx.t(iv.Deadline), tx.t(iv.RespondedAt), iv.Reason, iv.ID)
	if err != nil {
		return fmt.Errorf("store: update invitation: %w", err)
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return readErr("update invitation", sql.ErrNoRows, "抽取通知")
	}
	return nil
}

func (tx *Tx) GetInvitation(ctx context.Context, id ids.ID) (tender.Invitation, error) {
	iv, err := scanInv(tx.queryRow(ctx, `SELECT `+invCols+` FROM draw_invitations WHERE id = ?`, id))
	if err != nil {
		return tender.Invitation{}, readErr("get invitation", err, "抽取通知")
	}
	return iv, nil
}

func (tx *Tx) ListInvitations(ctx context.Context, lotID ids.ID) ([]tender.Invitation, error) {
	return collect(ctx, tx, "list invitations", scanInv,
		`SELECT i.id, i.draw_id, i.lot_id, i.expert_id, i.user_id, i.name, i.need, i.seq, i.backup, i.status, i.deadline, i.responded_at, i.reason, i.created_at
		FROM draw_invitations i JOIN draws d ON d.id = i.draw_id WHERE i.lot_id = ? ORDER BY d.attempt, i.need, i.seq`, lotID)
}

func (tx *Tx) ListInvitationsForUser(ctx context.Context, userID ids.ID) ([]tender.Invitation, error) {
	return collect(ctx, tx, "list invitations for user", scanInv,
		`SELECT `+invCols+` FROM draw_invitations WHERE user_id = ? AND status <> 'standby' AND status <> 'released' ORDER BY created_at DESC, id DESC`, userID)
}
