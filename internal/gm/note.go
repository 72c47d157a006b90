package gm

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// NoteAlgorithm is the signature type prefix of SM2 keys in C2SP signed notes
// (c2sp.org/signed-note). The spec assigns no byte to SM2, and reserves 0xff
// for "signature types without an identifier byte assigned by this
// specification", recommending a longer identifier after it. Ours is
// 0xff followed by the ASCII "ggzy/sm2" (the project's name keeps it from
// colliding with someone else's SM2 scheme that hashes differently).
//
// The encoded public key is NoteAlgorithm || 65-byte uncompressed point
// (0x04 || X || Y); the key ID is, as the spec recommends,
//
//	SHA-256(name || 0x0A || NoteAlgorithm || point)[:4]   (big-endian uint32)
//
// and a signature is the ASN.1 DER SM2 signature (GB/T 32918.2, user ID
// 1234567812345678, SM3) of the note text, exactly as (*PrivateKey).Sign.
const NoteAlgorithm = "\xffggzy/sm2"

// Users see these when they configure a platform key for `ggzy verify`.
var (
	ErrNoteKeyName = errors.New("签名密钥名称无效（不能为空，不能含空白或“+”）")
	ErrNoteKey     = errors.New("签名验证密钥格式错误")
	ErrNoteKeyHash = errors.New("签名验证密钥的校验值不符")
)

// validNoteName is note's rule for key names (unexported there): non-empty,
// UTF-8, no spaces, no '+'.
func validNoteName(name string) bool {
	return name != "" && utf8.ValidString(name) &&
		strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}

// noteKey is the encoded public key: algorithm identifier || point.
func noteKey(pub *PublicKey) []byte {
	return append([]byte(NoteAlgorithm), pub.Bytes()...)
}

func noteKeyHash(name string, key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte("\n"))
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

type noteSigner struct {
	name string
	hash uint32
	k    *PrivateKey
}

func (s *noteSigner) Name() string    { return s.name }
func (s *noteSigner) KeyHash() uint32 { return s.hash }

// Sign draws its nonce from crypto/rand: note.Signer has no rand parameter.
func (s *noteSigner) Sign(msg []byte) ([]byte, error) { return s.k.Sign(rand.Reader, msg) }

type noteVerifier struct {
	name string
	hash uint32
	pub  *PublicKey
}

func (v *noteVerifier) Name() string                { return v.name }
func (v *noteVerifier) KeyHash() uint32             { return v.hash }
func (v *noteVerifier) Verify(msg, sig []byte) bool { return v.pub.Verify(msg, sig) }

// NewNoteSigner returns a signed-note signer named name that signs with k.
func NewNoteSigner(name string, k *PrivateKey) (note.Signer, error) {
	if !validNoteName(name) {
		return nil, ErrNoteKeyName
	}
	return &noteSigner{name: name, hash: noteKeyHash(name, noteKey(k.Public())), k: k}, nil
}

// NewNoteVerifier returns the signed-note verifier for pub under name.
func NewNoteVerifier(name string, pub *PublicKey) (note.Verifier, error) {
	if !validNoteName(name) {
		return nil, ErrNoteKeyName
	}
	return &noteVerifier{name: name, hash: noteKeyHash(name, noteKey(pub)), pub: pub}, nil
}

// VerifierKeyString returns the verifier key in the signed-note text form
// name+hash+base64(NoteAlgorithm || point), e.g. to publish next to the ledger.
func VerifierKeyString(name string, pub *PublicKey) string {
	key := noteKey(pub)
	return fmt.Sprintf("%s+%08x+%s", name, noteKeyHash(name, key), base64.StdEncoding.EncodeToString(key))
}

// NewNoteVerifierFromKey parses a verifier key made by VerifierKeyString.
func NewNoteVerifierFromKey(vkey string) (note.Verifier, error) {
	name, rest, ok1 := strings.Cut(vkey, "+")
	hash16, key64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 || !validNoteName(name) {
		return nil, ErrNoteKey
	}
	hash, err1 := strconv.ParseUint(hash16, 16, 32)
	key, err2 := base64.StdEncoding.Strict().DecodeString(key64)
	if len(hash16) != 8 || err1 != nil || err2 != nil {
		return nil, ErrNoteKey
	}
	if uint32(hash) != noteKeyHash(name, key) {
		return nil, ErrNoteKeyHash
	}
	point, ok := strings.CutPrefix(string(key), NoteAlgorithm)
	if !ok {
		return nil, ErrNoteKey
	}
	pub, err := ParsePublicKeyBytes([]byte(point))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoteKey, err)
	}
	return &noteVerifier{name: name, hash: uint32(hash), pub: pub}, nil
}
