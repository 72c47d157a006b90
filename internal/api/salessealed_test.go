package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/calendar"
	"ggzy/internal/gm"
	"ggzy/internal/money"
	"ggzy/internal/sealbid"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// TestSealedQuoteThroughAPI runs one sealed quote (一次报价) of a
// state-owned property only through the API, with sealbid as a real
// client, on both databases: keys registered, custody named by the centre
// and published, three bidders sealing their quotes on their side (a
// tampered file and a second quote refused), decryption refused before the
// window's end, one custodian not enough, the second custodian's shares
// opening every quote, the highest winning, and the opening record, the
// result and the reserve public.
func TestSealedQuoteThroughAPI(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) { sealedQuoteThroughAPI(t, newEnvOn(t, db)) })
}

func sealedQuoteThroughAPI(t *testing.T, e *env) {
	w := e.w
	seller, op := e.login("principal"), e.login("operator")
	keyOf := map[string]*gm.PrivateKey{}
	register := func(user, purpose string) {
		k, err := gm.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		e.do("POST", "/api/v1/keys", e.login(user), KeyInput{PEM: string(k.Public().MarshalPEM()), Purpose: purpose, Label: "接口测试"}).want(t, 201, nil)
		keyOf[user] = k
	}
	custodians := []string{"operator", "supervisor", "agency"}
	for _, u := range custodians {
		register(u, "custody")
	}

	// The centre registers and announces the sale and names its custody.
	d, _ := w.Calendar.PeriodEnd(w.Clock.Now(), 20, calendar.WorkingDays)
	start := beijing(d, 9, 0)
	end := start.Add(48 * time.Hour)
	in := propertySaleInput(auction.ModeSealed, start, end)
	var v SaleView
	e.do("POST", "/api/v1/sales", op, SaleInput{Kind: "property", Mode: "sealed", SellerUSCC: w.Principal.USCC, SaleTerms: saleTermsDTO(in)}).want(t, 201, &v)
	id := v.Sale.ID
	e.do("POST", "/api/v1/sales/"+id+"/announce", op, nil).want(t, 200, nil)
	e.do("GET", "/api/v1/sales/"+id+"/custody", "", nil).wantError(t, 404, "not_found")
	var uids []string
	for _, u := range custodians {
		uids = append(uids, string(w.Users[u].ID))
	}
	e.do("PUT", "/api/v1/sales/"+id+"/custody", seller, CustodyInput{Custodians: uids}).wantError(t, 403, "forbidden")
	e.do("PUT", "/api/v1/sales/"+id+"/custody", op, CustodyInput{Custodians: uids, Threshold: 2, WindowMinutes: 30}).want(t, 200, nil)
	var cust SaleCustodyView
	e.do("GET", "/api/v1/sales/"+id+"/custody", "", nil).want(t, 200, &cust)
	if cust.LotID != id || cust.Threshold != 2 || len(cust.Custodians) != 3 || cust.Custodians[2].PublicKey == "" || !cust.Deadline.Equal(end) || cust.WindowMinutes != 30 {
		t.Fatalf("published custody %+v", cust)
	}
	e.do("PUT", "/api/v1/sales/"+id+"/reserve", seller, SaleReserveInput{ReserveFen: int64(in.StartPrice + 100_000_00)}).want(t, 204, nil)

	// Three bidders: registered, qualified, deposits confirmed; each has
	// its bidder number and a registered signing key.
	numbers := map[int]string{}
	for i := 1; i <= 3; i++ {
		user := fmt.Sprintf("bidder%d", i)
		register(user, "bid")
		var r SaleRegistration
		e.do("POST", "/api/v1/sales/"+id+"/registrations", e.login(user), nil).want(t, 201, &r)
		e.do("POST", "/api/v1/sales/"+id+"/registrations/"+r.ID+"/review", op, SaleReviewInput{Approve: true}).want(t, 200, nil)
		e.do("POST", "/api/v1/sales/"+id+"/registrations/"+r.ID+"/deposit", op, SaleDepositInput{Ref: fmt.Sprintf("GXBANK-%d", i)}).want(t, 200, &r)
		numbers[i] = r.BidderNo
	}
	seal := func(i int, amount money.Fen) []byte {
		var buf bytes.Buffer
		if _, err := sealbid.Seal(&buf, cust.Custody, numbers[i], auction.EncodeQuote(amount), nil, keyOf[fmt.Sprintf("bidder%d", i)], w.Clock.Now(), rand.Reader); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	quotes := map[int]money.Fen{1: in.StartPrice + 200_000_00, 2: in.StartPrice + 350_000_00, 3: in.StartPrice + 350_000_00}

	e.do("POST", "/api/v1/sales/"+id+"/sealed-quote", e.login("bidder1"), seal(1, quotes[1])).wantError(t, 409, "conflict") // before the window
	w.Clock.Set(start.Add(time.Hour))
	var rcs []SaleSealedReceipt
	for i := 1; i <= 3; i++ {
		pkg := seal(i, quotes[i])
		if i == 2 {
			bad := bytes.Clone(pkg)
			bad[len(bad)-100] ^= 0x20
			eb := e.do("POST", "/api/v1/sales/"+id+"/sealed-quote", e.login("bidder2"), bad).wantError(t, 422, "invalid")
			if !strings.Contains(eb.Message, "拒收") || !strings.Contains(eb.Basis, "第32号") {
				t.Errorf("tampered quote: %+v", eb)
			}
		}
		var rc SaleSealedReceipt
		e.do("POST", "/api/v1/sales/"+id+"/sealed-quote", e.login(fmt.Sprintf("bidder%d", i)), pkg).want(t, 201, &rc)
		if rc.BidderNo != numbers[i] || len(rc.PackageSM3) != 64 {
			t.Fatalf("receipt %+v", rc)
		}
		rcs = append(rcs, rc)
		w.Clock.Advance(time.Minute)
	}
	e.do("POST", "/api/v1/sales/"+id+"/sealed-quote", e.login("bidder1"), seal(1, quotes[1]+1)).wantError(t, 409, "conflict") // one quote each
	var mine SaleSealedQuote
	e.do("GET", "/api/v1/sales/"+id+"/sealed-quote", e.login("bidder2"), nil).want(t, 200, &mine)
	if mine.Status != "sealed" || mine.AmountFen != 0 || mine.PackageSM3 != rcs[1].PackageSM3 {
		t.Fatalf("own sealed quote %+v", mine)
	}
	e.do("GET", "/api/v1/sales/"+id+"/custody/envelopes", op, nil).wantError(t, 409, "deadline")
	var pub SaleView
	r := e.do("GET", "/api/v1/sales/"+id, "", nil)
	r.want(t, 200, &pub)
	for _, f := range quotes {
		if bytes.Contains(r.Body, []byte(fmt.Sprint(int64(f)))) {
			t.Fatalf("the sale view shows a sealed amount before the opening: %s", r.Body)
		}
	}

	// The window's end: the job turns the sale to decrypting.
	w.Clock.Set(end)
	if err := w.Auction.CloseSealed(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/sales/"+id+"/custody", "", nil).want(t, 200, &cust)
	if cust.Status != "decrypting" || cust.Packages != 3 || !cust.DecryptBy.Equal(end.Add(30*time.Minute)) {
		t.Fatalf("custody after the window %+v", cust)
	}
	decrypt := func(user string) SharesResult {
		var envs Envelopes
		e.do("GET", "/api/v1/sales/"+id+"/custody/envelopes", e.login(user), nil).want(t, 200, &envs)
		if len(envs.Envelopes) != 3 {
			t.Fatalf("%s got %d envelopes", user, len(envs.Envelopes))
		}
		shares, bad := sealbid.OpenShares(id, envs.CustodianID, envs.Envelopes, keyOf[user])
		if len(bad) > 0 {
			t.Fatalf("%s: %+v", user, bad)
		}
		var res SharesResult
		e.do("POST", "/api/v1/sales/"+id+"/custody/shares", e.login(user), SaleSharesInput{Shares: shares}).want(t, 200, &res)
		return res
	}
	e.do("GET", "/api/v1/sales/"+id+"/custody/envelopes", e.login("bidder1"), nil).wantError(t, 403, "forbidden")
	if res := decrypt("agency"); res.CustodiansDone != 1 || res.Threshold != 2 {
		t.Fatalf("first custodian: %+v", res)
	}
	e.do("GET", "/api/v1/sales/"+id, "", nil).want(t, 200, &pub)
	if pub.State.Status != "decrypting" || len(pub.Offers) != 0 {
		t.Fatalf("opened with one share of two: %+v", pub.State)
	}
	if res := decrypt("supervisor"); res.CustodiansDone != 2 {
		t.Fatalf("second custodian: %+v", res)
	}

	// Opened: the highest wins, ties to the earlier commit; the opening
	// record and the reserve are public.
	e.do("GET", "/api/v1/sales/"+id, "", nil).want(t, 200, &pub)
	if pub.State.Status != "closed" || pub.State.Result != "deal" || pub.State.Winner != numbers[2] || pub.Confirmation == nil ||
		pub.Confirmation.PriceFen != int64(quotes[2]) || pub.Confirmation.WinnerName != w.Bidders[1].Name || !pub.ClosedAt.Equal(end) {
		t.Fatalf("result %+v %+v", pub.State, pub.Confirmation)
	}
	if pub.ReserveFen != int64(in.StartPrice+100_000_00) || len(pub.Offers) != 3 {
		t.Fatalf("after the opening: reserve %d, offers %+v", pub.ReserveFen, pub.Offers)
	}
	e.do("GET", "/api/v1/sales/"+id+"/custody", "", nil).want(t, 200, &cust)
	if len(cust.Quotes) != 3 || cust.CustodiansDone != 2 {
		t.Fatalf("opening record %+v", cust)
	}
	for i, q := range cust.Quotes {
		if q.Status != "opened" || q.AmountFen != int64(quotes[i+1]) || q.BidderNo != numbers[i+1] || q.PackageSM3 != rcs[i].PackageSM3 {
			t.Errorf("opening record line %d: %+v", i, q)
		}
	}
	e.do("GET", "/api/v1/sales/"+id+"/sealed-quote", e.login("bidder3"), nil).want(t, 200, &mine)
	if mine.Status != "opened" || mine.AmountFen != int64(quotes[3]) {
		t.Fatalf("own quote after the opening %+v", mine)
	}
}
