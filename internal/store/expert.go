package store

import (
	"context"
	"fmt"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/expert"
	"ggzy/internal/ids"
)

// ---- the expert pool (expert package)

const poolCols = `id, name, id_number, birth_date, employer_id, employer_name, title, senior, field_since, specialties, city, contact, user_id, via, conflicts, dept_staff_of, status, status_reason, status_source, status_until, created_at, updated_at, version`

func scanPoolExpert(r rowScanner) (expert.Expert, error) {
	var e expert.Expert
	err := r.Scan(&e.ID, &e.Name, &e.IDNumber, tm(&e.BirthDate), &e.EmployerID, &e.EmployerName, &e.Title, &e.Senior, &e.FieldSince,
		nj{&e.Specialties}, &e.City, &e.Contact, &e.UserID, &e.Via, nj{&e.Conflicts}, &e.DeptStaffOf, &e.Status, &e.StatusReason,
		&e.StatusSource, tm(&e.StatusUntil), tm(&e.CreatedAt), tm(&e.UpdatedAt), &e.Version)
	return e, err
}

func (tx *Tx) poolArgs(e expert.Expert) ([]any, error) {
	sp, err := js(e.Specialties)
	if err != nil {
		return nil, err
	}
	cf, err := js(e.Conflicts)
	if err != nil {
		return nil, err
	}
	if sp == nil {
		sp = "[]"
	}
	return []any{e.ID, e.Name, e.IDNumber, tx.t(e.BirthDate), e.EmployerID, e.EmployerName, e.Title, e.Senior, e.FieldSince,
		sp, e.City, e.Contact, e.UserID, e.Via, cf, e.DeptStaffOf, e.Status, e.StatusReason, e.StatusSource, tx.t(e.StatusUntil),
		tx.t(e.CreatedAt), tx.t(e.UpdatedAt), e.Version}, nil
}

func (tx *Tx) writeSpecialties(ctx context.Context, e expert.Expert) error {
	if _, err := tx.exec(ctx, `DELETE FROM expert_specialties WHERE expert_id = ?`, e.ID); err != nil {
		return fmt.Errorf("store: expert specialties: %w", err)
	}
	for _, c := range e.Specialties {
		if _, err := tx.exec(ctx, `INSERT INTO expert_specialties (code, expert_id) VALUES (?,?)`, c, e.ID); err != nil {
			return writeErr("expert specialties", err, "专业重复。", "专家")
		}
	}
	return nil
}

// CreateExpert adds a profile (Version 1); a duplicate ID or identity
// number is an apperr Conflict.
func (tx *Tx) CreateExpert(ctx context.Context, e expert.Expert) error {
	e.Version = 1
	args, err := tx.poolArgs(e)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO pool_experts (`+poolCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...); err != nil {
		return writeErr("create expert", err, "该专家（身份证号码）已在专家库中。", "")
	}
	return tx.writeSpecialties(ctx, e)
}

// UpdateExpert writes e when its Version is current and bumps it.
func (tx *Tx) UpdateExpert(ctx context.Context, e *expert.Expert) error {
	args, err := tx.poolArgs(*e)
	if err != nil {
		return err
	}
	// SET every column but id, created_at and version, then the version check.
	set := `name = ?, id_number = ?, birth_date = ?, employer_id = ?, employer_name = ?, title = ?, senior = ?, field_since = ?, specialties = ?, city = ?, contact = ?, user_id = ?, via = ?, conflicts = ?, dept_staff_of = ?, status = ?, status_reason = ?, status_source = ?, status_until = ?, updated_at = ?, version = version + 1`
	upd := append(append([]any{}, args[1:20]...), args[21], e.ID, e.Version)
	res, err := tx.exec(ctx, `UPDATE pool_experts SET `+set+` WHERE id = ? AND version = ?`, upd...)
	if err != nil {
		return writeErr("update expert", err, "该身份证号码已被其他专家使用。", "")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		var one int
		if err := tx.queryRow(ctx, `SELECT 1 FROM pool_experts WHERE id = ?`, e.ID).Scan(&one); err != nil {
			return readErr("update expert", err, "专家")
		}
		return apperr.New(apperr.Conflict, "专家信息已被他人修改，请刷新后重试。")
	}
	e.Version++
	return tx.writeSpecialties(ctx, *e)
}

func (tx *Tx) GetExpert(ctx context.Context, id ids.ID) (expert.Expert, error) {
	e, err := scanPoolExpert(tx.queryRow(ctx, `SELECT `+poolCols+` FROM pool_experts WHERE id = ?`, id))
	if err != nil {
		return expert.Expert{}, readErr("get expert", err, "专家")
	}
	return e, nil
}

func (tx *Tx) GetExpertByUser(ctx context.Context, userID ids.ID) (expert.Expert, error) {
	if userID == "" {
		return expert.Expert{}, apperr.NotFoundf("专家")
	}
	e, err := scanPoolExpert(tx.queryRow(ctx, `SELECT `+poolCols+` FROM pool_experts WHERE user_id = ? ORDER BY id LIMIT 1`, userID))
	if err != nil {
		return expert.Expert{}, readErr("get expert by user", err, "专家")
	}
	return e, nil
}

func (tx *Tx) GetExpertByIDNumber(ctx context.Context, n string) (expert.Expert, error) {
	if n == "" {
		return expert.Expert{}, apperr.NotFoundf("专家")
	}
	e, err := scanPoolExpert(tx.queryRow(ctx, `SELECT `+poolCols+` FROM pool_experts WHERE id_number = ?`, n))
	if err != nil {
		return expert.Expert{}, readErr("get expert by id number", err, "专家")
	}
	return e, nil
}

// ListExperts lists experts matching f, ordered by ID. A specialty matches
// experts with a code starting with it (an index range on expert_specialties).
func (tx *Tx) ListExperts(ctx context.Context, f expert.Filter) ([]expert.Expert, error) {
	q := `SELECT ` + poolCols + ` FROM pool_experts p WHERE 1=1`
	var args []any
	if f.Status != "" {
		q += ` AND p.status = ?`
		args = append(args, f.Status)
	}
	if f.Specialty != "" {
		// code >= prefix AND code < prefix + U+FFFF: a range scan on the key.
		q += ` AND p.id IN (SELECT expert_id FROM expert_specialties WHERE code >= ? AND code < ?)`
		args = append(args, f.Specialty, f.Specialty+"\uffff")
	}
	q += ` ORDER BY p.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
		if f.Offset > 0 {
			q += fmt.Sprintf(` OFFSET %d`, f.Offset)
		}
	}
	return collect(ctx, tx, "list experts", scanPoolExpert, q, args...)
}

// CountExperts counts experts per status; specialty (a code prefix)
// narrows it like ListExperts.
func (tx *Tx) CountExperts(ctx context.Context, specialty string) (map[expert.Status]int, error) {
	q := `SELECT status, COUNT(*) FROM pool_experts p`
	var args []any
	if specialty != "" {
		q += ` WHERE p.id IN (SELECT expert_id FROM expert_specialties WHERE code >= ? AND code < ?)`
		args = append(args, specialty, specialty+"\uffff")
	}
	rows, err := tx.query(ctx, q+` GROUP BY status`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: count experts: %w", err)
	}
	defer rows.Close()
	out := map[expert.Status]int{}
	for rows.Next() {
		var st expert.Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: count experts: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

func (tx *Tx) AddExpertEvent(ctx context.Context, ev expert.Event) error {
	_, err := tx.exec(ctx, `INSERT INTO expert_events (expert_id, seq, at, type, status, reason, source, until, actor, ledger) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		ev.ExpertID, ev.Seq, tx.t(ev.At), ev.Type, ev.Status, ev.Reason, ev.Source, tx.t(ev.Until), ev.Actor, ev.Ledger)
	if err != nil {
		return writeErr("add expert event", err, "专家履历记录冲突，请重试。", "专家")
	}
	return nil
}

func (tx *Tx) ListExpertEvents(ctx context.Context, id ids.ID) ([]expert.Event, error) {
	return collect(ctx, tx, "list expert events", func(r rowScanner) (expert.Event, error) {
		var ev expert.Event
		return ev, r.Scan(&ev.ExpertID, &ev.Seq, tm(&ev.At), &ev.Type, &ev.Status, &ev.Reason, &ev.Source, tm(&ev.Until), &ev.Actor, &ev.Ledger)
	}, `SELECT expert_id, seq, at, type, status, reason, source, until, actor, ledger FROM expert_events WHERE expert_id = ? ORDER BY seq`, id)
}

// DrawsSince returns, per expert, the times they were seated on a
// committee (a confirmed invitation) at or after t.
func (tx *Tx) DrawsSince(ctx context.Context, t time.Time) (map[ids.ID][]time.Time, error) {
	rows, err := tx.query(ctx, `SELECT expert_id, responded_at FROM draw_invitations WHERE status = 'confirmed' AND responded_at >= ? ORDER BY expert_id, responded_at`, tx.t(t))
	if err != nil {
		return nil, fmt.Errorf("store: draws since: %w", err)
	}
	defer rows.Close()
	out := map[ids.ID][]time.Time{}
	for rows.Next() {
		var id ids.ID
		var at time.Time
		if err := rows.Scan(&id, tm(&at)); err != nil {
			return nil, fmt.Errorf("store: draws since: %w", err)
		}
		out[id] = append(out[id], at)
	}
	return out, rows.Err()
}

func (tx *Tx) SaveRating(ctx context.Context, r expert.Rating) error {
	_, err := tx.exec(ctx, `INSERT INTO expert_ratings (expert_id, lot_id, lot_code, by_user, by_role, score, comment, at) VALUES (?,?,?,?,?,?,?,?)`,
		r.ExpertID, r.LotID, r.LotCode, r.ByUser, r.ByRole, r.Score, r.Comment, tx.t(r.At))
	if err != nil {
		return writeErr("save rating", err, "您已评价过该专家在本标段的表现。", "专家")
	}
	return nil
}

func (tx *Tx) ListRatings(ctx context.Context, id ids.ID) ([]expert.Rating, error) {
	return collect(ctx, tx, "list ratings", func(r rowScanner) (expert.Rating, error) {
		var x expert.Rating
		return x, r.Scan(&x.ExpertID, &x.LotID, &x.LotCode, &x.ByUser, &x.ByRole, &x.Score, &x.Comment, tm(&x.At))
	}, `SELECT expert_id, lot_id, lot_code, by_user, by_role, score, comment, at FROM expert_ratings WHERE expert_id = ? ORDER BY at, by_user`, id)
}

func (tx *Tx) ListLotRatings(ctx context.Context, lotID ids.ID) ([]expert.Rating, error) {
	return collect(ctx, tx, "list lot ratings", func(r rowScanner) (expert.Rating, error) {
		var x expert.Rating
		return x, r.Scan(&x.ExpertID, &x.LotID, &x.LotCode, &x.ByUser, &x.ByRole, &x.Score, &x.Comment, tm(&x.At))
	}, `SELECT expert_id, lot_id, lot_code, by_user, by_role, score, comment, at FROM expert_ratings WHERE lot_id = ? ORDER BY at, expert_id, by_user`, lotID)
}
