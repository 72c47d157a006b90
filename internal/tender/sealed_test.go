package tender_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/fixture"
	"ggzy/internal/gm"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/ledger"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/seal"
	"ggzy/internal/sealbid"
	"ggzy/internal/store"
	"ggzy/internal/tender"
	"ggzy/internal/testkit"
)

// Distinctive prices (fen) whose digits a leak would show.
var sealedPrices = []money.Fen{9_137_246_58, 9_071_853_19, 9_263_418_77}

func TestCustodySetRules(t *testing.T) {
	w := newWorld(t)
	x := w.PrepareMatrixLot(t, fixture.StartDraft)
	for _, u := range []string{"agency", "operator", "supervisor"} {
		w.CustodyKey(t, u)
	}
	id := func(u string) ids.ID { return w.Users[u].ID }
	cases := []struct {
		name  string
		in    tender.CustodyInput
		code  apperr.Code
		field string
	}{
		{"one custodian", tender.CustodyInput{UserIDs: []ids.ID{id("agency")}, Threshold: 1}, apperr.Invalid, "custodians"},
		{"k = 1", tender.CustodyInput{UserIDs: []ids.ID{id("agency"), id("operator")}, Threshold: 1}, apperr.Invalid, "threshold"},
		{"k > n", tender.CustodyInput{UserIDs: []ids.ID{id("agency"), id("operator")}, Threshold: 3}, apperr.Invalid, "threshold"},
		{"twice the same", tender.CustodyInput{UserIDs: []ids.ID{id("agency"), id("agency"), id("operator")}, Threshold: 2}, apperr.Invalid, "custodians"},
		{"window too short", tender.CustodyInput{UserIDs: []ids.ID{id("agency"), id("operator")}, Threshold: 2, WindowMinutes: 5}, apperr.Invalid, "window_minutes"},
		{"no key", tender.CustodyInput{UserIDs: []ids.ID{id("agency"), id("auditor")}, Threshold: 2}, apperr.NotFound, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := w.Tender.SetCustody(ctx, w.Actor("agency"), x.Lot.ID, c.in)
			e := wantErr(t, err, c.code, "")
			if c.field != "" && e.Fields[c.field] == "" {
				t.Errorf("want a message on field %s, got %v", c.field, e.Fields)
			}
		})
	}
	// Two people of one organisation cannot hold all the keys.
	op2, err := w.Party.CreateUser(ctx, party.System(), party.UserInput{Username: "operator2", Name: "交易中心员二", Password: fixture.Password, Role: party.RoleOperator})
	noErr(t, err)
	w.Users["operator2"] = op2
	w.CustodyKey(t, "operator2")
	_, err = w.Tender.SetCustody(ctx, w.Actor("agency"), x.Lot.ID, tender.CustodyInput{UserIDs: []ids.ID{id("operator"), id("operator2")}, Threshold: 2})
	if e := wantErr(t, err, apperr.Invalid, ""); !strings.Contains(e.Message, "两个不同单位") {
		t.Errorf("message %q should name the two-organisation rule", e.Message)
	}
	// A bidder cannot name custodians; a good set is recorded.
	_, err = w.Tender.SetCustody(ctx, w.Actor("bidder1"), x.Lot.ID, tender.CustodyInput{UserIDs: []ids.ID{id("agency"), id("operator")}})
	wantErr(t, err, apperr.Forbidden, "")
	l, err := w.Tender.SetCustody(ctx, w.Actor("agency"), x.Lot.ID, tender.CustodyInput{UserIDs: []ids.ID{id("agency"), id("operator"), id("supervisor")}})
	noErr(t, err)
	if l.Custody.Threshold != tender.DefaultThreshold || len(l.Custody.Custodians) != 3 || l.Custody.WindowMinutes != tender.DefaultDecryptWindow {
		t.Errorf("custody %+v, want defaults 2 of 3", l.Custody)
	}
	if got := ledgerTypes(t, w, l.Code); got[len(got)-1] != "lot.custody_set" {
		t.Errorf("last entry of the lot %v, want lot.custody_set", got)
	}
}

func TestPublishRequiresCustodyWhenSealedIsRequired(t *testing.T) {
	w := newWorld(t)
	svc := tender.New(tender.Config{Store: store.Bind[tender.Tx](w.DB), Clock: w.Clock, IDs: w.IDs, Rules: w.Tender.Rules(), Calendar: w.Calendar,
		Region: fixture.Region, Keys: party.Keyring{S: w.Party}, Blobs: w.Blobs, RequireSealed: true})
	x := w.PrepareMatrixLot(t, fixture.StartDraft)
	now := w.Clock.Now()
	d := svc.EarliestDeadline(now, 9, 30)
	_, err := svc.PublishTender(ctx, w.Actor("agency"), x.Lot.ID, tender.PublishInput{DocsFrom: now, DocsUntil: d, BidDeadline: d})
	wantErr(t, err, apperr.Invalid, "第二十六条")
	w.SetCustody(t, x.Lot.ID, 2, "agency", "operator", "supervisor")
	_, err = svc.PublishTender(ctx, w.Actor("agency"), x.Lot.ID, tender.PublishInput{DocsFrom: now, DocsUntil: d, BidDeadline: d})
	noErr(t, err)
}

func TestSealedBidsOpenWithTwoOfThreeCustodians(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		w := fixture.New(t, db)
		l := w.PublishedLot(t, fixture.LotOptions{Sealed: true})
		// The custody is published with the notice: who, and which keys.
		tn := notices(t, w, l.ID, tender.NoticeTender)
		if len(tn) != 1 || !strings.Contains(string(tn[0].Data), l.Custody.Custodians[1].Fingerprint) || !strings.Contains(string(tn[0].Data), `"threshold":2`) {
			t.Fatalf("tender notice data lacks the custody: %s", tn[0].Data)
		}
		var receipts []tender.Receipt
		for i, p := range sealedPrices {
			w.Clock.Advance(time.Minute)
			receipts = append(receipts, w.SealedBid(t, l.ID, i, p))
		}
		// A plain bid is refused on a lot with custody (电子招标投标办法第二十六条).
		prepare(t, w, bidder(w, 4), l.ID)
		_, err := w.Tender.SubmitBid(ctx, bidder(w, 4), l.ID, tender.BidInput{Content: content(9_000_000_00)})
		wantErr(t, err, apperr.Invalid, "第二十六条")
		// Nobody decrypts before the deadline (招标投标法第三十四条).
		_, _, err = w.Tender.CustodyEnvelopes(ctx, w.Actor("operator"), l.ID)
		wantErr(t, err, apperr.Deadline, "第三十四条")
		_, _, err = w.Tender.SubmitShares(ctx, w.Actor("operator"), l.ID, []tender.ShareInput{{BidID: receipts[0].BidID, Share: seal.Share{X: 2, Y: make([]byte, 16)}}})
		wantErr(t, err, apperr.Deadline, "第三十四条")

		op := w.PassDeadline(t, l.ID)
		if op.BidderCount != 0 && len(op.Rows) != 0 {
			t.Errorf("no opening record before decryption, got %+v", op)
		}
		l = lot(t, w, l.ID)
		if l.Status != tender.Decrypting || !l.DecryptBy.Equal(l.BidDeadline.Add(time.Duration(tender.DefaultDecryptWindow)*time.Minute)) {
			t.Fatalf("after the deadline: status %s, decrypt by %v", l.Status, l.DecryptBy)
		}
		if n := len(notices(t, w, l.ID, tender.NoticeOpening)); n != 0 {
			t.Fatalf("%d opening notices before decryption", n)
		}
		// Someone who is not a custodian cannot take part.
		_, _, err = w.Tender.CustodyEnvelopes(ctx, w.Actor("principal"), l.ID)
		wantErr(t, err, apperr.Forbidden, "")
		// One custodian alone opens nothing.
		noErr(t, w.Decrypt(t, l.ID, "operator"))
		if lot(t, w, l.ID).Status != tender.Decrypting {
			t.Fatal("one custodian of three opened the bids")
		}
		// The progress is public: who has decrypted, seen by anyone.
		pv, err := w.Tender.ViewLot(ctx, party.Actor{Role: party.RolePublic}, l.ID)
		noErr(t, err)
		if len(pv.CustodiansDone) != 1 || pv.CustodiansDone[0] != w.Users["operator"].ID {
			t.Errorf("public progress %v, want the operator alone", pv.CustodiansDone)
		}
		// The supervisor (third) is absent: agency + operator suffice (n > k).
		noErr(t, w.Decrypt(t, l.ID, "agency"))
		l = lot(t, w, l.ID)
		if l.Status != tender.Evaluating {
			t.Fatalf("after two custodians: status %s", l.Status)
		}
		bs := bids(t, w, l.ID)
		for i, p := range sealedPrices {
			b := bidOf(t, bs, w.Bidders[i].ID)
			if b.Status != tender.BidOpened || b.Opened.Price != p || b.Opened.ProjectManager != fmt.Sprintf("项目经理%d", i+1) {
				t.Errorf("bid %d: status %s, opened %+v; want price %d", i, b.Status, b.Opened, p)
			}
			if len(b.Files) != 1 || b.Files[0].Name != "技术标.pdf" {
				t.Errorf("bid %d files %+v, want the decrypted 技术标.pdf", i, b.Files)
			}
		}
		if n := len(notices(t, w, l.ID, tender.NoticeOpening)); n != 1 {
			t.Fatalf("%d opening notices, want 1", n)
		}
		// Every confidential entry about the lot (documents, deposits, bids)
		// is revealed once, and each reveal opens its commitment.
		es := ledgerAll(t, w)
		revealed := map[int64]int{}
		for _, e := range es {
			if e.Type != ledger.Revealed || e.Subject != l.Code {
				continue
			}
			var r ledger.Reveal
			noErr(t, jsonUnmarshal(e.Public, &r))
			if !r.Check(es[r.Of].Commitment) {
				t.Errorf("reveal %d does not open entry %d", e.Index, r.Of)
			}
			revealed[r.Of]++
		}
		for _, e := range es {
			if e.Type == ledger.Confidential && strings.Contains(string(e.Private), `"lot":"`+l.Code+`"`) && revealed[e.Index] != 1 {
				t.Errorf("confidential entry %d (%s) revealed %d times, want once", e.Index, e.Private, revealed[e.Index])
			}
		}
		if len(revealed) != 3*len(sealedPrices)+2 { // + bidder 5's documents and deposit
			t.Errorf("%d entries revealed, want %d", len(revealed), 3*len(sealedPrices)+2)
		}
		// The job running again changes nothing; late shares are refused.
		noErr(t, w.Tender.DecryptBids(ctx, l.ID))
		err = w.Decrypt(t, l.ID, "supervisor")
		wantErr(t, err, apperr.Conflict, "")
	})
}

func TestSealedIntakeRefusals(t *testing.T) {
	w := newWorld(t)
	l := w.PublishedLot(t, fixture.LotOptions{Sealed: true})
	other := w.PublishedLot(t, fixture.LotOptions{Sealed: true})
	a := bidder(w, 0)
	prepare(t, w, a, l.ID)
	c := tender.BidContent{Price: sealedPrices[0], DurationDays: 300, Quality: "合格", ProjectManager: "甲"}
	good := w.SealBid(t, l, 0, c)
	stranger, _ := gm.GenerateKey(rand.Reader)
	unsigned := func() []byte {
		var buf bytes.Buffer
		_, err := sealbid.Seal(&buf, l.Sealing(), string(w.Bidders[0].ID), tender.EncodePlain(c), nil, stranger, w.Clock.Now(), rand.Reader)
		noErr(t, err)
		return buf.Bytes()
	}()
	flipped := bytes.Clone(good)
	flipped[len(flipped)-200] ^= 1
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"plain JSON", content(9_000_000_00), ""},
		{"for another lot", w.SealBid(t, other, 0, c), ""},
		{"for another bidder", w.SealBid(t, l, 1, c), ""},
		{"signed by an unregistered key", unsigned, "未登记"},
		{"truncated", good[:len(good)/2], ""},
		{"changed in transit", flipped, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.Tender.SubmitSealedBid(ctx, a, l.ID, bytes.NewReader(tc.file), 1<<30)
			e := wantErr(t, err, apperr.Invalid, "")
			if tc.want != "" && !strings.Contains(e.Message, tc.want) {
				t.Errorf("message %q lacks %q", e.Message, tc.want)
			}
		})
	}
	if bs := bids(t, w, l.ID); len(bs) != 0 {
		t.Fatalf("refused uploads left bids: %+v", bs)
	}
	if _, err := w.Tender.SubmitSealedBid(ctx, a, l.ID, bytes.NewReader(good), 1<<30); err != nil {
		t.Fatal(err)
	}
	// After the deadline the upload is refused with the rule.
	w.Clock.Set(l.BidDeadline)
	_, err := w.Tender.SubmitSealedBid(ctx, a, l.ID, bytes.NewReader(good), 1<<30)
	wantErr(t, err, apperr.Deadline, "")
}

func TestDecryptionStallsAndIsExtended(t *testing.T) {
	w := newWorld(t)
	l := w.PublishedLot(t, fixture.LotOptions{Sealed: true})
	for i, p := range sealedPrices {
		w.SealedBid(t, l.ID, i, p)
	}
	w.PassDeadline(t, l.ID)
	noErr(t, w.Decrypt(t, l.ID, "operator"))
	l = lot(t, w, l.ID)
	wantErr(t, w.Tender.CheckDecryption(ctx, l.ID), apperr.Deadline, "")
	w.Clock.Set(l.DecryptBy)
	noErr(t, w.Tender.CheckDecryption(ctx, l.ID))
	l = lot(t, w, l.ID)
	if !l.Stalled || l.Status != tender.Decrypting {
		t.Fatalf("after the window with 1 of 2: stalled %v status %s", l.Stalled, l.Status)
	}
	if k := warningKinds(t, w, l.ID); count(k, "decryption.stalled") != 1 {
		t.Errorf("warnings %v, want one decryption.stalled", k)
	}
	_, err := w.Tender.ExtendDecryption(ctx, w.Actor("agency"), l.ID, w.Clock.Now().Add(time.Hour), "保管人证书故障，需补办")
	wantErr(t, err, apperr.Forbidden, "")
	_, err = w.Tender.ExtendDecryption(ctx, w.Actor("supervisor"), l.ID, w.Clock.Now().Add(time.Hour), "")
	wantErr(t, err, apperr.Invalid, "")
	l, err = w.Tender.ExtendDecryption(ctx, w.Actor("supervisor"), l.ID, w.Clock.Now().Add(time.Hour), "代理机构保管人证书故障，需补办")
	noErr(t, err)
	if l.Stalled || !l.DecryptBy.Equal(w.Clock.Now().Add(time.Hour)) {
		t.Fatalf("extended lot: stalled %v until %v", l.Stalled, l.DecryptBy)
	}
	if got := ledgerTypes(t, w, l.Code); got[len(got)-1] != "tender.decryption_extended" {
		t.Errorf("last entry %v", got[len(got)-1])
	}
	if kinds := w.Jobs.Kinds(); count(kinds, jobs.DecryptionDue) < 2 {
		t.Errorf("jobs %v: the extension must schedule a new window check", kinds)
	}
	noErr(t, w.Decrypt(t, l.ID, "supervisor"))
	if l = lot(t, w, l.ID); l.Status != tender.Evaluating {
		t.Fatalf("after the second custodian: %s", l.Status)
	}
}

// TestHostileOperatorFindsNoBid reads, before the deadline, every row of
// every table, every stored file and the whole database file as an operator
// with full access would, and finds neither a bid price nor bid content.
func TestHostileOperatorFindsNoBid(t *testing.T) {
	dir := t.TempDir()
	db := testkit.OpenSQLiteAt(t, filepath.Join(dir, "ggzy.db"))
	w := fixture.New(t, db)
	l := w.PublishedLot(t, fixture.LotOptions{Sealed: true})
	for i, p := range sealedPrices {
		w.SealedBid(t, l.ID, i, p)
	}
	var secrets []string
	for i, p := range sealedPrices {
		secrets = append(secrets, fmt.Sprint(int64(p)), p.String(), p.Capital(), fmt.Sprintf("项目经理%d", i+1), fmt.Sprintf("施工组织设计（投标人%d）", i+1))
	}
	secrets = append(secrets, "技术标.pdf")
	// Every row, as text.
	var dump strings.Builder
	for _, table := range testkit.Tables(t, db) {
		testkit.DumpTable(t, db, table, &dump)
	}
	// Every file: the database (with its WAL) and the blob store.
	for _, root := range []string{dir, w.BlobsDir} {
		_ = filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
			if err != nil || fi.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			dump.Write(b)
			return nil
		})
	}
	text := dump.String()
	if !strings.Contains(text, string(l.ID)) {
		t.Fatal("the dump does not even contain the lot ID: it read nothing")
	}
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("before the deadline the operator's view contains %q", s)
		}
	}
	// And after two custodians decrypt, the same prices are there: the test
	// would have seen them.
	w.PassDeadline(t, l.ID)
	noErr(t, w.Decrypt(t, l.ID, "agency", "supervisor"))
	dump.Reset()
	for _, table := range testkit.Tables(t, db) {
		testkit.DumpTable(t, db, table, &dump)
	}
	if !strings.Contains(dump.String(), fmt.Sprint(int64(sealedPrices[0]))) {
		t.Error("after the opening the price should be in the database: the search is blind")
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// TestUndecryptableBids (电子招标投标办法第三十一条): a bid whose content is
// defective is the bidder's fault and counts as revoked; a bid the platform
// lost counts as withdrawn; the bidder count stays the one at the deadline
// and the other bids still open.
func TestUndecryptableBids(t *testing.T) {
	w := newWorld(t)
	l := w.PublishedLot(t, fixture.LotOptions{Sealed: true})
	for i, p := range sealedPrices {
		w.SealedBid(t, l.ID, i, p)
	}
	// Bidder 4 seals a form without a price: the server cannot see it.
	a := bidder(w, 3)
	prepare(t, w, a, l.ID)
	bad := w.SealBid(t, l, 3, tender.BidContent{DurationDays: 300, Quality: "合格", ProjectManager: "甲"})
	noErr(t, func() error {
		_, err := w.Tender.SubmitSealedBid(ctx, a, l.ID, bytes.NewReader(bad), 1<<30)
		return err
	}())
	// The platform loses bidder 3's stored file.
	lost := bidOf(t, bids(t, w, l.ID), w.Bidders[2].ID)
	var env struct {
		Blob string `json:"blob"`
	}
	noErr(t, json.Unmarshal(lost.Content, &env))
	noErr(t, os.Remove(filepath.Join(w.BlobsDir, env.Blob[:2], env.Blob[2:])))

	op := w.PassDeadline(t, l.ID)
	_ = op
	noErr(t, w.Decrypt(t, l.ID, "agency", "operator"))
	bs := bids(t, w, l.ID)
	if b := bidOf(t, bs, w.Bidders[3].ID); b.Status != tender.BidRevoked || !strings.Contains(b.Opened.Failure, "投标报价") {
		t.Errorf("defective content: %s %+v, want revoked naming the price", b.Status, b.Opened)
	}
	if b := bidOf(t, bs, w.Bidders[2].ID); b.Status != tender.BidWithdrawn {
		t.Errorf("lost file: %s, want withdrawn (not the bidder's fault)", b.Status)
	}
	for _, i := range []int{0, 1} {
		if b := bidOf(t, bs, w.Bidders[i].ID); b.Status != tender.BidOpened {
			t.Errorf("bidder %d: %s, want opened", i+1, b.Status)
		}
	}
	var opening tender.Opening
	read(t, w, func(tx *store.Tx) error {
		var err error
		opening, err = tx.GetOpening(ctx, l.ID)
		return err
	})
	if opening.BidderCount != 4 || len(opening.Rows) != 4 {
		t.Fatalf("opening: %d bidders, %d rows; want the 4 of the deadline", opening.BidderCount, len(opening.Rows))
	}
	notes := map[tender.BidStatus]string{}
	for _, r := range opening.Rows {
		notes[r.Status] = r.Note
	}
	if !strings.Contains(notes[tender.BidRevoked], "撤销") || !strings.Contains(notes[tender.BidWithdrawn], "撤回") {
		t.Errorf("opening notes %v should say revoked / withdrawn with the rule", notes)
	}
}

// TestRevealsPublishNoClientAddress: the opening reveals the confidential
// entries, and no client address with them (DESIGN.md §6.1); each entry's
// address commitment opens with the address the database keeps.
func TestRevealsPublishNoClientAddress(t *testing.T) {
	w := newWorld(t)
	l := w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 3; i++ {
		w.Clock.Advance(time.Minute)
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00-int64(i)*10_000_00))
	}
	w.PassDeadline(t, l.ID)
	reveals := 0
	for _, e := range ledgerAll(t, w) {
		if e.Type == ledger.Revealed {
			reveals++
			if strings.Contains(string(e.Public), "127.0.0.1") || strings.Contains(string(e.Public), `"ip"`) {
				t.Errorf("reveal %d publishes a client address: %s", e.Index, e.Public)
			}
		}
		if e.Type != ledger.Confidential {
			continue
		}
		var priv map[string]any
		noErr(t, json.Unmarshal(e.Private, &priv))
		read(t, w, func(tx *store.Tx) error {
			ip, salt, err := tx.ConfidentialIP(ctx, e.Index)
			if err != nil {
				return err
			}
			if ip != "127.0.0.1" || priv["ip_commitment"] != ledger.Commit(salt, []byte(ip)) {
				t.Errorf("entry %d: address %q does not open its commitment", e.Index, ip)
			}
			return nil
		})
	}
	if reveals == 0 {
		t.Fatal("nothing revealed at the opening")
	}
}

// TestEveryBidUndecryptableFailsTheTender: when no sealed bid of a lot can
// be decrypted (each revoked or withdrawn, 电子招标投标办法第三十一条), the
// opening record is published and the lot fails at once (流标, fewer than
// 3 valid bids, TBL 28 / TBR 44) instead of waiting in 评标中 for a
// committee with nothing to evaluate; it can be re-tendered.
func TestEveryBidUndecryptableFailsTheTender(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		w := fixture.New(t, db)
		l := w.PublishedLot(t, fixture.LotOptions{Sealed: true})
		for i := 0; i < 3; i++ {
			a := bidder(w, i)
			prepare(t, w, a, l.ID)
			// A form without a price: the bidder's fault, revoked at decryption.
			bad := w.SealBid(t, l, i, tender.BidContent{DurationDays: 300, Quality: "合格", ProjectManager: "甲"})
			_, err := w.Tender.SubmitSealedBid(ctx, a, l.ID, bytes.NewReader(bad), 1<<30)
			noErr(t, err)
		}
		w.PassDeadline(t, l.ID)
		noErr(t, w.Decrypt(t, l.ID, "agency", "operator"))
		l = lot(t, w, l.ID)
		if l.Status != tender.Failed {
			t.Fatalf("every bid undecryptable: status %s, want failed", l.Status)
		}
		if !strings.Contains(l.FailedReason, "《招标投标法》第二十八条") || !strings.Contains(l.FailedReason, "第四十四条") || !strings.Contains(l.FailedReason, "第三十一条") {
			t.Errorf("failed reason %q lacks its bases", l.FailedReason)
		}
		if n := len(notices(t, w, l.ID, tender.NoticeOpening)); n != 1 {
			t.Errorf("%d opening records, want 1 (the decryption is the opening)", n)
		}
		fn := notices(t, w, l.ID, tender.NoticeFailed)
		if len(fn) != 1 || !strings.Contains(fn[0].Body, "第四十四条") {
			t.Fatalf("failed notice %+v", fn)
		}
		if n := count(ledgerTypes(t, w, l.Code), "tender.failed"); n != 1 {
			t.Errorf("%d tender.failed entries, want 1", n)
		}
		nl, err := w.Tender.Retender(ctx, w.Actor("agency"), l.ID)
		noErr(t, err)
		if nl.RetenderOf != l.ID || nl.Status != tender.Draft {
			t.Errorf("re-tender %+v", nl)
		}
	})
}
