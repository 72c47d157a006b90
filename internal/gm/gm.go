// Package gm wraps the national commercial cryptography (商用密码) the platform
// uses: SM2 signatures and public-key encryption, the SM3 hash and SM4-GCM.
//
// It is the one place that knows the gmsm library, so the library's older API
// (v0.15.5, the only version served here) and its choices (user ID, ciphertext
// layout, key encodings) are fixed once:
//
//   - SM2 signatures follow GB/T 32918.2: the message is hashed as
//     SM3(Z || msg) with Z computed from the default user ID
//     "1234567812345678"; the signature is ASN.1 DER SEQUENCE{r, s}.
//     OpenSSL 3.0 verifies them with `openssl pkeyutl -verify -rawin
//     -digest sm3 -pkeyopt distid:1234567812345678` (its pkeyutl does not
//     default to that ID).
//   - SM2 encryption follows GB/T 32918.4 with the ASN.1 ciphertext
//     SEQUENCE{x, y, C3 hash, C2 ciphertext} (C1C3C2 order), as GM/T 0009.
//   - Public keys travel as PKIX "PUBLIC KEY" PEM; a key is named by its
//     Fingerprint, the hex SM3 of that DER encoding.
//   - Private keys are stored as encrypted PKCS#8 ("ENCRYPTED PRIVATE KEY",
//     PBES2 with scrypt and SM4-CBC), readable by OpenSSL 3 too.
//
// The package builds for GOOS=js GOARCH=wasm: it touches no files.
package gm

import (
	"crypto/cipher"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/emmansun/gmsm/pkcs8"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
	"github.com/emmansun/gmsm/smx509"
)

// Sizes of the primitives, for callers that lay out formats.
const (
	SM3Size      = sm3.Size // bytes in an SM3 digest
	SM4KeySize   = 16       // bytes in an SM4 key
	GCMNonceSize = 12       // bytes in an SM4-GCM nonce
	GCMTagSize   = 16       // bytes in an SM4-GCM tag
)

// DefaultUID is the SM2 distinguishing identifier used for every signature
// (the GB/T 32918.2 default; OpenSSL 3.0 must be given it: -pkeyopt distid:...).
const DefaultUID = "1234567812345678"

// PEM block types.
const (
	pemPublicKey           = "PUBLIC KEY"
	pemPrivateKey          = "PRIVATE KEY"
	pemEncryptedPrivateKey = "ENCRYPTED PRIVATE KEY"
)

// scrypt parameters for stored private keys: N=2^14, r=8, p=1 (16 MiB, a
// fraction of a second) is OpenSSL's own default and the most its default
// memory limit (32 MiB) lets it read; bearable in a browser (WebAssembly), and
// memory-hard for a passphrase guesser.
const (
	scryptN    = 1 << 14
	scryptR    = 8
	scryptP    = 1
	scryptSalt = 16
)

// Errors shown to users (the platform displays them as they are).
var (
	ErrPassphrase         = errors.New("私钥口令错误")
	ErrPassphraseRequired = errors.New("私钥已加密，需要输入口令")
	ErrUnencryptedKey     = errors.New("私钥未加密保存，拒绝使用：请用口令加密后再导入")
	ErrNotSM2Key          = errors.New("密钥不是 SM2 密钥")
	ErrBadKeyFile         = errors.New("密钥文件格式错误")
	ErrEmptyPassphrase    = errors.New("口令不能为空")
)

// PrivateKey is an SM2 private key.
type PrivateKey struct {
	k *sm2.PrivateKey
}

// PublicKey is an SM2 public key.
type PublicKey struct {
	k *ecdsa.PublicKey
}

// GenerateKey makes a new SM2 key pair from rand.
func GenerateKey(rand io.Reader) (*PrivateKey, error) {
	k, err := sm2.GenerateKey(rand)
	if err != nil {
		return nil, fmt.Errorf("gm: generate SM2 key: %w", err)
	}
	return &PrivateKey{k: k}, nil
}

// Public returns the public half of k.
func (k *PrivateKey) Public() *PublicKey {
	pub := k.k.PublicKey
	return &PublicKey{k: &pub}
}

// Sign signs msg (the whole message, not a digest) the GB/T 32918.2 way:
// e = SM3(Z_A || msg) with the default user ID; the result is ASN.1 DER.
func (k *PrivateKey) Sign(rand io.Reader, msg []byte) ([]byte, error) {
	sig, err := k.k.Sign(rand, msg, sm2.NewSM2SignerOption(true, []byte(DefaultUID)))
	if err != nil {
		return nil, fmt.Errorf("gm: SM2 sign: %w", err)
	}
	return sig, nil
}

// Verify reports whether sig is k's valid signature (as made by Sign) of msg.
func (k *PublicKey) Verify(msg, sig []byte) bool {
	if k == nil || k.k == nil {
		return false
	}
	return sm2.VerifyASN1WithSM2(k.k, []byte(DefaultUID), msg, sig)
}

// Encrypt encrypts plaintext to k with SM2 (ASN.1, C1C3C2).
func (k *PublicKey) Encrypt(rand io.Reader, plaintext []byte) ([]byte, error) {
	ct, err := sm2.EncryptASN1(rand, k.k, plaintext)
	if err != nil {
		return nil, fmt.Errorf("gm: SM2 encrypt: %w", err)
	}
	return ct, nil
}

// Decrypt decrypts an SM2 ciphertext made by (*PublicKey).Encrypt.
func (k *PrivateKey) Decrypt(ciphertext []byte) ([]byte, error) {
	pt, err := k.k.Decrypt(nil, ciphertext, sm2.ASN1DecrypterOpts)
	if err != nil {
		return nil, fmt.Errorf("gm: SM2 decrypt: %w", err)
	}
	return pt, nil
}

// Bytes returns the uncompressed point 0x04 || X || Y (65 bytes).
func (k *PublicKey) Bytes() []byte {
	out := make([]byte, 65)
	out[0] = 4
	k.k.X.FillBytes(out[1:33])
	k.k.Y.FillBytes(out[33:])
	return out
}

// ParsePublicKeyBytes parses an uncompressed point as made by Bytes.
func ParsePublicKeyBytes(b []byte) (*PublicKey, error) {
	if len(b) != 65 || b[0] != 4 {
		return nil, ErrNotSM2Key
	}
	// Going through PKIX reuses the library's on-curve check.
	der := append([]byte(pkixSM2Prefix), b...)
	return ParsePublicKeyDER(der)
}

// pkixSM2Prefix is the fixed DER prefix of an SM2 SubjectPublicKeyInfo:
// SEQUENCE { SEQUENCE { id-ecPublicKey, sm2p256v1 }, BIT STRING (65 bytes) }.
const pkixSM2Prefix = "\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01" +
	"\x06\x08\x2a\x81\x1c\xcf\x55\x01\x82\x2d\x03\x42\x00"

// DER returns the PKIX (SubjectPublicKeyInfo) DER encoding of k.
func (k *PublicKey) DER() []byte {
	der, err := smx509.MarshalPKIXPublicKey(k.k)
	if err != nil {
		// A key that came from this package is always on the SM2 curve.
		panic("gm: marshal SM2 public key: " + err.Error())
	}
	return der
}

// ParsePublicKeyDER parses a PKIX DER SM2 public key.
func ParsePublicKeyDER(der []byte) (*PublicKey, error) {
	pk, err := smx509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKeyFile, err)
	}
	ek, ok := pk.(*ecdsa.PublicKey)
	if !ok || !sm2.IsSM2PublicKey(ek) {
		return nil, ErrNotSM2Key
	}
	return &PublicKey{k: ek}, nil
}

// MarshalPEM returns k as a PKIX "PUBLIC KEY" PEM block.
func (k *PublicKey) MarshalPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: pemPublicKey, Bytes: k.DER()})
}

// ParsePublicKeyPEM parses the first "PUBLIC KEY" PEM block of b.
func ParsePublicKeyPEM(b []byte) (*PublicKey, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != pemPublicKey {
		return nil, ErrBadKeyFile
	}
	return ParsePublicKeyDER(block.Bytes)
}

// Fingerprint is the key's identifier everywhere in the platform: the
// lowercase hex SM3 of its PKIX DER encoding (64 characters).
func (k *PublicKey) Fingerprint() string {
	return SM3Hex(k.DER())
}

// Equal reports whether k and o are the same public key.
func (k *PublicKey) Equal(o *PublicKey) bool {
	if k == nil || o == nil || k.k == nil || o.k == nil {
		return k == o
	}
	return k.k.Equal(o.k)
}

// MarshalEncryptedPEM encrypts k under passphrase as PKCS#8 PBES2 (scrypt KDF,
// SM4-CBC) in an "ENCRYPTED PRIVATE KEY" PEM block. The salt and IV come from
// crypto/rand (the library reads them itself).
func (k *PrivateKey) MarshalEncryptedPEM(passphrase []byte) ([]byte, error) {
	if len(passphrase) == 0 {
		return nil, ErrEmptyPassphrase
	}
	der, err := pkcs8.MarshalPrivateKey(k.k, passphrase, &pkcs8.Opts{
		Cipher: pkcs8.SM4CBC,
		KDFOpts: pkcs8.ScryptOpts{
			SaltSize:                 scryptSalt,
			CostParameter:            scryptN,
			BlockSize:                scryptR,
			ParallelizationParameter: scryptP,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("gm: encrypt private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemEncryptedPrivateKey, Bytes: der}), nil
}

// MarshalPlainPEM returns k unencrypted as a PKCS#8 "PRIVATE KEY" block. Only
// for tests and fixtures: ParsePrivateKeyPEM accepts it with a nil passphrase.
func (k *PrivateKey) MarshalPlainPEM() []byte {
	der, err := smx509.MarshalPKCS8PrivateKey(k.k)
	if err != nil {
		panic("gm: marshal SM2 private key: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: der})
}

// ParsePrivateKeyPEM parses an SM2 private key from the first PEM block of b.
// With a non-nil passphrase only "ENCRYPTED PRIVATE KEY" is accepted (an
// unencrypted key is refused with ErrUnencryptedKey, because keys must not lie
// around in clear); with a nil passphrase only an unencrypted "PRIVATE KEY"
// (PKCS#8, as `openssl genpkey -algorithm SM2` writes) is accepted.
// A wrong passphrase gives ErrPassphrase.
func ParsePrivateKeyPEM(b []byte, passphrase []byte) (*PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, ErrBadKeyFile
	}
	var key any
	switch block.Type {
	case pemEncryptedPrivateKey:
		if passphrase == nil {
			return nil, ErrPassphraseRequired
		}
		if len(passphrase) == 0 {
			return nil, ErrPassphrase
		}
		if err := checkKDFCost(block.Bytes); err != nil {
			return nil, err
		}
		k, _, err := pkcs8.ParsePrivateKey(block.Bytes, passphrase)
		if err != nil {
			// CBC padding or the inner parse failing is what a wrong
			// passphrase looks like; a damaged file looks the same.
			return nil, fmt.Errorf("%w: %v", ErrPassphrase, err)
		}
		key = k
	case pemPrivateKey:
		if passphrase != nil {
			return nil, ErrUnencryptedKey
		}
		k, err := smx509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadKeyFile, err)
		}
		key = k
	default:
		return nil, ErrBadKeyFile
	}
	sk, ok := key.(*sm2.PrivateKey)
	if !ok {
		return nil, ErrNotSM2Key
	}
	return &PrivateKey{k: sk}, nil
}

// SM3 returns the SM3 digest of b.
func SM3(b []byte) [32]byte { return sm3.Sum(b) }

// NewSM3 returns a streaming SM3 hash.
func NewSM3() hash.Hash { return sm3.New() }

// SM3Hex returns the lowercase hex SM3 digest of b.
func SM3Hex(b []byte) string {
	s := sm3.Sum(b)
	return hex.EncodeToString(s[:])
}

// NewSM4GCM returns SM4 in GCM mode (RFC 8998): 16-byte key, 12-byte nonce,
// 16-byte tag.
func NewSM4GCM(key []byte) (cipher.AEAD, error) {
	if len(key) != SM4KeySize {
		return nil, fmt.Errorf("gm: SM4 key must be %d bytes, got %d", SM4KeySize, len(key))
	}
	block, err := sm4.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gm: SM4: %w", err)
	}
	return cipher.NewGCM(block)
}
