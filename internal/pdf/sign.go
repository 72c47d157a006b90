package pdf

import (
	"crypto/rand"
	"encoding/base64"
	"errors"

	"ggzy/internal/apperr"
	"ggzy/internal/gm"
)

// Sign returns the SM3 digest (hex) of a rendered PDF and the platform's SM2
// signature of the PDF bytes (base64 of ASN.1 DER, GB/T 32918.2 with the
// default user ID, as gm.PublicKey.Verify checks it).
//
// The PDF itself is not altered: the API and the web UI send the two values
// in the response headers X-Content-SM3 and X-Signature-SM2, and anyone can
// check them against the downloaded file with the platform key published at
// GET /api/v1/ledger/key (the key that signs the ledger's checkpoints).
func Sign(pdf []byte, key *gm.PrivateKey) (digestHex string, sigB64 string, err error) {
	if key == nil {
		return "", "", apperr.New(apperr.Internal, "平台签名密钥未配置，无法签署 PDF。").Wrap(errors.New("pdf: nil platform key"))
	}
	sig, err := key.Sign(rand.Reader, pdf)
	if err != nil {
		return "", "", apperr.New(apperr.Internal, "签署 PDF 失败。").Wrap(err)
	}
	return gm.SM3Hex(pdf), base64.StdEncoding.EncodeToString(sig), nil
}

// Verify reports whether sigB64 (as Sign makes it) is pub's signature of pdf.
func Verify(pdf []byte, sigB64 string, pub *gm.PublicKey) bool {
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	return err == nil && pub.Verify(pdf, sig)
}
