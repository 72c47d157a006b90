package tender

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/gm"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
	"ggzy/internal/rules"
	"ggzy/internal/scoring"
)

// The evaluation room (issue 4 §3): one per lot, opened when the committee
// is formed. Members sign in from their cities (remote off-site evaluation);
// the room holds the state and the timers; every step is a ledger entry.
//
//	waiting ──start──▶ running ──all sheets──▶ explaining ──explained──▶ finished
//	   │                  │  ▲                    (deviations only)
//	   └──failure──▶ interrupted ──resume──┘
//	                      │ 2 h before the start: the principal decides
//	                      │ 4 h during it: the committee is re-formed
//
// RULES.md §7 (remote evaluation, Lijiang practice): a failure before the
// start waits up to 2 hours, then the tenderer decides; a failure during
// the evaluation may last 4 hours, then all material is sealed and the
// committee re-formed.

// RoomStatus is the evaluation room's state.
type RoomStatus string

const (
	RoomWaiting     RoomStatus = "waiting"     // committee formed, evaluation not started
	RoomRunning     RoomStatus = "running"     // members review and score
	RoomExplaining  RoomStatus = "explaining"  // all sheets in; deviating members explain (评分偏离)
	RoomInterrupted RoomStatus = "interrupted" // a system or network failure was declared
	RoomDecision    RoomStatus = "decision"    // a pre-start failure outlasted its wait: the principal decides
	RoomFinished    RoomStatus = "finished"
)

// Label is the Chinese name.
func (s RoomStatus) Label() string {
	switch s {
	case RoomWaiting:
		return "待开始评标"
	case RoomRunning:
		return "评标中"
	case RoomExplaining:
		return "待说明评分偏离"
	case RoomInterrupted:
		return "故障暂停"
	case RoomDecision:
		return "待招标人决定"
	case RoomFinished:
		return "评标结束"
	}
	return string(s)
}

// Room is a lot's evaluation room.
type Room struct {
	LotID      ids.ID
	Status     RoomStatus
	Remote     bool
	Prior      RoomStatus // the state an interruption suspended
	StartedAt  time.Time
	EndsAt     time.Time // planned end; extensions move it
	Extensions int
	Chair      ids.ID // member ID, once elected
	Failure    string
	FailedAt   time.Time
	ResumeBy   time.Time // the failure's wait ends
	UpdatedAt  time.Time
	Version    int64
}

// Vote is a member's vote: for a chair (Value = member ID) or that the
// time is insufficient (Value "1"), per round.
type Vote struct {
	LotID ids.ID
	Kind  string // VoteChair, VoteExtend
	Round int
	Voter ids.ID // member ID
	Value string
	At    time.Time
}

// Vote kinds.
const (
	VoteChair  = "chair"
	VoteExtend = "extend"
)

// Deviation is a member's subjective score that deviates from the
// committee mean by more than the threshold; it needs a written explanation.
type Deviation struct {
	LotID       ids.ID
	MemberID    ids.ID
	BidID       ids.ID
	Item        string
	Score       int64 // ×100
	Mean        int64 // ×100
	Pct         int64 // deviation in percent ×100
	Explanation string
	ExplainedAt time.Time
}

// EvalPolicy holds the evaluation room's parameters (RULES.md §7, §11).
type EvalPolicy struct {
	Duration     time.Duration // planned length of an evaluation
	Extension    time.Duration // added when > 1/3 of members say time is insufficient
	DeviationPct int           // 评分偏离 threshold, percent of the committee mean
	WaitBefore   time.Duration // failure before the start: wait, then the principal decides
	WaitDuring   time.Duration // failure during it: repair limit, then the committee is re-formed
}

// DefaultEvalPolicy is the platform default.
func DefaultEvalPolicy() EvalPolicy {
	return EvalPolicy{Duration: 8 * time.Hour, Extension: 4 * time.Hour, DeviationPct: 20, WaitBefore: 2 * time.Hour, WaitDuring: 4 * time.Hour}
}

// Bases quoted by the room.
const (
	basisReplace   = "《招标投标法实施条例》第四十八条"
	basisRemote    = "远程异地评标地方实施规则（如丽江市远程异地评标规定）；发改办法规〔2025〕807号"
	basisDeviation = "评分偏离说明（评标办法）"
	basisSheet     = "《招标投标法实施条例》第五十三条"
)

// roomMember finds the actor's seat.
func roomMember(members []Member, actor party.Actor) (*Member, error) {
	for i := range members {
		if actor.UserID != "" && members[i].UserID == actor.UserID {
			return &members[i], nil
		}
	}
	return nil, apperr.Forbiddenf("您不是本标段评标委员会成员。")
}

// roomOf loads the lot, its room and its committee.
func roomOf(ctx context.Context, tx Tx, lotID ids.ID) (Lot, Room, []Member, error) {
	l, err := tx.GetLot(ctx, lotID)
	if err != nil {
		return l, Room{}, nil, err
	}
	r, err := tx.GetRoom(ctx, lotID)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return l, r, nil, apperr.New(apperr.Conflict, "评标委员会尚未组建，评标室未开放。")
		}
		return l, r, nil, err
	}
	ms, err := tx.ListMembers(ctx, lotID)
	return l, r, ms, err
}

func (s *Service) roomEntry(ctx context.Context, tx Tx, now time.Time, actor party.Actor, typ string, l Lot, public, private map[string]any) error {
	if public == nil {
		public = map[string]any{}
	}
	public["lot"] = l.Code
	_, err := record(ctx, tx, now, actor, typ, l.Code, public, private)
	return err
}

// StartEvaluation opens the room for scoring (the trading centre, at the
// scheduled time, once the committee is complete).
func (s *Service) StartEvaluation(ctx context.Context, actor party.Actor, lotID ids.ID) (Room, error) {
	return s.centreStep(ctx, actor, lotID, "评标由交易中心工作人员宣布开始。", func(tx Tx, now time.Time, l Lot, room *Room, ms []Member) error {
		if room.Status != RoomWaiting {
			return apperr.New(apperr.Conflict, "评标室当前状态为“%s”，不能开始评标。", room.Status.Label())
		}
		if len(ms) != l.CommitteeSize {
			return apperr.New(apperr.Conflict, "评标委员会应有%d人，现有%d人，请先补足。", l.CommitteeSize, len(ms))
		}
		room.Status, room.StartedAt, room.EndsAt = RoomRunning, now, now.Add(s.eval.Duration)
		if err := tx.UpdateRoom(ctx, room); err != nil {
			return err
		}
		return s.roomEntry(ctx, tx, now, actor, "evaluation.started", l, map[string]any{"members": len(ms), "remote": room.Remote, "ends_at": room.EndsAt}, nil)
	})
}

// centreStep runs one of the trading centre's room steps in a transaction:
// the operator's role checked, the room loaded, step applied (it updates
// the room and records the entry); the room as it ends is returned.
func (s *Service) centreStep(ctx context.Context, actor party.Actor, lotID ids.ID, forbidden string, step func(tx Tx, now time.Time, l Lot, room *Room, ms []Member) error) (Room, error) {
	if actor.Role != party.RoleOperator {
		return Room{}, apperr.Forbiddenf("%s", forbidden)
	}
	now := s.clock.Now()
	var r Room
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, room, ms, err := roomOf(ctx, tx, lotID)
		if err != nil {
			return err
		}
		room.UpdatedAt = now
		if err := step(tx, now, l, &room, ms); err != nil {
			return err
		}
		r = room
		return nil
	})
	return r, err
}

// Vote records a member's vote: for a chair, or that the time is
// insufficient. A chair is elected by a majority of all members; more than
// a third of members finding the time insufficient extends the evaluation
// (《招标投标法实施条例》第四十八条).
func (s *Service) Vote(ctx context.Context, actor party.Actor, lotID ids.ID, kind string, value ids.ID) (Room, error) {
	now := s.clock.Now()
	var r Room
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, room, ms, err := roomOf(ctx, tx, lotID)
		if err != nil {
			return err
		}
		me, err := roomMember(ms, actor)
		if err != nil {
			return err
		}
		if room.Status != RoomRunning && room.Status != RoomExplaining {
			return apperr.New(apperr.Conflict, "评标室当前状态为“%s”，不能投票。", room.Status.Label())
		}
		ids := make([]string, len(ms))
		for i, m := range ms {
			ids[i] = m.ID
		}
		switch kind {
		case VoteChair:
			if room.Chair != "" {
				return apperr.New(apperr.Conflict, "主任委员已选出。")
			}
			if !slices.Contains(ids, value) {
				return apperr.New(apperr.Invalid, "请从评标委员会成员中推选主任委员。").WithField("chair", "候选人不是本委员会成员")
			}
			if err := tx.SaveVote(ctx, Vote{LotID: l.ID, Kind: VoteChair, Voter: me.ID, Value: value, At: now}); err != nil {
				return err
			}
			votes, err := tx.ListVotes(ctx, l.ID, VoteChair, 0)
			if err != nil {
				return err
			}
			if _, err := record(ctx, tx, now, actor, "evaluation.chair_vote", l.Code, map[string]any{"lot": l.Code, "votes": len(votes)},
				map[string]any{"voter": me.ID, "candidate": value}); err != nil {
				return err
			}
			tally := map[string]string{}
			for _, v := range votes {
				tally[v.Voter] = v.Value
			}
			chair, ok := scoring.ElectChair(tally, ids)
			if !ok {
				break
			}
			room.Chair = chair
			for i := range ms {
				ms[i].Chair = ms[i].ID == chair
			}
			if err := tx.SaveMembers(ctx, l.ID, ms); err != nil {
				return err
			}
			if err := s.roomEntry(ctx, tx, now, actor, "evaluation.chair_elected", l, map[string]any{"votes": len(votes), "members": len(ms)},
				map[string]any{"chair": chair}); err != nil {
				return err
			}
		case VoteExtend:
			if err := tx.SaveVote(ctx, Vote{LotID: l.ID, Kind: VoteExtend, Round: room.Extensions, Voter: me.ID, Value: "1", At: now}); err != nil {
				return err
			}
			votes, err := tx.ListVotes(ctx, l.ID, VoteExtend, room.Extensions)
			if err != nil {
				return err
			}
			if _, err := record(ctx, tx, now, actor, "evaluation.time_insufficient", l.Code, map[string]any{"lot": l.Code, "round": room.Extensions, "votes": len(votes)}, nil); err != nil {
				return err
			}
			if !scoring.ExtensionCarried(len(votes), len(ms), int(s.rules.Get(rules.ExtensionShareDivisor).Value)) {
				break
			}
			room.Extensions++
			room.EndsAt = room.EndsAt.Add(s.eval.Extension)
			if err := s.roomEntry(ctx, tx, now, party.System(), "evaluation.extended", l, map[string]any{"votes": len(votes), "members": len(ms),
				"ends_at": room.EndsAt, "basis": scoring.BasisExtension}, nil); err != nil {
				return err
			}
		default:
			return apperr.New(apperr.Invalid, "未知的表决事项。")
		}
		room.UpdatedAt = now
		if err := tx.UpdateRoom(ctx, &room); err != nil {
			return err
		}
		r = room
		return nil
	})
	return r, err
}

// SheetSignature is a member's SM2 signature over SheetDigest.
type SheetSignature struct {
	Fingerprint string // of the member's registered sign key
	Signature   string // base64 of the DER SM2 signature
}

// SheetDigest is what a member signs: SM3 over the canonical JSON of the
// lot code, the member's user ID and the lines in their normal form
// (NormalizeLines), bids in ID order. The same
// bytes are recomputed here and in any verifier; the signature is SM2 over
// the 32 digest bytes.
func SheetDigest(lotCode string, userID ids.ID, lines []SheetLine) (string, error) {
	ls := NormalizeLines(lines)
	sort.Slice(ls, func(i, j int) bool { return ls[i].BidID < ls[j].BidID })
	b, err := ledger.Canonical(map[string]any{"lot": lotCode, "user": userID, "lines": ls, "v": "ggzy-sheet-v1"})
	if err != nil {
		return "", err
	}
	h := gm.SM3(b)
	return hex.EncodeToString(h[:]), nil
}

// SignSheet is the member's side of signing, for clients written in Go
// (tests, the demo seeder): it signs the sheet's digest with k.
func SignSheet(k *gm.PrivateKey, lotCode string, userID ids.ID, lines []SheetLine) (SheetSignature, error) {
	d, err := SheetDigest(lotCode, userID, lines)
	if err != nil {
		return SheetSignature{}, err
	}
	raw, _ := hex.DecodeString(d)
	sig, err := k.Sign(rand.Reader, raw)
	if err != nil {
		return SheetSignature{}, err
	}
	return SheetSignature{Fingerprint: k.Public().Fingerprint(), Signature: base64.StdEncoding.EncodeToString(sig)}, nil
}

// SheetDigestFor returns the digest the signed-in member signs for lines.
func (s *Service) SheetDigestFor(ctx context.Context, actor party.Actor, lotID ids.ID, lines []SheetLine) (string, error) {
	var d string
	err := s.store.Read(ctx, func(tx Tx) error {
		l, err := tx.GetLot(ctx, lotID)
		if err != nil {
			return err
		}
		ms, err := tx.ListMembers(ctx, l.ID)
		if err != nil {
			return err
		}
		if _, err := roomMember(ms, actor); err != nil {
			return err
		}
		// The sheet is checked before it is signed: a member signs once.
		lines = NormalizeLines(lines)
		bids, err := tx.ListBids(ctx, l.ID)
		if err != nil {
			return err
		}
		if err := checkSheet(l, evaluable(bids), lines); err != nil {
			return err
		}
		d, err = SheetDigest(l.Code, actor.UserID, lines)
		return err
	})
	return d, err
}

// checkSignature verifies a sheet's signature with the member's key.
func (s *Service) checkSignature(ctx context.Context, userID ids.ID, digest string, sig SheetSignature, now time.Time) error {
	if sig.Fingerprint == "" || sig.Signature == "" {
		return apperr.Rule(apperr.Invalid, basisSheet, "评审意见须由本人以评审签名私钥签名后提交。").WithField("signature", "缺少签名")
	}
	pub, err := s.keys.SignKey(ctx, userID, sig.Fingerprint, now)
	if err != nil {
		return err
	}
	raw, err := base64.StdEncoding.DecodeString(sig.Signature)
	if err != nil {
		return apperr.New(apperr.Invalid, "签名不是有效的 Base64 编码。").WithField("signature", "格式错误")
	}
	d, _ := hex.DecodeString(digest)
	if !pub.Verify(d, raw) {
		return apperr.New(apperr.Invalid, "签名与评审意见内容不符：请核对后用本人评审签名私钥重新签名。").WithField("signature", "签名无效")
	}
	return nil
}

// deviations computes the 评分偏离 of the subjective items: for each bid
// and item, the scores of the members who passed the bid, against their
// mean.
func (s *Service) deviations(l Lot, members []Member, sheets []ScoreSheet) []Deviation {
	if l.Method != Comprehensive {
		return nil
	}
	byMember := map[ids.ID]ScoreSheet{}
	for _, sh := range sheets {
		byMember[sh.MemberID] = sh
	}
	bids := map[ids.ID]bool{}
	for _, sh := range sheets {
		for _, ln := range sh.Lines {
			bids[ln.BidID] = true
		}
	}
	var out []Deviation
	for bid := range bids {
		for _, it := range l.Scoring {
			if it.Price {
				continue
			}
			var ms []scoring.MemberScore
			for _, m := range members {
				for _, ln := range byMember[m.ID].Lines {
					if ln.BidID == bid && ln.Pass {
						ms = append(ms, scoring.MemberScore{Member: m.ID, Score: ln.Scores[it.Key]})
					}
				}
			}
			for _, d := range scoring.Deviations(it.Key, it.Max, ms, s.eval.DeviationPct) {
				out = append(out, Deviation{LotID: l.ID, MemberID: d.Member, BidID: bid, Item: it.Key, Score: d.Score, Mean: d.Mean, Pct: d.DeviationPct})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.MemberID+a.BidID+a.Item < b.MemberID+b.BidID+b.Item
	})
	return out
}

// afterSheets runs when a sheet changes: with every member's sheet in, it
// flags deviations (their members must explain) or finishes the evaluation.
func (s *Service) afterSheets(ctx context.Context, tx Tx, now time.Time, p Project, l Lot, room Room, bids []Bid, members []Member) error {
	sheets, err := tx.ListSheets(ctx, l.ID)
	if err != nil {
		return err
	}
	if len(members) < l.CommitteeSize || len(sheets) < len(members) {
		return nil
	}
	old, err := tx.ListDeviations(ctx, l.ID)
	if err != nil {
		return err
	}
	explained := map[string]Deviation{}
	for _, d := range old {
		explained[d.MemberID+"|"+d.BidID+"|"+d.Item] = d
	}
	devs := s.deviations(l, members, sheets)
	pending := 0
	for i, d := range devs {
		if o, ok := explained[d.MemberID+"|"+d.BidID+"|"+d.Item]; ok && o.Score == d.Score {
			devs[i].Explanation, devs[i].ExplainedAt = o.Explanation, o.ExplainedAt
		}
		if devs[i].Explanation == "" {
			pending++
		}
	}
	if err := tx.SaveDeviations(ctx, l.ID, devs); err != nil {
		return err
	}
	if pending > 0 {
		if room.Status != RoomExplaining {
			room.Status, room.UpdatedAt = RoomExplaining, now
			if err := tx.UpdateRoom(ctx, &room); err != nil {
				return err
			}
			priv := make([]map[string]any, len(devs))
			for i, d := range devs {
				priv[i] = map[string]any{"member": d.MemberID, "bid": d.BidID, "item": d.Item, "score": d.Score, "mean": d.Mean, "pct": d.Pct}
			}
			return s.roomEntry(ctx, tx, now, party.System(), "evaluation.deviations_flagged", l, map[string]any{"count": len(devs), "threshold_pct": s.eval.DeviationPct},
				map[string]any{"deviations": priv})
		}
		return nil
	}
	room.Status, room.UpdatedAt = RoomFinished, now
	if err := tx.UpdateRoom(ctx, &room); err != nil {
		return err
	}
	return s.finishEvaluation(ctx, tx, now, p, l, bids, members, sheets)
}

// ExplainDeviation records a member's written explanation of a deviating
// score; with the last one the evaluation finishes.
func (s *Service) ExplainDeviation(ctx context.Context, actor party.Actor, lotID, bidID ids.ID, item, text string) error {
	now := s.clock.Now()
	text = strings.TrimSpace(text)
	if len([]rune(text)) < 5 {
		return apperr.Rule(apperr.Invalid, basisDeviation, "请写明评分偏离的理由（不少于5个字）。").WithField("explanation", "请填写理由")
	}
	return s.store.WithTx(ctx, func(tx Tx) error {
		l, room, ms, err := roomOf(ctx, tx, lotID)
		if err != nil {
			return err
		}
		me, err := roomMember(ms, actor)
		if err != nil {
			return err
		}
		if room.Status != RoomExplaining {
			return apperr.New(apperr.Conflict, "当前没有需要说明的评分偏离。")
		}
		devs, err := tx.ListDeviations(ctx, l.ID)
		if err != nil {
			return err
		}
		found := false
		for i := range devs {
			if devs[i].MemberID == me.ID && devs[i].BidID == bidID && devs[i].Item == item {
				devs[i].Explanation, devs[i].ExplainedAt, found = text, now, true
			}
		}
		if !found {
			return apperr.NotFoundf("该评分偏离")
		}
		if err := tx.SaveDeviations(ctx, l.ID, devs); err != nil {
			return err
		}
		if err := s.roomEntry(ctx, tx, now, actor, "evaluation.deviation_explained", l, map[string]any{"item": item},
			map[string]any{"member": me.ID, "bid": bidID, "explanation": text}); err != nil {
			return err
		}
		p, err := tx.GetProject(ctx, l.ProjectID)
		if err != nil {
			return err
		}
		bids, err := tx.ListBids(ctx, l.ID)
		if err != nil {
			return err
		}
		return s.afterSheets(ctx, tx, now, p, l, room, bids, ms)
	})
}

// DeclareFailure records a system or network failure in the room (the
// trading centre). Before the start the wait is WaitBefore, during the
// evaluation WaitDuring; the tender.room_failure_due job acts when it ends.
func (s *Service) DeclareFailure(ctx context.Context, actor party.Actor, lotID ids.ID, what string) (Room, error) {
	if actor.Role == party.RoleOperator && strings.TrimSpace(what) == "" {
		return Room{}, apperr.New(apperr.Invalid, "请写明故障情况。").WithField("failure", "请填写故障情况")
	}
	return s.centreStep(ctx, actor, lotID, "故障由交易中心工作人员登记。", func(tx Tx, now time.Time, l Lot, room *Room, _ []Member) error {
		wait := s.eval.WaitDuring
		switch room.Status {
		case RoomWaiting:
			wait = s.eval.WaitBefore
		case RoomRunning, RoomExplaining:
		default:
			return apperr.New(apperr.Conflict, "评标室当前状态为“%s”，不能登记故障。", room.Status.Label())
		}
		room.Prior, room.Status, room.Failure, room.FailedAt, room.ResumeBy = room.Status, RoomInterrupted, strings.TrimSpace(what), now, now.Add(wait)
		if err := tx.UpdateRoom(ctx, room); err != nil {
			return err
		}
		if err := s.roomEntry(ctx, tx, now, actor, "evaluation.interrupted", l, map[string]any{"phase": string(room.Prior), "failure": room.Failure,
			"resume_by": room.ResumeBy, "basis": basisRemote}, nil); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, jobs.RoomFailureDue, l.ID, room.ResumeBy)
	})
}

// Resume ends an interruption within its wait (the trading centre). Time
// lost during the evaluation is added to its planned end.
func (s *Service) Resume(ctx context.Context, actor party.Actor, lotID ids.ID) (Room, error) {
	return s.centreStep(ctx, actor, lotID, "恢复评标由交易中心工作人员登记。", func(tx Tx, now time.Time, l Lot, room *Room, _ []Member) error {
		if room.Status != RoomInterrupted {
			return apperr.New(apperr.Conflict, "评标室未处于故障暂停状态。")
		}
		if now.After(room.ResumeBy) {
			return apperr.Rule(apperr.Deadline, basisRemote, "故障已超过%s的处置时限，须按规则处理，不能直接恢复。", clock.Format(room.ResumeBy))
		}
		lost := now.Sub(room.FailedAt)
		room.Status, room.Prior = room.Prior, ""
		if room.Status != RoomWaiting {
			room.EndsAt = room.EndsAt.Add(lost)
		}
		if err := tx.UpdateRoom(ctx, room); err != nil {
			return err
		}
		return s.roomEntry(ctx, tx, now, actor, "evaluation.resumed", l, map[string]any{"lost_minutes": int(lost.Minutes()), "ends_at": room.EndsAt}, nil)
	})
}

// RoomFailureDue is the tender.room_failure_due job. A pre-start failure
// still unresolved hands the decision to the principal; one during the
// evaluation dissolves the committee: its findings are set aside and the
// trading centre draws a new one.
func (s *Service) RoomFailureDue(ctx context.Context, lotID ids.ID) error {
	now := s.clock.Now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		l, room, ms, err := roomOf(ctx, tx, lotID)
		if err != nil || room.Status != RoomInterrupted || now.Before(room.ResumeBy) {
			return err
		}
		if room.Prior == RoomWaiting {
			room.Status, room.UpdatedAt = RoomDecision, now
			if err := tx.UpdateRoom(ctx, &room); err != nil {
				return err
			}
			if err := tx.CreateWarning(ctx, Warning{ID: s.ids.New(now), LotID: l.ID, Kind: "room_failure", CreatedAt: now, Basis: basisRemote,
				Message: fmt.Sprintf("评标开始前的故障已超过%s，由招标人决定继续评标或重新组织。", durText(s.eval.WaitBefore))}); err != nil {
				return err
			}
			return s.roomEntry(ctx, tx, now, party.System(), "evaluation.failure_timeout", l, map[string]any{"phase": "before", "basis": basisRemote}, nil)
		}
		return s.dissolve(ctx, tx, now, party.System(), l, room, ms, fmt.Sprintf("评标过程中故障超过%s未能修复，封存已有评审材料并重新组建评标委员会", durText(s.eval.WaitDuring)))
	})
}

func durText(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d小时", int(d.Hours()))
	}
	return fmt.Sprintf("%d分钟", int(d.Minutes()))
}

// DecideAfterFailure is the principal's decision after a pre-start failure
// outlasted its wait: continue (the room waits to be started again) or
// re-form the committee.
func (s *Service) DecideAfterFailure(ctx context.Context, actor party.Actor, lotID ids.ID, proceed bool, reason string) (Room, error) {
	now := s.clock.Now()
	var r Room
	err := s.store.WithTx(ctx, func(tx Tx) error {
		l, room, ms, err := roomOf(ctx, tx, lotID)
		if err != nil {
			return err
		}
		p, err := tx.GetProject(ctx, l.ProjectID)
		if err != nil {
			return err
		}
		if actor.Role != party.RolePrincipal || actor.EntityID != p.PrincipalID {
			return apperr.Forbiddenf("故障超时后由招标人决定。")
		}
		if room.Status != RoomDecision {
			return apperr.New(apperr.Conflict, "当前无需招标人决定。")
		}
		if strings.TrimSpace(reason) == "" {
			return apperr.New(apperr.Invalid, "请写明决定的理由。").WithField("reason", "请填写理由")
		}
		if !proceed {
			return s.dissolve(ctx, tx, now, actor, l, room, ms, "招标人决定重新组建评标委员会："+reason)
		}
		room.Status, room.Prior, room.UpdatedAt = RoomWaiting, "", now
		if err := tx.UpdateRoom(ctx, &room); err != nil {
			return err
		}
		r = room
		return s.roomEntry(ctx, tx, now, actor, "evaluation.principal_decided", l, map[string]any{"proceed": true, "reason": reason}, nil)
	})
	return r, err
}

// dissolve sets the committee aside: sheets and deviations are discarded
// (their ledger entries stay), seats are released, the room is closed. The
// lot waits for a new draw.
func (s *Service) dissolve(ctx context.Context, tx Tx, now time.Time, actor party.Actor, l Lot, room Room, ms []Member, why string) error {
	if err := tx.DeleteSheets(ctx, l.ID, ""); err != nil {
		return err
	}
	if err := tx.SaveDeviations(ctx, l.ID, nil); err != nil {
		return err
	}
	invs, err := tx.ListInvitations(ctx, l.ID)
	if err != nil {
		return err
	}
	for _, iv := range invs {
		if iv.Status == InvConfirmed {
			iv.Status = InvReplaced
			if err := tx.UpdateInvitation(ctx, iv); err != nil {
				return err
			}
		}
	}
	if err := tx.SaveMembers(ctx, l.ID, nil); err != nil {
		return err
	}
	if err := tx.DeleteRoom(ctx, l.ID); err != nil {
		return err
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return s.roomEntry(ctx, tx, now, actor, "evaluation.reconstituted", l, map[string]any{"reason": why, "basis": basisRemote},
		map[string]any{"members": names})
}

// ReplaceMember takes a member off the committee during the evaluation
// (the trading centre, with the reason: withdrawal, recusal found late,
// misconduct). The member's findings are discarded (TBR 48) and the seat is
// refilled by a supplementary draw; the substitute evaluates afresh.
func (s *Service) ReplaceMember(ctx context.Context, actor party.Actor, lotID, memberID ids.ID, reason string) error {
	if actor.Role != party.RoleOperator {
		return apperr.Forbiddenf("更换评标委员会成员由交易中心工作人员办理。")
	}
	if strings.TrimSpace(reason) == "" {
		return apperr.New(apperr.Invalid, "请写明更换的理由。").WithField("reason", "请填写理由")
	}
	now := s.clock.Now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		l, room, ms, err := roomOf(ctx, tx, lotID)
		if err != nil {
			return err
		}
		if room.Status == RoomFinished {
			return apperr.New(apperr.Conflict, "评标已结束。")
		}
		var gone *Member
		var rest []Member
		for i := range ms {
			if ms[i].ID == memberID {
				gone = &ms[i]
			} else {
				rest = append(rest, ms[i])
			}
		}
		if gone == nil {
			return apperr.NotFoundf("评标委员会成员")
		}
		if gone.Kind != MemberExpert {
			return apperr.New(apperr.Conflict, "招标人代表由招标人更换，不经专家抽取。")
		}
		if err := tx.DeleteSheets(ctx, l.ID, gone.ID); err != nil {
			return err
		}
		if room.Chair == gone.ID {
			room.Chair = ""
		}
		invs, err := tx.ListInvitations(ctx, l.ID)
		if err != nil {
			return err
		}
		for _, iv := range invs {
			if iv.Status == InvConfirmed && iv.ExpertID == gone.ExpertID {
				iv.Status, iv.Reason = InvReplaced, reason
				if err := tx.UpdateInvitation(ctx, iv); err != nil {
					return err
				}
			}
		}
		if err := tx.SaveMembers(ctx, l.ID, rest); err != nil {
			return err
		}
		devs, err := tx.ListDeviations(ctx, l.ID)
		if err != nil {
			return err
		}
		var keep []Deviation
		for _, d := range devs {
			if d.MemberID != gone.ID {
				keep = append(keep, d)
			}
		}
		if err := tx.SaveDeviations(ctx, l.ID, keep); err != nil {
			return err
		}
		if room.Status == RoomExplaining {
			room.Status = RoomRunning
		}
		room.UpdatedAt = now
		if err := tx.UpdateRoom(ctx, &room); err != nil {
			return err
		}
		return s.roomEntry(ctx, tx, now, actor, "evaluation.member_replaced", l, map[string]any{"reason": reason, "basis": basisReplace},
			map[string]any{"member": gone.ID, "name": gone.Name})
	})
}

// RoomVersion is a number that grows with every change in the lot's room
// (every step is a ledger entry under the lot): live views poll it and
// push an event when it moves. Members, the supervising and auditing staff
// and the platform may read it; it does not need the room to exist, so
// watchers also see a committee dissolved.
func (s *Service) RoomVersion(ctx context.Context, actor party.Actor, lotID ids.ID) (int64, error) {
	var v int64
	err := s.store.Read(ctx, func(tx Tx) error {
		l, err := tx.GetLot(ctx, lotID)
		if err != nil {
			return err
		}
		switch actor.Role {
		case party.RoleSystem, party.RoleSupervisor, party.RoleOperator, party.RoleAuditor:
		default:
			ms, err := tx.ListMembers(ctx, l.ID)
			if err != nil {
				return err
			}
			if _, err := roomMember(ms, actor); err != nil {
				return apperr.NotFoundf("评标室")
			}
		}
		v, err = tx.LatestLedgerIndex(ctx, l.Code)
		return err
	})
	return v, err
}

// RoomView is what a room shows an actor: state, members and their
// progress (submitted or not), the actor's own sheet, and — once the actor
// has submitted — the others' sheets (members cannot see each other's
// sheets before submitting their own).
type RoomView struct {
	Room       Room
	Lot        Lot
	Members    []Member
	Submitted  map[ids.ID]time.Time // member ID → when their sheet came in
	Me         *Member
	MySheet    *ScoreSheet
	Sheets     []ScoreSheet // others' sheets, after my own is in (and for supervisors)
	Deviations []Deviation  // mine; all of them for staff
	Votes      []Vote
	ReadOnly   bool // a supervisor watching
}

// ViewRoom returns the room for a member or a supervisor (read-only).
func (s *Service) ViewRoom(ctx context.Context, actor party.Actor, lotID ids.ID) (RoomView, error) {
	var v RoomView
	err := s.store.Read(ctx, func(tx Tx) error {
		l, room, ms, err := roomOf(ctx, tx, lotID)
		if err != nil {
			return err
		}
		v = RoomView{Room: room, Lot: l, Members: ms, Submitted: map[ids.ID]time.Time{}}
		if me, err := roomMember(ms, actor); err == nil {
			v.Me = me
		} else if actor.Role == party.RoleSupervisor || actor.Role == party.RoleOperator || actor.Role == party.RoleAuditor {
			v.ReadOnly = true
		} else {
			return apperr.NotFoundf("评标室")
		}
		sheets, err := tx.ListSheets(ctx, l.ID)
		if err != nil {
			return err
		}
		for i, sh := range sheets {
			v.Submitted[sh.MemberID] = sh.SubmittedAt
			if v.Me != nil && sh.MemberID == v.Me.ID {
				v.MySheet = &sheets[i]
			}
		}
		if v.ReadOnly || v.MySheet != nil {
			for _, sh := range sheets {
				if v.Me == nil || sh.MemberID != v.Me.ID {
					v.Sheets = append(v.Sheets, sh)
				}
			}
		}
		devs, err := tx.ListDeviations(ctx, l.ID)
		if err != nil {
			return err
		}
		for _, d := range devs {
			if v.ReadOnly || v.Me != nil && d.MemberID == v.Me.ID {
				v.Deviations = append(v.Deviations, d)
			}
		}
		v.Votes, err = tx.ListVotes(ctx, l.ID, "", -1)
		return err
	})
	return v, err
}
