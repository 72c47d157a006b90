// Package app is the composition root: configuration → store → services →
// job runner → HTTP. It also holds the command-line entry point.
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"ggzy/internal/api"
	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/blob"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/config"
	"ggzy/internal/expert"
	"ggzy/internal/expert/classify"
	"ggzy/internal/gm"
	"ggzy/internal/httpx"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
	"ggzy/internal/pdf"
	"ggzy/internal/rules"
	"ggzy/internal/store"
	"ggzy/internal/tender"
	"ggzy/internal/upload"
	"ggzy/internal/web"
	"ggzy/internal/worker"
)

// App is a running platform.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	DB       *store.DB
	Clock    clock.Clock
	IDs      *ids.Generator
	Calendar *calendar.Calendar
	Blobs    *blob.Store
	Tender   *tender.Service
	Party    *party.Service
	Expert   *expert.Service
	Auction  *auction.Service // land, mining-right and state-property sales (issue 5)
	Codes    *classify.Table
	Runner   *worker.Runner
	Ledger   *ledger.Log
	Uploads  *upload.Store
	// PlatformKey signs ledger checkpoints; LedgerKey is how it is published.
	PlatformKey *gm.PrivateKey
	LedgerKey   httpx.LedgerKey
	Handler     http.Handler
	// closers end long-lived responses (the evaluation rooms' and the
	// sales' event streams) when the server shuts down.
	closers  []io.Closer
	Registry *prometheus.Registry
}

// Build opens the database, migrates it, loads the calendar and wires the
// services, the job runner and the HTTP handler. It starts nothing.
func Build(ctx context.Context, cfg config.Config, log *slog.Logger, clk clock.Clock) (*App, error) {
	a := &App{Config: cfg, Log: log, Clock: clk, IDs: &ids.Generator{}}
	if path, ok := strings.CutPrefix(cfg.DB, "sqlite:"); ok {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("创建数据目录失败: %w", err)
		}
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("打开数据库失败: %w", err)
	}
	a.DB = db
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("数据库迁移失败: %w", err)
	}
	if a.Calendar, err = loadCalendar(ctx, db, cfg.CalendarDir, log); err != nil {
		db.Close()
		return nil, err
	}
	if a.Blobs, err = blob.Open(filepath.Join(cfg.DataDir, "blobs")); err != nil {
		db.Close()
		return nil, err
	}
	if a.Uploads, err = upload.Open(filepath.Join(cfg.DataDir, "uploads"), cfg.MaxUploadMB<<20, clk.Now); err != nil {
		db.Close()
		return nil, err
	}
	a.Party = party.NewService(store.Bind[party.Tx](db), clk, a.IDs, party.DefaultPasswordParams)
	if err := a.openLedger(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.Codes = classify.Default()
	pool := expert.DefaultPolicy() // one policy for the pool's reviews and the draws
	a.Expert = expert.NewService(store.Bind[expert.Tx](db), clk, a.IDs, pool, a.Codes.Valid)
	a.Tender = tender.New(tender.Config{Store: store.Bind[tender.Tx](db), Clock: clk, IDs: a.IDs, Rules: rules.EngineeringTender(), Calendar: a.Calendar, Region: cfg.Region,
		Keys: party.Keyring{S: a.Party}, Blobs: a.Blobs, RequireSealed: true, Checkpoints: a.Ledger, Pool: pool, ValidSpecialty: a.Codes.Valid})
	if a.Auction, err = auction.New(auction.Config{Store: store.Bind[auction.Tx](db), Clock: clk, IDs: a.IDs, Calendar: a.Calendar, Region: cfg.Region, Keys: party.Keyring{S: a.Party}}); err != nil {
		db.Close()
		return nil, err
	}
	a.Runner, err = worker.New(db.Writer(), db.Dialect(), a.handlers(), log, worker.Options{PollInterval: cfg.JobPoll})
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := a.Runner.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.SetEnqueuer(a.Runner.Enqueue)
	// The PDF font is read once; without it the platform still runs and
	// only the PDF downloads answer with the error naming the package.
	font, err := pdf.LoadFont()
	if err != nil {
		log.Warn("评标报告 PDF 不可用", "err", err)
	}
	deps := httpx.Deps{Tender: a.Tender, Party: a.Party, Expert: a.Expert, Codes: a.Codes, Auction: a.Auction, Blobs: a.Blobs, Clock: clk, Calendar: a.Calendar, Log: log,
		Holidays: calendar.NewService(store.Bind[calendar.Tx](db), a.Calendar, clk),
		Logins:   httpx.NewLoginLimiter(), SiteName: cfg.SiteName, Sponsor: cfg.Sponsor, TrustProxy: cfg.TrustProxy, MaxUpload: cfg.MaxUploadMB << 20,
		Ledger: a.Ledger, LedgerKey: a.LedgerKey, Uploads: a.Uploads, PlatformKey: a.PlatformKey, Font: font}
	webH, err := web.New(deps)
	if err != nil {
		db.Close()
		return nil, err
	}
	a.Registry = prometheus.NewRegistry()
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", onlyFrom(cfg.MetricsFrom, promhttp.HandlerFor(a.Registry, promhttp.HandlerOpts{})))
	apiH := api.New(deps)
	mux.Handle("/api/", apiH)
	mux.Handle("/", webH)
	if c, ok := webH.(io.Closer); ok {
		a.closers = append(a.closers, c)
	}
	if c, ok := apiH.(io.Closer); ok {
		a.closers = append(a.closers, c)
	}
	a.Handler = instrument(a.Registry, mux)
	return a, nil
}

func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.DB.Ping(ctx); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

// handlers maps job kinds to use cases. A job can run a little before its
// time (River on PostgreSQL compares with the database's clock): the use
// cases check the clock themselves and say when to come back.
func (a *App) handlers() map[string]worker.Handler {
	notDue := func(err error) error {
		var nd *tender.NotDueError
		if errors.As(err, &nd) {
			return worker.Retry(time.Until(nd.At) + 100*time.Millisecond)
		}
		var ad *auction.NotDueError
		if errors.As(err, &ad) {
			return worker.Retry(time.Until(ad.At) + 100*time.Millisecond)
		}
		return err
	}
	return map[string]worker.Handler{
		jobs.OpenBids: func(ctx context.Context, lotID string) error {
			// Too early, or the deadline was moved: notDue waits for the lot's
			// current deadline (a duplicate run then finds it opened).
			_, err := a.Tender.OpenBids(ctx, lotID)
			switch {
			case errors.Is(err, tender.ErrSuspended):
				return worker.Retry(time.Minute) // objection pending: open once answered
			case apperr.Is(err, apperr.NotFound):
				return nil
			}
			return notDue(err)
		},
		jobs.ContractDue:  func(ctx context.Context, lotID string) error { return notDue(a.Tender.CheckContractDue(ctx, lotID)) },
		jobs.ObjectionDue: func(ctx context.Context, id string) error { return notDue(a.Tender.CheckObjectionDue(ctx, id)) },
		jobs.PublicityEnd: func(ctx context.Context, lotID string) error { return notDue(a.Tender.CheckPublicityEnd(ctx, lotID)) },
		jobs.DecryptBids:  func(ctx context.Context, lotID string) error { return a.Tender.DecryptBids(ctx, lotID) },
		jobs.DecryptionDue: func(ctx context.Context, lotID string) error {
			return notDue(a.Tender.CheckDecryption(ctx, lotID))
		},
		jobs.RunDraw:        func(ctx context.Context, id string) error { return a.Tender.RunDraw(ctx, id) },
		jobs.InvitationDue:  func(ctx context.Context, id string) error { return a.Tender.InvitationDue(ctx, id) },
		jobs.RoomFailureDue: func(ctx context.Context, lotID string) error { return a.Tender.RoomFailureDue(ctx, lotID) },

		// Sales (issue 5): each use case is idempotent, acts as of its
		// deadline and says when to come back if it runs early.
		jobs.AuctionCloseListing: func(ctx context.Context, id string) error { return notDue(a.Auction.CloseListing(ctx, id)) },
		jobs.AuctionStartTimed:   func(ctx context.Context, id string) error { return notDue(a.Auction.StartTimed(ctx, id)) },
		jobs.AuctionCloseTimed:   func(ctx context.Context, subject string) error { return notDue(a.Auction.CloseTimedJob(ctx, subject)) },
		jobs.AuctionCloseSealed:  func(ctx context.Context, id string) error { return notDue(a.Auction.CloseSealed(ctx, id)) },
	}
}

// openLedger loads (or, at first start, creates) the platform's signing key,
// publishes it in the key registry, and opens the signed ledger.
func (a *App) openLedger(ctx context.Context) error {
	key, err := platformKey(a.Config)
	if err != nil {
		return err
	}
	origin := ledger.Origin(a.Config.Region)
	signer, err := gm.NewNoteSigner(origin, key)
	if err != nil {
		return err
	}
	pub := key.Public()
	a.PlatformKey = key
	a.LedgerKey = httpx.LedgerKey{VerifierKey: gm.VerifierKeyString(origin, pub), PublicKeyPEM: string(pub.MarshalPEM()), Fingerprint: pub.Fingerprint()}
	a.Ledger = ledger.NewLog(store.Bind[ledger.Tx](a.DB), signer, origin, a.Clock)
	if _, err := a.Party.KeyByFingerprint(ctx, pub.Fingerprint()); apperr.Is(err, apperr.NotFound) {
		_, err = a.Party.RegisterKey(ctx, party.System(), party.KeyInput{PEM: string(pub.MarshalPEM()), Purpose: party.KeyPlatform, Label: "平台留痕检查点签名密钥"})
		if err != nil && !apperr.Is(err, apperr.Conflict) { // another process registered it meanwhile
			return fmt.Errorf("登记平台签名公钥失败: %w", err)
		}
	} else if err != nil {
		return err
	}
	return nil
}

// platformKey reads the platform's SM2 key, creating it (exclusively, so two
// processes starting together end with one key) when the file does not exist.
func platformKey(cfg config.Config) (*gm.PrivateKey, error) {
	path := cfg.PlatformKeyFile()
	if cfg.KeyPassphrase == "" {
		return nil, fmt.Errorf("请通过环境变量 GGZY_KEY_PASSPHRASE 提供平台签名密钥（%s）的口令", path)
	}
	if b, err := os.ReadFile(path); err == nil {
		k, err := gm.ParsePrivateKeyPEM(b, []byte(cfg.KeyPassphrase))
		if err != nil {
			return nil, fmt.Errorf("读取平台签名密钥 %s 失败（口令是否正确？）: %w", path, err)
		}
		return k, nil
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("读取平台签名密钥失败: %w", err)
	}
	k, err := gm.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	pem, err := k.MarshalEncryptedPEM([]byte(cfg.KeyPassphrase))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if os.IsExist(err) {
		return platformKey(cfg) // created by another process just now
	}
	if err != nil {
		return nil, fmt.Errorf("保存平台签名密钥失败: %w", err)
	}
	if _, err := f.Write(pem); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return k, f.Close()
}

// loadCalendar loads holiday tables from dir into the database (so an
// operator's added years persist) and builds the calendar from the database.
func loadCalendar(ctx context.Context, db *store.DB, dir string, log *slog.Logger) (*calendar.Calendar, error) {
	if dir != "" {
		days, err := calendar.LoadDir(dir)
		if err != nil {
			log.Warn("节假日表未加载", "dir", dir, "err", err)
		} else if err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.PutHolidays(ctx, days) }); err != nil {
			return nil, err
		}
	}
	var days []calendar.Day
	if err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		days, err = tx.ListHolidays(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	if len(days) == 0 {
		log.Warn("没有节假日表：期限按周一至周五计算并标注为暂定。用 --calendar 指定官方节假日表目录。")
	}
	return calendar.New(days)
}

// Serve runs the HTTP server and the job runner until ctx ends, then shuts
// down gracefully: no new connections, in-flight requests finish.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	// River's Start context is a hard stop when cancelled; shutdown goes
	// through Stop below so that a running opening finishes.
	if err := a.Runner.Start(context.Background()); err != nil {
		return fmt.Errorf("启动任务执行器失败: %w", err)
	}
	// Every new ledger entry is covered by a signed checkpoint within a second.
	lctx, stopLedger := context.WithCancel(context.Background())
	defer stopLedger()
	go a.Ledger.Run(lctx, time.Second, func(f string, args ...any) { a.Log.Error(fmt.Sprintf(f, args...)) })
	go a.sweepUploads(lctx)
	go a.retireExperts(lctx)
	go a.closeOverdueBiddings(lctx)
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	for _, c := range a.closers {
		srv.RegisterOnShutdown(func() { _ = c.Close() })
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if e := srv.Shutdown(sctx); e != nil && err == nil {
		err = e
	}
	if e := a.Runner.Stop(sctx); e != nil && err == nil {
		err = e
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// closeOverdueBiddings ends the timed biddings whose countdown ran out
// while the server was down, as of their ends, without waiting for the job
// runner's scheduler.
func (a *App) closeOverdueBiddings(ctx context.Context) {
	n, err := a.Auction.CloseOverdue(ctx)
	if err != nil {
		a.Log.Error("结束停机期间到期的限时竞价失败（到期任务将稍后处理）", "err", err)
		return
	}
	if n > 0 {
		a.Log.Info("已结束停机期间到期的限时竞价", "count", n)
	}
}

// sweepUploads removes abandoned resumable uploads every hour until ctx
// ends. It logs nothing: a count of uploads would tell how many bids were
// being prepared (招标投标法第二十二条).
func (a *App) sweepUploads(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		a.Uploads.Sweep(upload.MaxIdle)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// instrument counts requests and their latency by status class only: a count
// by method or route would show how many bids came in (PUT …/bid) before the
// opening, which nobody may learn (招标投标法第二十二条).
// For the same reason there is no access log: its lines would count bids.
func instrument(reg *prometheus.Registry, next http.Handler) http.Handler {
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ggzy_http_requests_total", Help: "HTTP requests by status class."}, []string{"code"})
	lat := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ggzy_http_request_seconds", Help: "HTTP request latency.", Buckets: prometheus.DefBuckets})
	reg.MustRegister(reqs, lat)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: 200}
		next.ServeHTTP(sw, r)
		reqs.WithLabelValues(fmt.Sprintf("%dxx", sw.code/100)).Inc()
		lat.Observe(time.Since(start).Seconds())
	})
}

// onlyFrom serves h to clients in the given networks (by the connection's
// address, never a forwarded header) and answers 404 to everyone else.
func onlyFrom(nets []netip.Prefix, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
			for _, n := range nets {
				if n.Contains(ap.Addr().Unmap()) {
					h.ServeHTTP(w, r)
					return
				}
			}
		}
		http.NotFound(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(c int) { s.code = c; s.ResponseWriter.WriteHeader(c) }

// Flush keeps server-sent events working through the wrapper.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// retireExperts takes experts at the age limit out of the pool, at start
// and then every six hours (a birthday is a date: a few hours' lag is
// harmless, and every process may run it: the use case is idempotent).
func (a *App) retireExperts(ctx context.Context) {
	t := time.NewTicker(6 * time.Hour)
	defer t.Stop()
	for {
		if n, err := a.Expert.RetireOverAge(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("超龄专家出库失败", "err", err)
		} else if n > 0 {
			a.Log.Info("超龄专家已出库", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
