package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/fixture"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/sealbid"
)

// One sealed quote through the consoles: the centre names the custody by
// usernames, two bidders post sealed files, and after the window two
// custodians fetch their envelopes and post their shares (as the page's
// script does), which opens the quotes and concludes the sale.
func TestSealedQuoteConsoles(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	op := w.Actor("operator")
	s := announcedSealedSale(t, w)
	for _, u := range []string{"operator", "supervisor", "agency"} {
		w.CustodyKey(t, u)
	}
	salePath := "/console/sales/" + s.ID

	centre := e.browser()
	centre.login("operator")
	p := centre.post(salePath+"/custody", url.Values{"csrf": {centre.csrf(salePath)}, "usernames": {"operator, supervisor, agency"}, "threshold": {"2"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("custody: %d %s", p.status, p.body)
	}
	nos := map[int]string{}
	for i := 0; i < 2; i++ {
		r, err := w.Auction.Register(ctx, w.Actor([]string{"bidder1", "bidder2"}[i]), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Auction.Qualify(ctx, op, r.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if r, err = w.Auction.ConfirmDeposit(ctx, op, r.ID, "GXBANK"); err != nil {
			t.Fatal(err)
		}
		nos[i] = r.BidderNo
	}
	cv, err := w.Auction.SaleCustody(ctx, party.Public(""), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.Clock.Set(s.StartAt.Add(time.Hour))
	amounts := []money.Fen{5_100_000_00, 5_400_000_00}
	for i, user := range []string{"bidder1", "bidder2"} {
		var buf bytes.Buffer
		if _, err := sealbid.Seal(&buf, cv.Custody.Sealing(cv.Sale), nos[i], auction.EncodeQuote(amounts[i]), nil, w.BidKey(t, i), w.Clock.Now(), rand.Reader); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		b.login(user)
		p := b.post(salePath+"/sealed", url.Values{"csrf": {b.csrf(salePath)}, "sealed": {base64.StdEncoding.EncodeToString(buf.Bytes())}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("%s's sealed quote: %d %s", user, p.status, p.body)
		}
	}

	w.Clock.Set(s.EndAt)
	if err := w.Auction.CloseSealed(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	for n, user := range []string{"supervisor", "agency"} {
		b := e.browser()
		b.login(user)
		page := b.get(salePath + "/decrypt")
		for _, want := range []string{`id="decrypt-form"`, `data-envelopes="/console/sales/` + s.ID + `/envelopes"`, "名保管人完成解密"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("%s's decrypt page lacks %q", user, want)
			}
		}
		var envs struct {
			LotID       ids.ID             `json:"lot_id"`
			CustodianID ids.ID             `json:"custodian_id"`
			Envelopes   []sealbid.Envelope `json:"envelopes"`
		}
		if err := json.Unmarshal([]byte(b.get(salePath+"/envelopes").body), &envs); err != nil || len(envs.Envelopes) != 2 {
			t.Fatalf("%s's envelopes: %v %+v", user, err, envs)
		}
		shares, bad := sealbid.OpenShares(string(s.ID), string(envs.CustodianID), envs.Envelopes, w.CustodyKeys[user])
		if len(bad) > 0 {
			t.Fatalf("%s: %+v", user, bad)
		}
		sj, _ := json.Marshal(shares)
		p := b.post(salePath+"/shares", url.Values{"csrf": {b.csrf(salePath + "/decrypt")}, "shares": {string(sj)}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("%s's shares: %d %s", user, p.status, p.body)
		}
		v, err := w.Auction.ViewSale(ctx, op, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && v.State.Status != auction.StatusDecrypting || n == 1 && (v.State.Result != auction.Deal || v.State.Winner != nos[1]) {
			t.Fatalf("after %s: %+v", user, v.State)
		}
	}
	centre = e.browser() // the morning's session has expired
	centre.login("operator")
	page := centre.get(salePath + "/decrypt")
	for _, want := range []string{"开启记录", "¥5,400,000.00", "¥5,100,000.00", "解密已完成"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the opening record lacks %q", want)
		}
	}
}

// TestSealedQuoteConsoleForms: the sale's console offers what each may do
// with the sealed quotes. Before the window the centre gets the custody form
// (a custodian without a custody key is refused on the usernames field, by
// name) and the bidder gets the sealing form with the sale's published
// custody and its number — never a clear-amount input; after the window the
// custodians find the sale on 开标解密, the centre and the supervisor get the
// extension form, and the supervisor's extension is recorded.
func TestSealedQuoteConsoleForms(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	op := w.Actor("operator")
	s := announcedSealedSale(t, w)
	salePath := "/console/sales/" + s.ID
	centre := e.browser()
	centre.login("operator")
	page := centre.get(salePath)
	for _, want := range []string{`id="custody-form"`, `name="usernames"`, "来自至少两个不同单位", "尚未指定一次报价的密钥保管人"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the centre's console before the custody lacks %q", want)
		}
	}
	// The supervisor has no custody key yet.
	w.CustodyKey(t, "operator")
	p := centre.post(salePath+"/custody", url.Values{"csrf": {centre.csrf(salePath)}, "usernames": {"operator supervisor"}, "threshold": {"2"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "尚未登记有效的解密（保管）公钥") || !strings.Contains(p.body, `href="#custody-usernames"`) ||
		!strings.Contains(p.body, `value="operator supervisor"`) {
		t.Errorf("a custodian without a key: %d %.300s", p.status, p.body)
	}
	w.CustodyKey(t, "supervisor")
	if p := centre.post(salePath+"/custody", url.Values{"csrf": {centre.csrf(salePath)}, "usernames": {"operator supervisor"}, "threshold": {"2"}}); p.status != http.StatusSeeOther {
		t.Fatalf("custody: %d %.300s", p.status, p.body)
	}

	r, err := w.Auction.Register(ctx, w.Actor("bidder1"), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Auction.Qualify(ctx, op, r.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if r, err = w.Auction.ConfirmDeposit(ctx, op, r.ID, "GXBANK"); err != nil {
		t.Fatal(err)
	}
	w.Clock.Set(s.StartAt.Add(time.Hour))
	bidder := e.browser()
	bidder.login("bidder1")
	page = bidder.get(salePath)
	for _, want := range []string{`id="quote-seal-form"`, `data-bidder-no="` + r.BidderNo + `"`, `data-listed="500000000"`, "&#34;lot_id&#34;:&#34;" + s.ID, "ggzy.wasm", "--sale " + s.ID} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the bidder's sealing form lacks %q", want)
		}
	}
	if strings.Contains(page.body, `name="amount"`) {
		t.Error("the bidder's room offers a clear-amount input")
	}
	cv, err := w.Auction.SaleCustody(ctx, party.Public(""), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := sealbid.Seal(&buf, cv.Custody.Sealing(cv.Sale), r.BidderNo, auction.EncodeQuote(5_100_000_00), nil, w.BidKey(t, 0), w.Clock.Now(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if p := bidder.post(salePath+"/sealed", url.Values{"csrf": {bidder.csrf(salePath)}, "sealed": {base64.StdEncoding.EncodeToString(buf.Bytes())}}); p.status != http.StatusSeeOther {
		t.Fatalf("sealed quote: %d %.300s", p.status, p.body)
	}
	mine, err := w.Auction.MySealedQuote(ctx, w.Actor("bidder1"), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	page = bidder.get(salePath)
	for _, want := range []string{`id="sealed-receipt"`, mine.Digest, "留痕序号", fmt.Sprint(mine.LedgerIndex)} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the bidder's receipt lacks %q", want)
		}
	}
	if strings.Contains(page.body, `id="quote-seal-form"`) {
		t.Error("the sealing form is offered again after the one quote")
	}

	w.Clock.Set(s.EndAt)
	if err := w.Auction.CloseSealed(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	sup := e.browser()
	sup.login("supervisor")
	list := sup.get("/console/decrypt")
	if !strings.Contains(list.body, "我保管的一次报价") || !strings.Contains(list.body, `href="/console/sales/`+s.ID+`/decrypt"`) {
		t.Errorf("the custodian's list lacks the sale: %.300s", list.body)
	}
	page = sup.get(salePath)
	if !strings.Contains(page.body, `id="decrypt-extend"`) || !strings.Contains(page.body, "报价解密（您是第 2 号保管人）") || strings.Contains(page.body, `id="custody-form"`) {
		t.Errorf("the supervisor's console while decrypting: %.300s", page.body)
	}
	c, _ := w.Auction.SaleCustody(ctx, op, s.ID)
	until := c.Custody.DecryptBy.Add(2 * time.Hour).In(clock.Shanghai).Format("2006-01-02T15:04")
	if p := sup.post(salePath+"/decrypt-extend", url.Values{"csrf": {sup.csrf(salePath)}, "until": {until}, "reason": {""}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, `href="#decrypt-extend-reason"`) {
		t.Errorf("an extension without a reason: %d", p.status)
	}
	if p := sup.post(salePath+"/decrypt-extend", url.Values{"csrf": {sup.csrf(salePath)}, "until": {until}, "reason": {"保管人证书故障，需补办"}}); p.status != http.StatusSeeOther {
		t.Errorf("the extension: %d %.300s", p.status, p.body)
	}
	if c2, _ := w.Auction.SaleCustody(ctx, op, s.ID); !c2.Custody.DecryptBy.After(c.Custody.DecryptBy) {
		t.Errorf("decryption deadline %s, was %s", c2.Custody.DecryptBy, c.Custody.DecryptBy)
	}
	bidder = e.browser() // the morning's session has expired
	bidder.login("bidder1")
	if page := bidder.get(salePath); !strings.Contains(page.body, `id="sealed-receipt"`) || strings.Contains(page.body, `id="decrypt-extend"`) {
		t.Error("the bidder's room while decrypting: no receipt, or the extension offered")
	}
}

// announcedSealedSale is a state-property transfer by one sealed quote,
// announced, whose 48-hour quote window opens after the statutory 20
// working days of disclosure.
func announcedSealedSale(t *testing.T, w *fixture.World) auction.Sale {
	t.Helper()
	ctx := context.Background()
	d, _ := w.Calendar.PeriodEnd(w.Clock.Now(), 20, calendar.WorkingDays)
	ds := d.In(clock.Shanghai)
	start := time.Date(ds.Year(), ds.Month(), ds.Day(), 9, 0, 0, 0, clock.Shanghai).UTC()
	s, err := w.Auction.CreateSale(ctx, w.Actor("principal"), auction.SaleInput{Kind: auction.Property, Mode: auction.ModeSealed, Title: "南宁市属国有企业持有的股权",
		Data: auction.Data{Asset: "广西某投资有限公司 30% 股权", Valuation: 4_800_000_00}, Eligibility: "依法设立并有效存续的企业法人", Deposit: 500_000_00,
		StartPrice: 5_000_000_00, StartAt: start, EndAt: start.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if s, err = w.Auction.Announce(ctx, w.Actor("principal"), s.ID); err != nil {
		t.Fatal(err)
	}
	return s
}
