package tender_test

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/fixture"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/store"
	"ggzy/internal/tender"
)

func requestDraw(t *testing.T, w *fixture.World, lotID ids.ID, in tender.DrawInput) tender.Draw {
	t.Helper()
	if in.Reps == nil && in.Reason == "" {
		in.Reps = []string{"principal2"}
	}
	d, err := w.Tender.RequestDraw(ctx, w.Actor("operator"), lotID, in, w.Party.UserByUsername)
	noErr(t, err)
	noErr(t, w.Tender.RunDraw(ctx, d.ID))
	return getDraw(t, w, lotID, d.ID)
}

func getDraw(t *testing.T, w *fixture.World, lotID, id ids.ID) tender.Draw {
	t.Helper()
	ds, _, err := w.Tender.ListLotDraws(ctx, w.Actor("operator"), lotID)
	noErr(t, err)
	for _, d := range ds {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("draw %s not listed", id)
	return tender.Draw{}
}

func invitations(t *testing.T, w *fixture.World, lotID ids.ID) []tender.Invitation {
	t.Helper()
	_, invs, err := w.Tender.ListLotDraws(ctx, w.Actor("operator"), lotID)
	noErr(t, err)
	return invs
}

func setCity(t *testing.T, w *fixture.World, expertIDs []ids.ID, city string) {
	t.Helper()
	q := `UPDATE pool_experts SET city = ? WHERE id = ?`
	if w.DB.Dialect() == store.Postgres {
		q = `UPDATE pool_experts SET city = $1 WHERE id = $2`
	}
	noErr(t, w.DB.WithTx(ctx, func(tx *store.Tx) error {
		for _, id := range expertIDs {
			if _, err := tx.SQL().ExecContext(ctx, q, city, id); err != nil {
				return err
			}
		}
		return nil
	}))
}

// TestDrawIsCommittedThenSeededByALaterCheckpoint: the request is in the
// ledger before the seed exists; the seed comes from the first checkpoint
// that covers the request; the proof re-runs to the same experts.
func TestDrawIsCommittedThenSeededByALaterCheckpoint(t *testing.T) {
	w := newWorld(t)
	l := openedLot(t, w, fixture.LotOptions{}, 3)
	d, err := w.Tender.RequestDraw(ctx, w.Actor("operator"), l.ID, tender.DrawInput{Reps: []string{"principal2"},
		Needs: []draw.Need{{Specialty: "A0801", Count: 4, Backups: 2}}}, w.Party.UserByUsername)
	noErr(t, err)
	if d.Status != tender.DrawRequested || d.RequestIndex == 0 {
		t.Fatalf("draw %+v", d)
	}
	// No checkpoint covered the request when it was made.
	var covered bool
	read(t, w, func(tx *store.Tx) error {
		_, ok, err := tx.CheckpointAtLeast(ctx, uint64(d.RequestIndex)+1)
		covered = ok
		return err
	})
	if covered {
		t.Fatal("a checkpoint already covered the request")
	}
	// Nobody is invited before the draw runs.
	if invs := invitations(t, w, l.ID); len(invs) != 0 {
		t.Fatalf("%d invitations before the draw ran", len(invs))
	}
	noErr(t, w.Tender.RunDraw(ctx, d.ID))
	noErr(t, w.Tender.RunDraw(ctx, d.ID)) // a second run of the job changes nothing
	d = getDraw(t, w, l.ID, d.ID)
	if d.Status != tender.DrawDone || d.CheckpointSize <= d.RequestIndex || d.Result == nil {
		t.Fatalf("draw after run %+v", d)
	}
	pr, err := w.Tender.Proof(ctx, w.Actor("supervisor"), d.ID)
	noErr(t, err)
	var req draw.Request
	noErr(t, json.Unmarshal(pr.Request, &req))
	var pool []draw.Expert
	noErr(t, json.Unmarshal(pr.Pool, &pool))
	rd, _ := hex.DecodeString(d.RequestDigest)
	cp, err := w.Ledger.CheckpointCovering(ctx, d.RequestIndex)
	noErr(t, err)
	if uint64(d.CheckpointSize) != cp.Size || string(cp.Note) != pr.Checkpoint {
		t.Fatalf("seed checkpoint %d, first covering %d", d.CheckpointSize, cp.Size)
	}
	noErr(t, draw.Verify(req, pool, draw.Seed(rd, cp.Root, cp.Size), *pr.Result))
	// Another checkpoint gives another seed, and Verify notices.
	other := draw.Seed(rd, []byte("another root, another seed......"), cp.Size+1)
	if err := draw.Verify(req, pool, other, *pr.Result); err == nil {
		t.Fatal("a different seed verified")
	}
	// Four members invited, two backups on standby, nobody seated yet.
	var invited, standby int
	for _, iv := range invitations(t, w, l.ID) {
		switch iv.Status {
		case tender.InvInvited:
			invited++
			if !iv.Deadline.Equal(w.Clock.Now().Add(expert.DefaultPolicy().ConfirmWithin)) {
				t.Errorf("deadline %v", iv.Deadline)
			}
		case tender.InvStandby:
			standby++
		}
	}
	if invited != 4 || standby != 2 {
		t.Fatalf("invited %d standby %d", invited, standby)
	}
	// The public ledger names nobody: the draw's result is a commitment.
	for _, e := range ledgerAll(t, w) {
		for _, x := range w.Experts {
			if strings.Contains(string(e.Public), x.Name) {
				t.Errorf("public %s names %s", e.Type, x.Name)
			}
		}
	}
	// The public may not have the proof before the evaluation.
	_, err = w.Tender.Proof(ctx, bidder(w, 0), d.ID)
	wantErr(t, err, apperr.NotFound, "")
}

// TestDrawRetryIsVisible: a further attempt needs a reason, is numbered,
// and both attempts stay in the ledger.
func TestDrawRetryIsVisible(t *testing.T) {
	w := newWorld(t)
	l := openedLot(t, w, fixture.LotOptions{}, 3)
	first := requestDraw(t, w, l.ID, tender.DrawInput{Needs: []draw.Need{{Specialty: "A0801", Count: 4}}})
	// While invitations are open there is no second draw at all.
	_, err := w.Tender.RequestDraw(ctx, w.Actor("operator"), l.ID, tender.DrawInput{Reason: "再抽一次", Needs: []draw.Need{{Specialty: "A0801", Count: 4}}}, w.Party.UserByUsername)
	wantErr(t, err, apperr.Conflict, "")
	invs := invitations(t, w, l.ID)
	for i, iv := range invs {
		if i == 0 {
			_, err := w.Tender.RespondInvitation(ctx, w.ActorByID(iv.UserID), iv.ID, false, "", false)
			wantErr(t, err, apperr.Invalid, "") // a decline needs its reason
			_, err = w.Tender.RespondInvitation(ctx, w.ActorByID(iv.UserID), iv.ID, false, "出差在外", false)
			noErr(t, err)
			continue
		}
		_, err := w.Tender.RespondInvitation(ctx, w.ActorByID(iv.UserID), iv.ID, true, "", true)
		noErr(t, err)
	}
	// One seat is open and there were no backups: a supplementary draw,
	// which must say why.
	_, err = w.Tender.RequestDraw(ctx, w.Actor("operator"), l.ID, tender.DrawInput{Needs: []draw.Need{{Specialty: "A0801", Count: 1}}}, w.Party.UserByUsername)
	if e := wantErr(t, err, apperr.Invalid, ""); e.Fields["reason"] == "" {
		t.Fatalf("fields %v", e.Fields)
	}
	_, err = w.Tender.RequestDraw(ctx, w.Actor("operator"), l.ID, tender.DrawInput{Reason: "专家拒绝参加，备选不足", Needs: []draw.Need{{Specialty: "A0801", Count: 2}}}, w.Party.UserByUsername)
	wantErr(t, err, apperr.Invalid, "")
	second := requestDraw(t, w, l.ID, tender.DrawInput{Reason: "专家拒绝参加，备选不足", Needs: []draw.Need{{Specialty: "A0801", Count: 1}}})
	if second.Attempt != 2 || first.Attempt != 1 {
		t.Fatalf("attempts %d %d", first.Attempt, second.Attempt)
	}
	// The second attempt leaves out everyone invited before.
	before := map[ids.ID]bool{}
	for _, iv := range invs {
		before[iv.ExpertID] = true
	}
	for _, m := range second.Result.Needs[0].Members {
		if before[m] {
			t.Errorf("expert %s drawn again", m)
		}
	}
	var attempts []float64
	for _, e := range ledgerAll(t, w) {
		if e.Type == "evaluation.draw_requested" {
			var pub map[string]any
			noErr(t, json.Unmarshal(e.Public, &pub))
			attempts = append(attempts, pub["attempt"].(float64))
			if pub["attempt"].(float64) == 2 && pub["reason"] != "专家拒绝参加，备选不足" {
				t.Errorf("retry reason not public: %v", pub)
			}
		}
	}
	if len(attempts) != 2 {
		t.Fatalf("draw requests in the ledger: %v", attempts)
	}
	for _, iv := range invitations(t, w, l.ID) {
		if iv.DrawID == second.ID && iv.Status == tender.InvInvited {
			_, err := w.Tender.RespondInvitation(ctx, w.ActorByID(iv.UserID), iv.ID, true, "", true)
			noErr(t, err)
		}
	}
	v, err := w.Tender.ViewLot(ctx, w.Actor("operator"), l.ID)
	noErr(t, err)
	if len(v.Committee) != 5 {
		t.Fatalf("committee of %d", len(v.Committee))
	}
}

// TestDeclineAndDeadlineMoveToTheNextBackup on a fake clock.
func TestDeclineAndDeadlineMoveToTheNextBackup(t *testing.T) {
	w := newWorld(t)
	l := openedLot(t, w, fixture.LotOptions{}, 3)
	d := requestDraw(t, w, l.ID, tender.DrawInput{Needs: []draw.Need{{Specialty: "A0801", Count: 4, Backups: 2}}})
	invs := invitations(t, w, l.ID)
	backups := d.Result.Needs[0].Backups
	// Member 0 declines: backup 0 is invited.
	_, err := w.Tender.RespondInvitation(ctx, w.ActorByID(invs[0].UserID), invs[0].ID, false, "身体不适", false)
	noErr(t, err)
	status := func(expertID ids.ID) tender.Invitation {
		for _, iv := range invitations(t, w, l.ID) {
			if iv.ExpertID == expertID {
				return iv
			}
		}
		t.Fatalf("no invitation of %s", expertID)
		return tender.Invitation{}
	}
	if b := status(backups[0]); b.Status != tender.InvInvited {
		t.Fatalf("first backup %s", b.Status)
	}
	// Member 1 lets the deadline pass: the job expires it and backup 1 is invited.
	w.Clock.Advance(10 * time.Minute)
	noErr(t, w.Tender.InvitationDue(ctx, invs[1].ID)) // too early: nothing happens
	if s := status(invs[1].ExpertID).Status; s != tender.InvInvited {
		t.Fatalf("expired early: %s", s)
	}
	w.Clock.Advance(expert.DefaultPolicy().ConfirmWithin)
	_, err = w.Tender.RespondInvitation(ctx, w.ActorByID(invs[1].UserID), invs[1].ID, true, "", true)
	wantErr(t, err, apperr.Deadline, "")
	noErr(t, w.Tender.InvitationDue(ctx, invs[1].ID))
	if s := status(invs[1].ExpertID).Status; s != tender.InvExpired {
		t.Fatalf("after the deadline: %s", s)
	}
	if s := status(backups[1]).Status; s != tender.InvInvited {
		t.Fatalf("second backup %s", s)
	}
	// Every remaining seat confirms (the first backup's window ended too).
	for _, iv := range invitations(t, w, l.ID) {
		if iv.Status == tender.InvInvited && w.Clock.Now().After(iv.Deadline) {
			noErr(t, w.Tender.InvitationDue(ctx, iv.ID))
		}
	}
	for _, iv := range invitations(t, w, l.ID) {
		if iv.Status == tender.InvInvited {
			_, err := w.Tender.RespondInvitation(ctx, w.ActorByID(iv.UserID), iv.ID, true, "", true)
			noErr(t, err)
		}
	}
	v, err := w.Tender.ViewLot(ctx, w.Actor("operator"), l.ID)
	noErr(t, err)
	// The first backup's own deadline passed before it answered: a seat is
	// still open, and a warning tells the centre to draw again.
	if len(v.Committee) == 5 {
		t.Fatal("committee formed with an expired backup")
	}
	ws, err := w.Tender.Warnings(ctx, w.Actor("operator"))
	noErr(t, err)
	found := false
	for _, x := range ws {
		found = found || x.Kind == "expert_shortage" && x.LotID == l.ID
	}
	if !found {
		t.Fatal("no shortage warning")
	}
}

// TestRemoteDrawExcludesTheProjectCity and records each exclusion.
func TestRemoteDrawExcludesTheProjectCity(t *testing.T) {
	w := newWorld(t)
	l := openedLot(t, w, fixture.LotOptions{}, 3)
	var away []ids.ID
	for _, e := range w.Experts[:6] {
		away = append(away, e.ID)
	}
	setCity(t, w, away, "450300") // 桂林
	d := requestDraw(t, w, l.ID, tender.DrawInput{Remote: true, Needs: []draw.Need{{Specialty: "A0801", Count: 4, Backups: 2}}})
	if d.Status != tender.DrawDone {
		t.Fatalf("draw %s: %s", d.Status, d.Failure)
	}
	isAway := map[ids.ID]bool{}
	for _, id := range away {
		isAway[id] = true
	}
	for _, id := range append(d.Result.Needs[0].Members, d.Result.Needs[0].Backups...) {
		if !isAway[id] {
			t.Errorf("local expert %s drawn for a remote evaluation", id)
		}
	}
	if len(d.Result.Exclusions) != 4 {
		t.Fatalf("exclusions %+v", d.Result.Exclusions)
	}
	for _, x := range d.Result.Exclusions {
		if isAway[x.ExpertID] || !strings.Contains(x.Reason, "异地") {
			t.Errorf("exclusion %+v", x)
		}
	}
	// With too few experts away from the city the draw fails, visibly.
	w2 := newWorld(t)
	l2 := openedLot(t, w2, fixture.LotOptions{}, 3)
	d2 := requestDraw(t, w2, l2.ID, tender.DrawInput{Remote: true, Needs: []draw.Need{{Specialty: "A0801", Count: 4}}})
	if d2.Status != tender.DrawFailed || !strings.Contains(d2.Failure, "第四十六条") {
		t.Fatalf("draw %s: %q", d2.Status, d2.Failure)
	}
	// The failed draw still records who was excluded and why.
	if d2.Result == nil || len(d2.Result.Exclusions) != len(w2.Experts) || !strings.Contains(d2.Result.Exclusions[0].Reason, "异地") {
		t.Fatalf("failed draw's exclusions: %+v", d2.Result)
	}
	types := map[string]int{}
	for _, e := range ledgerAll(t, w2) {
		types[e.Type]++
	}
	if types["evaluation.draw_failed"] != 1 {
		t.Fatalf("ledger %v", types)
	}
}

// TestSuspendedAndExitedExpertsAreNotDrawn: the pool's sanctions reach the draw.
func TestSuspendedAndExitedExpertsAreNotDrawn(t *testing.T) {
	w := newWorld(t)
	l := openedLot(t, w, fixture.LotOptions{}, 3)
	_, err := w.Expert.Sanction(ctx, w.Actor("supervisor"), w.Experts[0].ID, false, "评标中私下接触投标人", "南宁市住建局决定书2026-1号", time.Time{})
	noErr(t, err)
	_, err = w.Expert.Sanction(ctx, w.Actor("supervisor"), w.Experts[1].ID, true, "串通投标", "投诉处理决定", time.Time{})
	noErr(t, err)
	_, err = w.Expert.Exit(ctx, w.ActorByID(w.Experts[2].UserID), w.Experts[2].ID, expert.ExitVoluntary, "")
	noErr(t, err)
	d := requestDraw(t, w, l.ID, tender.DrawInput{Needs: []draw.Need{{Specialty: "A0801", Count: 4, Backups: 3}}})
	if d.Status != tender.DrawDone {
		t.Fatalf("draw %s: %s", d.Status, d.Failure)
	}
	codes := map[ids.ID]string{}
	for _, x := range d.Result.Exclusions {
		codes[x.ExpertID] = x.Code
	}
	for i := 0; i < 3; i++ {
		if codes[w.Experts[i].ID] == "" {
			t.Errorf("expert %d not excluded: %v", i, codes)
		}
	}
}

func setController(t *testing.T, w *fixture.World, entityID, controllerID ids.ID) {
	t.Helper()
	q := `UPDATE entities SET controller_id = ? WHERE id = ?`
	if w.DB.Dialect() == store.Postgres {
		q = `UPDATE entities SET controller_id = $1 WHERE id = $2`
	}
	noErr(t, w.DB.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, q, controllerID, entityID)
		return err
	}))
}

// TestControlRelations: an expert whose employer is controlled by a bidder
// is recused from its lot; bids of a controller and the entity it controls
// are both void at the opening (《招标投标法实施条例》第三十四条).
func TestControlRelations(t *testing.T) {
	w := newWorld(t)
	l := w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 4; i++ {
		w.Clock.Advance(time.Minute)
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00-int64(i)*10_000_00))
	}
	setController(t, w, w.Bidders[1].ID, w.Bidders[0].ID) // bidder 2 is controlled by bidder 1
	setController(t, w, w.Bidders[5].ID, w.Bidders[2].ID) // bidder 6 (not bidding) is controlled by bidder 3
	setEmployer(t, w, []ids.ID{w.Experts[0].ID}, w.Bidders[5].ID)
	w.PassDeadline(t, l.ID)
	var rejected int
	for _, b := range bids(t, w, l.ID) {
		for _, r := range b.Reject {
			if strings.Contains(r, "控股或者管理关系") && strings.Contains(r, "第三十四条") {
				rejected++
				if b.EntityID != w.Bidders[0].ID && b.EntityID != w.Bidders[1].ID {
					t.Errorf("bid of %s rejected: %s", b.EntityID, r)
				}
			}
		}
	}
	if rejected != 2 {
		t.Fatalf("%d bids rejected for control, want 2", rejected)
	}
	d := requestDraw(t, w, l.ID, tender.DrawInput{Needs: []draw.Need{{Specialty: "A0801", Count: 4, Backups: 2}}})
	found := false
	for _, x := range d.Result.Exclusions {
		if x.ExpertID == w.Experts[0].ID {
			found = x.Code == "control" && x.PartyID == w.Bidders[2].ID
		}
	}
	if !found {
		t.Fatalf("expert employed by an entity under a bidder's control not recused: %+v", d.Result.Exclusions)
	}
}

// TestCompositionIsCheckedBeforeTheDraw: the needs must fill exactly the
// committee's expert seats (≥ 5, odd, experts ≥ 2/3 were checked when the
// lot was defined), or nobody is drawn (《招标投标法》第三十七条).
func TestCompositionIsCheckedBeforeTheDraw(t *testing.T) {
	w := newWorld(t)
	l := openedLot(t, w, fixture.LotOptions{}, 3)
	for _, needs := range [][]draw.Need{
		{{Specialty: "A0801", Count: 3}},
		{{Specialty: "A0801", Count: 3}, {Specialty: "A0802", Count: 2}},
		{},
		{{Specialty: "A9999", Count: 4}},
	} {
		_, err := w.Tender.RequestDraw(ctx, w.Actor("operator"), l.ID, tender.DrawInput{Reps: []string{"principal2"}, Needs: needs}, w.Party.UserByUsername)
		if e := wantErr(t, err, apperr.Invalid, ""); e.Fields["needs"] == "" {
			t.Errorf("needs %v: fields %v", needs, e.Fields)
		}
	}
	_, err := w.Tender.RequestDraw(ctx, w.Actor("operator"), l.ID, tender.DrawInput{Reps: []string{"principal2"}, Needs: []draw.Need{{Specialty: "A0801", Count: 3}}}, w.Party.UserByUsername)
	wantErr(t, err, apperr.Invalid, "第三十七条")
	if ds, _, _ := w.Tender.ListLotDraws(ctx, w.Actor("operator"), l.ID); len(ds) != 0 {
		t.Fatalf("%d draws recorded for refused requests", len(ds))
	}
}
