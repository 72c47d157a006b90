// Package sealbid is the bidder's and the custodian's side of sealed bids,
// shared by `ggzy seal`, `ggzy custody open`, the browser (compiled to
// WebAssembly) and tests: it needs only what the platform publishes (the
// lot's custody) and the user's own key, never the server's trust.
package sealbid

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"ggzy/internal/gm"
	"ggzy/internal/seal"
)

// Custody is a lot's published custody (GET /api/v1/lots/{id}/custody).
type Custody struct {
	LotID      string      `json:"lot_id"`
	LotCode    string      `json:"lot_code"`
	Deadline   time.Time   `json:"bid_deadline"`
	Threshold  int         `json:"threshold"`
	Custodians []Custodian `json:"custodians"`
}

// Custodian is one key holder as published.
type Custodian struct {
	UserID      string `json:"user_id"`
	Name        string `json:"name"`
	OrgName     string `json:"org_name"`
	Fingerprint string `json:"key"`
	PublicKey   string `json:"key_pem"`
}

// Params are the parties of a sealed bid.
func (c Custody) params(entityID string, signer *gm.PrivateKey, now time.Time) (seal.Params, error) {
	p := seal.Params{LotID: c.LotID, EntityID: entityID, Threshold: c.Threshold, Signer: signer, Now: now}
	for _, cu := range c.Custodians {
		k, err := gm.ParsePublicKeyPEM([]byte(cu.PublicKey))
		if err != nil {
			return p, fmt.Errorf("保管人 %s 的公钥无法读取：%w", cu.Name, err)
		}
		if k.Fingerprint() != cu.Fingerprint {
			return p, fmt.Errorf("保管人 %s 的公钥与公布的指纹不符", cu.Name)
		}
		p.Custodians = append(p.Custodians, seal.Custodian{ID: cu.UserID, Key: k})
	}
	return p, nil
}

// Seal packs the bid form (JSON: price in fen, duration, …) and files and
// seals them for the lot's custodians, signed by the bidder's key.
func Seal(dst io.Writer, c Custody, entityID string, form []byte, files []seal.PackageFile, signer *gm.PrivateKey, now time.Time, rand io.Reader) (seal.Header, error) {
	p, err := c.params(entityID, signer, now)
	if err != nil {
		return seal.Header{}, err
	}
	size := seal.PackageSize(form, files)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(seal.WritePackage(pw, form, files)) }()
	defer pr.Close()
	return seal.Seal(dst, pr, size, p, rand)
}

// Envelope is one sealed bid as a custodian receives it after the deadline
// (GET /api/v1/lots/{id}/custody/envelopes).
type Envelope struct {
	BidID  string          `json:"bid_id"`
	Index  int             `json:"index"`
	Header json.RawMessage `json:"header"`
}

// Share is a decrypted share to submit (POST /api/v1/lots/{id}/custody/shares).
type Share struct {
	BidID string     `json:"bid_id"`
	Share seal.Share `json:"share"`
}

// Failure is an envelope the custodian could not decrypt.
type Failure struct {
	BidID  string `json:"bid_id"`
	Reason string `json:"reason"`
}

// Header parses the header bytes of an envelope.
func Header(raw []byte) (seal.Header, error) {
	b := make([]byte, 0, len(seal.Magic)+4+len(raw))
	b = append(b, seal.Magic...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(raw)))
	b = append(b, raw...)
	return seal.ReadHeader(bytes.NewReader(b))
}

// OpenShares decrypts the custodian's share of every envelope of lotID with
// the custodian's private key, on the custodian's own device. Envelopes of
// another lot are refused (a server cannot use a custodian to open a bid of
// another lot early).
func OpenShares(lotID, custodianID string, envs []Envelope, k *gm.PrivateKey) ([]Share, []Failure) {
	var out []Share
	var bad []Failure
	for _, e := range envs {
		h, err := Header(e.Header)
		if err != nil {
			bad = append(bad, Failure{e.BidID, "投标文件封装头无法读取：" + err.Error()})
			continue
		}
		if h.LotID != lotID {
			bad = append(bad, Failure{e.BidID, "该投标文件不属于本标段，拒绝解密"})
			continue
		}
		s, err := seal.DecryptShare(h, custodianID, k)
		if err != nil {
			bad = append(bad, Failure{e.BidID, err.Error()})
			continue
		}
		out = append(out, Share{BidID: e.BidID, Share: s})
	}
	return out, bad
}
