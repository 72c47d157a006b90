package seal

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"ggzy/internal/gm"
)

// Params says how to seal a bid.
type Params struct {
	LotID, EntityID string
	Custodians      []Custodian // the lot's custodians, in the lot's order
	Threshold       int         // k: shares needed to open
	Signer          *gm.PrivateKey
	ChunkSize       int       // 0 means DefaultChunkSize
	Now             time.Time // the sealing time recorded in the header (required)
}

// Errors a bidder can meet while sealing.
var (
	ErrPlaintextSize = errors.New("投标文件大小与声明的大小不符")
	ErrTooLarge      = errors.New("投标文件过大")
	ErrBadParams     = errors.New("密封参数无效")
)

// Seal encrypts exactly plaintextSize bytes of plaintext into dst in the
// sealed-v1 format, in one pass with one chunk of memory, and returns the
// header (with the trailer's digest and signature). rand supplies the key,
// nonce prefix, Shamir coefficients and SM2 randomness (crypto/rand.Reader).
// If plaintext holds fewer or more bytes than declared, Seal fails with
// ErrPlaintextSize after having written part of dst, which must be discarded.
func Seal(dst io.Writer, plaintext io.Reader, plaintextSize int64, p Params, rand io.Reader) (Header, error) {
	if err := p.validate(plaintextSize); err != nil {
		return Header{}, err
	}
	chunk := p.ChunkSize
	if chunk == 0 {
		chunk = DefaultChunkSize
	}

	key := make([]byte, keySize)
	defer clear(key)
	prefix := make([]byte, noncePrefixSize)
	if _, err := io.ReadFull(rand, key); err != nil {
		return Header{}, fmt.Errorf("seal: random key: %w", err)
	}
	if _, err := io.ReadFull(rand, prefix); err != nil {
		return Header{}, fmt.Errorf("seal: random nonce prefix: %w", err)
	}

	h := Header{
		Version:        Version,
		LotID:          p.LotID,
		EntityID:       p.EntityID,
		Threshold:      p.Threshold,
		KeyCheck:       keyCheck(key),
		NoncePrefix:    hex.EncodeToString(prefix),
		ChunkSize:      chunk,
		PlaintextSize:  plaintextSize,
		CiphertextSize: ciphertextSize(plaintextSize, chunk),
		SignerKey:      p.Signer.Public().Fingerprint(),
		CreatedAt:      p.Now.UTC().Truncate(time.Second),
	}
	for _, c := range p.Custodians {
		h.Custodians = append(h.Custodians, CustodianRef{ID: c.ID, Key: c.Key.Fingerprint()})
	}
	ys, err := splitSecret(key, len(p.Custodians), p.Threshold, rand)
	if err != nil {
		return Header{}, err
	}
	ctx := shareContext(&h)
	for i, c := range p.Custodians {
		pt := append(append([]byte{byte(i + 1)}, ys[i]...), ctx[:]...)
		ct, err := c.Key.Encrypt(rand, pt)
		clear(pt)
		clear(ys[i])
		if err != nil {
			return Header{}, err
		}
		h.Shares = append(h.Shares, ct)
	}
	if err := validateHeader(&h); err != nil {
		return Header{}, fmt.Errorf("%w: %v", ErrBadParams, err)
	}
	raw, err := json.Marshal(&h)
	if err != nil {
		return Header{}, fmt.Errorf("seal: header: %w", err)
	}
	if len(raw) > MaxHeaderSize {
		return Header{}, fmt.Errorf("%w: 文件头过大", ErrBadParams)
	}
	h.raw = raw

	out := make([]byte, 0, len(Magic)+4+len(raw))
	out = append(out, Magic...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(raw)))
	out = append(out, raw...)
	if _, err := dst.Write(out); err != nil {
		return Header{}, fmt.Errorf("seal: write: %w", err)
	}

	aead, err := gm.NewSM4GCM(key)
	if err != nil {
		return Header{}, err
	}
	headerSum := gm.SM3(raw)
	digest := gm.NewSM3()
	buf := make([]byte, chunk+tagSize)
	var nonce, aad []byte
	n := numChunks(plaintextSize, chunk)
	for i := int64(0); i < n; i++ {
		size := chunk
		if i == n-1 {
			size = int(plaintextSize % int64(chunk))
		}
		if _, err := io.ReadFull(plaintext, buf[:size]); err != nil {
			if isEOF(err) {
				return Header{}, ErrPlaintextSize
			}
			return Header{}, fmt.Errorf("seal: read plaintext: %w", err)
		}
		nonce = chunkNonce(nonce, prefix, uint32(i))
		aad = chunkAAD(aad, headerSum, uint32(i), i == n-1)
		ct := aead.Seal(buf[:0], nonce, buf[:size], aad)
		digest.Write(ct)
		if _, err := dst.Write(ct); err != nil {
			return Header{}, fmt.Errorf("seal: write: %w", err)
		}
	}
	clear(buf)
	var one [1]byte
	if m, _ := io.ReadFull(plaintext, one[:]); m > 0 {
		return Header{}, ErrPlaintextSize
	}

	sum := digest.Sum(nil)
	sig, err := p.Signer.Sign(rand, append(raw[:len(raw):len(raw)], sum...))
	if err != nil {
		return Header{}, err
	}
	t, err := json.Marshal(trailer{CiphertextSM3: hex.EncodeToString(sum), Signature: sig})
	if err != nil {
		return Header{}, fmt.Errorf("seal: trailer: %w", err)
	}
	out = binary.BigEndian.AppendUint32(out[:0], uint32(len(t)))
	out = append(out, t...)
	if _, err := dst.Write(out); err != nil {
		return Header{}, fmt.Errorf("seal: write: %w", err)
	}
	h.CiphertextSM3 = hex.EncodeToString(sum)
	h.Signature = sig
	return h, nil
}

func (p *Params) validate(plaintextSize int64) error {
	switch {
	case p.Signer == nil:
		return fmt.Errorf("%w: 缺少投标人签名密钥", ErrBadParams)
	case p.Now.IsZero():
		return errors.New("seal: Params.Now is required")
	case plaintextSize < 0:
		return ErrPlaintextSize
	case plaintextSize > MaxPlaintextSize:
		return ErrTooLarge
	case p.ChunkSize != 0 && (p.ChunkSize < MinChunkSize || p.ChunkSize > MaxChunkSize):
		return fmt.Errorf("%w: 分块大小须在 %d 到 %d 字节之间", ErrBadParams, MinChunkSize, MaxChunkSize)
	}
	for _, c := range p.Custodians {
		if c.Key == nil {
			return fmt.Errorf("%w: 保管人 %s 缺少公钥", ErrBadParams, c.ID)
		}
	}
	// The remaining rules (IDs, counts, threshold, duplicates) are the
	// header's, checked once the header is built.
	if len(p.Custodians) < 2 || len(p.Custodians) > MaxCustodians ||
		p.Threshold < 2 || p.Threshold > len(p.Custodians) {
		return fmt.Errorf("%w: 门限须大于 1 且不超过保管人数量（2 到 %d 个）", ErrBadParams, MaxCustodians)
	}
	return nil
}
