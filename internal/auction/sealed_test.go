package auction_test

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/fixture"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/sealbid"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// saleCustodians hold the keys of the tests' sealed quotes: the trading
// centre, the supervising department and an agency, any 2 of the 3.
var saleCustodians = []string{"operator", "supervisor", "agency"}

func setSaleCustody(t *testing.T, w *fixture.World, saleID ids.ID) auction.Custody {
	t.Helper()
	var uids []ids.ID
	for _, u := range saleCustodians {
		w.CustodyKey(t, u)
		uids = append(uids, w.Users[u].ID)
	}
	c, err := w.Auction.SetCustody(ctx, w.Actor("operator"), saleID, auction.CustodyInput{UserIDs: uids, Threshold: 2})
	noErr(t, err)
	return c
}

// sealQuote seals form for the sale as bidder i's client does, bound to
// bidder number no and signed with bidder i's registered key.
func sealQuote(t *testing.T, w *fixture.World, s auction.Sale, c auction.Custody, i int, no string, form []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := sealbid.Seal(&buf, c.Sealing(s), no, form, nil, w.BidKey(t, i), w.Clock.Now(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decryptShares is custodian username's client: fetch the envelopes,
// decrypt its shares with its own key, submit them.
func decryptShares(t *testing.T, w *fixture.World, saleID ids.ID, username string) (done, k int, err error) {
	t.Helper()
	a := w.Actor(username)
	_, envs, err := w.Auction.CustodyEnvelopes(ctx, a, saleID)
	noErr(t, err)
	shares, bad := sealbid.OpenShares(string(saleID), string(a.UserID), envs, w.CustodyKeys[username])
	if len(bad) > 0 {
		t.Fatalf("%s cannot decrypt: %+v", username, bad)
	}
	in := make([]auction.ShareInput, len(shares))
	for i, sh := range shares {
		in[i] = auction.ShareInput{BidderNo: sh.BidID, Share: sh.Share}
	}
	return w.Auction.SubmitShares(ctx, a, saleID, in)
}

// dbText is every row of every table as a database administrator reads it.
func dbText(t *testing.T, w *fixture.World) string {
	t.Helper()
	var b strings.Builder
	for _, tbl := range testkit.Tables(t, w.DB) {
		testkit.DumpTable(t, w.DB, tbl, &b)
	}
	return b.String()
}

// TestSealedQuote: one sealed quote (一次报价) under k-of-n custody, from
// the custody to the confirmation, on both databases.
func TestSealedQuote(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) { sealedQuote(t, fixture.New(t, db)) })
}

func sealedQuote(t *testing.T, w *fixture.World) {
	startAt := propertyStart(w)
	endAt := startAt.Add(48 * time.Hour)
	for i := 0; i < 6; i++ {
		w.BidKey(t, i) // registered once, in the public key registry, before the sale
	}
	s := announced(t, w, propertyInput(auction.ModeSealed, startAt, endAt))
	var regs []auction.Registration
	for i := 0; i < 5; i++ {
		regs = append(regs, enrol(t, w, s.ID, i))
	}
	listed := money.Fen(5_000_000_00)
	noErr(t, w.Auction.SetReserve(ctx, w.Actor("principal"), s.ID, listed+100_000_00))

	// Custody: the trading centre names custodians with registered keys
	// from at least two organisations, before the window opens.
	uids := []ids.ID{w.Users["operator"].ID, w.Users["supervisor"].ID}
	_, err := w.Auction.SetCustody(ctx, w.Actor("principal"), s.ID, auction.CustodyInput{UserIDs: uids})
	wantErr(t, err, apperr.Forbidden, "")
	_, err = w.Auction.SetCustody(ctx, w.Actor("operator"), s.ID, auction.CustodyInput{UserIDs: uids})
	wantErr(t, err, apperr.NotFound, "") // no custody key registered yet
	w.CustodyKey(t, "operator")
	w.CustodyKey(t, "supervisor")
	_, err = w.Auction.SetCustody(ctx, w.Actor("operator"), s.ID, auction.CustodyInput{UserIDs: uids, Threshold: 3})
	wantErr(t, err, apperr.Invalid, "")
	c := setSaleCustody(t, w, s.ID)
	pubc, err := w.Auction.SaleCustody(ctx, party.Public(""), s.ID)
	noErr(t, err)
	if sc := pubc.Custody.Sealing(pubc.Sale); sc.LotID != string(s.ID) || sc.Threshold != 2 || len(sc.Custodians) != 3 || !sc.Deadline.Equal(endAt) {
		t.Fatalf("published custody %+v", sc)
	}

	no := func(i int) string { return regs[i].BidderNo }
	high := listed + 300_000_00
	_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 0), s.ID, sealQuote(t, w, s, c, 0, no(0), auction.EncodeQuote(high)))
	wantErr(t, err, apperr.Conflict, "") // before the window
	w.Clock.Set(startAt.Add(time.Hour))
	_, err = w.Auction.SetCustody(ctx, w.Actor("operator"), s.ID, auction.CustodyInput{UserIDs: uids})
	wantErr(t, err, apperr.Conflict, "") // fixed once quotes may be sealed to it

	rc0, err := w.Auction.SubmitSealed(ctx, bidderActor(w, 0), s.ID, sealQuote(t, w, s, c, 0, no(0), auction.EncodeQuote(high)))
	noErr(t, err)
	_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 0), s.ID, sealQuote(t, w, s, c, 0, no(0), auction.EncodeQuote(high+1)))
	wantErr(t, err, apperr.Conflict, "第32号") // one quote each, not replaced

	// Refused: a tampered package, one bound to another bidder's number,
	// one signed by another bidder's key, one sealed to other custodians.
	good := sealQuote(t, w, s, c, 1, no(1), auction.EncodeQuote(high))
	tampered := bytes.Clone(good)
	tampered[len(tampered)-200] ^= 1
	other := c
	other.Custodians = other.Custodians[:2]
	for name, pkg := range map[string][]byte{
		"tampered":          tampered,
		"another number":    sealQuote(t, w, s, c, 1, no(0), auction.EncodeQuote(high)),
		"another's key":     sealQuote(t, w, s, c, 5, no(1), auction.EncodeQuote(high)),
		"other custodians":  sealQuote(t, w, s, other, 1, no(1), auction.EncodeQuote(high)),
		"not sealed at all": auction.EncodeQuote(high),
	} {
		_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 1), s.ID, pkg)
		if e := wantErr(t, err, apperr.Invalid, "第32号"); !strings.Contains(e.Message, "拒收") {
			t.Errorf("%s: %v", name, e)
		}
	}
	w.Clock.Advance(time.Hour)
	_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 1), s.ID, good) // the same amount, later
	noErr(t, err)
	_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 2), s.ID, sealQuote(t, w, s, c, 2, no(2), auction.EncodeQuote(listed+50_000_00))) // below the reserve
	noErr(t, err)
	_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 3), s.ID, sealQuote(t, w, s, c, 3, no(3), auction.EncodeQuote(listed-1))) // below the listed price
	noErr(t, err)
	_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 4), s.ID, sealQuote(t, w, s, c, 4, no(4), []byte(`{"price":600000000}`))) // not a quote form
	noErr(t, err)
	_, err = w.Auction.Quote(ctx, bidderActor(w, 2), s.ID, listed)
	wantErr(t, err, apperr.Conflict, "")
	_, err = w.Auction.SubmitSealed(ctx, w.Actor("operator"), s.ID, good)
	wantErr(t, err, apperr.Forbidden, "")

	// Before the opening nobody sees an amount or a count; the database
	// holds no amount; the bidder sees its receipt.
	pub := view(t, w, party.Public(""), s.ID)
	if len(pub.Offers) != 0 || pub.State.Bids != 0 || pub.State.Price != 0 {
		t.Fatalf("public view shows sealed quotes: %+v", pub)
	}
	mine, err := w.Auction.MySealedQuote(ctx, bidderActor(w, 0), s.ID)
	noErr(t, err)
	if mine.Digest != rc0.Digest || mine.Status != auction.SealedPending || mine.Amount != 0 {
		t.Fatalf("bidder's sealed quote %+v, receipt %+v", mine, rc0)
	}
	amounts := []string{"530000000", "505000000", "499999999", "600000000"}
	text := published(t, w) + dump(t, pub, view(t, w, w.Actor("operator"), s.ID))
	mustNotContain(t, "before the close", text, amounts...)
	before := dbText(t, w)
	if !strings.Contains(before, rc0.Digest) {
		t.Fatal("the database dump lacks the sealed quote's row")
	}
	mustNotContain(t, "the database before the opening", before, amounts...)
	for i := 0; i < 5; i++ {
		mustNotContain(t, "before the close", text, secrets(w, i)...)
	}
	_, _, err = w.Auction.CustodyEnvelopes(ctx, w.Actor("operator"), s.ID)
	wantErr(t, err, apperr.Deadline, "第32号") // nobody decrypts before the end

	// The window's end: no more quotes; custodians decrypt.
	wantNotDue(t, w.Auction.CloseSealed(ctx, s.ID), endAt)
	w.Clock.Set(endAt)
	_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 5), s.ID, good)
	wantErr(t, err, apperr.Deadline, "")
	noErr(t, w.Auction.CloseSealed(ctx, s.ID))
	eq(t, "status", sale(t, w, s.ID).Status, auction.StatusDecrypting)
	_, _, err = w.Auction.CustodyEnvelopes(ctx, w.Actor("principal"), s.ID)
	wantErr(t, err, apperr.Forbidden, "")
	done, k, err := decryptShares(t, w, s.ID, "operator")
	noErr(t, err)
	eq(t, "custodians done", done, 1)
	eq(t, "threshold", k, 2)

	// Fewer than k shares by the deadline: nothing opens; stalled until an
	// audited extension.
	cv, err := w.Auction.SaleCustody(ctx, party.Public(""), s.ID)
	noErr(t, err)
	decryptBy := endAt.Add(auction.DefaultDecryptWindow * time.Minute)
	eq(t, "decryption deadline", cv.Custody.DecryptBy, decryptBy)
	wantNotDue(t, w.Auction.CloseSealed(ctx, s.ID), decryptBy)
	w.Clock.Set(decryptBy)
	noErr(t, w.Auction.CloseSealed(ctx, s.ID))
	st := sale(t, w, s.ID)
	eq(t, "still decrypting", st.Status, auction.StatusDecrypting)
	cv, err = w.Auction.SaleCustody(ctx, party.Public(""), s.ID)
	noErr(t, err)
	if !cv.Custody.Stalled || len(cv.Done) != 1 || cv.Packages != 5 || len(cv.Quotes) != 0 {
		t.Fatalf("stalled custody %+v", cv)
	}
	mustNotContain(t, "the database with fewer than k shares", dbText(t, w), amounts...)
	_, err = w.Auction.ExtendDecryption(ctx, w.Actor("principal"), s.ID, decryptBy.Add(time.Hour), "保管人设备故障")
	wantErr(t, err, apperr.Forbidden, "")
	_, err = w.Auction.ExtendDecryption(ctx, w.Actor("supervisor"), s.ID, decryptBy.Add(time.Hour), "")
	wantErr(t, err, apperr.Invalid, "")
	_, err = w.Auction.ExtendDecryption(ctx, w.Actor("supervisor"), s.ID, decryptBy.Add(time.Hour), "保管人设备故障，经核实延长解密时限")
	noErr(t, err)

	// The second custodian: k shares, every package opened and checked.
	w.Clock.Advance(10 * time.Minute)
	done, _, err = decryptShares(t, w, s.ID, "supervisor")
	noErr(t, err)
	eq(t, "custodians done", done, 2)
	got := sale(t, w, s.ID)
	eq(t, "deal", got.Result, auction.Deal)
	eq(t, "highest, ties to the earliest", got.Winner, no(0))
	eq(t, "price", got.Final, high)
	eq(t, "as of the window's end", got.ClosedAt, endAt)
	eq(t, "confirmation", got.Confirmation.WinnerName, w.Bidders[0].Name)
	eq(t, "stage", got.Confirmation.Stage, auction.StageSealed)
	eq(t, "valid quotes", got.Quotes, 3)
	_, _, err = w.Auction.CustodyEnvelopes(ctx, w.Actor("agency"), s.ID)
	wantErr(t, err, apperr.Conflict, "") // opened: nothing left to decrypt

	cv, err = w.Auction.SaleCustody(ctx, party.Public(""), s.ID)
	noErr(t, err)
	lines := map[string]auction.SealedLine{}
	for _, l := range cv.Quotes {
		lines[l.BidderNo] = l
	}
	if l := lines[no(3)]; l.Status != auction.SealedRejected || l.Amount != listed-1 || !strings.Contains(l.Failure, "低于挂牌价") {
		t.Errorf("quote below the listed price: %+v", l)
	}
	if l := lines[no(4)]; l.Status != auction.SealedRejected || !strings.Contains(l.Failure, "报价内容不完整") {
		t.Errorf("quote that is not a quote: %+v", l)
	}
	if l := lines[no(2)]; l.Status != auction.SealedOpened || l.Amount != listed+50_000_00 {
		t.Errorf("quote below the reserve: %+v", l)
	}
	mine, err = w.Auction.MySealedQuote(ctx, bidderActor(w, 0), s.ID)
	noErr(t, err)
	eq(t, "own quote after the opening", mine.Amount, high)
	if !strings.Contains(dbText(t, w), amounts[0]) {
		t.Fatal("the opened amount is not in the database (the secrecy check above would prove nothing)")
	}

	// Every commitment and the reserve are revealed and check.
	n := map[string]int{}
	for _, p := range reveals(t, w, s.Code) {
		n[p["what"].(string)]++
		if p["what"] == "sealed_quote" && p["package_sm3"] == "" {
			t.Errorf("sealed quote commitment without the package's digest: %v", p)
		}
	}
	if n["sealed_quote"] != 5 || n["reserve"] != 1 || n["bidder_number"] != 1 {
		t.Fatalf("reveals %v", n)
	}
	pub = view(t, w, party.Public(""), s.ID)
	eq(t, "valid quotes shown after the close", len(pub.Offers), 3)
	eq(t, "reserve revealed", pub.Reserve, listed+100_000_00)
	after := published(t, w)
	for i := 1; i < 5; i++ {
		mustNotContain(t, "public ledger after the deal", after, secrets(w, i)...)
	}
	mustNotContain(t, "public ledger after the deal (IP addresses)", after, "127.0.0.1")
}

// TestSealedQuoteNoneSubmitted: a window without any sealed quote ends at
// once, with no deal, and nothing to decrypt.
func TestSealedQuoteNoneSubmitted(t *testing.T) {
	w := newWorld(t)
	startAt := propertyStart(w)
	endAt := startAt.Add(48 * time.Hour)
	s := announced(t, w, propertyInput(auction.ModeSealed, startAt, endAt))
	setSaleCustody(t, w, s.ID)
	enrol(t, w, s.ID, 0)
	w.Clock.Set(endAt.Add(time.Minute))
	noErr(t, w.Auction.CloseSealed(ctx, s.ID))
	got := sale(t, w, s.ID)
	eq(t, "closed", got.Status, auction.StatusClosed)
	eq(t, "no deal", got.Result, auction.NoDeal)
	eq(t, "as of the window's end", got.ClosedAt, endAt)
}

// TestSealedQuoteWithoutCustody: without published custodians nothing can
// be sealed, so nothing is accepted.
func TestSealedQuoteWithoutCustody(t *testing.T) {
	w := newWorld(t)
	startAt := propertyStart(w)
	s := announced(t, w, propertyInput(auction.ModeSealed, startAt, startAt.Add(48*time.Hour)))
	r := enrol(t, w, s.ID, 0)
	w.Clock.Set(startAt)
	fake := auction.Custody{Threshold: 2}
	for _, u := range saleCustodians {
		fake.Custodians = append(fake.Custodians, auction.Custodian{UserID: w.Users[u].ID, Name: u, Fingerprint: w.CustodyKey(t, u).Public().Fingerprint(),
			PublicKey: string(w.CustodyKey(t, u).Public().MarshalPEM())})
	}
	_, err := w.Auction.SubmitSealed(ctx, bidderActor(w, 0), s.ID, sealQuote(t, w, s, fake, 0, r.BidderNo, auction.EncodeQuote(5_000_000_00)))
	wantErr(t, err, apperr.Conflict, "")
	_, err = w.Auction.SaleCustody(ctx, party.Public(""), s.ID)
	wantErr(t, err, apperr.NotFound, "")
}

func TestAgreementTransfer(t *testing.T) {
	w := newWorld(t)
	op := w.Actor("operator")
	startAt := propertyStart(w)
	s := announced(t, w, propertyInput(auction.ModeAgreement, startAt, time.Time{}))
	wantErr(t, w.Auction.SetReserve(ctx, w.Actor("principal"), s.ID, 1), apperr.Conflict, "")
	r := enrol(t, w, s.ID, 0)
	listed := money.Fen(5_000_000_00)
	in := auction.AgreementInput{RegistrationID: r.ID, Price: listed, Rounds: 2, Approval: "桂国资产权〔2026〕12号"}

	_, err := w.Auction.Agree(ctx, op, s.ID, in)
	wantErr(t, err, apperr.Conflict, "") // disclosure not over
	w.Clock.Set(startAt)
	_, err = w.Auction.Agree(ctx, w.Actor("principal"), s.ID, in)
	wantErr(t, err, apperr.Forbidden, "")
	bad := in
	bad.Approval = ""
	_, err = w.Auction.Agree(ctx, op, s.ID, bad)
	wantErr(t, err, apperr.Invalid, "")
	bad = in
	bad.Rounds = 1
	_, err = w.Auction.Agree(ctx, op, s.ID, bad)
	wantErr(t, err, apperr.Conflict, "第32号")
	bad = in
	bad.Price = listed - 1
	_, err = w.Auction.Agree(ctx, op, s.ID, bad)
	wantErr(t, err, apperr.Invalid, "第五十五条")

	// A second qualified buyer makes competition mandatory.
	w.Clock.Set(startAt.Add(-time.Hour))
	r2, err := w.Auction.Register(ctx, bidderActor(w, 1), s.ID)
	noErr(t, err)
	_, err = w.Auction.Qualify(ctx, op, r2.ID, true, "")
	noErr(t, err)
	w.Clock.Set(startAt)
	_, err = w.Auction.Agree(ctx, op, s.ID, in)
	wantErr(t, err, apperr.Conflict, "第五十四条")
	w.Clock.Set(startAt.Add(-time.Hour))
	_, err = w.Auction.Qualify(ctx, op, r2.ID, true, "")
	wantErr(t, err, apperr.Conflict, "") // reviewed already
	t.Run("OneQualifiedBuyer", func(t *testing.T) {
		w := newWorld(t)
		s := announced(t, w, propertyInput(auction.ModeAgreement, startAt, time.Time{}))
		r := enrol(t, w, s.ID, 0)
		rej, err := w.Auction.Register(ctx, bidderActor(w, 1), s.ID)
		noErr(t, err)
		_, err = w.Auction.Qualify(ctx, w.Actor("operator"), rej.ID, false, "不符合受让条件")
		noErr(t, err)
		w.Clock.Set(startAt)
		got, err := w.Auction.Agree(ctx, w.Actor("operator"), s.ID, auction.AgreementInput{RegistrationID: r.ID, Price: listed + 1, Rounds: 2, Approval: "桂国资产权〔2026〕12号"})
		noErr(t, err)
		eq(t, "deal", got.Result, auction.Deal)
		eq(t, "buyer", got.Confirmation.WinnerName, w.Bidders[0].Name)
		eq(t, "price", got.Confirmation.Price, listed+1)
		eq(t, "stage", got.Confirmation.Stage, auction.StageAgreement)
	})
}
