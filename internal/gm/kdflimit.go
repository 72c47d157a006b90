package gm

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
)

// A key file names its own KDF cost, and the library derives without limits:
// a file claiming scrypt N=2^30 would allocate 128 GiB (in a browser tab, or
// the CLI) before the passphrase is even tried. These caps are far above
// what OpenSSL or this package writes.
const (
	maxScryptN      = 1 << 20
	maxScryptR      = 32
	maxScryptP      = 16
	maxPBKDF2Rounds = 10_000_000
)

// ErrKDFCost refuses a key file whose passphrase derivation is too costly.
var ErrKDFCost = errors.New("密钥文件的口令派生参数超出允许范围")

// OIDs as in gmsm/pkcs8 (unexported there); functions, since slices cannot
// be constants.
func oidPBES2() asn1.ObjectIdentifier  { return asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13} }
func oidPBKDF2() asn1.ObjectIdentifier { return asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12} }
func oidScrypt() asn1.ObjectIdentifier { return asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11} }

// checkKDFCost refuses an EncryptedPrivateKeyInfo whose KDF would be too
// expensive. Anything it cannot parse is left for the library to reject.
func checkKDFCost(der []byte) error {
	var info struct {
		Algo pkix.AlgorithmIdentifier
		Data []byte
	}
	if _, err := asn1.Unmarshal(der, &info); err != nil || !info.Algo.Algorithm.Equal(oidPBES2()) {
		return nil
	}
	var pbes2 struct {
		KDF pkix.AlgorithmIdentifier
		Enc pkix.AlgorithmIdentifier
	}
	if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &pbes2); err != nil {
		return nil
	}
	switch {
	case pbes2.KDF.Algorithm.Equal(oidScrypt()):
		var p struct {
			Salt []byte
			N    int
			R    int
			P    int
		}
		if _, err := asn1.Unmarshal(pbes2.KDF.Parameters.FullBytes, &p); err != nil {
			return nil
		}
		if p.N > maxScryptN || p.R > maxScryptR || p.P > maxScryptP {
			return ErrKDFCost
		}
	case pbes2.KDF.Algorithm.Equal(oidPBKDF2()):
		var p struct {
			Salt   []byte
			Rounds int
			KeyLen int                      `asn1:"optional"`
			PRF    pkix.AlgorithmIdentifier `asn1:"optional"`
		}
		if _, err := asn1.Unmarshal(pbes2.KDF.Parameters.FullBytes, &p); err != nil {
			return nil
		}
		if p.Rounds > maxPBKDF2Rounds {
			return ErrKDFCost
		}
	}
	return nil
}
