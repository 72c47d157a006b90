package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ggzy/internal/blob"
	"ggzy/internal/fixture"
	"ggzy/internal/gm"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/seal"
	"ggzy/internal/sealbid"
	"ggzy/internal/store"
	"ggzy/internal/tender"
)

// BenchmarkSealedBids measures issue 3's figures in one run:
//   - intake: N sealed bids of S MiB (defaults 200 × 8), C at a time (16),
//     posted to a `ggzy serve` child process, beside the raw SM3 rate of the
//     same bytes in this process (target ≥ 0.6), and the server's peak RSS
//     (VmHWM; target < 256 MiB);
//   - opening: decrypting those bids after two custodians' shares, beside the
//     raw SM4-GCM decryption rate of the same ciphertext (target ≥ 0.7).
//
// GGZY_BENCH_BIDS, GGZY_BENCH_MIB and GGZY_BENCH_CONCURRENCY change the sizes.
// Run: go test -run '^$' -bench SealedBids -benchtime 1x ./internal/app/
func BenchmarkSealedBids(b *testing.B) {
	n, mib, conc := envInt("GGZY_BENCH_BIDS", 200), envInt("GGZY_BENCH_MIB", 8), envInt("GGZY_BENCH_CONCURRENCY", 16)
	bin := ggzyBinary(b)
	ctx := context.Background()
	dir := b.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "ggzy.db")
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	w := fixture.New(b, db)
	deadline := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	lot := w.PublishedLot(b, fixture.LotOptions{Sealed: true, DeadlineIn: deadline.Sub(w.Clock.Now())})

	// N bidders, each with a registered key, documents and deposit; each
	// bid sealed on "its machine" into a file.
	files := make([]string, n)
	users := make([]string, n)
	content := make([]byte, mib<<20)
	for i := 0; i < n; i++ {
		code, err := party.MakeUSCC("91", fixture.Region, fmt.Sprintf("%08d", 50000000+i))
		if err != nil {
			b.Fatal(err)
		}
		e, err := w.Party.RegisterEntity(ctx, party.System(), party.EntityInput{USCC: code, Name: fmt.Sprintf("压测投标企业%03d", i), LegalRep: fmt.Sprintf("法人%03d", i), Kind: party.KindEnterprise, Region: fixture.Region})
		if err != nil {
			b.Fatal(err)
		}
		users[i] = fmt.Sprintf("bench%03d", i)
		u, err := w.Party.CreateUser(ctx, party.System(), party.UserInput{Username: users[i], Name: users[i], Password: fixture.Password, Role: party.RoleBidder, EntityID: e.ID})
		if err != nil {
			b.Fatal(err)
		}
		a := u.Actor("127.0.0.1")
		k, _ := gm.GenerateKey(rand.Reader)
		if _, err := w.Party.RegisterKey(ctx, a, party.KeyInput{PEM: string(k.Public().MarshalPEM()), Purpose: party.KeyBid}); err != nil {
			b.Fatal(err)
		}
		if err := w.Tender.ObtainDocuments(ctx, a, lot.ID); err != nil {
			b.Fatal(err)
		}
		if err := w.Tender.RecordDeposit(ctx, a, lot.ID, 100_000_00, "BANK"); err != nil {
			b.Fatal(err)
		}
		_, _ = rand.Read(content[:4096]) // files differ
		form := tender.EncodePlain(tender.BidContent{Price: money.Fen(9_000_000_00 + i), DurationDays: 300, Quality: "合格", ProjectManager: "项目经理"})
		files[i] = filepath.Join(dir, fmt.Sprintf("bid%03d.sealed", i))
		f, err := os.Create(files[i])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sealbid.Seal(f, lot.Sealing(), string(e.ID), form, []seal.PackageFile{{Name: "投标文件.pdf", Size: int64(len(content)), R: bytes.NewReader(content)}}, k, w.Clock.Now(), rand.Reader); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
	db.Close()

	// Raw SM3 over the same bytes (from the page cache, as the server reads the network).
	var total int64
	start := time.Now()
	for _, p := range files {
		f, _ := os.Open(p)
		h := gm.NewSM3()
		m, _ := io.Copy(h, f)
		f.Close()
		total += m
	}
	rawSM3 := float64(total) / time.Since(start).Seconds()

	// Intake over HTTP, C at a time.
	p := startProc(b, bin, dbURL, dir, fmt.Sprintf("GGZY_MAX_UPLOAD_MB=%d", mib*2+16))
	tokens := make([]string, n)
	for i, u := range users {
		c := &apiClient{base: p.url}
		var lr struct {
			Token string `json:"token"`
		}
		if code, err := c.do("POST", "/api/v1/auth/login", map[string]string{"username": u, "password": fixture.Password}, &lr); err != nil || code != 200 {
			b.Fatalf("login %s: %d %v", u, code, err)
		}
		tokens[i] = lr.Token
	}
	b.ResetTimer()
	start = time.Now()
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f, _ := os.Open(files[i])
				req, _ := http.NewRequest("POST", p.url+"/api/v1/lots/"+string(lot.ID)+"/sealed-bid", f)
				req.Header.Set("Authorization", "Bearer "+tokens[i])
				req.Header.Set("Content-Type", "application/octet-stream")
				res, err := http.DefaultClient.Do(req)
				f.Close()
				if err != nil || res.StatusCode != 201 {
					var body []byte
					if res != nil {
						body, _ = io.ReadAll(res.Body)
					}
					mu.Lock()
					failures = append(failures, fmt.Sprintf("bid %d: %v %s", i, err, body))
					mu.Unlock()
				}
				if res != nil {
					res.Body.Close()
				}
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	intake := float64(total) / time.Since(start).Seconds()
	b.StopTimer()
	if len(failures) > 0 {
		b.Fatalf("%d uploads failed, first: %s", len(failures), failures[0])
	}
	hwm := vmHWM(b, p.cmd.Process.Pid)
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()

	// Opening: two custodians' shares, then the decryption of every bid.
	db, err = store.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ow := reopen(b, w, db, filepath.Join(dir, "blobs"))
	ow.Clock.Set(deadline)
	if _, err := ow.Tender.OpenBids(ctx, lot.ID); err != nil {
		b.Fatal(err)
	}
	if err := w.SubmitSharesVia(b, ow.Tender, lot.ID, "agency", "operator"); err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	if err := ow.Tender.DecryptBids(ctx, lot.ID); err != nil {
		b.Fatal(err)
	}
	opening := float64(total) / time.Since(start).Seconds()
	var opened int
	_ = db.Read(ctx, func(tx *store.Tx) error {
		bs, err := tx.ListBids(ctx, lot.ID)
		for _, x := range bs {
			if x.Status == tender.BidOpened {
				opened++
			}
		}
		return err
	})
	if opened != n {
		b.Fatalf("%d of %d bids opened", opened, n)
	}
	// Raw SM4-GCM decryption of the same amount in the same 64 KiB chunks.
	key := make([]byte, 16)
	aead, _ := gm.NewSM4GCM(key)
	chunk := make([]byte, 64<<10)
	nonce := make([]byte, aead.NonceSize())
	ct := aead.Seal(nil, nonce, chunk, nil)
	buf := make([]byte, 0, len(chunk))
	start = time.Now()
	for done := int64(0); done < total; done += int64(len(chunk)) {
		if _, err := aead.Open(buf[:0], nonce, ct, nil); err != nil {
			b.Fatal(err)
		}
	}
	rawGCM := float64(total) / time.Since(start).Seconds()

	mb := func(v float64) float64 { return v / (1 << 20) }
	b.ReportMetric(mb(intake), "intake-MiB/s")
	b.ReportMetric(mb(rawSM3), "rawSM3-MiB/s")
	b.ReportMetric(intake/rawSM3, "intake/SM3")
	b.ReportMetric(float64(hwm)/(1<<20), "server-peak-RSS-MiB")
	b.ReportMetric(mb(opening), "opening-MiB/s")
	b.ReportMetric(mb(rawGCM), "rawSM4GCM-MiB/s")
	b.ReportMetric(opening/rawGCM, "opening/SM4GCM")
	b.Logf("%d bids × %d MiB, %d at a time: intake %.1f MiB/s vs raw SM3 %.1f MiB/s (%.2f); server peak RSS %.1f MiB; opening %.1f MiB/s vs raw SM4-GCM %.1f MiB/s (%.2f)",
		n, mib, conc, mb(intake), mb(rawSM3), intake/rawSM3, float64(hwm)/(1<<20), mb(opening), mb(rawGCM), opening/rawGCM)
}

// reopen builds a world's services on db with the blobs the server wrote.
func reopen(b *testing.B, w *fixture.World, db *store.DB, blobs string) *fixture.World {
	ow := fixture.Services(b, db)
	bs, err := blob.Open(blobs)
	if err != nil {
		b.Fatal(err)
	}
	ow.Blobs = bs
	ow.Tender = tender.New(tender.Config{Store: store.Bind[tender.Tx](db), Clock: ow.Clock, IDs: ow.IDs, Rules: w.Tender.Rules(), Calendar: ow.Calendar,
		Region: fixture.Region, Keys: party.Keyring{S: ow.Party}, Blobs: bs})
	return ow
}

// vmHWM is a process's peak resident set size in bytes.
func vmHWM(b *testing.B, pid int) int64 {
	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(s), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	b.Fatal("no VmHWM")
	return 0
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
