package seal

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"ggzy/internal/gm"
)

// tee copies what is read from r to w, and remembers a write error apart from
// read errors (a full disk is not the bidder's fault).
type tee struct {
	r    io.Reader
	w    io.Writer
	n    int64 // bytes read
	werr error
}

func (t *tee) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.n += int64(n)
	if n > 0 {
		if _, werr := t.w.Write(p[:n]); werr != nil {
			t.werr = fmt.Errorf("seal: write copy: %w", werr)
			return n, t.werr
		}
	}
	return n, err
}

// Check verifies a sealed file as it arrives, in one pass and bounded memory,
// and copies exactly the bytes it read to dst (nil: discard), so the server
// stores the file while checking it. dst holds a partial file if Check fails.
//
// It checks the magic, the header's form, the binding to want (lot, bidder,
// custodians in order with their keys, threshold, and want.MaxSize), the
// ciphertext length, the ciphertext digest and the signature, made with the key
// keyOf returns for the header's signer_key fingerprint (keyOf should return
// an error unless that fingerprint is a key registered to want.EntityID).
//
// A refusal is a *CheckError; other errors are reading or writing failures.
func Check(src io.Reader, want Binding, keyOf func(fingerprint string) (*gm.PublicKey, error), dst io.Writer) (Header, error) {
	if err := want.complete(); err != nil {
		return Header{}, err
	}
	if dst == nil {
		dst = io.Discard
	}
	t := &tee{r: src, w: dst}
	h, err := check(t, src, want, keyOf)
	if t.werr != nil {
		return Header{}, t.werr
	}
	return h, err
}

func check(t *tee, src io.Reader, want Binding, keyOf func(string) (*gm.PublicKey, error)) (Header, error) {
	h, err := readHeader(t)
	if err != nil {
		return Header{}, err
	}
	if err := checkBinding(&h, want); err != nil {
		return Header{}, err
	}
	if want.MaxSize > 0 && int64(len(Magic)+4+len(h.raw))+h.CiphertextSize+4 > want.MaxSize {
		return Header{}, newCheckError(CodeTooLarge, nil)
	}
	pub, err := keyOf(h.SignerKey)
	if err != nil || pub == nil || pub.Fingerprint() != h.SignerKey {
		return Header{}, newCheckError(CodeUnknownKey, err)
	}

	digest := gm.NewSM3()
	buf := make([]byte, 64<<10)
	n, err := io.CopyBuffer(digest, io.LimitReader(t, h.CiphertextSize), buf)
	if err != nil {
		return Header{}, readErr(err)
	}
	if n < h.CiphertextSize {
		return Header{}, newCheckError(CodeTruncated, nil)
	}
	tr, err := readTrailer(t, src)
	if err != nil {
		return Header{}, err
	}
	if want.MaxSize > 0 && t.n > want.MaxSize {
		return Header{}, newCheckError(CodeTooLarge, nil)
	}
	if len(tr.Signature) == 0 {
		return Header{}, newCheckError(CodeUnsigned, nil)
	}
	sum := digest.Sum(nil)
	if hex.EncodeToString(sum) != tr.CiphertextSM3 {
		return Header{}, newCheckError(CodeDigest, nil)
	}
	if !pub.Verify(append(bytes.Clone(h.raw), sum...), tr.Signature) {
		return Header{}, newCheckError(CodeBadSignature, nil)
	}
	h.CiphertextSM3, h.Signature = tr.CiphertextSM3, tr.Signature
	return h, nil
}

// Open decrypts a sealed file with its content key (from RecoverKey) and
// writes the plaintext to dst, one authenticated chunk at a time. It checks
// the binding to want (want.MaxSize is ignored), the key against key_check,
// every chunk's tag and the chunk order and count (each chunk's additional
// data binds the header, its position and the last-chunk flag, so nothing can
// be changed, moved, dropped or appended unnoticed). It does not hash the
// ciphertext again: the trailer's digest and the bidder's signature over it
// were checked on arrival by Check (call Check to verify them again); a
// second SM3 pass would only slow the opening down.
//
// On error, what was written to dst is not authenticated as a whole (it may
// be a prefix, or the file may have been changed after it): the caller must
// discard it.
func Open(src io.Reader, key []byte, want Binding, dst io.Writer) (Header, error) {
	if err := want.complete(); err != nil {
		return Header{}, err
	}
	h, err := readHeader(src)
	if err != nil {
		return Header{}, err
	}
	if err := checkBinding(&h, want); err != nil {
		return Header{}, err
	}
	if len(key) != keySize || keyCheck(key) != h.KeyCheck {
		return Header{}, newCheckError(CodeWrongKey, nil)
	}
	aead, err := gm.NewSM4GCM(key)
	if err != nil {
		return Header{}, err
	}
	prefix, _ := hex.DecodeString(h.NoncePrefix)
	headerSum := gm.SM3(h.raw)
	buf := make([]byte, h.ChunkSize+tagSize)
	var nonce, aad []byte
	n := numChunks(h.PlaintextSize, h.ChunkSize)
	for i := int64(0); i < n; i++ {
		size := h.ChunkSize
		if i == n-1 {
			size = int(h.PlaintextSize % int64(h.ChunkSize))
		}
		ct := buf[:size+tagSize]
		if _, err := io.ReadFull(src, ct); err != nil {
			return Header{}, readErr(err)
		}
		nonce = chunkNonce(nonce, prefix, uint32(i))
		aad = chunkAAD(aad, headerSum, uint32(i), i == n-1)
		pt, err := aead.Open(ct[:0], nonce, ct, aad)
		if err != nil {
			return Header{}, newCheckError(CodeDecrypt, err)
		}
		if _, err := dst.Write(pt); err != nil {
			return Header{}, fmt.Errorf("seal: write plaintext: %w", err)
		}
	}
	clear(buf)
	tr, err := readTrailer(src, src)
	if err != nil {
		return Header{}, err
	}
	h.CiphertextSM3, h.Signature = tr.CiphertextSM3, tr.Signature
	return h, nil
}

// ErrNotCustodian and the other custodian-side errors are shown to custodians.
var (
	ErrNotCustodian = errors.New("该密封投标文件没有此保管人")
	ErrCustodianKey = errors.New("私钥与该保管人登记的公钥不符")
	ErrShareDecrypt = errors.New("密钥份额解密失败")
	ErrShareContext = errors.New("密钥份额不属于该标段的该投标文件")
)

// DecryptShare decrypts custodian custodianID's share of h's key with the
// custodian's private key k. It checks that the share was made for h's lot,
// bidder and key (the share context), so a share of another lot smuggled
// into a header is refused. The caller must still check that h.LotID is the
// lot being opened and that its deadline has passed.
func DecryptShare(h Header, custodianID string, k *gm.PrivateKey) (Share, error) {
	i := -1
	for j, c := range h.Custodians {
		if c.ID == custodianID {
			i = j
		}
	}
	if i < 0 || i >= len(h.Shares) {
		return Share{}, ErrNotCustodian
	}
	if k.Public().Fingerprint() != h.Custodians[i].Key {
		return Share{}, ErrCustodianKey
	}
	pt, err := k.Decrypt(h.Shares[i])
	if err != nil {
		return Share{}, fmt.Errorf("%w: %v", ErrShareDecrypt, err)
	}
	defer clear(pt)
	ctx := shareContext(&h)
	if len(pt) != 1+keySize+len(ctx) || !bytes.Equal(pt[1+keySize:], ctx[:]) {
		return Share{}, ErrShareContext
	}
	if pt[0] != byte(i+1) {
		return Share{}, ErrShareContext
	}
	return Share{X: pt[0], Y: bytes.Clone(pt[1 : 1+keySize])}, nil
}
