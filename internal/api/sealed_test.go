package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"testing"

	"ggzy/internal/gm"
	"ggzy/internal/money"
	"ggzy/internal/sealbid"
	"ggzy/internal/store"
	"ggzy/internal/tender"
	"ggzy/internal/testkit"
	"ggzy/internal/verify"
)

// TestSealedLifecycleThroughAPI runs the tender of the spine on sealed bids,
// only through the API: keys registered, custody named and published, bids
// sealed on the bidders' side and uploaded resumably, receipts that verify
// offline, decryption refused before the deadline, two of three custodians
// decrypting on their side, the opening record, and the rest of the
// procedure unchanged — then an independent monitor verifies the ledger.
func TestSealedLifecycleThroughAPI(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnvOn(t, db)
		ctx := context.Background()
		agency := e.login("agency")
		keyOf := map[string]*gm.PrivateKey{}
		register := func(user, purpose string) {
			k, _ := gm.GenerateKey(rand.Reader)
			e.do("POST", "/api/v1/keys", e.login(user), KeyInput{PEM: string(k.Public().MarshalPEM()), Purpose: purpose, Label: "接口测试"}).want(t, 201, nil)
			keyOf[user] = k
		}
		custodians := []string{"agency", "operator", "supervisor"}
		for _, u := range custodians {
			register(u, "custody")
		}

		var p Project
		e.do("POST", "/api/v1/projects", agency, ProjectInput{Name: "南宁市江南区污水管网工程", PrincipalUSCC: e.w.Principal.USCC, StateFunded: true, Funding: "财政资金", SupervisorDept: "住建"}).want(t, 201, &p)
		var lot Lot
		e.do("POST", "/api/v1/projects/"+p.ID+"/lots", agency, LotInput{Name: "第一标段", Procedure: "open", Method: "lowest_price", EstimateFen: 10_000_000_00,
			CeilingFen: 9_800_000_00, SecurityFen: 100_000_00, CategoryCode: "A0801", CommitteeSize: 5, PrincipalReps: 1}).want(t, 201, &lot)
		e.do("POST", "/api/v1/lots/"+lot.ID+"/documents?name="+url.QueryEscape("招标文件.pdf"), agency, []byte("招标文件")).want(t, 201, nil)
		var ids []string
		for _, u := range custodians {
			ids = append(ids, string(e.w.Users[u].ID))
		}
		e.do("PUT", "/api/v1/lots/"+lot.ID+"/custody", agency, CustodyInput{Custodians: ids}).want(t, 200, nil)
		now := e.w.Clock.Now()
		deadline := e.w.Tender.EarliestDeadline(now, 9, 30)
		e.do("POST", "/api/v1/lots/"+lot.ID+"/publish", agency, PublishInput{DocsFrom: now, DocsUntil: deadline, BidDeadline: deadline}).want(t, 201, nil)
		// The custody is public with the notice.
		var cust CustodyView
		e.do("GET", "/api/v1/lots/"+lot.ID+"/custody", "", nil).want(t, 200, &cust)
		if cust.Threshold != 2 || len(cust.Custodians) != 3 || cust.Custodians[1].PublicKey == "" {
			t.Fatalf("published custody %+v", cust)
		}

		prices := []int64{9_137_246_58, 9_071_853_19, 9_263_418_77, 9_388_000_00}
		var receipts []Receipt
		for i, price := range prices {
			user := fmt.Sprintf("bidder%d", i+1)
			tok := e.login(user)
			register(user, "bid")
			e.do("POST", "/api/v1/lots/"+lot.ID+"/obtain", tok, nil).want(t, 200, nil)
			e.do("POST", "/api/v1/lots/"+lot.ID+"/deposit", tok, DepositInput{AmountFen: 100_000_00, Reference: "BANK"}).want(t, 200, nil)
			// A plain bid is refused on this lot (电子招标投标办法第二十六条).
			e.do("PUT", "/api/v1/lots/"+lot.ID+"/bid", tok, plainBid(price, "经理")).wantError(t, 422, "invalid")
			form := tender.EncodePlain(tender.BidContent{Price: money.Fen(price), DurationDays: 300, Quality: "合格", ProjectManager: fmt.Sprintf("项目经理%d", i+1)})
			var sealed bytes.Buffer
			if _, err := sealbid.Seal(&sealed, cust.Custody, string(e.w.Bidders[i].ID), form, nil, keyOf[user], e.w.Clock.Now(), rand.Reader); err != nil {
				t.Fatal(err)
			}
			var r Receipt
			if i%2 == 0 {
				e.do("POST", "/api/v1/lots/"+lot.ID+"/sealed-bid", tok, sealed.Bytes()).want(t, 201, &r)
			} else {
				// Resumable: the second request "breaks" (wrong offset) and resumes.
				var up Upload
				e.do("POST", "/api/v1/lots/"+lot.ID+"/uploads", tok, UploadInput{Size: int64(sealed.Len())}).want(t, 201, &up)
				half := sealed.Len() / 2
				e.reqH("PATCH", "/api/v1/uploads/"+up.ID, tok, sealed.Bytes()[:half], "", map[string]string{"Upload-Offset": "0"}).want(t, 200, &up)
				bad := e.reqH("PATCH", "/api/v1/uploads/"+up.ID, tok, sealed.Bytes()[half:], "", map[string]string{"Upload-Offset": "0"})
				if bad.Code != 409 || bad.Header.Get("Upload-Offset") != strconv.Itoa(half) {
					t.Fatalf("resume at a wrong offset: %d %s (Upload-Offset %q)", bad.Code, bad.Body, bad.Header.Get("Upload-Offset"))
				}
				e.do("GET", "/api/v1/uploads/"+up.ID, tok, nil).want(t, 200, &up)
				e.reqH("PATCH", "/api/v1/uploads/"+up.ID, tok, sealed.Bytes()[up.Offset:], "", map[string]string{"Upload-Offset": strconv.FormatInt(up.Offset, 10)}).want(t, 200, &up)
				e.do("POST", "/api/v1/uploads/"+up.ID+"/bid", tok, nil).want(t, 201, &r)
			}
			receipts = append(receipts, r)
			// The receipt document verifies offline with the platform's key.
			var doc verify.Receipt
			e.do("GET", "/api/v1/lots/"+lot.ID+"/bid/receipt", tok, nil).want(t, 200, &doc)
			if err := verify.VerifyReceipt(doc, e.w.LedgerVerifier); err != nil {
				t.Fatalf("receipt of bidder%d does not verify: %v", i+1, err)
			}
			doc.ContentHash = gm.SM3Hex([]byte("另一份文件"))
			if verify.VerifyReceipt(doc, e.w.LedgerVerifier) == nil {
				t.Fatal("a receipt for another file verifies")
			}
		}
		if receipts[0].ContentHash == receipts[1].ContentHash {
			t.Fatal("distinct bids with one digest")
		}
		// Before the deadline: no envelopes for anyone, custodians included.
		e.do("GET", "/api/v1/lots/"+lot.ID+"/custody/envelopes", e.login("operator"), nil).wantError(t, 409, "deadline")

		e.w.Clock.Set(deadline)
		if _, err := e.w.Tender.OpenBids(ctx, lot.ID); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"operator", "supervisor"} {
			var envs Envelopes
			e.do("GET", "/api/v1/lots/"+lot.ID+"/custody/envelopes", e.login(u), nil).want(t, 200, &envs)
			shares, bad := sealbid.OpenShares(lot.ID, envs.CustodianID, envs.Envelopes, keyOf[u])
			if len(bad) > 0 || len(shares) != len(prices) {
				t.Fatalf("%s: %d shares, failures %+v", u, len(shares), bad)
			}
			e.do("POST", "/api/v1/lots/"+lot.ID+"/custody/shares", e.login(u), SharesInput{Shares: shares}).want(t, 200, nil)
		}
		if err := e.w.Tender.DecryptBids(ctx, lot.ID); err != nil { // the job
			t.Fatal(err)
		}
		pub := e.lotView(lot.ID, "")
		if pub.Opening == nil || pub.Opening.BidderCount != len(prices) || pub.Lot.Status != "evaluating" {
			t.Fatalf("public view after decryption: %+v", pub.Opening)
		}
		got := map[int64]bool{}
		for _, r := range pub.Opening.Rows {
			got[r.PriceFen] = true
		}
		for _, p := range prices {
			if !got[p] {
				t.Errorf("opening record lacks price %d: %+v", p, pub.Opening.Rows)
			}
		}
		// The rest of the procedure runs unchanged.
		rep := e.w.Evaluate(t, lot.ID)
		if len(rep.Candidates) == 0 || rep.Candidates[0].Price != 9_071_853_19 {
			t.Fatalf("evaluation on opened sealed bids: %+v", rep.Candidates)
		}

		// An independent monitor verifies the whole ledger over HTTP.
		srv := httptest.NewServer(e.h)
		defer srv.Close()
		if _, err := e.w.Ledger.Sign(ctx); err != nil {
			t.Fatal(err)
		}
		rep2, err := verify.Monitor(ctx, verify.MonitorConfig{URL: srv.URL, StatePath: filepath.Join(t.TempDir(), "state.json"), Key: e.w.LedgerKey.VerifierKey})
		if err != nil || !rep2.OK() {
			t.Fatalf("monitor: %v\n%s", err, rep2.String())
		}
		var out bytes.Buffer
		rep2.Write(&out)
		t.Log(out.String())
	})
}
