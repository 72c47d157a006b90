package tender_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"ggzy/internal/fixture"
	"ggzy/internal/gm"
	"ggzy/internal/seal"
	"ggzy/internal/tender"
	"ggzy/internal/testkit"
)

// BenchmarkDecryptBids times the decryption of a sealed lot's bids (6 × 8
// MiB) once two custodians' shares are in, beside raw SM4-GCM of the same
// bytes. The full figure (200 bids through a server) is BenchmarkSealedBids
// in internal/app.
func BenchmarkDecryptBids(b *testing.B) {
	const mib = 8
	content := make([]byte, mib<<20)
	for b.Loop() {
		b.StopTimer()
		w := fixture.New(b, testkit.OpenSQLite(b))
		l := w.PublishedLot(b, fixture.LotOptions{Sealed: true})
		for i := range 6 {
			a := w.Actor(fmt.Sprintf("bidder%d", i+1))
			if err := w.Tender.ObtainDocuments(ctx, a, l.ID); err != nil {
				b.Fatal(err)
			}
			if err := w.Tender.RecordDeposit(ctx, a, l.ID, 100_000_00, "BANK"); err != nil {
				b.Fatal(err)
			}
			_, _ = rand.Read(content[:64])
			sealed := w.SealBid(b, l, i, tender.BidContent{Price: 9_000_000_00, DurationDays: 300, Quality: "合格", ProjectManager: "经理"},
				seal.PackageFile{Name: "投标文件.pdf", Size: int64(len(content)), R: bytes.NewReader(content)})
			if _, err := w.Tender.SubmitSealedBid(ctx, a, l.ID, bytes.NewReader(sealed), 1<<30); err != nil {
				b.Fatal(err)
			}
		}
		w.PassDeadline(b, l.ID)
		if err := w.SubmitShares(b, l.ID, "agency", "operator"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if err := w.Tender.DecryptBids(ctx, l.ID); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(6*mib)/time.Since(start).Seconds(), "MiB/s")
	}
	key := make([]byte, 16)
	aead, _ := gm.NewSM4GCM(key)
	chunk := make([]byte, 64<<10)
	nonce := make([]byte, aead.NonceSize())
	ct := aead.Seal(nil, nonce, chunk, nil)
	start := time.Now()
	for i := 0; i < 6*mib*16; i++ {
		_, _ = aead.Open(chunk[:0], nonce, ct, nil)
	}
	b.ReportMetric(float64(6*mib)/time.Since(start).Seconds(), "rawSM4GCM-MiB/s")
}
