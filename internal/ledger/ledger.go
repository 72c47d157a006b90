// Package ledger defines the append-only record of every state change
// (全过程留痕). An entry has a public part and a private part; the private part
// is published only as a salted SM3 commitment, so the public log never leaks
// what the law keeps secret (bidders before the opening, IPs, identities), while
// auditors can read it and anyone can check a later reveal (DESIGN.md §6.1).
package ledger

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"ggzy/internal/gm"
	"ggzy/internal/ids"
)

// Confidential is the public type of entries whose very kind is secret until
// the law allows (a document download or a bid before the opening).
const Confidential = "confidential.submission"

// Entry is one ledger record.
type Entry struct {
	Index      int64           // 0-based position, final at commit
	At         time.Time       // UTC
	Type       string          // public type, e.g. "tender.published"
	Subject    string          // public subject (lot code, project code), "" when confidential
	Public     json.RawMessage // canonical JSON, published
	Private    json.RawMessage // canonical JSON, auditors only
	Salt       string          // random, kept with Private
	Commitment string          // hex SM3(salt || private), published
}

// Draft is what a use case hands to AppendLedger.
type Draft struct {
	Type    string
	Subject string
	Public  any
	Private any // actor, IP, and anything not yet public
}

// Seal turns a draft into an entry at time at (index is set by the store).
func Seal(d Draft, at time.Time) (Entry, error) {
	pub, err := Canonical(d.Public)
	if err != nil {
		return Entry{}, err
	}
	priv, err := Canonical(d.Private)
	if err != nil {
		return Entry{}, err
	}
	salt := ids.Token(16)
	return Entry{At: at.UTC().Truncate(time.Microsecond), Type: d.Type, Subject: d.Subject, Public: pub, Private: priv, Salt: salt, Commitment: Commit(salt, priv)}, nil
}

// Commit is the salted commitment to private content.
func Commit(salt string, private []byte) string {
	h := gm.NewSM3()
	h.Write([]byte(salt))
	h.Write([]byte{0})
	h.Write(private)
	return hex.EncodeToString(h.Sum(nil))
}

// Canonical encodes v as stable JSON: encoding/json with map keys sorted (as
// it always does), struct fields in declaration order, no HTML escaping, no
// trailing newline. The same value always gives the same bytes, and the
// stored bytes are what leaf hashes and commitments cover, so nobody ever
// has to re-derive them from the meaning. (One encoding pass: this runs in
// every write, and a decode/re-encode round trip cost a tenth of a bid.)
func Canonical(v any) (json.RawMessage, error) {
	if v == nil {
		return json.RawMessage("{}"), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("ledger: encode: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// LeafData is the canonical public content of an entry: what its Merkle leaf
// hashes. It covers the commitment, not the private part.
func (e Entry) LeafData() ([]byte, error) {
	return LeafData(e.Index, FormatTime(e.At), e.Type, e.Subject, e.Public, e.Commitment)
}

// LeafData builds leaf content from published fields, so a monitor that only
// has the published entry recomputes the same bytes.
func LeafData(index int64, at, typ, subject string, public json.RawMessage, commitment string) ([]byte, error) {
	return Canonical(map[string]any{
		"index":      index,
		"at":         at,
		"type":       typ,
		"subject":    subject,
		"public":     public,
		"commitment": commitment,
	})
}

// FormatTime is how entry times are written in leaves and published.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Verify checks that the private part matches the commitment.
func (e Entry) Verify() bool { return Commit(e.Salt, e.Private) == e.Commitment }

// Published is an entry as the public sees it: exactly what its Merkle leaf
// hashes (LeafData), so anyone can recompute the leaf.
type Published struct {
	Index      int64           `json:"index" doc:"序号（从0开始）"`
	At         string          `json:"at" doc:"时间（RFC 3339，UTC，微秒）"`
	Type       string          `json:"type" doc:"类型；confidential.submission 表示依法保密的提交"`
	Subject    string          `json:"subject" doc:"对象（标段编号等），保密时为空"`
	Public     json.RawMessage `json:"public" doc:"公开内容（原样字节）"`
	Commitment string          `json:"commitment" doc:"不公开部分的加盐 SM3 承诺（十六进制）"`
}

// Publish returns the public view of e.
func (e Entry) Publish() Published {
	pub := e.Public
	if pub == nil {
		pub = json.RawMessage("null")
	}
	return Published{Index: e.Index, At: FormatTime(e.At), Type: e.Type, Subject: e.Subject, Public: pub, Commitment: e.Commitment}
}

// LeafHash recomputes the leaf hash of a published entry.
func (p Published) LeafHash() ([]byte, error) {
	d, err := LeafData(p.Index, p.At, p.Type, p.Subject, p.Public, p.Commitment)
	if err != nil {
		return nil, err
	}
	return Hasher{}.HashLeaf(d), nil
}

// Revealed is the type of an entry that discloses an earlier entry's private
// part once the law allows (the opening, the end of an evaluation, a deal).
const Revealed = "ledger.revealed"

// Reveal is the public part of a Revealed entry. Private is the exact bytes
// committed to, as a string, so the check needs no re-encoding:
// Commit(Salt, Private) must equal the commitment of entry Of.
type Reveal struct {
	Of      int64  `json:"of"`
	Salt    string `json:"salt"`
	Private string `json:"private"`
}

// RevealDraft discloses e's private part under subject.
func RevealDraft(e Entry, subject string) Draft {
	return Draft{Type: Revealed, Subject: subject, Public: Reveal{Of: e.Index, Salt: e.Salt, Private: string(e.Private)}}
}

// Check reports whether the reveal opens the commitment.
func (r Reveal) Check(commitment string) bool {
	return Commit(r.Salt, []byte(r.Private)) == commitment
}
