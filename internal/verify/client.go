package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/ledger"
)

// MaxPage is the most entries the platform returns per request.
const MaxPage = 1000

// Response size bounds: a hostile or broken server must not exhaust memory.
const (
	maxSmallBody = 1 << 20  // checkpoint, key, proofs
	maxPageBody  = 64 << 20 // a page of entries
)

// client reads the platform's public ledger API, nothing else: the monitor
// must not depend on anything an outsider could not fetch.
type client struct {
	base string // site root, without a trailing slash
	hc   *http.Client
}

// newClient accepts the site's address, with or without the /api/v1 suffix.
func newClient(raw string, hc *http.Client) (*client, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("平台地址 %q 无效，应形如 https://ggzy.example.cn", raw)
	}
	base := strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/")
	base = strings.TrimSuffix(base, "/api/v1")
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	return &client{base: base, hc: hc}, nil
}

// serverError is a response the platform gave with an error status: the
// server answered, so for a proof of a size it signed this is its fault,
// unlike a network failure.
type serverError struct {
	Status  int
	Message string
}

func (e *serverError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("平台返回 HTTP %d", e.Status)
	}
	return fmt.Sprintf("平台返回 HTTP %d：%s", e.Status, e.Message)
}

func isServerError(err error) bool {
	var se *serverError
	return errors.As(err, &se)
}

func (c *client) get(ctx context.Context, path string, q url.Values, limit int64) ([]byte, error) {
	u := c.base + "/api/v1/ledger/" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("无法构造请求 %s：%v", u, err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("无法访问 %s：%v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("读取 %s 的响应失败：%v", u, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%s 的响应超过 %d 字节", u, limit)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &serverError{Status: resp.StatusCode, Message: errorMessage(body)}
	}
	return body, nil
}

// errorMessage reads the API's error envelope {"error":{"message":…}}.
func errorMessage(body []byte) string {
	var env struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil {
		return env.Error.Message
	}
	return ""
}

func (c *client) getJSON(ctx context.Context, path string, q url.Values, limit int64, out any) error {
	body, err := c.get(ctx, path, q, limit)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("平台 %s 的响应不是预期的 JSON：%v", path, err)
	}
	return nil
}

// keyInfo is GET /ledger/key.
type keyInfo struct {
	Origin      string `json:"origin"`
	VerifierKey string `json:"verifier_key"`
	Fingerprint string `json:"fingerprint"`
}

func (c *client) key(ctx context.Context) (keyInfo, error) {
	var k keyInfo
	err := c.getJSON(ctx, "key", nil, maxSmallBody, &k)
	if err == nil && (k.Origin == "" || k.VerifierKey == "") {
		err = errors.New("平台 /ledger/key 未给出来源标识或验证密钥")
	}
	return k, err
}

func (c *client) checkpoint(ctx context.Context) ([]byte, error) {
	return c.get(ctx, "checkpoint", nil, maxSmallBody)
}

// entries fetches [start, end); the server may return fewer (a page limit,
// or rows that are missing), which the caller checks index by index.
func (c *client) entries(ctx context.Context, start, end uint64) ([]ledger.Published, error) {
	var page struct {
		Entries []ledger.Published `json:"entries"`
	}
	err := c.getJSON(ctx, "entries", url.Values{"start": {u64(start)}, "end": {u64(end)}}, maxPageBody, &page)
	return page.Entries, err
}

func (c *client) inclusion(ctx context.Context, index, size uint64) ([][]byte, error) {
	return c.proof(ctx, "proof/inclusion", url.Values{"index": {u64(index)}, "size": {u64(size)}})
}

func (c *client) consistency(ctx context.Context, from, to uint64) ([][]byte, error) {
	return c.proof(ctx, "proof/consistency", url.Values{"from": {u64(from)}, "to": {u64(to)}})
}

func (c *client) proof(ctx context.Context, path string, q url.Values) ([][]byte, error) {
	var p struct {
		Hashes []string `json:"hashes"`
	}
	if err := c.getJSON(ctx, path, q, maxSmallBody, &p); err != nil {
		return nil, err
	}
	hs, err := ledger.UnB64(p.Hashes)
	if err != nil {
		return nil, &serverError{Status: http.StatusOK, Message: "证明格式错误：" + err.Error()}
	}
	return hs, nil
}

func u64(n uint64) string { return strconv.FormatUint(n, 10) }
