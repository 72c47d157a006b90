package tender

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
	"ggzy/internal/rules"
)

// The verifiable expert draw (DESIGN.md §6.3, issue 4 §2), in two steps so
// that nobody — the operator included — can choose the randomness:
//
//  1. RequestDraw commits the request (lot, needs, parties, recusal
//     parameters) and the pool snapshot to the ledger, in one transaction,
//     and schedules RunDraw.
//  2. RunDraw takes the first signed checkpoint that covers the request
//     entry — it did not exist when the request was made — derives the seed
//     from it (draw.Seed) and runs the deterministic selection (draw.Pool).
//     The result is committed; members are invited, backups wait in drawn
//     order.
//
// Every attempt is its own ledger entry with its attempt number, so a draw
// re-tried for a better result shows in the ledger. `ggzy verify-draw`
// re-runs a finished draw from its proof (DrawProof).

// DrawStatus is a draw attempt's state.
type DrawStatus string

const (
	DrawRequested DrawStatus = "requested" // committed, waiting for its checkpoint
	DrawDone      DrawStatus = "done"      // selection made, invitations out
	DrawFailed    DrawStatus = "failed"    // too few eligible experts
)

// Label is the Chinese name.
func (s DrawStatus) Label() string {
	switch s {
	case DrawRequested:
		return "已提交，待随机数"
	case DrawDone:
		return "已抽取"
	case DrawFailed:
		return "抽取失败"
	}
	return string(s)
}

// Draw is one attempt.
type Draw struct {
	ID             ids.ID
	LotID          ids.ID
	Attempt        int
	Status         DrawStatus
	Remote         bool
	Reason         string       // why this attempt (required after the first)
	Request        draw.Request // as committed
	RequestDigest  string       // hex SM3 of draw.CanonicalRequest
	PoolDigest     string
	PoolSize       int
	RequestIndex   int64 // ledger index of the request entry
	CheckpointSize int64
	Checkpoint     string // the signed note the seed came from
	Result         *draw.Result
	ResultDigest   string
	ResultIndex    int64
	Failure        string
	Reps           []Member // the principal's representatives named with the first attempt
	CreatedBy      ids.ID
	CreatedAt      time.Time
	DoneAt         time.Time
}

// InvitationStatus is the state of one drawn expert's seat.
type InvitationStatus string

const (
	InvStandby   InvitationStatus = "standby"   // a backup not yet needed
	InvInvited   InvitationStatus = "invited"   // notified, waiting for an answer
	InvConfirmed InvitationStatus = "confirmed" // seated
	InvDeclined  InvitationStatus = "declined"
	InvExpired   InvitationStatus = "expired"  // no answer by the deadline
	InvReleased  InvitationStatus = "released" // a backup not needed once the committee formed
	InvReplaced  InvitationStatus = "replaced" // seated, then replaced during the evaluation
)

// Label is the Chinese name.
func (s InvitationStatus) Label() string {
	switch s {
	case InvStandby:
		return "备选"
	case InvInvited:
		return "待确认"
	case InvConfirmed:
		return "已确认参加"
	case InvDeclined:
		return "已拒绝"
	case InvExpired:
		return "逾期未确认"
	case InvReleased:
		return "未启用"
	case InvReplaced:
		return "已更换"
	}
	return string(s)
}

// Invitation is one drawn expert's seat or backup place.
type Invitation struct {
	ID          ids.ID
	DrawID      ids.ID
	LotID       ids.ID
	ExpertID    ids.ID
	UserID      ids.ID
	Name        string
	Need        int // index into the request's needs
	Seq         int // members first (0…Count−1), then backups in drawn order
	Backup      bool
	Status      InvitationStatus
	Deadline    time.Time
	RespondedAt time.Time
	Reason      string
	CreatedAt   time.Time
}

// Checkpoints gives the first signed checkpoint covering a ledger index
// (ledger.Log), signing one if none does yet.
type Checkpoints interface {
	CheckpointCovering(ctx context.Context, index int64) (ledger.Checkpoint, error)
}

// DrawInput is what the operator asks for.
type DrawInput struct {
	Needs  []draw.Need
	Remote bool     // 远程异地评标: experts of the project's city are excluded
	Reps   []string // usernames of the principal's representatives (first attempt)
	Reason string   // required for a further attempt
}

// RequestDraw commits a draw request for a lot awaiting evaluation.
func (s *Service) RequestDraw(ctx context.Context, actor party.Actor, lotID ids.ID, in DrawInput, lookup func(ctx context.Context, username string) (party.User, error)) (Draw, error) {
	if actor.Role != party.RoleOperator {
		return Draw{}, apperr.Forbiddenf("专家抽取由交易中心工作人员执行（%s）。", expert.BasisDraw)
	}
	if s.checkpoints == nil {
		return Draw{}, errors.New("tender: draw without a ledger log")
	}
	now := s.clock.Now()
	var d Draw
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, p, err := lotAndProject(ctx, tx, lotID)
		if err != nil {
			return err
		}
		if l.Status != Evaluating {
			return apperr.New(apperr.Conflict, "只有已开标、待评标的标段可以抽取评标专家。")
		}
		if ms, err := tx.ListMembers(ctx, l.ID); err != nil {
			return err
		} else if len(ms) >= l.CommitteeSize {
			return apperr.New(apperr.Conflict, "该标段的评标委员会已组建。")
		}
		prev, err := tx.ListDraws(ctx, l.ID)
		if err != nil {
			return err
		}
		invs, err := tx.ListInvitations(ctx, l.ID)
		if err != nil {
			return err
		}
		d = Draw{ID: s.ids.New(now), LotID: l.ID, Attempt: len(prev) + 1, Status: DrawRequested, Remote: in.Remote,
			Reason: strings.TrimSpace(in.Reason), CreatedBy: actor.UserID, CreatedAt: now}
		seats := l.CommitteeSize - l.PrincipalReps // expert seats still to fill
		for _, x := range prev {
			if x.Status == DrawRequested {
				return apperr.New(apperr.Conflict, "第%d次抽取尚在等待随机数，请稍候。", x.Attempt)
			}
		}
		for _, iv := range invs {
			switch iv.Status {
			case InvInvited, InvStandby:
				return apperr.New(apperr.Conflict, "上一次抽取的专家尚未全部答复或备选未用完，不能重新抽取。")
			case InvConfirmed:
				seats--
			}
		}
		if len(prev) > 0 {
			// A further attempt is legitimate only when the earlier ones
			// failed or ran out of backups; it is public either way.
			if d.Reason == "" {
				return apperr.New(apperr.Invalid, "这是本标段第%d次抽取，请写明补充抽取的理由（将公开留痕）。", d.Attempt).WithField("reason", "请填写理由")
			}
			d.Reps = prev[0].Reps
		} else {
			reps, err := s.committeeReps(ctx, tx, l, p, in.Reps, lookup, now)
			if err != nil {
				return err
			}
			d.Reps = reps
		}
		if err := s.checkNeeds(l, in.Needs, seats, len(prev) == 0); err != nil {
			return err
		}
		bids, err := tx.ListBids(ctx, l.ID)
		if err != nil {
			return err
		}
		req, err := s.drawRequest(ctx, tx, l, p, bids, in, now)
		if err != nil {
			return err
		}
		// Experts already invited for this lot (confirmed, declined or
		// expired) are left out of a further attempt's snapshot.
		skip := map[ids.ID]bool{}
		for _, iv := range invs {
			skip[iv.ExpertID] = true
		}
		pool, err := s.poolSnapshot(ctx, tx, req, skip, now)
		if err != nil {
			return err
		}
		idx, err := draw.NewPool(pool)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(pool)
		if err != nil {
			return err
		}
		if err := tx.SaveDrawPool(ctx, idx.Digest(), raw); err != nil {
			return err
		}
		d.Request, d.RequestDigest, d.PoolDigest, d.PoolSize = req, hex.EncodeToString(draw.RequestDigest(req)), idx.Digest(), idx.Len()
		needs := make([]map[string]any, len(req.Needs))
		for i, n := range req.Needs {
			needs[i] = map[string]any{"specialty": n.Specialty, "count": n.Count, "backups": n.Backups}
		}
		if d.RequestIndex, err = record(ctx, tx, now, actor, "evaluation.draw_requested", l.Code,
			map[string]any{"lot": l.Code, "draw": d.ID, "attempt": d.Attempt, "request_digest": d.RequestDigest, "pool_digest": d.PoolDigest,
				"pool_size": d.PoolSize, "remote": d.Remote, "needs": needs, "reason": d.Reason},
			map[string]any{"request": json.RawMessage(draw.CanonicalRequest(req))}); err != nil {
			return err
		}
		if err := tx.CreateDraw(ctx, d); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, jobs.RunDraw, d.ID, now)
	})
	return d, err
}

// committeeReps resolves the principal's representatives (TBL 37: the
// principal's representatives sit beside the drawn experts).
func (s *Service) committeeReps(ctx context.Context, tx Tx, l Lot, p Project, names []string, lookup func(ctx context.Context, username string) (party.User, error), now time.Time) ([]Member, error) {
	if len(names) != l.PrincipalReps {
		return nil, apperr.New(apperr.Invalid, "本标段评标委员会应有招标人代表%d名，请指定相应人数。", l.PrincipalReps).WithField("reps", fmt.Sprintf("需 %d 名", l.PrincipalReps))
	}
	seen := map[ids.ID]bool{}
	var out []Member
	for _, u := range names {
		usr, err := lookup(ctx, strings.TrimSpace(u))
		if err != nil || usr.EntityID != p.PrincipalID || usr.Role != party.RolePrincipal {
			return nil, apperr.New(apperr.Invalid, "招标人代表“%s”不是本项目招标人的登记用户。", u).WithField("reps", "请填写招标人单位的用户名。")
		}
		if seen[usr.ID] {
			return nil, apperr.New(apperr.Invalid, "招标人代表“%s”重复，一人只能担任一个评标委员会席位。", u).WithField("reps", "代表不得重复。")
		}
		seen[usr.ID] = true
		out = append(out, Member{ID: s.ids.New(now), LotID: l.ID, Kind: MemberRep, UserID: usr.ID, Name: usr.Name})
	}
	return out, nil
}

// checkNeeds enforces the committee's composition before anyone is drawn
// (RULES.md §2: ≥ 5, odd, experts ≥ 2/3 — checked on the lot's committee,
// which publication validated — and the needs must fill the open seats).
func (s *Service) checkNeeds(l Lot, needs []draw.Need, seats int, first bool) error {
	if len(needs) == 0 {
		return apperr.New(apperr.Invalid, "请至少填写一个抽取专业及人数。").WithField("needs", "请填写专业和人数")
	}
	total := 0
	for _, n := range needs {
		if s.validSpecialty != nil && !s.validSpecialty(n.Specialty) {
			return apperr.New(apperr.Invalid, "专业代码“%s”不在评标专家专业分类标准中。", n.Specialty).WithField("needs", "专业代码无效")
		}
		if n.Count < 1 || n.Backups < 0 {
			return apperr.New(apperr.Invalid, "每个专业至少抽取1名，备选人数不能为负。").WithField("needs", "人数无效")
		}
		if l.IsLand() && !strings.HasPrefix(n.Specialty, "E") {
			return apperr.Rule(apperr.Invalid, basisLandOpening, "土地招标出让的评标小组由出让人代表和有关专家组成，专家应从土地矿业权类（E）专业中抽取，“%s”不是土地类专业。", n.Specialty).WithField("needs", "请选择E类专业")
		}
		total += n.Count
	}
	cm := s.rules.Get(rules.CommitteeMin)
	if l.CommitteeSize < int(cm.Value) || l.CommitteeSize%2 == 0 {
		return apperr.Rule(apperr.Conflict, cm.Basis, "评标委员会应为%d人以上单数，本标段设为%d人。", cm.Value, l.CommitteeSize)
	}
	if total != seats {
		if first {
			return apperr.Rule(apperr.Invalid, cm.Basis, "评标委员会%d人，其中招标人代表%d名，应抽取专家%d名，所填人数合计%d名。", l.CommitteeSize, l.PrincipalReps, seats, total).WithField("needs", fmt.Sprintf("合计应为 %d 名", seats))
		}
		return apperr.New(apperr.Invalid, "尚缺专家%d名，补充抽取的人数合计应为%d名。", seats, seats).WithField("needs", fmt.Sprintf("合计应为 %d 名", seats))
	}
	return nil
}

// drawRequest builds the committed request from the lot's data: its
// parties (bidders, principal, agency) with their legal representatives,
// the project's city, the supervising department and the pool's frequency
// cap.
func (s *Service) drawRequest(ctx context.Context, tx Tx, l Lot, p Project, bids []Bid, in DrawInput, now time.Time) (draw.Request, error) {
	req := draw.Request{LotID: l.ID, Procedure: draw.Engineering, ProjectCity: p.Region, Remote: in.Remote,
		Needs: slices.Clone(in.Needs), PrincipalReps: l.PrincipalReps, CommitteeMin: 0, SupervisorDept: p.SupervisorDept,
		Window: draw.Duration(s.pool.Window), MaxDrawsInWindow: s.pool.MaxDraws, At: now, Reason: strings.TrimSpace(in.Reason)}
	add := func(role string, id ids.ID) error {
		if id == "" {
			return nil
		}
		e, err := tx.GetEntity(ctx, id)
		if err != nil {
			return err
		}
		ctl, err := party.Related(ctx, tx, e)
		if err != nil {
			return err
		}
		req.Parties = append(req.Parties, draw.Party{Role: role, EntityID: id, LegalRep: legalRepKey(e.LegalRep), Controllers: ctl})
		return nil
	}
	if err := add(draw.RolePrincipal, p.PrincipalID); err != nil {
		return req, err
	}
	if err := add(draw.RoleAgency, p.AgencyID); err != nil {
		return req, err
	}
	for _, b := range bids {
		if err := add(draw.RoleBidder, b.EntityID); err != nil {
			return req, err
		}
	}
	return req, nil
}

// legalRepKey names a legal representative in the draw's data. The
// registry holds names only, so the key is the normalised name; a national
// identity link would replace it (closing note of issue 4).
func legalRepKey(name string) string {
	name = strings.Join(strings.Fields(name), "")
	if name == "" {
		return ""
	}
	return "name:" + name
}

// poolSnapshot reads the experts who qualify for any need, as the draw
// sees them. Applicants, rejected applicants and experts without a login
// are not in the pool; exited and over-age experts are listed as exited, so
// their exclusion is recorded.
func (s *Service) poolSnapshot(ctx context.Context, tx Tx, req draw.Request, skip map[ids.ID]bool, now time.Time) ([]draw.Expert, error) {
	recent, err := tx.DrawsSince(ctx, now.Add(-time.Duration(req.Window)))
	if err != nil {
		return nil, err
	}
	seen := map[ids.ID]bool{}
	reps := map[ids.ID]string{}
	ctls := map[ids.ID][]ids.ID{}
	var out []draw.Expert
	for _, n := range req.Needs {
		xs, err := tx.ListExperts(ctx, expert.Filter{Specialty: n.Specialty})
		if err != nil {
			return nil, err
		}
		for _, e := range xs {
			if seen[e.ID] || skip[e.ID] || e.UserID == "" || e.Status == expert.Applied || e.Status == expert.Rejected {
				continue
			}
			seen[e.ID] = true
			de := draw.Expert{ID: e.ID, Specialties: e.Specialties, EmployerID: e.EmployerID, City: e.City,
				DeptStaffOf: e.DeptStaffOf, RecentDraws: recent[e.ID]}
			for _, c := range e.Conflicts {
				de.Relatives = append(de.Relatives, c)
			}
			switch {
			case e.Status == expert.Exited || e.Age(now) >= s.pool.AgeMax:
				de.Status = draw.StatusExited
			case e.Status == expert.Blacklisted:
				de.Status, de.SuspendedUntil = draw.StatusBlacklisted, e.StatusUntil
			case e.Status == expert.Suspended:
				de.Status, de.SuspendedUntil = draw.StatusSuspended, e.StatusUntil
			default:
				de.Status = draw.StatusActive
			}
			if e.EmployerID != "" {
				r, ok := reps[e.EmployerID]
				if !ok {
					ent, err := tx.GetEntity(ctx, e.EmployerID)
					if err != nil && !apperr.Is(err, apperr.NotFound) {
						return nil, err
					}
					r = legalRepKey(ent.LegalRep)
					reps[e.EmployerID] = r
					if ent.ID != "" {
						if ctls[e.EmployerID], err = party.Related(ctx, tx, ent); err != nil {
							return nil, err
						}
					}
				}
				de.EmployerLegalRep, de.EmployerControllers = r, ctls[e.EmployerID]
			}
			out = append(out, de)
		}
	}
	return out, nil
}

// RunDraw runs a committed request on the seed of the first checkpoint
// covering it (the tender.run_draw job). Idempotent: a draw no longer
// waiting is left alone.
func (s *Service) RunDraw(ctx context.Context, drawID ids.ID) error {
	var d Draw
	var raw []byte
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if d, err = tx.GetDraw(ctx, drawID); err != nil {
			return err
		}
		if d.Status != DrawRequested {
			return nil
		}
		raw, err = tx.GetDrawPool(ctx, d.PoolDigest)
		return err
	})
	if err != nil || d.Status != DrawRequested {
		return err
	}
	cp, err := s.checkpoints.CheckpointCovering(ctx, d.RequestIndex)
	if err != nil {
		return err
	}
	var pool []draw.Expert
	if err := json.Unmarshal(raw, &pool); err != nil {
		return fmt.Errorf("tender: draw pool %s: %w", d.PoolDigest, err)
	}
	rd, err := hex.DecodeString(d.RequestDigest)
	if err != nil {
		return err
	}
	seed := draw.Seed(rd, cp.Root, cp.Size)
	res, drawErr := draw.Draw(d.Request, pool, seed)
	var short *draw.ShortageError
	if drawErr != nil && !errors.As(drawErr, &short) {
		return drawErr
	}
	now := s.clock.Now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		cur, err := tx.GetDraw(ctx, drawID)
		if err != nil || cur.Status != DrawRequested {
			return err
		}
		l, err := tx.GetLot(ctx, cur.LotID)
		if err != nil {
			return err
		}
		cur.CheckpointSize, cur.Checkpoint, cur.DoneAt = int64(cp.Size), string(cp.Note), now
		pub := map[string]any{"lot": l.Code, "draw": cur.ID, "attempt": cur.Attempt, "checkpoint_size": cp.Size,
			"checkpoint_root": hex.EncodeToString(cp.Root), "seed": hex.EncodeToString(seed)}
		if short != nil {
			cur.Status, cur.Failure = DrawFailed, short.Error()+"（"+expert.BasisDraw+"）"
			pub["failure"] = cur.Failure
			// Who was excluded, and why, explains the shortage.
			res := draw.Result{Version: draw.Version, LotID: cur.LotID, RequestDigest: cur.RequestDigest, PoolDigest: cur.PoolDigest,
				PoolSize: len(pool), Seed: hex.EncodeToString(seed)}
			codes := map[string]int{}
			for _, e := range pool {
				if x, ok := draw.Recuse(cur.Request, e); ok {
					res.Exclusions = append(res.Exclusions, x)
					codes[x.Code]++
				}
			}
			slices.SortFunc(res.Exclusions, func(a, b draw.Exclusion) int { return strings.Compare(a.ExpertID, b.ExpertID) })
			cur.Result, pub["exclusions"] = &res, codes
			if cur.ResultIndex, err = record(ctx, tx, now, party.System(), "evaluation.draw_failed", l.Code, pub, nil); err != nil {
				return err
			}
			if err := tx.CreateWarning(ctx, Warning{ID: s.ids.New(now), LotID: l.ID, Kind: "expert_shortage", CreatedAt: now,
				Message: "专家抽取失败：" + cur.Failure, Basis: expert.BasisDraw}); err != nil {
				return err
			}
			return tx.UpdateDraw(ctx, cur)
		}
		cur.Status, cur.Result, cur.ResultDigest = DrawDone, &res, res.Digest
		codes := map[string]int{}
		for _, x := range res.Exclusions {
			codes[x.Code]++
		}
		var seated, backups []map[string]any
		for ni, nr := range res.Needs {
			for i, id := range append(slices.Clone(nr.Members), nr.Backups...) {
				e, err := tx.GetExpert(ctx, id)
				if err != nil {
					return err
				}
				iv := Invitation{ID: s.ids.New(now), DrawID: cur.ID, LotID: l.ID, ExpertID: e.ID, UserID: e.UserID, Name: e.Name,
					Need: ni, Seq: i, Backup: i >= nr.Need.Count, Status: InvStandby, CreatedAt: now}
				who := map[string]any{"expert": e.ID, "name": e.Name, "specialty": nr.Need.Specialty}
				if !iv.Backup {
					iv.Status, iv.Deadline = InvInvited, now.Add(s.pool.ConfirmWithin)
					seated = append(seated, who)
					if err := s.enqueue(ctx, tx, jobs.InvitationDue, iv.ID, iv.Deadline); err != nil {
						return err
					}
				} else {
					backups = append(backups, who)
				}
				if err := tx.CreateInvitation(ctx, iv); err != nil {
					return err
				}
			}
		}
		pub["result_digest"], pub["members"], pub["backups"], pub["exclusions"] = res.Digest, len(seated), len(backups), codes
		// Who was drawn stays secret until the evaluation (TBR 41); the
		// commitment binds it now.
		if cur.ResultIndex, err = record(ctx, tx, now, party.System(), "evaluation.draw_done", l.Code, pub,
			map[string]any{"members": seated, "backups": backups}); err != nil {
			return err
		}
		return tx.UpdateDraw(ctx, cur)
	})
}

// Invitations lists the signed-in expert's invitations, newest first.
func (s *Service) Invitations(ctx context.Context, actor party.Actor) ([]Invitation, map[ids.ID]Lot, error) {
	var out []Invitation
	lots := map[ids.ID]Lot{}
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if out, err = tx.ListInvitationsForUser(ctx, actor.UserID); err != nil {
			return err
		}
		for _, iv := range out {
			if _, ok := lots[iv.LotID]; !ok {
				if lots[iv.LotID], err = tx.GetLot(ctx, iv.LotID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, lots, err
}

// RespondInvitation records an invited expert's answer. Accepting needs the
// expert's recusal declaration (回避声明: no relation to the lot's bidders,
// principal or agency that requires recusal — an expert who has one
// declines, giving it as the reason). A decline (with a reason) or a missed
// deadline hands the seat to the next backup of the same need; when every
// seat is confirmed the committee is formed.
func (s *Service) RespondInvitation(ctx context.Context, actor party.Actor, id ids.ID, accept bool, reason string, declared bool) (Invitation, error) {
	now := s.clock.Now()
	var iv Invitation
	err := s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if iv, err = tx.GetInvitation(ctx, id); err != nil {
			return err
		}
		if iv.UserID != actor.UserID || actor.UserID == "" {
			return apperr.NotFoundf("抽取通知")
		}
		if iv.Status != InvInvited {
			return apperr.New(apperr.Conflict, "该通知已处理（%s）。", iv.Status.Label())
		}
		if now.After(iv.Deadline) {
			return apperr.New(apperr.Deadline, "已超过确认期限（%s），席位已转给备选专家。", clock.Format(iv.Deadline))
		}
		if !accept && strings.TrimSpace(reason) == "" {
			return apperr.New(apperr.Invalid, "不能参加的，请写明原因。").WithField("reason", "请填写原因")
		}
		if accept && !declared {
			return apperr.Rule(apperr.Invalid, "《评标委员会和评标方法暂行规定》第十二条", "确认参加前须声明与本项目投标人、招标人和代理机构不存在应当回避的情形；存在的，请选择“不能参加”并说明。").WithField("declare", "请作出回避声明")
		}
		return s.answer(ctx, tx, now, actor, &iv, accept, strings.TrimSpace(reason))
	})
	return iv, err
}

// InvitationDue is the tender.invitation_due job: an invitation still
// unanswered at its deadline expires and the next backup is invited.
func (s *Service) InvitationDue(ctx context.Context, id ids.ID) error {
	now := s.clock.Now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		iv, err := tx.GetInvitation(ctx, id)
		if err != nil || iv.Status != InvInvited || now.Before(iv.Deadline) {
			return err
		}
		return s.answer(ctx, tx, now, party.System(), &iv, false, "逾期未确认")
	})
}

func (s *Service) answer(ctx context.Context, tx Tx, now time.Time, actor party.Actor, iv *Invitation, accept bool, reason string) error {
	l, err := tx.GetLot(ctx, iv.LotID)
	if err != nil {
		return err
	}
	iv.RespondedAt, iv.Reason = now, reason
	typ := "evaluation.invitation_confirmed"
	switch {
	case accept:
		iv.Status = InvConfirmed
	case actor.Role == party.RoleSystem:
		iv.Status, typ = InvExpired, "evaluation.invitation_expired"
	default:
		iv.Status, typ = InvDeclined, "evaluation.invitation_declined"
	}
	if err := tx.UpdateInvitation(ctx, *iv); err != nil {
		return err
	}
	// The public part carries only the opaque invitation: who was drawn
	// stays secret until the evaluation.
	if _, err := record(ctx, tx, now, actor, typ, l.Code, map[string]any{"lot": l.Code, "draw": iv.DrawID, "invitation": iv.ID},
		map[string]any{"expert": iv.ExpertID, "name": iv.Name, "reason": reason}); err != nil {
		return err
	}
	invs, err := tx.ListInvitations(ctx, l.ID)
	if err != nil {
		return err
	}
	if !accept {
		// The next standby backup of the same draw and need takes the seat.
		for _, b := range invs {
			if b.DrawID == iv.DrawID && b.Need == iv.Need && b.Status == InvStandby {
				b.Status, b.Deadline = InvInvited, now.Add(s.pool.ConfirmWithin)
				if err := tx.UpdateInvitation(ctx, b); err != nil {
					return err
				}
				if _, err := record(ctx, tx, now, party.System(), "evaluation.backup_invited", l.Code,
					map[string]any{"lot": l.Code, "draw": b.DrawID, "invitation": b.ID, "replaces": iv.ID},
					map[string]any{"expert": b.ExpertID, "name": b.Name}); err != nil {
					return err
				}
				return s.enqueue(ctx, tx, jobs.InvitationDue, b.ID, b.Deadline)
			}
		}
		return tx.CreateWarning(ctx, Warning{ID: s.ids.New(now), LotID: l.ID, Kind: "expert_shortage", CreatedAt: now,
			Message: "备选专家已用完，评标委员会尚缺席位，请补充抽取。", Basis: expert.BasisDraw})
	}
	return s.maybeFormCommittee(ctx, tx, now, l, invs)
}

// maybeFormCommittee seats the committee once every expert seat is
// confirmed: the principal's representatives and the confirmed experts.
// Unused backups are released. The names are committed, not published
// (TBR 41); they are revealed when the evaluation ends.
func (s *Service) maybeFormCommittee(ctx context.Context, tx Tx, now time.Time, l Lot, invs []Invitation) error {
	var confirmed []Invitation
	for _, iv := range invs {
		if iv.Status == InvConfirmed {
			confirmed = append(confirmed, iv)
		}
	}
	if len(confirmed) < l.CommitteeSize-l.PrincipalReps {
		return nil
	}
	draws, err := tx.ListDraws(ctx, l.ID)
	if err != nil || len(draws) == 0 {
		return err
	}
	members, err := tx.ListMembers(ctx, l.ID)
	if err != nil {
		return err
	}
	refill := len(members) > 0
	if !refill {
		members = slices.Clone(draws[0].Reps)
		for i := range members {
			members[i].ID = s.ids.New(now) // a re-formed committee gets fresh seats
		}
	}
	seated := map[ids.ID]bool{}
	for _, m := range members {
		seated[m.ExpertID] = true
	}
	var added []string
	for _, iv := range confirmed {
		if !seated[iv.ExpertID] {
			members = append(members, Member{ID: s.ids.New(now), LotID: l.ID, Kind: MemberExpert, ExpertID: iv.ExpertID, UserID: iv.UserID, Name: iv.Name})
			added = append(added, iv.Name)
		}
	}
	for _, iv := range invs {
		if iv.Status == InvStandby {
			iv.Status = InvReleased
			if err := tx.UpdateInvitation(ctx, iv); err != nil {
				return err
			}
		}
	}
	if err := tx.SaveMembers(ctx, l.ID, members); err != nil {
		return err
	}
	if refill {
		// A substitute joins a running room and evaluates afresh (TBR 48).
		_, err = record(ctx, tx, now, party.System(), "evaluation.member_added", l.Code, map[string]any{"lot": l.Code, "added": len(added)},
			map[string]any{"members": added})
		return err
	}
	names := make([]string, len(members))
	for i, m := range members {
		names[i] = m.Name
	}
	last := draws[len(draws)-1]
	if err := tx.CreateRoom(ctx, Room{LotID: l.ID, Status: RoomWaiting, Remote: last.Remote, UpdatedAt: now}); err != nil {
		return err
	}
	_, err = record(ctx, tx, now, party.System(), "evaluation.committee_formed", l.Code,
		map[string]any{"lot": l.Code, "size": len(members), "experts": len(confirmed), "reps": l.PrincipalReps, "remote": last.Remote},
		map[string]any{"members": names})
	return err
}

// ListLotDraws returns a lot's draws and invitations for staff (operator,
// supervisor): every attempt with its exclusions.
func (s *Service) ListLotDraws(ctx context.Context, actor party.Actor, lotID ids.ID) ([]Draw, []Invitation, error) {
	if !actor.IsStaff() {
		return nil, nil, apperr.Forbiddenf("抽取记录仅供交易中心和监督人员查看。")
	}
	var ds []Draw
	var invs []Invitation
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if ds, err = tx.ListDraws(ctx, lotID); err != nil {
			return err
		}
		if invs, err = tx.ListInvitations(ctx, lotID); err != nil {
			return err
		}
		// Names follow ViewLot: the centre that ran the draw and the
		// auditor know them; others once the award is decided (TBL 37).
		l, err := tx.GetLot(ctx, lotID)
		if err != nil {
			return err
		}
		settled := l.Status == Awarded || l.Status == Contracted
		if !settled && actor.Role != party.RoleOperator && actor.Role != party.RoleAuditor {
			for i := range invs {
				invs[i].Name = ""
			}
		}
		return nil
	})
	return ds, invs, err
}

// DrawProof is everything `ggzy verify-draw` needs to re-run a draw: the
// committed request, the pool snapshot, the checkpoint the seed came from
// and the recorded result, with the ledger indexes that commit them.
type DrawProof struct {
	DrawID       ids.ID          `json:"draw_id"`
	LotCode      string          `json:"lot_code"`
	Attempt      int             `json:"attempt"`
	Status       DrawStatus      `json:"status"`
	Request      json.RawMessage `json:"request"` // canonical bytes, as hashed
	RequestIndex int64           `json:"request_index"`
	Pool         json.RawMessage `json:"pool"`
	Checkpoint   string          `json:"checkpoint"`
	Result       *draw.Result    `json:"result,omitempty"`
	ResultIndex  int64           `json:"result_index"`
	Failure      string          `json:"failure,omitempty"`
}

// Proof returns a finished draw's proof. The public may have it once the
// evaluation is over (the committee is named then); staff at any time.
func (s *Service) Proof(ctx context.Context, actor party.Actor, drawID ids.ID) (DrawProof, error) {
	var pr DrawProof
	err := s.store.Read(ctx, func(tx Tx) error {
		d, err := tx.GetDraw(ctx, drawID)
		if err != nil {
			return err
		}
		l, err := tx.GetLot(ctx, d.LotID)
		if err != nil {
			return err
		}
		if !actor.IsStaff() && l.ReportAt.IsZero() {
			return apperr.NotFoundf("抽取记录")
		}
		if d.Status == DrawRequested {
			return apperr.New(apperr.Conflict, "该次抽取尚未完成。")
		}
		pool, err := tx.GetDrawPool(ctx, d.PoolDigest)
		if err != nil {
			return err
		}
		pr = DrawProof{DrawID: d.ID, LotCode: l.Code, Attempt: d.Attempt, Status: d.Status, Request: draw.CanonicalRequest(d.Request),
			RequestIndex: d.RequestIndex, Pool: pool, Checkpoint: d.Checkpoint, Result: d.Result, ResultIndex: d.ResultIndex, Failure: d.Failure}
		return nil
	})
	return pr, err
}
