package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/gm"
	"ggzy/internal/seal"
	"ggzy/internal/sealbid"
	"ggzy/internal/tender"
)

// The browser's bid form must be exactly what the platform's opener reads.
func TestFormIsThePlatformsBidContent(t *testing.T) {
	got, err := makeForm(formInput{Price: "9,876,543.21", DurationDays: " 365 ", Quality: "合格", ProjectManager: "王建"})
	if err != nil {
		t.Fatal(err)
	}
	want := tender.EncodePlain(tender.BidContent{Price: 9_876_543_21, DurationDays: 365, Quality: "合格", ProjectManager: "王建"})
	if !bytes.Equal(got, want) {
		t.Fatalf("form %s, want %s", got, want)
	}
	for _, c := range []struct {
		in    formInput
		field string
	}{
		{formInput{Price: "", DurationDays: "1", Quality: "合格", ProjectManager: "王"}, "price"},
		{formInput{Price: "12.345", DurationDays: "1", Quality: "合格", ProjectManager: "王"}, "price"},
		{formInput{Price: "-5", DurationDays: "1", Quality: "合格", ProjectManager: "王"}, "price"},
		{formInput{Price: "5", DurationDays: "0", Quality: "合格", ProjectManager: "王"}, "duration_days"},
		{formInput{Price: "5", DurationDays: "1", Quality: " ", ProjectManager: "王"}, "quality"},
		{formInput{Price: "5", DurationDays: "1", Quality: "合格", ProjectManager: ""}, "project_manager"},
	} {
		_, err := makeForm(c.in)
		var fe *fieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%+v: %v, want an error on %s", c.in, err, c.field)
		}
	}
}

// A land lot's form (招标出让) carries no works terms: accepted without
// 质量标准 and 项目经理, the fields empty in the same format; the period is
// called 开发建设周期.
func TestLandForm(t *testing.T) {
	got, err := makeForm(formInput{Price: "350000000", DurationDays: "1080", Land: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := tender.EncodePlain(tender.BidContent{Price: 350_000_000_00, DurationDays: 1080}); !bytes.Equal(got, want) {
		t.Fatalf("land form %s, want %s", got, want)
	}
	var fe *fieldError
	if _, err := makeForm(formInput{Price: "5", DurationDays: "0", Land: true}); !errors.As(err, &fe) || fe.Field != "duration_days" || !strings.Contains(fe.Msg, "开发建设周期") {
		t.Errorf("land form without a period: %v", err)
	}
	// Below the start price the opening would reject it, and sealed the
	// platform cannot tell on upload: refused here, citing the start price.
	if _, err := makeForm(formInput{Price: "299999999.99", DurationDays: "1080", Land: true, StartPrice: 300_000_000_00}); !errors.As(err, &fe) || fe.Field != "price" || !strings.Contains(fe.Msg, "起始价 ¥300,000,000.00") {
		t.Errorf("land form below the start price: %v", err)
	}
	if _, err := makeForm(formInput{Price: "300000000", DurationDays: "1080", Land: true, StartPrice: 300_000_000_00}); err != nil {
		t.Errorf("land form at the start price: %v", err)
	}
}

func TestGenerateSealAndOpenShares(t *testing.T) {
	if _, err := generateKey("short"); err == nil {
		t.Fatal("a 5-character passphrase was accepted")
	}
	bidder, err := generateKey("投标口令-2026")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := privateKey(bidder.PEM, "wrong passphrase"); err == nil {
		t.Fatal("a wrong passphrase opened the key")
	} else if fe := (*fieldError)(nil); !errors.As(err, &fe) || fe.Field != "passphrase" {
		t.Fatalf("wrong passphrase: %v", err)
	}
	pub, err := gm.ParsePublicKeyPEM([]byte(bidder.PublicPEM))
	if err != nil || pub.Fingerprint() != bidder.Fingerprint {
		t.Fatalf("public key %v, fingerprint mismatch", err)
	}

	// Three custodians, 2 of 3.
	c := sealbid.Custody{LotID: "LOT1", LotCode: "GX-1", Threshold: 2}
	keys := map[string]*gm.PrivateKey{}
	for _, id := range []string{"u1", "u2", "u3"} {
		kp, err := generateKey("custody-passphrase-" + id)
		if err != nil {
			t.Fatal(err)
		}
		keys[id], _ = gm.ParsePrivateKeyPEM([]byte(kp.PEM), []byte("custody-passphrase-"+id))
		c.Custodians = append(c.Custodians, sealbid.Custodian{UserID: id, Name: id, Fingerprint: kp.Fingerprint, PublicKey: kp.PublicPEM})
	}
	cj, _ := json.Marshal(c)
	now := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	s, err := sealBid(cj, "ENT1", formInput{Price: "100.5", DurationDays: "30", Quality: "合格", ProjectManager: "李"},
		[]attachment{{Name: "技术标.pdf", Data: []byte("技术标")}}, bidder.PEM, "投标口令-2026", now)
	if err != nil {
		t.Fatal(err)
	}
	if s.Signer != bidder.Fingerprint {
		t.Errorf("signed with %s, want %s", s.Signer, bidder.Fingerprint)
	}
	want := seal.Binding{LotID: "LOT1", EntityID: "ENT1", Threshold: 2}
	for _, cu := range c.Custodians {
		k, _ := gm.ParsePublicKeyPEM([]byte(cu.PublicKey))
		want.Custodians = append(want.Custodians, seal.Custodian{ID: cu.UserID, Key: k})
	}
	h, err := seal.Check(bytes.NewReader(s.Data), want, func(string) (*gm.PublicKey, error) { return pub, nil }, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("the platform's check refuses the browser's sealed bid: %v", err)
	}
	if h.Digest() != s.Digest {
		t.Errorf("digest %s, checked %s", s.Digest, h.Digest())
	}

	env := []sealbid.Envelope{{BidID: "B1", Index: 1, Header: h.Raw()}}
	ej, _ := json.Marshal(map[string]any{"envelopes": env})
	kp2 := keys["u2"]
	enc, _ := kp2.MarshalEncryptedPEM([]byte("custody-passphrase-u2"))
	o, err := openShares("LOT1", "u2", ej, string(enc), "custody-passphrase-u2")
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Shares) != 1 || len(o.Failures) != 0 || o.Shares[0].Share.X != 2 {
		t.Fatalf("opened %+v", o)
	}
	// A server passing off an envelope of another lot gets nothing.
	o, err = openShares("LOT2", "u2", ej, string(enc), "custody-passphrase-u2")
	if err != nil || len(o.Shares) != 0 || len(o.Failures) != 1 {
		t.Fatalf("another lot's envelope: %+v %v", o, err)
	}
}

// TestSignDigest: the browser's sheet signature verifies with the member's
// public key over the digest bytes; a wrong passphrase names its field.
func TestSignDigest(t *testing.T) {
	kp, err := generateKey("评标签名口令2026")
	if err != nil {
		t.Fatal(err)
	}
	digest := strings.Repeat("ab", 32)
	s, err := signDigest(digest, kp.PEM, "评标签名口令2026")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := gm.ParsePublicKeyPEM([]byte(kp.PublicPEM))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(s.Signature)
	d, _ := hex.DecodeString(digest)
	if !pub.Verify(d, raw) || s.Fingerprint != kp.Fingerprint {
		t.Fatalf("signature does not verify: %+v", s)
	}
	var fe *fieldError
	if _, err := signDigest(digest, kp.PEM, "wrong passphrase"); !errors.As(err, &fe) || fe.Field != "passphrase" {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if _, err := signDigest("abc", kp.PEM, "评标签名口令2026"); err == nil {
		t.Fatal("a malformed digest was signed")
	}
}

// TestSealQuoteIsWhatTheSaleOpens: the browser's sealed quote passes the
// platform's intake check (auction.SubmitSealed: bound to the sale's ID and
// the bidder's number, signed), and once k custodians' shares recover its
// key, the opening reads the amount typed (auction.DecodeQuote of the form
// auction.EncodeQuote makes). Amounts the opening would reject are refused
// before sealing, on the amount field.
func TestSealQuoteIsWhatTheSaleOpens(t *testing.T) {
	for _, c := range []struct{ in, field string }{{"", "amount"}, {"12.345", "amount"}, {"0", "amount"}, {"4999999.99", "amount"}} {
		var fe *fieldError
		if _, err := makeQuote(c.in, 5_000_000_00); !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("amount %q: %v, want an error on %s", c.in, err, c.field)
		}
	}
	form, err := makeQuote("5,200,000.50", 5_000_000_00)
	if err != nil {
		t.Fatal(err)
	}
	if want := auction.EncodeQuote(5_200_000_50); !bytes.Equal(form, want) {
		t.Fatalf("quote form %s, the sale's %s", form, want)
	}

	bidder, err := generateKey("竞买签名口令-2026")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := gm.ParsePublicKeyPEM([]byte(bidder.PublicPEM))
	now := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	c := sealbid.Custody{LotID: "SALE1", LotCode: "GX-CQ-1", Deadline: now.Add(time.Hour), Threshold: 2}
	keys := map[string]*gm.PrivateKey{}
	for _, id := range []string{"u1", "u2", "u3"} {
		k, err := gm.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys[id] = k
		c.Custodians = append(c.Custodians, sealbid.Custodian{UserID: id, Name: id, Fingerprint: k.Public().Fingerprint(), PublicKey: string(k.Public().MarshalPEM())})
	}
	cj, _ := json.Marshal(c)
	if _, err := sealQuote(cj, "0123", "5200000.50", 5_000_000_00, bidder.PEM, "wrong passphrase", now); err == nil {
		t.Fatal("sealed with a wrong passphrase")
	}
	if _, err := sealQuote(cj, "0123", "5200000.50", 5_000_000_00, bidder.PEM, "竞买签名口令-2026", c.Deadline); err == nil {
		t.Fatal("sealed after the quote window")
	}
	s, err := sealQuote(cj, "0123", "5200000.50", 5_000_000_00, bidder.PEM, "竞买签名口令-2026", now)
	if err != nil {
		t.Fatal(err)
	}
	if s.Signer != bidder.Fingerprint {
		t.Errorf("signed with %s, want %s", s.Signer, bidder.Fingerprint)
	}
	want := seal.Binding{LotID: "SALE1", EntityID: "0123", Threshold: 2, MaxSize: auction.MaxSealedQuote}
	for _, cu := range c.Custodians {
		want.Custodians = append(want.Custodians, seal.Custodian{ID: cu.UserID, Key: keys[cu.UserID].Public()})
	}
	keyOf := func(string) (*gm.PublicKey, error) { return pub, nil }
	h, err := seal.Check(bytes.NewReader(s.Data), want, keyOf, nil)
	if err != nil {
		t.Fatalf("the sale's intake check refuses the browser's sealed quote: %v", err)
	}
	if h.Digest() != s.Digest {
		t.Errorf("digest %s, checked %s", s.Digest, h.Digest())
	}
	other := want
	other.EntityID = "0456"
	if _, err := seal.Check(bytes.NewReader(s.Data), other, keyOf, nil); err == nil {
		t.Error("the quote passes as another bidder number's")
	}

	// Two custodians decrypt their shares; the opening reads the amount.
	var shares []seal.Share
	for _, id := range []string{"u1", "u3"} {
		got, bad := sealbid.OpenShares("SALE1", id, []sealbid.Envelope{{BidID: "0123", Header: h.Raw()}}, keys[id])
		if len(bad) != 0 || len(got) != 1 {
			t.Fatalf("%s's shares: %+v %+v", id, got, bad)
		}
		shares = append(shares, got[0].Share)
	}
	key, err := seal.RecoverKey(h, shares)
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if _, err := seal.Open(bytes.NewReader(s.Data), key, want, &plain); err != nil {
		t.Fatal(err)
	}
	pkg, err := seal.ReadPackage(&plain)
	if err != nil {
		t.Fatal(err)
	}
	if amount, err := auction.DecodeQuote(pkg.Form()); err != nil || amount != 5_200_000_50 {
		t.Fatalf("the opening reads %v, %v", amount, err)
	}
}
