package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ggzy/internal/fixture"
	"ggzy/internal/gm"
	"ggzy/internal/store"
	"ggzy/internal/tender"
	"ggzy/internal/testkit"
)

// buildBinary compiles cmd/ggzy once per test run.
var buildOnce sync.Once
var binPath, buildErr = "", error(nil)

func ggzyBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ggzy-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "ggzy")
		out, err := exec.Command("go", "build", "-o", binPath, "ggzy/cmd/ggzy").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// proc is a `ggzy serve` child process.
type proc struct {
	cmd *exec.Cmd
	url string
}

func startProc(t testing.TB, bin, dbURL, dataDir string, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", dbURL, "--addr", "127.0.0.1:0", "--data", dataDir)
	cmd.Env = append(append(os.Environ(), "GGZY_JOB_POLL=100ms", "GGZY_LOG_LEVEL=warn", "GGZY_KEY_PASSPHRASE=e2e-test"), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			_ = cmd.Wait()
		}
	})
	lines := bufio.NewScanner(stdout)
	urlc := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if i := strings.Index(lines.Text(), "http://"); i >= 0 {
				urlc <- strings.Fields(lines.Text()[i:])[0]
			}
		}
	}()
	select {
	case p.url = <-urlc:
	case <-time.After(60 * time.Second):
		t.Fatalf("ggzy serve did not start: %s", stderr.String())
	}
	return p
}

type apiClient struct {
	base, token string
}

func (c *apiClient) do(method, path string, body any, out any) (int, error) {
	var rd *bytes.Reader
	b, _ := json.Marshal(body)
	rd = bytes.NewReader(b)
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}

type ack struct {
	Version     int    `json:"version"`
	ContentHash string `json:"content_hash"`
	LedgerIndex int64  `json:"ledger_index"`
}

// TestKillDuringBidBurst: SIGKILL the server in the middle of a burst of bid
// submissions and restart it. Every bid that got a receipt is present and
// whole, none is half-written, and the opening still happens once.
func TestKillDuringBidBurst(t *testing.T) {
	bin := ggzyBinary(t)
	eachDB(t, func(t *testing.T, newURL func(*testing.T) string) {
		url, dir := newURL(t), t.TempDir()
		r := start(t, url, dir)
		w, lot := seedLot(t, r.a, 0, 14*time.Second)
		for i := 0; i < 6; i++ {
			w.Bid(t, lot.ID, i, 9_000_000_00)
		}
		r.stop()

		p := startProc(t, bin, url, dir)
		clients := make([]*apiClient, 6)
		for i := range clients {
			c := &apiClient{base: p.url}
			var lr struct {
				Token string `json:"token"`
			}
			if code, err := c.do("POST", "/api/v1/auth/login", map[string]string{"username": fmt.Sprintf("bidder%d", i+1), "password": fixture.Password}, &lr); err != nil || code != 200 {
				t.Fatalf("login: %d %v", code, err)
			}
			c.token = lr.Token
			clients[i] = c
		}
		acked := make([]ack, 6)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for i, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 1; ; k++ {
					var a ack
					body := map[string]any{"format": "plain-v1", "content": map[string]any{"price": 9_000_000_00 + k*100 + i, "duration_days": 365, "quality": "合格", "project_manager": "项目经理"}}
					code, err := c.do("PUT", "/api/v1/lots/"+lot.ID+"/bid", body, &a)
					if err != nil || code != 201 {
						return // the server is gone
					}
					mu.Lock()
					acked[i] = a
					total++
					mu.Unlock()
				}
			}()
		}
		time.Sleep(1500 * time.Millisecond)
		if err := p.cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush
			t.Fatal(err)
		}
		_ = p.cmd.Wait()
		wg.Wait()
		if total < 20 {
			t.Fatalf("only %d receipts before the kill; the burst did not happen", total)
		}
		t.Logf("%d receipts acknowledged before SIGKILL", total)

		p2 := startProc(t, bin, url, dir)
		_ = p2
		ctx := context.Background()
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		err = db.Read(ctx, func(tx *store.Tx) error {
			for i, b := range w.Bidders {
				bid, err := tx.GetBidByEntity(ctx, lot.ID, b.ID)
				if err != nil {
					return err
				}
				h := gm.SM3(bid.Content)
				if hex.EncodeToString(h[:]) != bid.ContentHash {
					t.Errorf("bidder %d: stored content does not match its hash: half-written bid", i+1)
				}
				a := acked[i]
				if bid.Version < a.Version {
					t.Errorf("bidder %d: receipt for version %d but only version %d stored: an acknowledged bid was lost", i+1, a.Version, bid.Version)
				}
				if bid.Version == a.Version && bid.ContentHash != a.ContentHash {
					t.Errorf("bidder %d: version %d stored with another content", i+1, a.Version)
				}
				es, err := tx.ListLedger(ctx, "", a.LedgerIndex, 1)
				if err != nil {
					return err
				}
				if len(es) != 1 || !es[0].Verify() || !strings.Contains(string(es[0].Private), a.ContentHash) {
					t.Errorf("bidder %d: receipt's ledger entry %d missing or not about this content", i+1, a.LedgerIndex)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the opening after the restart", 40*time.Second, func() bool { return lotStatus(t, db, lot.ID) == tender.Evaluating })
		n, l, op := openingCount(t, db, lot)
		if n != 1 || l != 1 || op.BidderCount != 6 {
			t.Fatalf("opening notices %d, ledger %d, bidders %d", n, l, op.BidderCount)
		}
	})
}

// TestTwoServeProcessesOpenOnce: two `ggzy serve` processes on one
// PostgreSQL database both run the job runner; the opening happens once.
func TestTwoServeProcessesOpenOnce(t *testing.T) {
	bin := ggzyBinary(t)
	url := testkit.PostgresURL(t)
	r := start(t, url, t.TempDir())
	_, lot := seedLot(t, r.a, 3, 8*time.Second)
	r.stop()
	startProc(t, bin, url, t.TempDir())
	startProc(t, bin, url, t.TempDir())
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	waitFor(t, "the opening", 40*time.Second, func() bool { return lotStatus(t, db, lot.ID) == tender.Evaluating })
	time.Sleep(2 * time.Second) // let the other process try too
	n, l, op := openingCount(t, db, lot)
	if n != 1 || l != 1 || op.BidderCount != 3 {
		t.Fatalf("opening notices %d, ledger %d, bidders %d; want 1, 1, 3", n, l, op.BidderCount)
	}
}
