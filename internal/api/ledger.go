package api

import (
	"net/http"
	"strconv"

	"ggzy/internal/apperr"
	"ggzy/internal/ledger"
)

// textBody marks a text/plain response (the signed checkpoint note).
type textBody struct{}

// MaxLedgerPage bounds one page of ledger entries.
const MaxLedgerPage = 1000

// LedgerEntry is one entry as published (ledger.Published).
type LedgerEntry = ledger.Published

// LedgerEntries is a page of entries.
type LedgerEntries struct {
	Entries []LedgerEntry `json:"entries"`
}

// LedgerProof is an inclusion or consistency proof.
type LedgerProof struct {
	Index  *uint64  `json:"index,omitempty" doc:"包含性证明：记录序号"`
	Size   uint64   `json:"size,omitempty" doc:"包含性证明：树规模"`
	From   uint64   `json:"from,omitempty" doc:"一致性证明：前一规模"`
	To     uint64   `json:"to,omitempty" doc:"一致性证明：后一规模"`
	Hashes []string `json:"hashes" doc:"证明路径（Base64 SM3 哈希，RFC 6962 顺序）"`
}

// LedgerKey is the platform's checkpoint-signing key.
type LedgerKey struct {
	Origin       string `json:"origin" doc:"检查点来源标识"`
	VerifierKey  string `json:"verifier_key" doc:"签名便笺验证密钥（C2SP signed-note 格式，SM2）"`
	PublicKeyPEM string `json:"public_key_pem" doc:"平台 SM2 公钥（PEM）"`
	Fingerprint  string `json:"fingerprint" doc:"公钥指纹（DER 的 SM3，十六进制）"`
}

func (s *server) ledgerLog() (*ledger.Log, error) {
	if s.d.Ledger == nil {
		return nil, apperr.New(apperr.Internal, "留痕服务未启用。")
	}
	return s.d.Ledger, nil
}

func (s *server) ledgerCheckpoint(c *call) (any, error) {
	l, err := s.ledgerLog()
	if err != nil {
		return nil, err
	}
	cp, err := l.Latest(c.ctx())
	if err != nil {
		return nil, err
	}
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(cp.Note)
	c.done = true
	return nil, nil
}

func (s *server) ledgerKey(c *call) (any, error) {
	if _, err := s.ledgerLog(); err != nil {
		return nil, err
	}
	k := s.d.LedgerKey
	return LedgerKey{Origin: s.d.Ledger.Origin(), VerifierKey: k.VerifierKey, PublicKeyPEM: k.PublicKeyPEM, Fingerprint: k.Fingerprint}, nil
}

// uintParams reads non-negative integer query parameters, all required.
func uintParams(c *call, names ...string) ([]uint64, error) {
	out := make([]uint64, len(names))
	bad := map[string]string{}
	for i, n := range names {
		v, err := strconv.ParseUint(c.r.URL.Query().Get(n), 10, 63)
		if err != nil {
			bad[n] = "应为非负整数。"
		}
		out[i] = v
	}
	return out, apperr.Fields("查询参数有误。", bad)
}

func (s *server) ledgerEntries(c *call) (any, error) {
	l, err := s.ledgerLog()
	if err != nil {
		return nil, err
	}
	v, err := uintParams(c, "start", "end")
	if err != nil {
		return nil, err
	}
	if v[1] <= v[0] {
		return nil, apperr.Fields("查询参数有误。", map[string]string{"end": "应大于 start。"})
	}
	es, err := l.Entries(c.ctx(), v[0], v[1], MaxLedgerPage)
	if err != nil {
		return nil, err
	}
	out := LedgerEntries{Entries: make([]LedgerEntry, 0, len(es))}
	for _, e := range es {
		out.Entries = append(out.Entries, e.Publish())
	}
	return out, nil
}

func (s *server) ledgerInclusion(c *call) (any, error) {
	l, err := s.ledgerLog()
	if err != nil {
		return nil, err
	}
	v, err := uintParams(c, "index", "size")
	if err != nil {
		return nil, err
	}
	p, err := l.Inclusion(c.ctx(), v[0], v[1])
	if err != nil {
		return nil, err
	}
	return LedgerProof{Index: &v[0], Size: v[1], Hashes: ledger.B64(p)}, nil
}

func (s *server) ledgerConsistency(c *call) (any, error) {
	l, err := s.ledgerLog()
	if err != nil {
		return nil, err
	}
	v, err := uintParams(c, "from", "to")
	if err != nil {
		return nil, err
	}
	if v[0] == 0 {
		return nil, apperr.Fields("查询参数有误。", map[string]string{"from": "应大于0。"})
	}
	p, err := l.Consistency(c.ctx(), v[0], v[1])
	if err != nil {
		return nil, err
	}
	return LedgerProof{From: v[0], To: v[1], Hashes: ledger.B64(p)}, nil
}
