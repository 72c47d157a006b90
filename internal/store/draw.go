package store

import (
	"context"
	"database/sql"
	"fmt"

	"ggzy/internal/apperr"
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

// ---- the evaluation room (tender/room.go)

const roomCols = `lot_id, status, remote, prior, started_at, ends_at, extensions, chair, failure, failed_at, resume_by, updated_at, version`

func (tx *Tx) CreateRoom(ctx context.Context, r tender.Room) error {
	_, err := tx.exec(ctx, `INSERT INTO eval_rooms (`+roomCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,1)`,
		r.LotID, r.Status, r.Remote, r.Prior, tx.t(r.StartedAt), tx.t(r.EndsAt), r.Extensions, r.Chair, r.Failure, tx.t(r.FailedAt), tx.t(r.ResumeBy), tx.t(r.UpdatedAt))
	if err != nil {
		return writeErr("create room", err, "该标段的评标室已开设。", "标段")
	}
	return nil
}

func (tx *Tx) GetRoom(ctx context.Context, lotID ids.ID) (tender.Room, error) {
	var r tender.Room
	err := tx.queryRow(ctx, `SELECT `+roomCols+` FROM eval_rooms WHERE lot_id = ?`, lotID).Scan(&r.LotID, &r.Status, &r.Remote, &r.Prior,
		tm(&r.StartedAt), tm(&r.EndsAt), &r.Extensions, &r.Chair, &r.Failure, tm(&r.FailedAt), tm(&r.ResumeBy), tm(&r.UpdatedAt), &r.Version)
	if err != nil {
		return tender.Room{}, readErr("get room", err, "评标室")
	}
	return r, nil
}

// UpdateRoom writes r when its Version is current and bumps it.
func (tx *Tx) UpdateRoom(ctx context.Context, r *tender.Room) error {
	res, err := tx.exec(ctx, `UPDATE eval_rooms SET status = ?, remote = ?, prior = ?, started_at = ?, ends_at = ?, extensions = ?, chair = ?, failure = ?,
		failed_at = ?, resume_by = ?, updated_at = ?, version = version + 1 WHERE lot_id = ? AND version = ?`,
		r.Status, r.Remote, r.Prior, tx.t(r.StartedAt), tx.t(r.EndsAt), r.Extensions, r.Chair, r.Failure, tx.t(r.FailedAt), tx.t(r.ResumeBy), tx.t(r.UpdatedAt), r.LotID, r.Version)
	if err != nil {
		return fmt.Errorf("store: update room: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "评标室状态已变化，请刷新后重试。")
	}
	r.Version++
	return nil
}

func (tx *Tx) DeleteRoom(ctx context.Context, lotID ids.ID) error {
	if _, err := tx.exec(ctx, `DELETE FROM eval_votes WHERE lot_id = ?`, lotID); err != nil {
		return fmt.Errorf("store: delete room votes: %w", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM eval_rooms WHERE lot_id = ?`, lotID); err != nil {
		return fmt.Errorf("store: delete room: %w", err)
	}
	return nil
}

// SaveVote records a vote, replacing the voter's earlier one of that kind and round.
func (tx *Tx) SaveVote(ctx context.Context, v tender.Vote) error {
	_, err := tx.exec(ctx, `INSERT INTO eval_votes (lot_id, kind, round, voter, value, at) VALUES (?,?,?,?,?,?)
		ON CONFLICT (lot_id, kind, round, voter) DO UPDATE SET value = excluded.value, at = excluded.at`,
		v.LotID, v.Kind, v.Round, v.Voter, v.Value, tx.t(v.At))
	if err != nil {
		return writeErr("save vote", err, "", "标段")
	}
	return nil
}

func (tx *Tx) ListVotes(ctx context.Context, lotID ids.ID, kind string, round int) ([]tender.Vote, error) {
	q := `SELECT lot_id, kind, round, voter, value, at FROM eval_votes WHERE lot_id = ?`
	args := []any{lotID}
	if kind != "" {
		q += ` AND kind = ?`
		args = append(args, kind)
	}
	if round >= 0 {
		q += ` AND round = ?`
		args = append(args, round)
	}
	return collect(ctx, tx, "list votes", func(r rowScanner) (tender.Vote, error) {
		var v tender.Vote
		return v, r.Scan(&v.LotID, &v.Kind, &v.Round, &v.Voter, &v.Value, tm(&v.At))
	}, q+` ORDER BY kind, round, at, voter`, args...)
}

func (tx *Tx) ListDeviations(ctx context.Context, lotID ids.ID) ([]tender.Deviation, error) {
	return collect(ctx, tx, "list deviations", func(r rowScanner) (tender.Deviation, error) {
		var d tender.Deviation
		return d, r.Scan(&d.LotID, &d.MemberID, &d.BidID, &d.Item, &d.Score, &d.Mean, &d.Pct, &d.Explanation, tm(&d.ExplainedAt))
	}, `SELECT lot_id, member_id, bid_id, item, score, mean, pct, explanation, explained_at FROM eval_deviations WHERE lot_id = ? ORDER BY member_id, bid_id, item`, lotID)
}

// SaveDeviations replaces the lot's deviations.
func (tx *Tx) SaveDeviations(ctx context.Context, lotID ids.ID, ds []tender.Deviation) error {
	if _, err := tx.exec(ctx, `DELETE FROM eval_deviations WHERE lot_id = ?`, lotID); err != nil {
		return fmt.Errorf("store: save deviations: %w", err)
	}
	for _, d := range ds {
		if _, err := tx.exec(ctx, `INSERT INTO eval_deviations (lot_id, member_id, bid_id, item, score, mean, pct, explanation, explained_at) VALUES (?,?,?,?,?,?,?,?,?)`,
			lotID, d.MemberID, d.BidID, d.Item, d.Score, d.Mean, d.Pct, d.Explanation, tx.t(d.ExplainedAt)); err != nil {
			return writeErr("save deviations", err, "评分偏离记录重复。", "标段")
		}
	}
	return nil
}

// DeleteSheets discards sheets: one member's, or all ("" memberID).
func (tx *Tx) DeleteSheets(ctx context.Context, lotID, memberID ids.ID) error {
	q, args := `DELETE FROM score_sheets WHERE lot_id = ?`, []any{lotID}
	if memberID != "" {
		q, args = q+` AND member_id = ?`, append(args, memberID)
	}
	if _, err := tx.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("store: delete sheets: %w", err)
	}
	return nil
}
