package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"ggzy/internal/apperr"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/tender"
)

// ---- projects

const projectCols = `id, code, name, region, principal_id, agency_id, state_funded, funding, supervisor_dept, description, created_by, created_at, category`

func scanProject(r rowScanner) (tender.Project, error) {
	var p tender.Project
	err := r.Scan(&p.ID, &p.Code, &p.Name, &p.Region, &p.PrincipalID, &p.AgencyID, &p.StateFunded, &p.Funding, &p.SupervisorDept, &p.Description, &p.CreatedBy, tm(&p.CreatedAt), &p.Category)
	return p, err
}

func (tx *Tx) CreateProject(ctx context.Context, p tender.Project) error {
	_, err := tx.exec(ctx, `INSERT INTO projects (`+projectCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		p.ID, p.Code, p.Name, p.Region, p.PrincipalID, p.AgencyID, p.StateFunded, p.Funding, p.SupervisorDept, p.Description, p.CreatedBy, tx.t(p.CreatedAt), p.Category)
	if err != nil {
		return writeErr("create project", err, "项目编号已存在。", "")
	}
	return nil
}

func (tx *Tx) GetProject(ctx context.Context, id ids.ID) (tender.Project, error) {
	p, err := scanProject(tx.queryRow(ctx, `SELECT `+projectCols+` FROM projects WHERE id = ?`, id))
	if err != nil {
		return tender.Project{}, readErr("get project", err, "项目")
	}
	return p, nil
}

func (tx *Tx) GetProjectByCode(ctx context.Context, code string) (tender.Project, error) {
	p, err := scanProject(tx.queryRow(ctx, `SELECT `+projectCols+` FROM projects WHERE code = ?`, code))
	if err != nil {
		return tender.Project{}, readErr("get project by code", err, "项目")
	}
	return p, nil
}

// ListProjects lists the projects whose principal or agency is entityID ("" = all), newest first.
func (tx *Tx) ListProjects(ctx context.Context, entityID ids.ID) ([]tender.Project, error) {
	return collect(ctx, tx, "list projects", scanProject,
		`SELECT `+projectCols+` FROM projects WHERE (? = '' OR principal_id = ? OR agency_id = ?) ORDER BY created_at DESC, id DESC`,
		entityID, entityID, entityID)
}

// ---- lots

const lotCols = `id, project_id, code, name, procedure, method, estimate, ceiling, security, category_code, scoring, committee_size, principal_reps, allow_alternatives, status, suspended, docs_from, docs_until, bid_deadline, opening_place, opened_at, report_at, publicity_from, publicity_until, awarded_at, retender_of, failed_reason, version, created_at, updated_at, custody, decrypt_by, stalled, land`

func scanLot(r rowScanner) (tender.Lot, error) {
	var l tender.Lot
	err := r.Scan(&l.ID, &l.ProjectID, &l.Code, &l.Name, &l.Procedure, &l.Method, &l.Estimate, &l.Ceiling, &l.Security, &l.CategoryCode,
		nj{&l.Scoring}, &l.CommitteeSize, &l.PrincipalReps, &l.AllowAlternatives, &l.Status, &l.Suspended,
		tm(&l.DocsFrom), tm(&l.DocsUntil), tm(&l.BidDeadline), &l.OpeningPlace, tm(&l.OpenedAt), tm(&l.ReportAt),
		tm(&l.PublicityFrom), tm(&l.PublicityUntil), tm(&l.AwardedAt), &l.RetenderOf, &l.FailedReason, &l.Version,
		tm(&l.CreatedAt), tm(&l.UpdatedAt), nj{&l.Custody}, tm(&l.DecryptBy), &l.Stalled, nj{&l.Land})
	return l, err
}

func (tx *Tx) CreateLot(ctx context.Context, l tender.Lot) error {
	scoring, err := js(l.Scoring)
	if err != nil {
		return err
	}
	custody, err := js(l.Custody)
	if err != nil {
		return err
	}
	land, err := js(l.Land)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO lots (`+lotCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		l.ID, l.ProjectID, l.Code, l.Name, l.Procedure, l.Method, l.Estimate, l.Ceiling, l.Security, l.CategoryCode,
		scoring, l.CommitteeSize, l.PrincipalReps, l.AllowAlternatives, l.Status, l.Suspended,
		tx.t(l.DocsFrom), tx.t(l.DocsUntil), tx.t(l.BidDeadline), l.OpeningPlace, tx.t(l.OpenedAt), tx.t(l.ReportAt),
		tx.t(l.PublicityFrom), tx.t(l.PublicityUntil), tx.t(l.AwardedAt), l.RetenderOf, l.FailedReason, l.Version,
		tx.t(l.CreatedAt), tx.t(l.UpdatedAt), custody, tx.t(l.DecryptBy), l.Stalled, land)
	if err != nil {
		return writeErr("create lot", err, "标段已存在。", "项目")
	}
	return nil
}

func (tx *Tx) GetLot(ctx context.Context, id ids.ID) (tender.Lot, error) {
	l, err := scanLot(tx.queryRow(ctx, `SELECT `+lotCols+` FROM lots WHERE id = ?`, id))
	if err != nil {
		return tender.Lot{}, readErr("get lot", err, "标段")
	}
	return l, nil
}

// extraScan appends destinations to a row scan.
type extraScan struct {
	r     rowScanner
	extra []any
}

func (e extraScan) Scan(dest ...any) error { return e.r.Scan(append(dest, e.extra...)...) }

func (tx *Tx) GetParticipation(ctx context.Context, lotID, entityID ids.ID) (tender.Participation, error) {
	var p tender.Participation
	var b tender.Bid
	var hasBid bool
	row := tx.queryRow(ctx, `SELECT `+lotColsL+`,
		EXISTS (SELECT 1 FROM invitees i WHERE i.lot_id = l.id AND i.entity_id = ?),
		EXISTS (SELECT 1 FROM document_access a WHERE a.lot_id = l.id AND a.entity_id = ?),
		EXISTS (SELECT 1 FROM deposits d WHERE d.lot_id = l.id AND d.entity_id = ?),
		b.id IS NOT NULL, COALESCE(b.id, ''), COALESCE(b.entity_id, ''), COALESCE(b.version, 0), COALESCE(b.status, ''), COALESCE(b.format, ''),
		b.content, COALESCE(b.content_hash, ''), b.files, b.submitted_at, COALESCE(b.receipt_seq, 0), b.opened, b.reject
		FROM lots l LEFT JOIN bids b ON b.lot_id = l.id AND b.entity_id = ?
		WHERE l.id = ?`, entityID, entityID, entityID, entityID, lotID)
	l, err := scanLot(extraScan{row, []any{&p.Invited, &p.Access, &p.Deposited,
		&hasBid, &b.ID, &b.EntityID, &b.Version, &b.Status, &b.Format, &b.Content, &b.ContentHash,
		nj{&b.Files}, tm(&b.SubmittedAt), &b.ReceiptSeq, nj{&b.Opened}, nj{&b.Reject}}})
	if err != nil {
		return tender.Participation{}, readErr("get participation", err, "标段")
	}
	p.Lot = l
	if hasBid {
		b.LotID = l.ID
		p.Bid = &b
	}
	return p, nil
}

// lotColsL is lotCols qualified by the alias l.
var lotColsL = prefixed("l.", lotCols)

// prefixed qualifies a column list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = alias + parts[i]
	}
	return strings.Join(parts, ", ")
}

// UpdateLot writes every field but ID, ProjectID and CreatedAt, provided the
// stored version is l.Version; it then increments l.Version.
func (tx *Tx) UpdateLot(ctx context.Context, l *tender.Lot) error {
	scoring, err := js(l.Scoring)
	if err != nil {
		return err
	}
	custody, err := js(l.Custody)
	if err != nil {
		return err
	}
	land, err := js(l.Land)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE lots SET code = ?, name = ?, procedure = ?, method = ?, estimate = ?, ceiling = ?, security = ?, category_code = ?,
		scoring = ?, committee_size = ?, principal_reps = ?, allow_alternatives = ?, status = ?, suspended = ?,
		docs_from = ?, docs_until = ?, bid_deadline = ?, opening_place = ?, opened_at = ?, report_at = ?,
		publicity_from = ?, publicity_until = ?, awarded_at = ?, retender_of = ?, failed_reason = ?, updated_at = ?,
		custody = ?, decrypt_by = ?, stalled = ?, land = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		l.Code, l.Name, l.Procedure, l.Method, l.Estimate, l.Ceiling, l.Security, l.CategoryCode,
		scoring, l.CommitteeSize, l.PrincipalReps, l.AllowAlternatives, l.Status, l.Suspended,
		tx.t(l.DocsFrom), tx.t(l.DocsUntil), tx.t(l.BidDeadline), l.OpeningPlace, tx.t(l.OpenedAt), tx.t(l.ReportAt),
		tx.t(l.PublicityFrom), tx.t(l.PublicityUntil), tx.t(l.AwardedAt), l.RetenderOf, l.FailedReason, tx.t(l.UpdatedAt),
		custody, tx.t(l.DecryptBy), l.Stalled, land, l.ID, l.Version)
	if err != nil {
		return fmt.Errorf("store: update lot: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: update lot: %w", err)
	}
	if n == 0 {
		var one int
		if err := tx.queryRow(ctx, `SELECT 1 FROM lots WHERE id = ?`, l.ID).Scan(&one); err != nil {
			return readErr("update lot", err, "标段")
		}
		return apperr.New(apperr.Conflict, "标段已被他人修改，请刷新后重试。")
	}
	l.Version++
	return nil
}

// ListLots lists lots ordered by project ID, then code.
func (tx *Tx) ListLots(ctx context.Context, f tender.LotFilter) ([]tender.Lot, error) {
	var (
		where []string
		args  []any
	)
	if f.ProjectID != "" {
		where = append(where, "project_id = ?")
		args = append(args, f.ProjectID)
	}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, f.Status)
	}
	if f.EntityID != "" {
		where = append(where, "project_id IN (SELECT id FROM projects WHERE principal_id = ? OR agency_id = ?)")
		args = append(args, f.EntityID, f.EntityID)
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, nil
		}
		where = append(where, "id IN (?"+strings.Repeat(",?", len(f.IDs)-1)+")")
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if f.Custodian != "" {
		where = append(where, "id IN (SELECT lot_id FROM lot_custodians WHERE user_id = ?)")
		args = append(args, f.Custodian)
	}
	if f.Participant != "" {
		where = append(where, "(id IN (SELECT lot_id FROM document_access WHERE entity_id = ?) OR id IN (SELECT lot_id FROM invitees WHERE entity_id = ?))")
		args = append(args, f.Participant, f.Participant)
	}
	if !f.DeadlineFrom.IsZero() {
		where = append(where, "bid_deadline >= ?")
		args = append(args, tx.t(f.DeadlineFrom))
	}
	if !f.DeadlineTo.IsZero() {
		where = append(where, "bid_deadline < ?")
		args = append(args, tx.t(f.DeadlineTo))
	}
	if f.Published {
		where = append(where, "status <> ?")
		args = append(args, tender.Draft)
	}
	q := `SELECT ` + lotCols + ` FROM lots`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY project_id, code, id"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	return collect(ctx, tx, "list lots", scanLot, q, args...)
}

// ---- land lots' reserve (底价), committed in the ledger

func (tx *Tx) AddLotReserve(ctx context.Context, r tender.LotReserve) error {
	_, err := tx.exec(ctx, `INSERT INTO lot_reserves (lot_id, seq, amount, ledger_index, set_at, set_by) VALUES (?,?,?,?,?,?)`,
		r.LotID, r.Seq, r.Amount, r.LedgerIndex, tx.t(r.SetAt), r.SetBy)
	if err != nil {
		return writeErr("add lot reserve", err, "底价录入冲突，请重试。", "标段")
	}
	return nil
}

// ListLotReserves lists a lot's reserve entries in the order entered.
func (tx *Tx) ListLotReserves(ctx context.Context, lotID ids.ID) ([]tender.LotReserve, error) {
	return collect(ctx, tx, "list lot reserves", func(r rowScanner) (tender.LotReserve, error) {
		var x tender.LotReserve
		return x, r.Scan(&x.LotID, &x.Seq, &x.Amount, &x.LedgerIndex, tm(&x.SetAt), &x.SetBy)
	}, `SELECT lot_id, seq, amount, ledger_index, set_at, set_by FROM lot_reserves WHERE lot_id = ? ORDER BY seq`, lotID)
}

// ---- invitees

// AddInvitee invites an entity; inviting it twice is not an error.
func (tx *Tx) AddInvitee(ctx context.Context, inv tender.Invitee) error {
	_, err := tx.exec(ctx, `INSERT INTO invitees (lot_id, entity_id) VALUES (?, ?) ON CONFLICT (lot_id, entity_id) DO NOTHING`, inv.LotID, inv.EntityID)
	if err != nil {
		return writeErr("add invitee", err, "", "标段")
	}
	return nil
}

// ListInvitees lists the invited entity IDs ordered by ID.
func (tx *Tx) ListInvitees(ctx context.Context, lotID ids.ID) ([]ids.ID, error) {
	return collect(ctx, tx, "list invitees", func(r rowScanner) (ids.ID, error) {
		var id ids.ID
		return id, r.Scan(&id)
	}, `SELECT entity_id FROM invitees WHERE lot_id = ? ORDER BY entity_id`, lotID)
}

// ---- notices

const noticeCols = `id, project_id, lot_id, kind, title, body, public, data, published_at, region, category`

func scanNotice(r rowScanner) (tender.Notice, error) {
	var n tender.Notice
	err := r.Scan(&n.ID, &n.ProjectID, &n.LotID, &n.Kind, &n.Title, &n.Body, &n.Public, nr{&n.Data}, tm(&n.PublishedAt), &n.Region, &n.Category)
	return n, err
}

func (tx *Tx) CreateNotice(ctx context.Context, n tender.Notice) error {
	_, err := tx.exec(ctx, `INSERT INTO notices (`+noticeCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		n.ID, n.ProjectID, n.LotID, n.Kind, n.Title, n.Body, n.Public, raw(n.Data), tx.t(n.PublishedAt), n.Region, n.Category)
	if err != nil {
		return writeErr("create notice", err, "公告已存在。", "")
	}
	return nil
}

func (tx *Tx) GetNotice(ctx context.Context, id ids.ID) (tender.Notice, error) {
	n, err := scanNotice(tx.queryRow(ctx, `SELECT `+noticeCols+` FROM notices WHERE id = ?`, id))
	if err != nil {
		return tender.Notice{}, readErr("get notice", err, "公告")
	}
	return n, nil
}

// Page sizes of ListNotices.
const (
	DefaultNoticeLimit = 20
	MaxNoticeLimit     = 100
)

// ListNotices returns one page of the notices matching f and the total count
// of the filter. From is inclusive and To exclusive on PublishedAt; Q is a
// case-insensitive substring of title or body; newest first unless SortAsc.
func (tx *Tx) ListNotices(ctx context.Context, f tender.NoticeFilter) ([]tender.Notice, int, error) {
	var (
		where []string
		args  []any
	)
	eq := func(col string, v string) {
		if v != "" {
			where = append(where, col+" = ?")
			args = append(args, v)
		}
	}
	eq("kind", string(f.Kind))
	eq("category", f.Category)
	eq("region", f.Region)
	eq("project_id", f.ProjectID)
	eq("lot_id", f.LotID)
	if f.PublicOnly {
		where = append(where, "public = ?")
		args = append(args, true)
	}
	if !f.From.IsZero() {
		where = append(where, "published_at >= ?")
		args = append(args, tx.t(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "published_at < ?")
		args = append(args, tx.t(f.To))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		pat := "%" + escapeLike(q) + "%"
		op := tx.likeOp()
		where = append(where, "(title "+op+` ? ESCAPE '\' OR body `+op+` ? ESCAPE '\')`)
		args = append(args, pat, pat)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM notices`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count notices: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultNoticeLimit
	}
	limit = min(limit, MaxNoticeLimit)
	dir := "DESC"
	if f.SortAsc {
		dir = "ASC"
	}
	order := `published_at ` + dir + `, id ` + dir
	if f.ByDeadline {
		order = `(SELECT bid_deadline FROM lots WHERE lots.id = notices.lot_id) ASC NULLS LAST, published_at DESC, id DESC`
	}
	ns, err := collect(ctx, tx, "list notices", scanNotice,
		`SELECT `+noticeCols+` FROM notices`+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	return ns, total, nil
}

// ---- documents

const documentCols = `id, lot_id, notice_id, name, size, hash, uploaded_at`

func scanDocument(r rowScanner) (tender.Document, error) {
	var d tender.Document
	err := r.Scan(&d.ID, &d.LotID, &d.NoticeID, &d.Name, &d.Size, &d.Hash, tm(&d.UploadedAt))
	return d, err
}

func (tx *Tx) CreateDocument(ctx context.Context, d tender.Document) error {
	_, err := tx.exec(ctx, `INSERT INTO documents (`+documentCols+`) VALUES (?,?,?,?,?,?,?)`,
		d.ID, d.LotID, d.NoticeID, d.Name, d.Size, d.Hash, tx.t(d.UploadedAt))
	if err != nil {
		return writeErr("create document", err, "文件已存在。", "标段")
	}
	return nil
}

func (tx *Tx) GetDocument(ctx context.Context, id ids.ID) (tender.Document, error) {
	d, err := scanDocument(tx.queryRow(ctx, `SELECT `+documentCols+` FROM documents WHERE id = ?`, id))
	if err != nil {
		return tender.Document{}, readErr("get document", err, "文件")
	}
	return d, nil
}

// ListDocuments lists a lot's documents in upload order.
func (tx *Tx) ListDocuments(ctx context.Context, lotID ids.ID) ([]tender.Document, error) {
	return collect(ctx, tx, "list documents", scanDocument,
		`SELECT `+documentCols+` FROM documents WHERE lot_id = ? ORDER BY uploaded_at, id`, lotID)
}

// ---- document access

// RecordAccess records the first access of an entity to a lot's documents;
// later calls for the same lot and entity change nothing.
func (tx *Tx) RecordAccess(ctx context.Context, a tender.DocumentAccess) error {
	_, err := tx.exec(ctx, `INSERT INTO document_access (lot_id, entity_id, user_id, at) VALUES (?,?,?,?) ON CONFLICT (lot_id, entity_id) DO NOTHING`,
		a.LotID, a.EntityID, a.UserID, tx.t(a.At))
	if err != nil {
		return writeErr("record access", err, "", "标段")
	}
	return nil
}

func (tx *Tx) HasAccess(ctx context.Context, lotID, entityID ids.ID) (bool, error) {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM document_access WHERE lot_id = ? AND entity_id = ?`, lotID, entityID).Scan(&n); err != nil {
		return false, fmt.Errorf("store: has access: %w", err)
	}
	return n > 0, nil
}

// ListAccess lists a lot's document accesses in time order.
func (tx *Tx) ListAccess(ctx context.Context, lotID ids.ID) ([]tender.DocumentAccess, error) {
	return collect(ctx, tx, "list access", func(r rowScanner) (tender.DocumentAccess, error) {
		var a tender.DocumentAccess
		return a, r.Scan(&a.LotID, &a.EntityID, &a.UserID, tm(&a.At))
	}, `SELECT lot_id, entity_id, user_id, at FROM document_access WHERE lot_id = ? ORDER BY at, entity_id`, lotID)
}

// ---- deposits

// PutDeposit inserts or replaces the deposit of an entity for a lot.
func (tx *Tx) PutDeposit(ctx context.Context, d tender.Deposit) error {
	_, err := tx.exec(ctx, `INSERT INTO deposits (lot_id, entity_id, amount, reference, recorded_at, recorded_by) VALUES (?,?,?,?,?,?)
		ON CONFLICT (lot_id, entity_id) DO UPDATE SET amount = excluded.amount, reference = excluded.reference, recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by`,
		d.LotID, d.EntityID, d.Amount, d.Reference, tx.t(d.RecordedAt), d.RecordedBy)
	if err != nil {
		return writeErr("put deposit", err, "", "标段")
	}
	return nil
}

func (tx *Tx) GetDeposit(ctx context.Context, lotID, entityID ids.ID) (tender.Deposit, error) {
	var d tender.Deposit
	err := tx.queryRow(ctx, `SELECT lot_id, entity_id, amount, reference, recorded_at, recorded_by FROM deposits WHERE lot_id = ? AND entity_id = ?`, lotID, entityID).
		Scan(&d.LotID, &d.EntityID, &d.Amount, &d.Reference, tm(&d.RecordedAt), &d.RecordedBy)
	if err != nil {
		return tender.Deposit{}, readErr("get deposit", err, "保证金记录")
	}
	return d, nil
}

// ---- clarifications

func (tx *Tx) CreateClarification(ctx context.Context, c tender.Clarification) error {
	_, err := tx.exec(ctx, `INSERT INTO clarifications (id, lot_id, text, issued_at, old_deadline, new_deadline, issued_by) VALUES (?,?,?,?,?,?,?)`,
		c.ID, c.LotID, c.Text, tx.t(c.IssuedAt), tx.t(c.OldDeadline), tx.t(c.NewDeadline), c.IssuedBy)
	if err != nil {
		return writeErr("create clarification", err, "澄清已存在。", "标段")
	}
	return nil
}

// ListClarifications lists a lot's clarifications in issue order.
func (tx *Tx) ListClarifications(ctx context.Context, lotID ids.ID) ([]tender.Clarification, error) {
	return collect(ctx, tx, "list clarifications", func(r rowScanner) (tender.Clarification, error) {
		var c tender.Clarification
		return c, r.Scan(&c.ID, &c.LotID, &c.Text, tm(&c.IssuedAt), tm(&c.OldDeadline), tm(&c.NewDeadline), &c.IssuedBy)
	}, `SELECT id, lot_id, text, issued_at, old_deadline, new_deadline, issued_by FROM clarifications WHERE lot_id = ? ORDER BY issued_at, id`, lotID)
}

// ---- objections

const objectionCols = `id, lot_id, stage, entity_id, text, filed_at, due_at, answer, answered_at, answered_by`

func scanObjection(r rowScanner) (tender.Objection, error) {
	var o tender.Objection
	err := r.Scan(&o.ID, &o.LotID, &o.Stage, &o.EntityID, &o.Text, tm(&o.FiledAt), tm(&o.DueAt), &o.Answer, tm(&o.AnsweredAt), &o.AnsweredBy)
	return o, err
}

func (tx *Tx) CreateObjection(ctx context.Context, o tender.Objection) error {
	_, err := tx.exec(ctx, `INSERT INTO objections (`+objectionCols+`) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		o.ID, o.LotID, o.Stage, o.EntityID, o.Text, tx.t(o.FiledAt), tx.t(o.DueAt), o.Answer, tx.t(o.AnsweredAt), o.AnsweredBy)
	if err != nil {
		return writeErr("create objection", err, "异议已存在。", "标段")
	}
	return nil
}

// UpdateObjection writes every field but ID and LotID.
func (tx *Tx) UpdateObjection(ctx context.Context, o tender.Objection) error {
	res, err := tx.exec(ctx, `UPDATE objections SET stage = ?, entity_id = ?, text = ?, filed_at = ?, due_at = ?, answer = ?, answered_at = ?, answered_by = ? WHERE id = ?`,
		o.Stage, o.EntityID, o.Text, tx.t(o.FiledAt), tx.t(o.DueAt), o.Answer, tx.t(o.AnsweredAt), o.AnsweredBy, o.ID)
	if err != nil {
		return fmt.Errorf("store: update objection: %w", err)
	}
	return mustAffect("update objection", res, "异议")
}

func (tx *Tx) GetObjection(ctx context.Context, id ids.ID) (tender.Objection, error) {
	o, err := scanObjection(tx.queryRow(ctx, `SELECT `+objectionCols+` FROM objections WHERE id = ?`, id))
	if err != nil {
		return tender.Objection{}, readErr("get objection", err, "异议")
	}
	return o, nil
}

// ListObjections lists a lot's objections in filing order.
func (tx *Tx) ListObjections(ctx context.Context, lotID ids.ID) ([]tender.Objection, error) {
	return collect(ctx, tx, "list objections", scanObjection,
		`SELECT `+objectionCols+` FROM objections WHERE lot_id = ? ORDER BY filed_at, id`, lotID)
}

// ---- bids

const bidCols = `id, lot_id, entity_id, version, status, format, content, content_hash, files, submitted_at, receipt_seq, opened, reject`

func scanBid(r rowScanner) (tender.Bid, error) {
	var b tender.Bid
	err := r.Scan(&b.ID, &b.LotID, &b.EntityID, &b.Version, &b.Status, &b.Format, &b.Content, &b.ContentHash,
		nj{&b.Files}, tm(&b.SubmittedAt), &b.ReceiptSeq, nj{&b.Opened}, nj{&b.Reject})
	return b, err
}

func bidJSON(b tender.Bid) (files, opened, reject any, err error) {
	if files, err = js(b.Files); err != nil {
		return
	}
	if opened, err = js(b.Opened); err != nil {
		return
	}
	reject, err = js(b.Reject)
	return
}

// CreateBid inserts a bid; a second bid of the same entity for a lot is a Conflict.
func (tx *Tx) CreateBid(ctx context.Context, b tender.Bid) error {
	files, opened, reject, err := bidJSON(b)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO bids (`+bidCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		b.ID, b.LotID, b.EntityID, b.Version, b.Status, b.Format, b.Content, b.ContentHash,
		files, tx.t(b.SubmittedAt), b.ReceiptSeq, opened, reject)
	if err != nil {
		return writeErr("create bid", err, "该投标人已对本标段递交投标文件。", "标段")
	}
	return nil
}

// UpdateBid writes every field but ID, LotID and EntityID.
func (tx *Tx) UpdateBid(ctx context.Context, b tender.Bid) error {
	files, opened, reject, err := bidJSON(b)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE bids SET version = ?, status = ?, format = ?, content = ?, content_hash = ?, files = ?, submitted_at = ?, receipt_seq = ?, opened = ?, reject = ? WHERE id = ?`,
		b.Version, b.Status, b.Format, b.Content, b.ContentHash, files, tx.t(b.SubmittedAt), b.ReceiptSeq, opened, reject, b.ID)
	if err != nil {
		return fmt.Errorf("store: update bid: %w", err)
	}
	return mustAffect("update bid", res, "投标文件")
}

func (tx *Tx) GetBid(ctx context.Context, id ids.ID) (tender.Bid, error) {
	b, err := scanBid(tx.queryRow(ctx, `SELECT `+bidCols+` FROM bids WHERE id = ?`, id))
	if err != nil {
		return tender.Bid{}, readErr("get bid", err, "投标文件")
	}
	return b, nil
}

func (tx *Tx) GetBidByEntity(ctx context.Context, lotID, entityID ids.ID) (tender.Bid, error) {
	b, err := scanBid(tx.queryRow(ctx, `SELECT `+bidCols+` FROM bids WHERE lot_id = ? AND entity_id = ?`, lotID, entityID))
	if err != nil {
		return tender.Bid{}, readErr("get bid by entity", err, "投标文件")
	}
	return b, nil
}

// ListBids lists a lot's bids ordered by SubmittedAt.
func (tx *Tx) ListBids(ctx context.Context, lotID ids.ID) ([]tender.Bid, error) {
	return collect(ctx, tx, "list bids", scanBid,
		`SELECT `+bidCols+` FROM bids WHERE lot_id = ? ORDER BY submitted_at, id`, lotID)
}

// ListBidsByEntity lists an entity's bids ordered by SubmittedAt.
func (tx *Tx) ListBidsByEntity(ctx context.Context, entityID ids.ID) ([]tender.Bid, error) {
	return collect(ctx, tx, "list bids by entity", scanBid,
		`SELECT `+bidCols+` FROM bids WHERE entity_id = ? ORDER BY submitted_at, id`, entityID)
}

// ---- opening

// SaveOpening inserts the opening record; a second one for the lot is a Conflict.
func (tx *Tx) SaveOpening(ctx context.Context, o tender.Opening) error {
	rows, err := js(o.Rows)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO openings (lot_id, as_of, ran_at, bidder_count, failed, row_data) VALUES (?,?,?,?,?,?)`,
		o.LotID, tx.t(o.AsOf), tx.t(o.RanAt), o.BidderCount, o.Failed, rows)
	if err != nil {
		return writeErr("save opening", err, "该标段已开标，开标记录不能重复生成。", "标段")
	}
	return nil
}

func (tx *Tx) GetOpening(ctx context.Context, lotID ids.ID) (tender.Opening, error) {
	var o tender.Opening
	err := tx.queryRow(ctx, `SELECT lot_id, as_of, ran_at, bidder_count, failed, row_data FROM openings WHERE lot_id = ?`, lotID).
		Scan(&o.LotID, tm(&o.AsOf), tm(&o.RanAt), &o.BidderCount, &o.Failed, nj{&o.Rows})
	if err != nil {
		return tender.Opening{}, readErr("get opening", err, "开标记录")
	}
	return o, nil
}

// ---- committee

// SaveMembers replaces the lot's committee; members keep the given order.
func (tx *Tx) SaveMembers(ctx context.Context, lotID ids.ID, ms []tender.Member) error {
	if _, err := tx.exec(ctx, `DELETE FROM members WHERE lot_id = ?`, lotID); err != nil {
		return fmt.Errorf("store: save members: %w", err)
	}
	for i, m := range ms {
		_, err := tx.exec(ctx, `INSERT INTO members (id, lot_id, seq, kind, expert_id, user_id, name, chair) VALUES (?,?,?,?,?,?,?,?)`,
			m.ID, lotID, i, m.Kind, m.ExpertID, m.UserID, m.Name, m.Chair)
		if err != nil {
			return writeErr("save members", err, "评标委员会成员重复。", "标段")
		}
	}
	return nil
}

// ListMembers lists the lot's committee in the order saved.
func (tx *Tx) ListMembers(ctx context.Context, lotID ids.ID) ([]tender.Member, error) {
	return collect(ctx, tx, "list members", func(r rowScanner) (tender.Member, error) {
		var m tender.Member
		return m, r.Scan(&m.ID, &m.LotID, &m.Kind, &m.ExpertID, &m.UserID, &m.Name, &m.Chair)
	}, `SELECT id, lot_id, kind, expert_id, user_id, name, chair FROM members WHERE lot_id = ? ORDER BY seq`, lotID)
}

// ListLotsForMember lists the lots on whose committee the user sits, ordered by lot ID.
func (tx *Tx) ListLotsForMember(ctx context.Context, userID ids.ID) ([]ids.ID, error) {
	return collect(ctx, tx, "list lots for member", func(r rowScanner) (ids.ID, error) {
		var id ids.ID
		return id, r.Scan(&id)
	}, `SELECT DISTINCT lot_id FROM members WHERE user_id = ? ORDER BY lot_id`, userID)
}

// ---- evaluation

// SaveSheet inserts or replaces a member's score sheet.
func (tx *Tx) SaveSheet(ctx context.Context, s tender.ScoreSheet) error {
	lines, err := js(s.Lines)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO score_sheets (lot_id, member_id, lines, submitted_at, digest, fingerprint, signature) VALUES (?,?,?,?,?,?,?)
		ON CONFLICT (lot_id, member_id) DO UPDATE SET lines = excluded.lines, submitted_at = excluded.submitted_at,
		digest = excluded.digest, fingerprint = excluded.fingerprint, signature = excluded.signature`,
		s.LotID, s.MemberID, lines, tx.t(s.SubmittedAt), s.Digest, s.Fingerprint, s.Signature)
	if err != nil {
		return writeErr("save sheet", err, "", "标段")
	}
	return nil
}

// ListSheets lists a lot's score sheets ordered by member ID.
func (tx *Tx) ListSheets(ctx context.Context, lotID ids.ID) ([]tender.ScoreSheet, error) {
	return collect(ctx, tx, "list sheets", func(r rowScanner) (tender.ScoreSheet, error) {
		var s tender.ScoreSheet
		return s, r.Scan(&s.LotID, &s.MemberID, nj{&s.Lines}, tm(&s.SubmittedAt), &s.Digest, &s.Fingerprint, &s.Signature)
	}, `SELECT lot_id, member_id, lines, submitted_at, digest, fingerprint, signature FROM score_sheets WHERE lot_id = ? ORDER BY member_id`, lotID)
}

// SaveReport inserts or replaces the lot's evaluation report.
func (tx *Tx) SaveReport(ctx context.Context, r tender.Report) error {
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("store: encode report: %w", err)
	}
	_, err = tx.exec(ctx, `INSERT INTO reports (lot_id, method, failed, finished_at, body) VALUES (?,?,?,?,?)
		ON CONFLICT (lot_id) DO UPDATE SET method = excluded.method, failed = excluded.failed, finished_at = excluded.finished_at, body = excluded.body`,
		r.LotID, r.Method, r.Failed, tx.t(r.FinishedAt), string(body))
	if err != nil {
		return writeErr("save report", err, "", "标段")
	}
	return nil
}

func (tx *Tx) GetReport(ctx context.Context, lotID ids.ID) (tender.Report, error) {
	var body string
	if err := tx.queryRow(ctx, `SELECT body FROM reports WHERE lot_id = ?`, lotID).Scan(&body); err != nil {
		return tender.Report{}, readErr("get report", err, "评标报告")
	}
	var r tender.Report
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return tender.Report{}, fmt.Errorf("store: decode report: %w", err)
	}
	return r, nil
}

// ---- award and contract

// SaveAward inserts or replaces the lot's award.
func (tx *Tx) SaveAward(ctx context.Context, a tender.Award) error {
	_, err := tx.exec(ctx, `INSERT INTO awards (lot_id, bid_id, entity_id, entity_name, price, rank, exception_reason, notified_at, decided_by) VALUES (?,?,?,?,?,?,?,?,?)
		ON CONFLICT (lot_id) DO UPDATE SET bid_id = excluded.bid_id, entity_id = excluded.entity_id, entity_name = excluded.entity_name, price = excluded.price,
		rank = excluded.rank, exception_reason = excluded.exception_reason, notified_at = excluded.notified_at, decided_by = excluded.decided_by`,
		a.LotID, a.BidID, a.EntityID, a.EntityName, a.Price, a.Rank, a.ExceptionReason, tx.t(a.NotifiedAt), a.DecidedBy)
	if err != nil {
		return writeErr("save award", err, "", "标段")
	}
	return nil
}

func (tx *Tx) GetAward(ctx context.Context, lotID ids.ID) (tender.Award, error) {
	var a tender.Award
	err := tx.queryRow(ctx, `SELECT lot_id, bid_id, entity_id, entity_name, price, rank, exception_reason, notified_at, decided_by FROM awards WHERE lot_id = ?`, lotID).
		Scan(&a.LotID, &a.BidID, &a.EntityID, &a.EntityName, &a.Price, &a.Rank, &a.ExceptionReason, tm(&a.NotifiedAt), &a.DecidedBy)
	if err != nil {
		return tender.Award{}, readErr("get award", err, "定标结果")
	}
	return a, nil
}

// SaveContract inserts or replaces the lot's contract.
func (tx *Tx) SaveContract(ctx context.Context, c tender.Contract) error {
	_, err := tx.exec(ctx, `INSERT INTO contracts (lot_id, amount, signed_at, recorded_at, recorded_by) VALUES (?,?,?,?,?)
		ON CONFLICT (lot_id) DO UPDATE SET amount = excluded.amount, signed_at = excluded.signed_at, recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by`,
		c.LotID, c.Amount, tx.t(c.SignedAt), tx.t(c.RecordedAt), c.RecordedBy)
	if err != nil {
		return writeErr("save contract", err, "", "标段")
	}
	return nil
}

func (tx *Tx) GetContract(ctx context.Context, lotID ids.ID) (tender.Contract, error) {
	var c tender.Contract
	err := tx.queryRow(ctx, `SELECT lot_id, amount, signed_at, recorded_at, recorded_by FROM contracts WHERE lot_id = ?`, lotID).
		Scan(&c.LotID, &c.Amount, tm(&c.SignedAt), tm(&c.RecordedAt), &c.RecordedBy)
	if err != nil {
		return tender.Contract{}, readErr("get contract", err, "合同")
	}
	return c, nil
}

// ---- warnings

func (tx *Tx) CreateWarning(ctx context.Context, w tender.Warning) error {
	_, err := tx.exec(ctx, `INSERT INTO warnings (id, lot_id, kind, message, basis, created_at) VALUES (?,?,?,?,?,?)`,
		w.ID, w.LotID, w.Kind, w.Message, w.Basis, tx.t(w.CreatedAt))
	if err != nil {
		return writeErr("create warning", err, "预警已存在。", "")
	}
	return nil
}

// ListWarnings lists a lot's warnings ("" = all), newest first.
func (tx *Tx) ListWarnings(ctx context.Context, lotID ids.ID) ([]tender.Warning, error) {
	return collect(ctx, tx, "list warnings", func(r rowScanner) (tender.Warning, error) {
		var w tender.Warning
		return w, r.Scan(&w.ID, &w.LotID, &w.Kind, &w.Message, &w.Basis, tm(&w.CreatedAt))
	}, `SELECT id, lot_id, kind, message, basis, created_at FROM warnings WHERE (? = '' OR lot_id = ?) ORDER BY created_at DESC, id DESC`, lotID, lotID)
}

// ---- jobs

// ErrNoEnqueuer is returned by Enqueue when no job runner is plugged in.
var ErrNoEnqueuer = errors.New("store: no job enqueuer set (SetEnqueuer)")

// Enqueue hands j to the job runner inside this transaction.
func (tx *Tx) Enqueue(ctx context.Context, j jobs.Job) error {
	fn := tx.db.enqueuer.Load()
	if fn == nil {
		return ErrNoEnqueuer
	}
	if err := (*fn)(ctx, tx.tx, j); err != nil {
		return fmt.Errorf("store: enqueue %s: %w", j.Kind, err)
	}
	return nil
}

// ---- custody shares

// SaveShare stores a custodian's decrypted share of a bid key; a second
// submission of the same share replaces the first.
func (tx *Tx) SaveShare(ctx context.Context, s tender.ShareRecord) error {
	_, err := tx.exec(ctx, `INSERT INTO custody_shares (lot_id, bid_id, custodian_id, share, submitted_at) VALUES (?,?,?,?,?)
		ON CONFLICT (lot_id, bid_id, custodian_id) DO UPDATE SET share = excluded.share, submitted_at = excluded.submitted_at`,
		s.LotID, s.BidID, s.CustodianID, s.Share, tx.t(s.SubmittedAt))
	if err != nil {
		return writeErr("save share", err, "", "标段")
	}
	return nil
}

// ListShares lists a lot's shares by bid, then custodian.
func (tx *Tx) ListShares(ctx context.Context, lotID ids.ID) ([]tender.ShareRecord, error) {
	return collect(ctx, tx, "list shares", func(r rowScanner) (tender.ShareRecord, error) {
		var s tender.ShareRecord
		return s, r.Scan(&s.LotID, &s.BidID, &s.CustodianID, &s.Share, tm(&s.SubmittedAt))
	}, `SELECT lot_id, bid_id, custodian_id, share, submitted_at FROM custody_shares WHERE lot_id = ? ORDER BY bid_id, custodian_id`, lotID)
}

// ListShareCustodians lists the custodians who submitted shares for a lot.
func (tx *Tx) ListShareCustodians(ctx context.Context, lotID ids.ID) ([]ids.ID, error) {
	return collect(ctx, tx, "list share custodians", func(r rowScanner) (ids.ID, error) {
		var id ids.ID
		return id, r.Scan(&id)
	}, `SELECT DISTINCT custodian_id FROM custody_shares WHERE lot_id = ? ORDER BY custodian_id`, lotID)
}

// SetCustodians records who holds custody of a lot (replacing any earlier set).
func (tx *Tx) SetCustodians(ctx context.Context, lotID ids.ID, userIDs []ids.ID) error {
	if _, err := tx.exec(ctx, `DELETE FROM lot_custodians WHERE lot_id = ?`, lotID); err != nil {
		return fmt.Errorf("store: set custodians: %w", err)
	}
	for _, u := range userIDs {
		if _, err := tx.exec(ctx, `INSERT INTO lot_custodians (lot_id, user_id) VALUES (?,?)`, lotID, u); err != nil {
			return writeErr("set custodians", err, "保管人重复。", "标段")
		}
	}
	return nil
}

// NoteConfidential records that ledger entry idx is a confidential entry
// about a lot (to be revealed at its opening), with the client address the
// entry commits to and that commitment's salt (kept here, never revealed).
func (tx *Tx) NoteConfidential(ctx context.Context, lotID ids.ID, idx int64, ip, ipSalt string) error {
	if _, err := tx.exec(ctx, `INSERT INTO confidential_entries (lot_id, idx, ip, ip_salt) VALUES (?,?,?,?)`, lotID, idx, ip, ipSalt); err != nil {
		return writeErr("note confidential", err, "留痕记录重复。", "标段")
	}
	return nil
}

// ConfidentialIP returns the client address a confidential entry commits
// to and the commitment's salt (auditors check one against the other).
func (tx *Tx) ConfidentialIP(ctx context.Context, idx int64) (ip, salt string, err error) {
	if err := tx.queryRow(ctx, `SELECT ip, ip_salt FROM confidential_entries WHERE idx = ?`, idx).Scan(&ip, &salt); err != nil {
		return "", "", readErr("confidential ip", err, "留痕记录")
	}
	return ip, salt, nil
}

// ListConfidential lists a lot's confidential entries, ascending.
func (tx *Tx) ListConfidential(ctx context.Context, lotID ids.ID) ([]int64, error) {
	return collect(ctx, tx, "list confidential", func(r rowScanner) (int64, error) {
		var i int64
		return i, r.Scan(&i)
	}, `SELECT idx FROM confidential_entries WHERE lot_id = ? ORDER BY idx`, lotID)
}
