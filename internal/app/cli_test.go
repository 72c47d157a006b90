package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ggzy/internal/app"
	"ggzy/internal/auction"
	"ggzy/internal/clock"
	"ggzy/internal/fixture"
	"ggzy/internal/gm"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/tender"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestKeygen(t *testing.T) {
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "me.key.pem"), filepath.Join(dir, "me.pub.pem")
	var out, errb bytes.Buffer
	env := envOf(map[string]string{"GGZY_KEY_PASSPHRASE": "口令-2026"})
	if code := app.Main(context.Background(), []string{"keygen", "--out", priv, "--pub", pub}, &out, &errb, env); code != 0 {
		t.Fatalf("keygen: %d %s", code, errb.String())
	}
	pb, _ := os.ReadFile(priv)
	k, err := gm.ParsePrivateKeyPEM(pb, []byte("口令-2026"))
	if err != nil {
		t.Fatalf("the private key file does not open with the passphrase: %v", err)
	}
	if _, err := gm.ParsePrivateKeyPEM(pb, []byte("wrong")); err == nil {
		t.Fatal("the private key file opens with a wrong passphrase")
	}
	if !strings.Contains(out.String(), k.Public().Fingerprint()) {
		t.Errorf("output %q lacks the fingerprint", out.String())
	}
	qb, _ := os.ReadFile(pub)
	if p, err := gm.ParsePublicKeyPEM(qb); err != nil || !p.Equal(k.Public()) {
		t.Fatalf("public key file: %v", err)
	}
	// Never overwrite a key; never without a passphrase.
	if code := app.Main(context.Background(), []string{"keygen", "--out", priv}, &out, &errb, env); code == 0 {
		t.Error("keygen overwrote an existing key file")
	}
	if code := app.Main(context.Background(), []string{"keygen", "--out", filepath.Join(dir, "x.pem")}, &out, &errb, envOf(nil)); code == 0 {
		t.Error("keygen without a passphrase succeeded")
	}
}

// TestSealAndCustodyOpenCommands: three bidders seal and submit with `ggzy
// seal` against a running platform; after the deadline (not before) two of
// three custodians run `ggzy custody open`, and the opening record shows the
// prices they sealed.
func TestSealAndCustodyOpenCommands(t *testing.T) {
	dbDir, dir := t.TempDir(), t.TempDir()
	dbURL := "sqlite:" + filepath.Join(dbDir, "ggzy.db")
	var logs syncBuffer
	r := startLogging(t, dbURL, dir, &logs)
	w := fixture.New(t, r.a.DB)
	r.a.DB.SetEnqueuer(r.a.Runner.Enqueue)
	deadline := time.Now().Add(20 * time.Second).UTC().Truncate(time.Second)
	lot := w.PublishedLot(t, fixture.LotOptions{Sealed: true, DeadlineIn: deadline.Sub(w.Clock.Now())})
	keys := t.TempDir()
	const pass = "演示口令"
	save := func(name string, k *gm.PrivateKey) string {
		b, err := k.MarshalEncryptedPEM([]byte(pass))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(keys, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	env := envOf(map[string]string{"GGZY_PASSWORD": fixture.Password, "GGZY_KEY_PASSPHRASE": pass})
	run := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		if code := app.Main(context.Background(), args, &out, &errb, env); code != 0 {
			return out.String(), fmt.Errorf("%s", errb.String())
		}
		return out.String(), nil
	}
	ctx := context.Background()
	prices := []string{"9137246.58", "9071853.19", "9263418.77"}
	tech := filepath.Join(keys, "技术标.txt")
	if err := os.WriteFile(tech, []byte("施工组织设计"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, p := range prices {
		a := w.Actor(fmt.Sprintf("bidder%d", i+1))
		if err := w.Tender.ObtainDocuments(ctx, a, lot.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.Tender.RecordDeposit(ctx, a, lot.ID, 100_000_00, "BANK"); err != nil {
			t.Fatal(err)
		}
		kf := save(fmt.Sprintf("bidder%d.pem", i+1), w.BidKey(t, i))
		out, err := run("seal", "--url", r.url, "--user", fmt.Sprintf("bidder%d", i+1), "--key", kf, "--lot", string(lot.ID),
			"--price", p, "--duration", "300", "--manager", fmt.Sprintf("项目经理%d", i+1), "--file", tech)
		if err != nil {
			t.Fatalf("ggzy seal for bidder%d: %v", i+1, err)
		}
		if !strings.Contains(out, "完整接收") {
			t.Errorf("seal output lacks the receipt: %s", out)
		}
	}
	// The hostile operator, before the deadline: every log line, every file
	// of the platform (database with its WAL, blobs, uploads, keys) — and
	// not one sealed price, manager or file content.
	secrets := []string{"施工组织设计"}
	for i, p := range prices {
		f, _ := money.Parse(p)
		secrets = append(secrets, fmt.Sprint(int64(f)), f.String(), f.Capital(), p, fmt.Sprintf("项目经理%d", i+1))
	}
	var seen strings.Builder
	seen.WriteString(logs.String())
	for _, root := range []string{dbDir, dir} {
		_ = filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				b, _ := os.ReadFile(p)
				seen.Write(b)
			}
			return nil
		})
	}
	if !strings.Contains(seen.String(), string(lot.ID)) {
		t.Fatal("the hostile operator read nothing: the lot is not even in the files")
	}
	for _, s := range secrets {
		if strings.Contains(seen.String(), s) {
			t.Errorf("before the deadline the platform's logs or files contain %q", s)
		}
	}
	custodian := func(u string) []string {
		return []string{"custody", "open", "--url", r.url, "--user", u, "--key", save(u+".pem", w.CustodyKeys[u]), "--lot", string(lot.ID)}
	}
	if _, err := run(custodian("operator")...); err == nil || !strings.Contains(err.Error(), "第三十四条") {
		t.Fatalf("custody open before the deadline: %v; want a refusal citing TBL 34", err)
	}
	waitFor(t, "decryption to start at the deadline", 30*time.Second, func() bool { return lotStatus(t, r.a.DB, lot.ID) == tender.Decrypting })
	for _, u := range []string{"operator", "agency"} {
		if out, err := run(custodian(u)...); err != nil {
			t.Fatalf("custody open as %s: %v", u, err)
		} else {
			t.Log(strings.TrimSpace(out))
		}
	}
	waitFor(t, "the opening record", 30*time.Second, func() bool { return lotStatus(t, r.a.DB, lot.ID) == tender.Evaluating })
	var bids []tender.Bid
	if err := r.a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		bids, err = tx.ListBids(ctx, lot.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for i, p := range prices {
		want, _ := money.Parse(p)
		found := false
		for _, b := range bids {
			if b.EntityID == w.Bidders[i].ID {
				found = b.Status == tender.BidOpened && b.Opened.Price == want && len(b.Files) == 1
			}
		}
		if !found {
			t.Errorf("bidder%d: opened bid with price %s and its file not found in %+v", i+1, p, bids)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestHundredsOfMegabyteBid: a 300 MiB bid file is sealed by `ggzy seal`,
// uploaded resumably in chunks to a running platform, checked while stored,
// and after the deadline decrypted whole. (The opening runs through the
// same database and files on the test's fake clock, so the test need not
// wait for a real deadline.)
func TestHundredsOfMegabyteBid(t *testing.T) {
	if testing.Short() {
		t.Skip("a 300 MiB bid: not in -short runs")
	}
	const size = 300 << 20
	r := start(t, "sqlite:"+filepath.Join(t.TempDir(), "ggzy.db"), t.TempDir())
	w := fixture.New(t, r.a.DB)
	deadline := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	lot := w.PublishedLot(t, fixture.LotOptions{Sealed: true, DeadlineIn: deadline.Sub(w.Clock.Now())})
	// The platform's own files, with the fixture's clock for the opening.
	ts := tender.New(tender.Config{Store: store.Bind[tender.Tx](r.a.DB), Clock: w.Clock, IDs: w.IDs, Rules: w.Tender.Rules(), Calendar: w.Calendar,
		Region: fixture.Region, Keys: party.Keyring{S: w.Party}, Blobs: r.a.Blobs})
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		a := w.Actor(fmt.Sprintf("bidder%d", i+1))
		if err := ts.ObtainDocuments(ctx, a, lot.ID); err != nil {
			t.Fatal(err)
		}
		if err := ts.RecordDeposit(ctx, a, lot.ID, 100_000_00, "BANK"); err != nil {
			t.Fatal(err)
		}
	}
	files := t.TempDir()
	big := filepath.Join(files, "施工图纸.pdf")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil { // sparse: nothing to write to prepare it
		t.Fatal(err)
	}
	f.Close()
	kb, err := w.BidKey(t, 0).MarshalEncryptedPEM([]byte("口令"))
	if err != nil {
		t.Fatal(err)
	}
	kf := filepath.Join(files, "bidder1.pem")
	if err := os.WriteFile(kf, kb, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	env := envOf(map[string]string{"GGZY_PASSWORD": fixture.Password, "GGZY_KEY_PASSPHRASE": "口令"})
	if code := app.Main(ctx, []string{"seal", "--url", r.url, "--user", "bidder1", "--key", kf, "--lot", string(lot.ID),
		"--price", "9137246.58", "--duration", "300", "--manager", "项目经理1", "--file", big}, &out, &errb, env); code != 0 {
		t.Fatalf("ggzy seal of 300 MiB: %s", errb.String())
	}
	if !strings.Contains(out.String(), "完整接收") || strings.Count(out.String(), "已上传") < 30 {
		t.Fatalf("expected a chunked upload and a receipt:\n%s", out.String())
	}
	// Two small bids, so that the tender does not fail at the opening.
	l, err := w.GetLot(lot.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range []money.Fen{9_071_853_19, 9_263_418_77} {
		sealed := w.SealBid(t, l, i+1, tender.BidContent{Price: p, DurationDays: 300, Quality: "合格", ProjectManager: "经理"})
		if _, err := ts.SubmitSealedBid(ctx, w.Actor(fmt.Sprintf("bidder%d", i+2)), lot.ID, bytes.NewReader(sealed), 1<<30); err != nil {
			t.Fatal(err)
		}
	}
	w.Clock.Set(deadline)
	if _, err := ts.OpenBids(ctx, lot.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.SubmitSharesVia(t, ts, lot.ID, "agency", "supervisor"); err != nil {
		t.Fatal(err)
	}
	if err := ts.DecryptBids(ctx, lot.ID); err != nil {
		t.Fatal(err)
	}
	var bids []tender.Bid
	if err := r.a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		bids, err = tx.ListBids(ctx, lot.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, b := range bids {
		if b.EntityID != w.Bidders[0].ID {
			continue
		}
		if b.Status != tender.BidOpened || b.Opened.Price != 9_137_246_58 || len(b.Files) != 1 || b.Files[0].Size != size {
			t.Fatalf("the 300 MiB bid after decryption: %s %+v %+v", b.Status, b.Opened, b.Files)
		}
		return
	}
	t.Fatal("the 300 MiB bid is missing")
}

// TestSealQuoteAndCustodyOpenCommands: two bidders seal their one quote
// (一次报价) of a state-property sale with `ggzy seal --sale` against a
// running platform, which receives ciphertext only; a second quote and a
// quote below the listed price are refused; `ggzy custody open --sale`
// before the window's end is refused; after it (the platform's job turns
// the sale to decrypting) two of three custodians open, and the sale
// concludes with the highest quote.
func TestSealQuoteAndCustodyOpenCommands(t *testing.T) {
	dbDir, dir := t.TempDir(), t.TempDir()
	r := start(t, "sqlite:"+filepath.Join(dbDir, "ggzy.db"), dir)
	w := fixture.New(t, r.a.DB)
	r.a.DB.SetEnqueuer(r.a.Runner.Enqueue)
	ctx := context.Background()
	// The window ends in real time, seconds from now; it was announced on a
	// back-dated clock, as the disclosure period requires.
	end := time.Now().Add(20 * time.Second).UTC().Truncate(time.Second)
	clk := clock.NewFake(end.AddDate(0, 0, -45))
	svc, err := auction.New(auction.Config{Store: store.Bind[auction.Tx](r.a.DB), Clock: clk, IDs: w.IDs, Calendar: w.Calendar, Region: fixture.Region,
		Keys: party.Keyring{S: w.Party}})
	if err != nil {
		t.Fatal(err)
	}
	sale, err := svc.CreateSale(ctx, w.Actor("principal"), auction.SaleInput{Kind: auction.Property, Mode: auction.ModeSealed, Title: "南宁市属国有企业持有的股权",
		Data: auction.Data{Asset: "广西某投资有限公司 30% 股权", Valuation: 4_800_000_00}, Eligibility: "依法设立并有效存续的企业法人", Deposit: 500_000_00,
		StartPrice: 5_000_000_00, StartAt: end.Add(-2 * time.Hour), EndAt: end})
	if err != nil {
		t.Fatal(err)
	}
	var custodians []ids.ID
	for _, u := range []string{"operator", "supervisor", "agency"} {
		w.CustodyKey(t, u)
		custodians = append(custodians, w.Users[u].ID)
	}
	if _, err := svc.SetCustody(ctx, w.Actor("operator"), sale.ID, auction.CustodyInput{UserIDs: custodians, Threshold: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Announce(ctx, w.Actor("principal"), sale.ID); err != nil {
		t.Fatal(err)
	}
	nos := make([]string, 2)
	for i := range nos {
		clk.Advance(time.Hour)
		reg, err := svc.Register(ctx, w.Actor(fmt.Sprintf("bidder%d", i+1)), sale.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Qualify(ctx, w.Actor("operator"), reg.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if reg, err = svc.ConfirmDeposit(ctx, w.Actor("operator"), reg.ID, fmt.Sprintf("BANK-%d", i)); err != nil {
			t.Fatal(err)
		}
		nos[i] = reg.BidderNo
	}

	keys := t.TempDir()
	const pass = "演示口令"
	save := func(name string, k *gm.PrivateKey) string {
		b, err := k.MarshalEncryptedPEM([]byte(pass))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(keys, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	env := envOf(map[string]string{"GGZY_PASSWORD": fixture.Password, "GGZY_KEY_PASSPHRASE": pass})
	run := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		if code := app.Main(ctx, args, &out, &errb, env); code != 0 {
			return out.String(), fmt.Errorf("%s", errb.String())
		}
		return out.String(), nil
	}
	seal := func(i int, amount string) (string, error) {
		return run("seal", "--url", r.url, "--user", fmt.Sprintf("bidder%d", i+1), "--key", save(fmt.Sprintf("bidder%d.pem", i+1), w.BidKey(t, i)),
			"--sale", string(sale.ID), "--amount", amount)
	}
	if _, err := seal(0, "4999999.99"); err == nil || !strings.Contains(err.Error(), "低于挂牌价") {
		t.Errorf("a quote below the listed price: %v", err)
	}
	amounts := []string{"5200000", "5350000.50"}
	for i, a := range amounts {
		out, err := seal(i, a)
		if err != nil {
			t.Fatalf("ggzy seal --sale for bidder%d: %v", i+1, err)
		}
		for _, want := range []string{"一次报价已提交", nos[i], "留痕序号"} {
			if !strings.Contains(out, want) {
				t.Errorf("bidder%d's receipt lacks %q: %s", i+1, want, out)
			}
		}
	}
	if _, err := seal(0, "5400000"); err == nil || !strings.Contains(err.Error(), "只能提交一次") {
		t.Errorf("a second quote: %v; want a refusal", err)
	}
	// Before the end the platform holds no amount in any file.
	var seen strings.Builder
	_ = filepath.Walk(dbDir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			seen.Write(b)
		}
		return nil
	})
	for _, a := range amounts {
		f, _ := money.Parse(a)
		for _, s := range []string{fmt.Sprintf(`"amount":%d`, int64(f)), f.String()} {
			if strings.Contains(seen.String(), s) {
				t.Errorf("before the end the database holds %q", s)
			}
		}
	}

	custodian := func(u string) []string {
		return []string{"custody", "open", "--url", r.url, "--user", u, "--key", save(u+".pem", w.CustodyKeys[u]), "--sale", string(sale.ID)}
	}
	if _, err := run(custodian("operator")...); err == nil || !strings.Contains(err.Error(), "前任何人不得解密报价") {
		t.Fatalf("custody open before the end: %v; want a refusal", err)
	}
	status := func() auction.Sale {
		var s auction.Sale
		if err := r.a.DB.Read(ctx, func(tx *store.Tx) error {
			var err error
			s, err = tx.GetSale(ctx, sale.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	waitFor(t, "the window's end", 40*time.Second, func() bool { return status().Status == auction.StatusDecrypting })
	for i, u := range []string{"operator", "supervisor"} {
		out, err := run(custodian(u)...)
		if err != nil {
			t.Fatalf("custody open --sale as %s: %v", u, err)
		}
		if want := fmt.Sprintf("已有 %d/2 名保管人完成解密", i+1); !strings.Contains(out, want) {
			t.Errorf("%s: %q lacks %q", u, out, want)
		}
	}
	s := status()
	if s.Status != auction.StatusClosed || s.Result != auction.Deal || s.Winner != nos[1] || s.Final != 5_350_000_50 {
		t.Fatalf("after two custodians: %s %s winner %s (want %s) final %s", s.Status, s.Result, s.Winner, nos[1], s.Final)
	}
}
