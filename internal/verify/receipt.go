package verify

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"ggzy/internal/ledger"
)

// ReceiptVersion marks the receipt format.
const ReceiptVersion = ledger.ReceiptVersion

// Receipt is the document a bidder downloads when a bid is accepted (回执);
// the type lives in package ledger so the API can issue it.
type Receipt = ledger.Receipt

// BuildReceipt assembles a receipt for entry e (with its private part and
// salt) from the checkpoint note covering it and the inclusion proof, and
// verifies it with verifierKey before returning it: a receipt that would
// not verify must never reach a bidder.
func BuildReceipt(e ledger.Entry, contentHash string, statement json.RawMessage, checkpoint []byte, proof [][]byte, verifierKey string) (Receipt, error) {
	cp, err := unverifiedCheckpoint(checkpoint)
	if err != nil {
		return Receipt{}, fmt.Errorf("verify: build receipt: %w", err)
	}
	r := ledger.NewReceipt(e, contentHash, statement, cp.Origin, checkpoint, proof, verifierKey)
	v, err := verifierFromKey(verifierKey)
	if err != nil {
		return Receipt{}, fmt.Errorf("verify: build receipt: %w", err)
	}
	if err := VerifyReceipt(r, v); err != nil {
		return Receipt{}, fmt.Errorf("verify: build receipt: self-check failed: %w", err)
	}
	return r, nil
}

// FaultKind classifies why a receipt failed.
type FaultKind int

// The ways a receipt can fail, each with its own message.
const (
	FaultFormat      FaultKind = iota + 1 // not a receipt of this version, or a field is malformed
	FaultSignature                        // the checkpoint is not signed by the key
	FaultOrigin                           // the checkpoint is of another log
	FaultCommitment                       // the private part and salt do not open the entry's commitment
	FaultContentHash                      // the committed content hash is not the receipt's
	FaultInclusion                        // the entry is not in the signed tree
	FaultStatement                        // the human-readable statement says something else
)

// Fault is one failed check.
type Fault struct {
	Kind FaultKind
	Msg  string
}

// ReceiptError lists every check a receipt failed.
type ReceiptError struct {
	Faults []Fault
}

func (e *ReceiptError) Error() string {
	msgs := make([]string, len(e.Faults))
	for i, f := range e.Faults {
		msgs[i] = f.Msg
	}
	return strings.Join(msgs, "；")
}

// Has reports whether the receipt failed a check of kind k.
func (e *ReceiptError) Has(k FaultKind) bool {
	for _, f := range e.Faults {
		if f.Kind == k {
			return true
		}
	}
	return false
}

// VerifyReceipt checks a receipt against the verifier v: the checkpoint's
// signature and origin, the commitment, the content hash, the inclusion of
// the entry in the signed tree, and that the statement agrees with all
// that. It returns nil or a *ReceiptError listing each failure.
func VerifyReceipt(r Receipt, v note.Verifier) error {
	c := &receiptCheck{r: r}
	c.run(v)
	if len(c.faults) == 0 {
		return nil
	}
	return &ReceiptError{Faults: c.faults}
}

type receiptCheck struct {
	r       Receipt
	private map[string]json.RawMessage // the private part's fields, when it is a JSON object
	faults  []Fault
}

func (c *receiptCheck) fail(k FaultKind, format string, args ...any) {
	c.faults = append(c.faults, Fault{Kind: k, Msg: fmt.Sprintf(format, args...)})
}

func (c *receiptCheck) run(v note.Verifier) {
	if c.r.Version != ReceiptVersion {
		c.fail(FaultFormat, "不是可识别的回执（版本应为 %s）", ReceiptVersion)
		return
	}
	cp, err := openCheckpoint([]byte(c.r.Checkpoint), v)
	signed := err == nil
	if !signed {
		c.fail(FaultSignature, "回执中的检查点未通过签名核验：%v", err)
	} else if cp.Origin != c.r.Origin {
		c.fail(FaultOrigin, "检查点的来源标识 %q 与回执所称的 %q 不符", cp.Origin, c.r.Origin)
	}
	c.commitment()
	c.contentHash()
	// Inclusion means something only against a root the platform signed.
	if signed {
		c.inclusion(cp)
	}
	c.statement()
}

func (c *receiptCheck) commitment() {
	if ledger.Commit(c.r.Salt, []byte(c.r.Private)) != c.r.Entry.Commitment {
		c.fail(FaultCommitment, "回执中的不公开内容与盐不能打开留痕记录 %d 的承诺（内容、盐或承诺被改动）", c.r.Entry.Index)
	}
}

// contentHash compares the hash the entry committed to with the receipt's.
func (c *receiptCheck) contentHash() {
	if err := json.Unmarshal([]byte(c.r.Private), &c.private); err != nil {
		c.private = nil
		c.fail(FaultContentHash, "回执中的不公开内容不是 JSON 对象，无法核对投标文件摘要")
		return
	}
	var committed string
	if raw, ok := c.private["content_sm3"]; ok {
		if json.Unmarshal(raw, &committed) != nil || committed == "" {
			c.fail(FaultContentHash, "留痕记录中的投标文件摘要格式错误")
			return
		}
	}
	if committed == "" && c.r.ContentHash == "" {
		return // a receipt of an entry without content (e.g. a withdrawal)
	}
	if !isSM3Hex(c.r.ContentHash) || !strings.EqualFold(committed, c.r.ContentHash) {
		c.fail(FaultContentHash, "投标文件的 SM3 摘要 %q 与留痕记录中承诺的 %q 不符", c.r.ContentHash, committed)
	}
}

func isSM3Hex(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == ledger.HashSize
}

func (c *receiptCheck) inclusion(cp ledger.Checkpoint) {
	e := c.r.Entry
	if e.Index < 0 || uint64(e.Index) >= cp.Size {
		c.fail(FaultInclusion, "留痕序号 %d 不在检查点（规模 %d）的树内", e.Index, cp.Size)
		return
	}
	leaf, err := e.LeafHash()
	if err != nil {
		c.fail(FaultInclusion, "留痕记录 %d 的内容无法解析：%v", e.Index, err)
		return
	}
	proof, err := ledger.UnB64(c.r.Inclusion)
	if err == nil {
		err = ledger.VerifyInclusion(uint64(e.Index), cp.Size, leaf, proof, cp.Root)
	}
	if err != nil {
		c.fail(FaultInclusion, "留痕记录 %d 不在已签名的树中（包含性证明未通过）", e.Index)
	}
}

// statement checks that each fact the human-readable statement states, when
// present, is the one the verified parts say: the statement itself is not
// signed, so it must not be able to claim anything else.
func (c *receiptCheck) statement() {
	s := bytes.TrimSpace(c.r.Statement)
	if len(s) == 0 || string(s) == "null" {
		return
	}
	var st map[string]json.RawMessage
	if err := json.Unmarshal(s, &st); err != nil {
		c.fail(FaultStatement, "回执说明不是 JSON 对象")
		return
	}
	c.sameAs(st, "ledger_index", "留痕序号", c.r.Entry.Index)
	if raw, ok := st["content_hash"]; ok {
		var h string
		if json.Unmarshal(raw, &h) != nil || !strings.EqualFold(h, c.r.ContentHash) {
			c.fail(FaultStatement, "回执说明中的投标文件摘要与已核验的不符")
		}
	}
	// Statement fields that repeat the committed private part.
	for _, f := range []struct{ key, private, label string }{
		{"bid_id", "bid", "投标编号"}, {"lot_code", "lot", "标段编号"}, {"entity_id", "entity", "投标人"}, {"version", "version", "版本"},
	} {
		if raw, ok := c.private[f.private]; ok {
			var want any
			if json.Unmarshal(raw, &want) == nil {
				c.sameAs(st, f.key, f.label, want)
			}
		}
	}
	c.sameTime(st)
}

// sameAs fails when st[key] is present and is not want (compared as JSON
// values, so 7 and 7.0 agree).
func (c *receiptCheck) sameAs(st map[string]json.RawMessage, key, label string, want any) {
	raw, ok := st[key]
	if !ok {
		return
	}
	var got any
	wantJSON, _ := json.Marshal(want)
	var wantVal any
	if json.Unmarshal(raw, &got) != nil || json.Unmarshal(wantJSON, &wantVal) != nil || !reflect.DeepEqual(got, wantVal) {
		c.fail(FaultStatement, "回执说明中的%s与已核验的内容不符", label)
	}
}

// sameTime compares submitted_at with the entry's time as instants (the
// statement may use another zone; the ledger keeps microseconds).
func (c *receiptCheck) sameTime(st map[string]json.RawMessage) {
	raw, ok := st["submitted_at"]
	if !ok {
		return
	}
	var got time.Time
	want, err := time.Parse(time.RFC3339Nano, c.r.Entry.At)
	if err != nil || json.Unmarshal(raw, &got) != nil || !got.Truncate(time.Microsecond).Equal(want.Truncate(time.Microsecond)) {
		c.fail(FaultStatement, "回执说明中的递交时间与留痕记录的时间不符")
	}
}

// ParseReceipt reads a receipt file's bytes.
func ParseReceipt(b []byte) (Receipt, error) {
	var r Receipt
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("文件不是 JSON 格式的回执：%v", err)
	}
	return r, nil
}
