// Command ggzy-wasm is the platform's client-side cryptography compiled to
// WebAssembly for the browser (GOOS=js GOARCH=wasm): SM2 key generation,
// sealing a bid for a lot's custodians and opening a custodian's shares. It
// runs the same code as `ggzy seal` and `ggzy custody open` (package
// sealbid), so the browser needs no plug-in and the server never sees a
// private key, a passphrase or a bid's content before the opening.
//
// This file holds the logic, testable on any platform; main_js.go binds it
// to JavaScript. The web UI serves the built module from internal/web/static.
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ggzy/internal/apperr"
	"ggzy/internal/auction/rules"
	"ggzy/internal/gm"
	"ggzy/internal/money"
	"ggzy/internal/seal"
	"ggzy/internal/sealbid"
)

// minPassphrase is the shortest passphrase accepted for a new key: the key
// file may be copied anywhere, and only the passphrase protects it.
const minPassphrase = 8

// fieldError is an input error tied to a form field, so the page can point
// at the field.
type fieldError struct {
	Field string
	Msg   string
}

func (e *fieldError) Error() string { return e.Msg }

// ruleError shows a rule's refusal on a field, with its basis.
func ruleError(field string, err error) *fieldError {
	e := apperr.As(err)
	return &fieldError{field, e.Message + "（依据：" + e.Basis + "）"}
}

// keyPair is a new key: the private key encrypted under the passphrase and
// the public key to register.
type keyPair struct {
	PEM         string `json:"pem"`
	PublicPEM   string `json:"publicPem"`
	Fingerprint string `json:"fingerprint"`
}

// generateKey makes an SM2 key pair; the private key leaves only encrypted.
func generateKey(passphrase string) (keyPair, error) {
	if utf8.RuneCountInString(passphrase) < minPassphrase {
		return keyPair{}, &fieldError{"passphrase", fmt.Sprintf("口令至少%d位。私钥文件只受口令保护，请使用不易猜到的口令。", minPassphrase)}
	}
	k, err := gm.GenerateKey(rand.Reader)
	if err != nil {
		return keyPair{}, errors.New("无法生成密钥：浏览器未提供安全随机数")
	}
	enc, err := k.MarshalEncryptedPEM([]byte(passphrase))
	if err != nil {
		return keyPair{}, fmt.Errorf("私钥加密失败：%w", err)
	}
	pub := k.Public()
	return keyPair{PEM: string(enc), PublicPEM: string(pub.MarshalPEM()), Fingerprint: pub.Fingerprint()}, nil
}

// privateKey opens an encrypted key file, with a message a user can act on.
func privateKey(pemText, passphrase string) (*gm.PrivateKey, error) {
	if strings.TrimSpace(pemText) == "" {
		return nil, &fieldError{"key", "请选择本人的加密私钥文件（.key.pem）。"}
	}
	if passphrase == "" {
		return nil, &fieldError{"passphrase", "请输入私钥口令。"}
	}
	k, err := gm.ParsePrivateKeyPEM([]byte(pemText), []byte(passphrase))
	switch {
	case err == nil:
		return k, nil
	case errors.Is(err, gm.ErrPassphrase):
		return nil, &fieldError{"passphrase", "私钥口令错误（或私钥文件已损坏）。请核对口令后重试。"}
	case errors.Is(err, gm.ErrUnencryptedKey), errors.Is(err, gm.ErrNotSM2Key), errors.Is(err, gm.ErrKDFCost):
		return nil, &fieldError{"key", "私钥文件不能使用：" + rootMessage(err)}
	}
	return nil, &fieldError{"key", "所选文件不是本平台的加密私钥文件（应以 -----BEGIN ENCRYPTED PRIVATE KEY----- 开头）。"}
}

// rootMessage drops the library's detail after the first colon of a
// wrapped gm error, which is in English.
func rootMessage(err error) string {
	for _, e := range []error{gm.ErrUnencryptedKey, gm.ErrNotSM2Key, gm.ErrKDFCost} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return err.Error()
}

// formInput is the bid form as the browser's fields hold it (text).
type formInput struct {
	Price          string `json:"price"`
	DurationDays   string `json:"duration_days"`
	Quality        string `json:"quality"`
	ProjectManager string `json:"project_manager"`
	Land           bool   `json:"land"` // a land lot's form: no works terms
	// StartPrice is a land lot's start price (起始价, fen) as the page
	// publishes it: a sealed bid below it would only be rejected at the
	// opening, and the platform cannot check a sealed price on upload.
	StartPrice int64 `json:"start_price"`
}

// bidForm is the structured part of the bid package: the JSON the platform's
// opener reads after decryption (tender.BidContent, plain-v1).
type bidForm struct {
	Price          money.Fen `json:"price"`
	DurationDays   int       `json:"duration_days"`
	Quality        string    `json:"quality"`
	ProjectManager string    `json:"project_manager"`
}

// makeForm checks the typed fields and encodes the bid form. The checks are
// the opener's own: a bid that would not open is refused here, before it is
// sealed, instead of being revoked at the opening.
func makeForm(in formInput) ([]byte, error) {
	var f bidForm
	price, err := money.Parse(in.Price)
	switch {
	case strings.TrimSpace(in.Price) == "":
		return nil, &fieldError{"price", "请填写投标报价（元）。"}
	case err != nil:
		return nil, &fieldError{"price", "投标报价应以元为单位、最多两位小数，如 9876543.21。"}
	case price <= 0:
		return nil, &fieldError{"price", "投标报价应大于0。"}
	}
	if in.Land {
		if err := rules.CheckLandStartPrice(price, money.Fen(in.StartPrice)); err != nil {
			return nil, ruleError("price", err)
		}
	}
	f.Price = price
	days, err := strconv.Atoi(strings.TrimSpace(in.DurationDays))
	if err != nil || days < 1 || days > 3650 {
		if in.Land {
			return nil, &fieldError{"duration_days", "开发建设周期应为1至3650日历天的整数。"}
		}
		return nil, &fieldError{"duration_days", "工期应为1至3650日历天的整数。"}
	}
	f.DurationDays = days
	if in.Land {
		// A land bid (招标出让) is a price and a development period; the
		// works fields stay in the form, empty, so the package format is one.
		return json.Marshal(f)
	}
	if f.Quality = strings.TrimSpace(in.Quality); f.Quality == "" {
		return nil, &fieldError{"quality", "请填写质量标准，如“合格”。"}
	}
	if f.ProjectManager = strings.TrimSpace(in.ProjectManager); f.ProjectManager == "" {
		return nil, &fieldError{"project_manager", "请填写项目经理姓名。"}
	}
	return json.Marshal(f)
}

// attachment is one file chosen in the browser.
type attachment struct {
	Name string
	Data []byte
}

// sealed is a sealed bid ready to upload.
type sealed struct {
	Data   []byte
	Digest string // SM3 of what the bidder signed: the receipt repeats it
	Signer string // fingerprint of the signing key
}

// sealBid seals the bid for the lot's published custody, signed by the
// entity's key. now is the platform's time as the page knows it.
func sealBid(custodyJSON []byte, entityID string, in formInput, files []attachment, keyPEM, passphrase string, now time.Time) (sealed, error) {
	var c sealbid.Custody
	if err := json.Unmarshal(custodyJSON, &c); err != nil || c.LotID == "" || len(c.Custodians) == 0 {
		return sealed{}, errors.New("页面中的密钥保管信息无法读取，请刷新页面后重试。")
	}
	if entityID == "" {
		return sealed{}, errors.New("未能确定投标单位，请重新登录。")
	}
	form, err := makeForm(in)
	if err != nil {
		return sealed{}, err
	}
	k, err := privateKey(keyPEM, passphrase)
	if err != nil {
		return sealed{}, err
	}
	pf := make([]seal.PackageFile, len(files))
	for i, f := range files {
		pf[i] = seal.PackageFile{Name: f.Name, Size: int64(len(f.Data)), R: bytes.NewReader(f.Data)}
	}
	var buf bytes.Buffer
	buf.Grow(int(seal.PackageSize(form, pf)) + 64<<10)
	h, err := sealbid.Seal(&buf, c, entityID, form, pf, k, now, rand.Reader)
	if err != nil {
		return sealed{}, fmt.Errorf("密封失败：%w", err)
	}
	return sealed{Data: buf.Bytes(), Digest: h.Digest(), Signer: k.Public().Fingerprint()}, nil
}

// opened is the outcome of a custodian's local decryption.
type opened struct {
	Shares      []sealbid.Share   `json:"shares"`
	Failures    []sealbid.Failure `json:"failures"`
	Fingerprint string            `json:"fingerprint"` // the key used
}

// openShares decrypts the custodian's share of each envelope of lotID. The
// lot and custodian come from the page the custodian opened, not from the
// envelopes the server sent.
func openShares(lotID, custodianID string, envelopesJSON []byte, keyPEM, passphrase string) (opened, error) {
	var envs []sealbid.Envelope
	if err := json.Unmarshal(envelopesJSON, &envs); err != nil {
		// Also accept the whole response of the envelopes route.
		var wrapped struct {
			Envelopes []sealbid.Envelope `json:"envelopes"`
		}
		if err := json.Unmarshal(envelopesJSON, &wrapped); err != nil {
			return opened{}, errors.New("平台返回的待解密投标文件列表无法读取，请刷新页面后重试。")
		}
		envs = wrapped.Envelopes
	}
	k, err := privateKey(keyPEM, passphrase)
	if err != nil {
		return opened{}, err
	}
	shares, bad := sealbid.OpenShares(lotID, custodianID, envs, k)
	return opened{Shares: nonNil(shares), Failures: nonNil(bad), Fingerprint: k.Public().Fingerprint()}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// signed is a member's signature over an evaluation sheet's digest.
type signed struct {
	Signature   string `json:"signature"` // base64 DER
	Fingerprint string `json:"fingerprint"`
}

// signDigest signs the 32 bytes of a sheet digest (hex, as the platform
// computes it: tender.SheetDigest) with the member's encrypted key.
func signDigest(digestHex, keyPEM, passphrase string) (signed, error) {
	d, err := hex.DecodeString(strings.TrimSpace(digestHex))
	if err != nil || len(d) != 32 {
		return signed{}, errors.New("评审意见摘要格式错误，请刷新页面后重试。")
	}
	k, err := privateKey(keyPEM, passphrase)
	if err != nil {
		return signed{}, err
	}
	sig, err := k.Sign(rand.Reader, d)
	if err != nil {
		return signed{}, fmt.Errorf("签名失败：%w", err)
	}
	return signed{Signature: base64.StdEncoding.EncodeToString(sig), Fingerprint: k.Public().Fingerprint()}, nil
}

// ---- one sealed quote (一次报价) of a land, mining-right or state-property
// sale: the same sealing, with the sale's ID in the lot field and the
// bidder's number (not its entity: custodians learn no names) as the
// sealed package's bidder, as auction.SubmitSealed checks.

// quoteForm is the plaintext of a sealed quote: the JSON the opening reads
// (auction.EncodeQuote / DecodeQuote), amount in fen.
type quoteForm struct {
	Amount money.Fen `json:"amount"`
}

// makeQuote checks the typed amount and encodes the quote form. As for the
// bid form, a quote the opening would reject (nothing, zero, below the
// listed price) is refused here, before it is sealed: 一次报价 cannot be
// submitted twice, so a quote sealed wrong would be lost.
func makeQuote(amountText string, listed money.Fen) ([]byte, error) {
	amount, err := money.Parse(amountText)
	switch {
	case strings.TrimSpace(amountText) == "":
		return nil, &fieldError{"amount", "请填写一次报价金额（元）。"}
	case err != nil:
		return nil, &fieldError{"amount", "报价金额应以元为单位、最多两位小数，如 5200000.00。"}
	case amount <= 0:
		return nil, &fieldError{"amount", "报价金额应大于0。"}
	}
	if err := rules.CheckListedPrice(amount, listed); err != nil {
		return nil, ruleError("amount", err)
	}
	return json.Marshal(quoteForm{Amount: amount})
}

// sealQuote seals a quote for the sale's published custody (lot_id is the
// sale's ID), bound to the bidder's number and signed with the entity's key.
// listed is the sale's listed price (the page's), now the platform's time.
func sealQuote(custodyJSON []byte, bidderNo, amountText string, listed money.Fen, keyPEM, passphrase string, now time.Time) (sealed, error) {
	var c sealbid.Custody
	if err := json.Unmarshal(custodyJSON, &c); err != nil || c.LotID == "" || len(c.Custodians) == 0 {
		return sealed{}, errors.New("页面中的报价密钥保管信息无法读取，请刷新页面后重试。")
	}
	if strings.TrimSpace(bidderNo) == "" {
		return sealed{}, errors.New("未能确定贵单位的竞买号牌，请刷新页面后重试。")
	}
	if !c.Deadline.IsZero() && !now.Before(c.Deadline) {
		return sealed{}, errors.New("报价时间已截止，不能再提交一次报价。")
	}
	form, err := makeQuote(amountText, listed)
	if err != nil {
		return sealed{}, err
	}
	k, err := privateKey(keyPEM, passphrase)
	if err != nil {
		return sealed{}, err
	}
	var buf bytes.Buffer
	h, err := sealbid.Seal(&buf, c, bidderNo, form, nil, k, now, rand.Reader)
	if err != nil {
		return sealed{}, fmt.Errorf("密封失败：%w", err)
	}
	return sealed{Data: buf.Bytes(), Digest: h.Digest(), Signer: k.Public().Fingerprint()}, nil
}
