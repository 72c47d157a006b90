// Package httpx is what the JSON API and the web UI share: their
// dependencies, the client address, the login rate limit and the mapping of
// apperr codes to HTTP statuses.
package httpx

import (
	"ggzy/internal/auction"
	"ggzy/internal/ledger"
	"ggzy/internal/upload"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"ggzy/internal/apperr"
	"ggzy/internal/blob"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/expert"
	"ggzy/internal/expert/classify"
	"ggzy/internal/gm"
	"ggzy/internal/party"
	"ggzy/internal/tender"
)

// Deps are the services an HTTP handler uses.
type Deps struct {
	Tender   *tender.Service
	Party    *party.Service
	Expert   *expert.Service
	Auction  *auction.Service // land, mining-right and state-property sales
	Codes    *classify.Table  // the specialty classification
	Blobs    *blob.Store
	Clock    clock.Clock
	Calendar *calendar.Calendar
	Holidays *calendar.Service // operators load a new year's table
	Log      *slog.Logger
	Logins   *LoginLimiter
	SiteName string // e.g. 南宁市公共资源交易平台
	Sponsor  string // 主办单位 for the footer; omitted when empty (never made up)
	// TrustProxy makes X-Forwarded-For count as the client address (behind a reverse proxy only).
	TrustProxy bool
	// MaxUpload bounds one uploaded file.
	MaxUpload int64
	// Ledger publishes checkpoints, entries and proofs; LedgerKey describes
	// the platform key that signs the checkpoints.
	Ledger    *ledger.Log
	LedgerKey LedgerKey
	// Uploads keeps resumable uploads of sealed bids.
	Uploads *upload.Store
	// PlatformKey is the private half of LedgerKey; it also signs generated
	// PDFs (the evaluation report).
	PlatformKey *gm.PrivateKey
	// Font is the CJK TrueType font for PDFs (pdf.LoadFont), read once at
	// start-up; nil when it is not installed.
	Font []byte
}

// LedgerKey is the platform's checkpoint-signing key, as published.
type LedgerKey struct {
	VerifierKey  string // C2SP signed-note verifier key
	PublicKeyPEM string
	Fingerprint  string
}

// ClientIP is the client's address, recorded in the ledger's private part.
// Behind a trusted reverse proxy it is the address that proxy saw: the
// right-most X-Forwarded-For entry (the left ones are the client's to write).
func (d Deps) ClientIP(r *http.Request) string {
	if d.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// IsTLS reports whether the client reached us over TLS (directly, or per a
// trusted proxy's X-Forwarded-Proto), so cookies can be marked Secure.
func (d Deps) IsTLS(r *http.Request) bool {
	return r.TLS != nil || (d.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}

// Status maps an error code to an HTTP status.
func Status(code apperr.Code) int {
	switch code {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Deadline:
		return http.StatusConflict
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// LogError logs internal errors with their cause (never shown to users).
func (d Deps) LogError(r *http.Request, err error) {
	if e := apperr.As(err); e.Code == apperr.Internal && d.Log != nil {
		d.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// LoginLimiter limits failed logins per client address: 10 failures in a
// row, then one more every 6 seconds. Successful logins cost nothing.
// Entries idle for an hour are dropped.
type LoginLimiter struct {
	mu   sync.Mutex
	m    map[string]*limEntry
	rate rate.Limit
	b    int
}

type limEntry struct {
	l    *rate.Limiter
	seen time.Time
}

// NewLoginLimiter makes a limiter.
func NewLoginLimiter() *LoginLimiter {
	return &LoginLimiter{m: map[string]*limEntry{}, rate: rate.Every(6 * time.Second), b: 10}
}

func (l *LoginLimiter) entry(key string, now time.Time) *limEntry {
	if len(l.m) > 10000 {
		for k, e := range l.m {
			if now.Sub(e.seen) > time.Hour {
				delete(l.m, k)
			}
		}
	}
	e, ok := l.m[key]
	if !ok {
		e = &limEntry{l: rate.NewLimiter(l.rate, l.b)}
		l.m[key] = e
	}
	e.seen = now
	return e
}

// Allow reports whether a login from address ip for username may be tried
// now (without using up a try); if not, how long to wait. Both the address
// and the account are limited, so guessing one password from many addresses
// is slowed as well.
func (l *LoginLimiter) Allow(ip, username string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	var wait time.Duration
	for _, key := range limitKeys(ip, username) {
		if tokens := l.entry(key, now).l.TokensAt(now); tokens < 1 {
			if d := time.Duration((1 - tokens) / float64(l.rate) * float64(time.Second)); d > wait {
				wait = d
			}
		}
	}
	return wait == 0, wait
}

// Failed records a failed attempt.
func (l *LoginLimiter) Failed(ip, username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for _, key := range limitKeys(ip, username) {
		l.entry(key, now).l.AllowN(now, 1)
	}
}

func limitKeys(ip, username string) []string {
	keys := []string{"ip:" + ip}
	if u := strings.ToLower(strings.TrimSpace(username)); u != "" {
		keys = append(keys, "user:"+u)
	}
	return keys
}

// RateLimitedError is the error for a refused login.
func RateLimitedError(wait time.Duration) *apperr.Error {
	secs := int(wait.Seconds()) + 1
	return apperr.New(apperr.RateLimited, "登录尝试过于频繁：同一地址或同一账号连续失败10次后，每6秒可再试一次，请%d秒后重试。", secs)
}

// ServeFile streams a stored file (a tender document, a bid attachment) as a
// download, with its SM3 hash in a header so a client can check what it
// received. Errors come back before anything is written.
func (d Deps) ServeFile(w http.ResponseWriter, r *http.Request, name, hash string, modTime time.Time) error {
	f, err := d.Blobs.Open(hash)
	if err != nil {
		return err
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("X-Content-SM3", hash)
	h.Set("Cache-Control", "private, no-cache")
	http.ServeContent(w, r, "", modTime, f)
	return nil
}
