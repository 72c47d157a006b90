package seal

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"ggzy/internal/gm"
)

// Format constants (see the package documentation).
const (
	Magic            = "GGZY-SEALED-v1\n"
	Version          = "sealed-v1"
	DefaultChunkSize = 64 << 10
	MinChunkSize     = 1 << 10
	MaxChunkSize     = 4 << 20 // Open holds one chunk in memory
	MaxHeaderSize    = 256 << 10
	MaxTrailerSize   = 4 << 10
	MaxCustodians    = 32
	MaxPlaintextSize = 1 << 40 // keeps the chunk counter far below 2^32
	MaxIDLen         = 128

	keySize         = gm.SM4KeySize
	noncePrefixSize = 8
	tagSize         = gm.GCMTagSize
	maxShareCT      = 512 // an SM2 ciphertext of a 49-byte share is ~160 bytes
	keyCheckLabel   = "ggzy-seal-keycheck"
)

// Header is the signed description of a sealed bid. Its JSON form (the field
// order here is the canonical order) is what the file carries.
type Header struct {
	Version        string         `json:"version"`
	LotID          string         `json:"lot_id"`
	EntityID       string         `json:"entity_id"`
	Threshold      int            `json:"threshold"`
	Custodians     []CustodianRef `json:"custodians"`
	Shares         [][]byte       `json:"shares"` // SM2 ciphertexts, in custodian order
	KeyCheck       string         `json:"key_check"`
	NoncePrefix    string         `json:"nonce_prefix"`
	ChunkSize      int            `json:"chunk_size"`
	PlaintextSize  int64          `json:"plaintext_size"`
	CiphertextSize int64          `json:"ciphertext_size"`
	SignerKey      string         `json:"signer_key"`
	CreatedAt      time.Time      `json:"created_at"`

	// From the trailer: set by Seal, Check and Open, empty after ReadHeader.
	CiphertextSM3 string `json:"-"`
	Signature     []byte `json:"-"`

	raw []byte // the header bytes exactly as in the file
}

// CustodianRef names a custodian and its key (fingerprint) in a header.
type CustodianRef struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

// Raw returns the header bytes as they are in the file (what is signed).
func (h Header) Raw() []byte { return h.raw }

// Digest identifies the sealed bid: hex SM3(header bytes || raw ciphertext
// SM3), the digest of what the bidder signed. Empty until the trailer is known.
func (h Header) Digest() string {
	if h.CiphertextSM3 == "" {
		return ""
	}
	d, _ := hex.DecodeString(h.CiphertextSM3)
	return gm.SM3Hex(append(bytes.Clone(h.raw), d...))
}

// FileSize is the total size of the sealed file (trailer included).
func (h Header) FileSize() int64 {
	tl := 0
	if h.CiphertextSM3 != "" {
		t, _ := json.Marshal(trailer{CiphertextSM3: h.CiphertextSM3, Signature: h.Signature})
		tl = len(t)
	}
	return int64(len(Magic)+4+len(h.raw)) + h.CiphertextSize + 4 + int64(tl)
}

// trailer follows the chunks.
type trailer struct {
	CiphertextSM3 string `json:"ciphertext_sm3"`
	Signature     []byte `json:"signature"`
}

// numChunks is N = floor(P/C) + 1: the last chunk may be empty.
func numChunks(p int64, c int) int64 { return p/int64(c) + 1 }

// ciphertextSize is S = P + 16·N.
func ciphertextSize(p int64, c int) int64 { return p + tagSize*numChunks(p, c) }

// keyCheck is hex SM3("ggzy-seal-keycheck" || key).
func keyCheck(key []byte) string {
	return gm.SM3Hex(append([]byte(keyCheckLabel), key...))
}

// shareContext binds a share's plaintext to its lot and bid (doc: context).
func shareContext(h *Header) [32]byte {
	return gm.SM3([]byte(Version + "\x00" + h.LotID + "\x00" + h.EntityID + "\x00" + h.KeyCheck))
}

// chunkAAD is SM3(header) || uint32 i || last flag.
func chunkAAD(dst []byte, headerSum [32]byte, i uint32, last bool) []byte {
	dst = append(dst[:0], headerSum[:]...)
	dst = binary.BigEndian.AppendUint32(dst, i)
	if last {
		return append(dst, 1)
	}
	return append(dst, 0)
}

func chunkNonce(dst []byte, prefix []byte, i uint32) []byte {
	dst = append(dst[:0], prefix...)
	return binary.BigEndian.AppendUint32(dst, i)
}

// validID reports whether s may be an identifier in a header: ASCII letters,
// digits and "-_.:@", so JSON needs no escapes and the share context no
// separator escaping.
func validID(s string) bool {
	if len(s) == 0 || len(s) > MaxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == ':' || c == '@':
		default:
			return false
		}
	}
	return true
}

// validHex reports whether s is n bytes in lowercase hex.
func validHex(s string, n int) bool {
	if len(s) != 2*n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validateHeader checks everything a header must satisfy on its own; the
// message is the detail of a "格式错误" reason.
func validateHeader(h *Header) error {
	switch {
	case h.Version != Version:
		return errors.New("不支持的版本")
	case !validID(h.LotID):
		return errors.New("标段编号无效")
	case !validID(h.EntityID):
		return errors.New("投标人编号无效")
	case len(h.Custodians) < 2 || len(h.Custodians) > MaxCustodians:
		return fmt.Errorf("保管人数量须在 2 到 %d 之间", MaxCustodians)
	case h.Threshold < 2 || h.Threshold > len(h.Custodians):
		return errors.New("门限须大于 1 且不超过保管人数量")
	case len(h.Shares) != len(h.Custodians):
		return errors.New("密钥份额数量与保管人数量不符")
	case !validHex(h.KeyCheck, 32):
		return errors.New("密钥校验值无效")
	case !validHex(h.NoncePrefix, noncePrefixSize):
		return errors.New("随机数前缀无效")
	case h.ChunkSize < MinChunkSize || h.ChunkSize > MaxChunkSize:
		return errors.New("分块大小超出范围")
	case h.PlaintextSize < 0 || h.PlaintextSize > MaxPlaintextSize:
		return errors.New("明文大小超出范围")
	case h.CiphertextSize != ciphertextSize(h.PlaintextSize, h.ChunkSize):
		return errors.New("密文大小与明文大小不符")
	case !validHex(h.SignerKey, 32):
		return errors.New("签名密钥标识无效")
	case h.CreatedAt.IsZero():
		return errors.New("缺少封装时间")
	}
	ids := make(map[string]bool, len(h.Custodians))
	keys := make(map[string]bool, len(h.Custodians))
	for _, c := range h.Custodians {
		if !validID(c.ID) || !validHex(c.Key, 32) {
			return errors.New("保管人信息无效")
		}
		if ids[c.ID] || keys[c.Key] {
			return errors.New("保管人或其密钥重复")
		}
		ids[c.ID], keys[c.Key] = true, true
	}
	for _, s := range h.Shares {
		if len(s) == 0 || len(s) > maxShareCT {
			return errors.New("密钥份额无效")
		}
	}
	return nil
}

// parseCanonical unmarshals b into v and insists that b is v's canonical
// encoding (no unknown, duplicate, reordered or differently spelled members).
func parseCanonical(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	again, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if !bytes.Equal(again, b) {
		return errors.New("not in canonical form")
	}
	return nil
}

// readMagic reads and checks the magic, classifying a mismatch.
func readMagic(r io.Reader) error {
	var m [len(Magic)]byte
	n, err := io.ReadFull(r, m[:])
	if n == len(m) && string(m[:]) == Magic {
		return nil
	}
	if err != nil && !isEOF(err) {
		return err
	}
	if n > 0 && n < len(m) && string(m[:n]) == Magic[:n] {
		return newCheckError(CodeTruncated, nil)
	}
	return newCheckError(CodeUnencrypted, nil)
}

func isEOF(err error) bool { return err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) }

// readBlock reads a uint32 length (1..max) and that many bytes.
func readBlock(r io.Reader, max int, what string) ([]byte, error) {
	var l [4]byte
	if _, err := io.ReadFull(r, l[:]); err != nil {
		return nil, readErr(err)
	}
	n := binary.BigEndian.Uint32(l[:])
	if n == 0 || n > uint32(max) {
		return nil, malformed(what + "长度无效")
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, readErr(err)
	}
	return b, nil
}

// readErr turns an early end into "truncated" and wraps other read errors.
func readErr(err error) error {
	if isEOF(err) {
		return newCheckError(CodeTruncated, nil)
	}
	var ce *CheckError
	if errors.As(err, &ce) {
		return err
	}
	return fmt.Errorf("seal: read: %w", err)
}

// readHeader reads magic and header, and checks the header on its own.
func readHeader(r io.Reader) (Header, error) {
	if err := readMagic(r); err != nil {
		return Header{}, err
	}
	raw, err := readBlock(r, MaxHeaderSize, "文件头")
	if err != nil {
		return Header{}, err
	}
	var h Header
	if err := parseCanonical(raw, &h); err != nil {
		return Header{}, malformedErr("文件头不是规范的 JSON", err)
	}
	if err := validateHeader(&h); err != nil {
		return Header{}, malformedErr("文件头："+err.Error(), nil)
	}
	h.raw = raw
	return h, nil
}

// readTrailer reads the trailer and makes sure nothing follows it. The probe
// for extra bytes reads src itself, so a copy made through a tee stays exact.
func readTrailer(r, src io.Reader) (trailer, error) {
	raw, err := readBlock(r, MaxTrailerSize, "文件尾")
	if err != nil {
		return trailer{}, err
	}
	var t trailer
	if err := parseCanonical(raw, &t); err != nil {
		return trailer{}, malformedErr("文件尾不是规范的 JSON", err)
	}
	if !validHex(t.CiphertextSM3, 32) {
		return trailer{}, malformed("文件尾的密文摘要无效")
	}
	var one [1]byte
	n, err := io.ReadFull(src, one[:])
	if n > 0 {
		return trailer{}, malformed("文件尾之后有多余数据")
	}
	if err != nil && err != io.EOF {
		return trailer{}, fmt.Errorf("seal: read: %w", err)
	}
	return t, nil
}

// ReadHeader reads the magic and header of a sealed file and checks the
// header's own consistency (not its binding or signature). src is left at the
// first chunk. Custodians use it to see what they are asked to decrypt.
func ReadHeader(src io.Reader) (Header, error) {
	return readHeader(src)
}

// Binding is what a sealed file must be bound to: the lot, the bidder, and the
// lot's custody (custodians in the lot's order, and the threshold).
type Binding struct {
	LotID      string
	EntityID   string
	Custodians []Custodian
	Threshold  int
	// MaxSize, when positive, is the largest file accepted (Check only).
	MaxSize int64
}

// Custodian is one of a lot's key holders.
type Custodian struct {
	ID  string
	Key *gm.PublicKey
}

// complete reports a Binding the caller forgot to fill in (a programming
// error, so it is not a CheckError).
func (b Binding) complete() error {
	if b.LotID == "" || b.EntityID == "" || len(b.Custodians) == 0 || b.Threshold == 0 {
		return errors.New("seal: incomplete Binding")
	}
	for _, c := range b.Custodians {
		if c.Key == nil {
			return errors.New("seal: Binding custodian without key")
		}
	}
	return nil
}

// checkBinding compares a header with what the lot expects.
func checkBinding(h *Header, want Binding) error {
	if h.LotID != want.LotID {
		return newCheckError(CodeLot, nil)
	}
	if h.EntityID != want.EntityID {
		return newCheckError(CodeEntity, nil)
	}
	if h.Threshold != want.Threshold || len(h.Custodians) != len(want.Custodians) {
		return newCheckError(CodeCustody, nil)
	}
	for i, c := range want.Custodians {
		if h.Custodians[i].ID != c.ID || h.Custodians[i].Key != c.Key.Fingerprint() {
			return newCheckError(CodeCustody, nil)
		}
	}
	return nil
}
