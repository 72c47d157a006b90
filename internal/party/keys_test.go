package party_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/fixture"
	"ggzy/internal/gm"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

var ctx = context.Background()

// newPEM makes a fresh SM2 key pair and returns the private key and the
// public key's PEM.
func newPEM(t *testing.T) (*gm.PrivateKey, string) {
	t.Helper()
	k, err := gm.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k, string(k.Public().MarshalPEM())
}

func pemOf(t *testing.T) string { _, p := newPEM(t); return p }

// wantErr checks err's apperr code and that its message contains each of parts.
func wantErr(t *testing.T, what string, err error, code apperr.Code, parts ...string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Errorf("%s: got %v, want apperr %s", what, err, code)
		return
	}
	for _, p := range parts {
		if !strings.Contains(apperr.As(err).Message, p) {
			t.Errorf("%s: message %q does not contain %q", what, apperr.As(err).Message, p)
		}
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func newWorld(t *testing.T) *fixture.World { return fixture.New(t, testkit.OpenSQLite(t)) }

func TestRegisterKey(t *testing.T) {
	w := newWorld(t)
	now := w.Clock.Now()

	t.Run("WhoMayRegisterWhat", func(t *testing.T) {
		cases := []struct {
			actor   string // fixture username; "system" and "public" are the special actors
			purpose party.KeyPurpose
			want    apperr.Code // "" = allowed
		}{
			{"bidder1", party.KeyBid, ""},
			{"agency", party.KeyBid, apperr.Forbidden},
			{"principal", party.KeyBid, apperr.Forbidden},
			{"operator", party.KeyBid, apperr.Forbidden},
			{"admin", party.KeyBid, apperr.Forbidden},
			{"public", party.KeyBid, apperr.Forbidden},

			{"agency", party.KeyCustody, ""},
			{"operator", party.KeyCustody, ""},
			{"supervisor", party.KeyCustody, ""},
			{"bidder1", party.KeyCustody, apperr.Forbidden},
			{"principal", party.KeyCustody, apperr.Forbidden},
			{"expert1", party.KeyCustody, apperr.Forbidden},
			{"auditor", party.KeyCustody, apperr.Forbidden},
			{"admin", party.KeyCustody, apperr.Forbidden},
			{"system", party.KeyCustody, apperr.Forbidden},

			{"operator", party.KeyPlatform, ""},
			{"admin", party.KeyPlatform, ""},
			{"system", party.KeyPlatform, ""},
			{"bidder1", party.KeyPlatform, apperr.Forbidden},
			{"supervisor", party.KeyPlatform, apperr.Forbidden},
			{"auditor", party.KeyPlatform, apperr.Forbidden},

			{"operator", "signing", apperr.Invalid},
			{"bidder1", "", apperr.Invalid},
		}
		for _, c := range cases {
			var a party.Actor
			switch c.actor {
			case "system":
				a = party.System()
			case "public":
				a = party.Public("127.0.0.1")
			default:
				a = w.Actor(c.actor)
			}
			k, err := w.Party.RegisterKey(ctx, a, party.KeyInput{PEM: pemOf(t), Purpose: c.purpose, Label: "测试"})
			name := c.actor + " registers " + string(c.purpose)
			if c.want != "" {
				wantErr(t, name, err, c.want)
				if c.want == apperr.Forbidden && apperr.As(err).Message == "" {
					t.Errorf("%s: no message", name)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			// The owner comes from the actor, never from input.
			wantEntity, wantUser := "", ""
			switch c.purpose {
			case party.KeyBid:
				wantEntity = a.EntityID
			case party.KeyCustody:
				wantUser = a.UserID
			}
			if k.EntityID != wantEntity || k.UserID != wantUser || k.Purpose != c.purpose || k.CreatedBy != a.UserID {
				t.Errorf("%s: got entity %q user %q purpose %q by %q", name, k.EntityID, k.UserID, k.Purpose, k.CreatedBy)
			}
			if k.Owner() != wantEntity+wantUser {
				t.Errorf("%s: Owner() = %q", name, k.Owner())
			}
		}
	})

	t.Run("StoresTheCanonicalKeyUnderItsFingerprint", func(t *testing.T) {
		priv, p := newPEM(t)
		k, err := w.Party.RegisterKey(ctx, w.Actor("bidder2"), party.KeyInput{PEM: "\n\n  " + strings.ReplaceAll(p, "\n", "\r\n") + "  \n", Purpose: party.KeyBid, Label: "  财务U盾  "})
		mustOK(t, err)
		if want := priv.Public().Fingerprint(); k.Fingerprint != want {
			t.Errorf("fingerprint %s, want %s", k.Fingerprint, want)
		}
		if k.PEM != p || k.Label != "财务U盾" {
			t.Errorf("PEM %q label %q", k.PEM, k.Label)
		}
		got, err := w.Party.KeyByFingerprint(ctx, "  "+strings.ToUpper(k.Fingerprint))
		mustOK(t, err)
		if got != k {
			t.Errorf("stored %+v\nreturned %+v", got, k)
		}
		if byID, err := w.Party.Key(ctx, k.ID); err != nil || byID != k {
			t.Errorf("Key(id) = %+v, %v", byID, err)
		}
		// The stored key verifies the owner's signatures.
		pub, err := got.SM2()
		mustOK(t, err)
		sig, err := priv.Sign(rand.Reader, []byte("投标文件"))
		mustOK(t, err)
		if !pub.Verify([]byte("投标文件"), sig) {
			t.Error("registered key does not verify its owner's signature")
		}
		_, err = w.Party.KeyByFingerprint(ctx, strings.Repeat("0", 64))
		wantErr(t, "unknown fingerprint", err, apperr.NotFound)
	})

	t.Run("RejectsWhatIsNotAnSM2PublicKey", func(t *testing.T) {
		ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		mustOK(t, err)
		der, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
		mustOK(t, err)
		p256 := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		edPub, _, err := ed25519.GenerateKey(rand.Reader)
		mustOK(t, err)
		der, err = x509.MarshalPKIXPublicKey(edPub)
		mustOK(t, err)
		ed := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		sm2, err := gm.GenerateKey(rand.Reader)
		mustOK(t, err)
		privPEM := string(sm2.MarshalPlainPEM())
		good := pemOf(t)
		for _, c := range []struct{ name, pem, msg string }{
			{"empty", "  ", "请粘贴或上传公钥"},
			{"garbage", "hello", "公钥格式错误"},
			{"truncated", good[:len(good)/2], "公钥格式错误"},
			{"not a public key block", strings.ReplaceAll(good, "PUBLIC KEY", "CERTIFICATE"), "公钥格式错误"},
			{"too long", good + strings.Repeat("x", 5000), "公钥格式错误"},
			{"P-256", p256, "仅接受 SM2 公钥"},
			{"Ed25519", ed, "仅接受 SM2 公钥"},
			{"a private key", privPEM, "私钥"},
		} {
			_, err := w.Party.RegisterKey(ctx, w.Actor("bidder3"), party.KeyInput{PEM: c.pem, Purpose: party.KeyBid})
			wantErr(t, c.name, err, apperr.Invalid, c.msg)
			if e := apperr.As(err); e.Fields["pem"] == "" {
				t.Errorf("%s: no message on the pem field: %+v", c.name, e.Fields)
			}
		}
		ks, err := w.Party.EntityKeys(ctx, w.Bidders[2].ID)
		mustOK(t, err)
		if len(ks) != 0 {
			t.Errorf("rejected keys were stored: %+v", ks)
		}
	})

	t.Run("AKeyIsRegisteredOnce", func(t *testing.T) {
		p := pemOf(t)
		_, err := w.Party.RegisterKey(ctx, w.Actor("bidder4"), party.KeyInput{PEM: p, Purpose: party.KeyBid})
		mustOK(t, err)
		_, err = w.Party.RegisterKey(ctx, w.Actor("bidder4"), party.KeyInput{PEM: p, Purpose: party.KeyBid})
		wantErr(t, "same owner again", err, apperr.Conflict, "已登记")
		// Nor may anyone else claim it, for any purpose.
		_, err = w.Party.RegisterKey(ctx, w.Actor("bidder5"), party.KeyInput{PEM: p, Purpose: party.KeyBid})
		wantErr(t, "another entity", err, apperr.Conflict, "已登记")
		_, err = w.Party.RegisterKey(ctx, w.Actor("agency"), party.KeyInput{PEM: p, Purpose: party.KeyCustody})
		wantErr(t, "another purpose", err, apperr.Conflict, "已登记")
	})

	t.Run("Validity", func(t *testing.T) {
		five := func(t0 time.Time) time.Time { return t0.AddDate(party.KeyMaxValidityYears, 0, 0) }
		cases := []struct {
			name         string
			from, to     time.Time
			wantFrom     time.Time
			wantTo       time.Time
			invalidField string
		}{
			{name: "defaults to now for five years", wantFrom: now, wantTo: five(now)},
			{name: "a past start is the registration time", from: now.Add(-72 * time.Hour), to: now.Add(24 * time.Hour), wantFrom: now, wantTo: now.Add(24 * time.Hour)},
			{name: "a future start is kept", from: now.Add(48 * time.Hour), wantFrom: now.Add(48 * time.Hour), wantTo: five(now.Add(48 * time.Hour))},
			{name: "exactly five years", to: five(now), wantFrom: now, wantTo: five(now)},
			{name: "an end in another zone is stored in UTC", to: now.Add(time.Hour).In(time.FixedZone("CST", 8*3600)), wantFrom: now, wantTo: now.Add(time.Hour)},
			{name: "more than five years", to: five(now).Add(time.Second), invalidField: "valid_to"},
			{name: "end before start", from: now.Add(48 * time.Hour), to: now.Add(24 * time.Hour), invalidField: "valid_to"},
			{name: "end equals start", to: now, invalidField: "valid_to"},
		}
		for _, c := range cases {
			k, err := w.Party.RegisterKey(ctx, w.Actor("bidder6"), party.KeyInput{PEM: pemOf(t), Purpose: party.KeyBid, ValidFrom: c.from, ValidTo: c.to})
			if c.invalidField != "" {
				wantErr(t, c.name, err, apperr.Invalid)
				if apperr.As(err).Fields[c.invalidField] == "" {
					t.Errorf("%s: no message on %s: %+v", c.name, c.invalidField, apperr.As(err).Fields)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			if !k.ValidFrom.Equal(c.wantFrom) || !k.ValidTo.Equal(c.wantTo) || k.ValidTo.Location() != time.UTC || !k.CreatedAt.Equal(now) {
				t.Errorf("%s: valid %v – %v (created %v), want %v – %v", c.name, k.ValidFrom, k.ValidTo, k.CreatedAt, c.wantFrom, c.wantTo)
			}
		}
		_, err := w.Party.RegisterKey(ctx, w.Actor("bidder6"), party.KeyInput{PEM: pemOf(t), Purpose: party.KeyBid, Label: strings.Repeat("长", 51)})
		wantErr(t, "long label", err, apperr.Invalid)
	})

	t.Run("LedgerEntry", func(t *testing.T) {
		a := w.Actor("agency")
		k, err := w.Party.RegisterKey(ctx, a, party.KeyInput{PEM: pemOf(t), Purpose: party.KeyCustody, Label: "陈代理的U盾"})
		mustOK(t, err)
		es := ledgerOf(t, w, k.Fingerprint)
		if len(es) != 1 || es[0].Type != "key.registered" {
			t.Fatalf("ledger entries %+v", es)
		}
		pub := decode(t, es[0].Public)
		want := map[string]any{"role": "agency", "fingerprint": k.Fingerprint, "purpose": "custody", "owner": a.UserID,
			"valid_from": k.ValidFrom.Format(time.RFC3339Nano), "valid_to": k.ValidTo.Format(time.RFC3339Nano)}
		for f, v := range want {
			if pub[f] != v {
				t.Errorf("public %s = %v, want %v", f, pub[f], v)
			}
		}
		priv := decode(t, es[0].Private)
		if priv["actor"] != a.UserID || priv["ip"] != a.IP || priv["key"] != k.ID {
			t.Errorf("private part %v", priv)
		}
		if strings.Contains(string(es[0].Public), "陈代理") {
			t.Error("the label (free text) is in the public part")
		}
	})
}

func ledgerOf(t *testing.T, w *fixture.World, subject string) []ledger.Entry {
	t.Helper()
	var es []ledger.Entry
	mustOK(t, w.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		es, err = tx.ListLedger(ctx, subject, 0, 0)
		return err
	}))
	return es
}

func decode(t *testing.T, b json.RawMessage) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRevokeKey(t *testing.T) {
	w := newWorld(t)
	reg := func(user string, p party.KeyPurpose) party.PublicKey {
		t.Helper()
		a := party.System()
		if user != "system" {
			a = w.Actor(user)
		}
		k, err := w.Party.RegisterKey(ctx, a, party.KeyInput{PEM: pemOf(t), Purpose: p})
		mustOK(t, err)
		return k
	}
	w.Clock.Advance(time.Hour)

	cases := []struct {
		name  string
		owner string // registers
		p     party.KeyPurpose
		by    string // revokes
		want  apperr.Code
	}{
		{"the entity's own user", "bidder1", party.KeyBid, "bidder1", ""},
		{"another entity", "bidder1", party.KeyBid, "bidder2", apperr.Forbidden},
		{"the custodian", "agency", party.KeyCustody, "agency", ""},
		{"another custodian", "agency", party.KeyCustody, "supervisor", apperr.Forbidden},
		{"a bidder on a custody key", "supervisor", party.KeyCustody, "bidder1", apperr.Forbidden},
		{"an auditor", "bidder1", party.KeyBid, "auditor", apperr.Forbidden},
		{"the operator, any bid key", "bidder1", party.KeyBid, "operator", ""},
		{"the admin, any custody key", "supervisor", party.KeyCustody, "admin", ""},
		{"the operator, the platform key", "system", party.KeyPlatform, "operator", ""},
		{"a bidder, the platform key", "admin", party.KeyPlatform, "bidder1", apperr.Forbidden},
		{"a custodian, the platform key", "operator", party.KeyPlatform, "supervisor", apperr.Forbidden},
	}
	for _, c := range cases {
		k := reg(c.owner, c.p)
		got, err := w.Party.RevokeKey(ctx, w.Actor(c.by), k.ID, "  U盾遗失  ")
		if c.want != "" {
			wantErr(t, c.name, err, c.want)
			if after, err := w.Party.Key(ctx, k.ID); err != nil || after.Revoked() {
				t.Errorf("%s: key changed although refused: %+v %v", c.name, after, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		now := w.Clock.Now()
		if !got.RevokedAt.Equal(now) || got.RevokedReason != "U盾遗失" {
			t.Errorf("%s: revoked %v (%q)", c.name, got.RevokedAt, got.RevokedReason)
		}
		if stored, _ := w.Party.Key(ctx, k.ID); stored != got {
			t.Errorf("%s: stored %+v, returned %+v", c.name, stored, got)
		}
	}

	t.Run("ReasonRequired", func(t *testing.T) {
		k := reg("bidder3", party.KeyBid)
		_, err := w.Party.RevokeKey(ctx, w.Actor("bidder3"), k.ID, "   ")
		wantErr(t, "blank reason", err, apperr.Invalid, "原因")
		_, err = w.Party.RevokeKey(ctx, w.Actor("bidder3"), k.ID, strings.Repeat("长", 201))
		wantErr(t, "long reason", err, apperr.Invalid)
	})

	t.Run("RevocationIsForeverAndKept", func(t *testing.T) {
		k := reg("bidder4", party.KeyBid)
		first, err := w.Party.RevokeKey(ctx, w.Actor("bidder4"), k.ID, "私钥泄露")
		mustOK(t, err)
		w.Clock.Advance(time.Minute)
		_, err = w.Party.RevokeKey(ctx, w.Actor("operator"), k.ID, "再次吊销")
		wantErr(t, "twice", err, apperr.Conflict, "已于", "吊销")
		// Still listed, with its first revocation.
		ks, err := w.Party.EntityKeys(ctx, w.Bidders[3].ID)
		mustOK(t, err)
		if len(ks) != 1 || ks[0] != first {
			t.Errorf("EntityKeys after revocation: %+v", ks)
		}
		es := ledgerOf(t, w, k.Fingerprint)
		if len(es) != 2 || es[0].Type != "key.registered" || es[1].Type != "key.revoked" {
			t.Fatalf("ledger %+v", es)
		}
		pub := decode(t, es[1].Public)
		if pub["revoked_at"] != first.RevokedAt.Format(time.RFC3339Nano) || pub["revoked_reason"] != "私钥泄露" || pub["owner"] != w.Bidders[3].ID || pub["purpose"] != "bid" {
			t.Errorf("revocation public part %v", pub)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		_, err := w.Party.RevokeKey(ctx, w.Actor("operator"), "nope", "原因")
		wantErr(t, "missing key", err, apperr.NotFound)
	})
}

func TestKeyViews(t *testing.T) {
	w := newWorld(t)
	reg := func(a party.Actor, p party.KeyPurpose) party.PublicKey {
		t.Helper()
		k, err := w.Party.RegisterKey(ctx, a, party.KeyInput{PEM: pemOf(t), Purpose: p})
		mustOK(t, err)
		w.Clock.Advance(time.Second)
		return k
	}
	b1a := reg(w.Actor("bidder1"), party.KeyBid)
	b1b := reg(w.Actor("bidder1"), party.KeyBid) // another user of the same entity would see both
	b2 := reg(w.Actor("bidder2"), party.KeyBid)
	ag := reg(w.Actor("agency"), party.KeyCustody)
	op := reg(w.Actor("operator"), party.KeyCustody)
	sv := reg(w.Actor("supervisor"), party.KeyCustody)
	pl := reg(party.System(), party.KeyPlatform)
	all := []party.PublicKey{pl, sv, op, ag, b2, b1b, b1a} // newest first

	for _, c := range []struct {
		actor string
		want  []party.PublicKey
	}{
		{"bidder1", []party.PublicKey{b1b, b1a}},
		{"bidder2", []party.PublicKey{b2}},
		{"bidder3", []party.PublicKey{}},
		{"agency", []party.PublicKey{ag}},
		{"supervisor", []party.PublicKey{sv}},
		{"principal", []party.PublicKey{}},
		{"expert1", []party.PublicKey{}},
		{"operator", all},
		{"admin", all},
		{"auditor", all},
	} {
		got, err := w.Party.Keys(ctx, w.Actor(c.actor))
		mustOK(t, err)
		if !sameKeys(got, c.want) {
			t.Errorf("Keys(%s) = %v, want %v", c.actor, fps(got), fps(c.want))
		}
	}
	_, err := w.Party.Keys(ctx, party.Public("1.2.3.4"))
	wantErr(t, "Keys(public)", err, apperr.Unauthorized)

	// Public views.
	got, err := w.Party.EntityKeys(ctx, w.Bidders[0].ID)
	mustOK(t, err)
	if !sameKeys(got, []party.PublicKey{b1b, b1a}) {
		t.Errorf("EntityKeys = %v", fps(got))
	}
	got, err = w.Party.UserKeys(ctx, w.Users["agency"].ID)
	mustOK(t, err)
	if !sameKeys(got, []party.PublicKey{ag}) {
		t.Errorf("UserKeys = %v", fps(got))
	}
	got, err = w.Party.UserKeys(ctx, w.Users["bidder1"].ID) // bid keys are the entity's, not the user's
	mustOK(t, err)
	if len(got) != 0 {
		t.Errorf("UserKeys(bidder1) = %v", fps(got))
	}
	got, err = w.Party.PlatformKeys(ctx)
	mustOK(t, err)
	if !sameKeys(got, []party.PublicKey{pl}) {
		t.Errorf("PlatformKeys = %v", fps(got))
	}
	_, err = w.Party.EntityKeys(ctx, "nope")
	wantErr(t, "EntityKeys(unknown)", err, apperr.NotFound)
	_, err = w.Party.EntityKeys(ctx, "")
	wantErr(t, "EntityKeys(\"\")", err, apperr.NotFound)
	_, err = w.Party.UserKeys(ctx, "nope")
	wantErr(t, "UserKeys(unknown)", err, apperr.NotFound)
}

func sameKeys(a, b []party.PublicKey) bool {
	if len(a) != len(b) || a == nil {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func fps(ks []party.PublicKey) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.Fingerprint[:8])
	}
	return out
}

func TestValidBidKey(t *testing.T) {
	w := newWorld(t)
	t0 := w.Clock.Now()
	bidder := w.Actor("bidder1")
	reg := func(a party.Actor, in party.KeyInput) party.PublicKey {
		t.Helper()
		in.PEM = pemOf(t)
		k, err := w.Party.RegisterKey(ctx, a, in)
		mustOK(t, err)
		return k
	}
	good := reg(bidder, party.KeyInput{Purpose: party.KeyBid})
	short := reg(bidder, party.KeyInput{Purpose: party.KeyBid, ValidFrom: t0.Add(24 * time.Hour), ValidTo: t0.Add(48 * time.Hour)})
	revoked := reg(bidder, party.KeyInput{Purpose: party.KeyBid})
	other := reg(w.Actor("bidder2"), party.KeyInput{Purpose: party.KeyBid})
	custody := reg(w.Actor("agency"), party.KeyInput{Purpose: party.KeyCustody})
	revokedAt := t0.Add(10 * time.Hour)
	w.Clock.Set(revokedAt)
	_, err := w.Party.RevokeKey(ctx, bidder, revoked.ID, "U盾遗失")
	mustOK(t, err)

	for _, c := range []struct {
		name   string
		entity string
		fp     string
		at     time.Time
		want   string // "" = valid; else a part of the Invalid message
	}{
		{"valid", bidder.EntityID, good.Fingerprint, t0.Add(time.Hour), ""},
		{"fingerprint typed in capitals", bidder.EntityID, " " + strings.ToUpper(good.Fingerprint) + " ", t0.Add(time.Hour), ""},
		{"valid from its first instant", bidder.EntityID, good.Fingerprint, good.ValidFrom, ""},
		{"not registered", bidder.EntityID, strings.Repeat("ab", 32), t0, "未登记"},
		{"not a fingerprint", bidder.EntityID, "hello", t0, "格式错误"},
		{"another entity's key", bidder.EntityID, other.Fingerprint, t0.Add(time.Hour), "不属于该投标人"},
		{"no entity", "", good.Fingerprint, t0.Add(time.Hour), "不属于该投标人"},
		{"a custody key", bidder.EntityID, custody.Fingerprint, t0.Add(time.Hour), "不能用于投标签名"},
		{"revoked: before the revocation it was valid", bidder.EntityID, revoked.Fingerprint, revokedAt.Add(-time.Microsecond), ""},
		{"revoked: at the revocation", bidder.EntityID, revoked.Fingerprint, revokedAt, "已吊销于2026-03-02 19:00（U盾遗失）"},
		{"revoked: after", bidder.EntityID, revoked.Fingerprint, revokedAt.Add(time.Hour), "已吊销于"},
		{"not yet valid", bidder.EntityID, short.Fingerprint, t0.Add(23 * time.Hour), "不在有效期内（有效期2026-03-03 09:00至2026-03-04 09:00）"},
		{"valid in its window", bidder.EntityID, short.Fingerprint, t0.Add(30 * time.Hour), ""},
		{"expired (the end is exclusive)", bidder.EntityID, short.Fingerprint, t0.Add(48 * time.Hour), "不在有效期内"},
		{"five years on", bidder.EntityID, good.Fingerprint, good.ValidTo, "不在有效期内"},
	} {
		k, err := w.Party.ValidBidKey(ctx, c.entity, c.fp, c.at)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			} else if k.Fingerprint != party.NormalizeFingerprint(c.fp) {
				t.Errorf("%s: got key %s", c.name, k.Fingerprint)
			}
			continue
		}
		wantErr(t, c.name, err, apperr.Invalid, c.want)
	}
}

func TestValidCustodyKey(t *testing.T) {
	w := newWorld(t)
	t0 := w.Clock.Now()
	agency := w.Actor("agency")
	reg := func(a party.Actor, in party.KeyInput) party.PublicKey {
		t.Helper()
		in.PEM, in.Purpose = pemOf(t), party.KeyCustody
		k, err := w.Party.RegisterKey(ctx, a, in)
		mustOK(t, err)
		w.Clock.Advance(time.Minute)
		return k
	}

	_, err := w.Party.ValidCustodyKey(ctx, agency.UserID, t0)
	wantErr(t, "no key yet", err, apperr.NotFound, "该人员尚未登记有效的解密（保管）公钥")

	old := reg(agency, party.KeyInput{})
	newer := reg(agency, party.KeyInput{ValidTo: t0.Add(30 * 24 * time.Hour)})
	future := reg(agency, party.KeyInput{ValidFrom: t0.Add(60 * 24 * time.Hour)}) // newest, not yet valid

	check := func(name string, at time.Time, want party.PublicKey) {
		t.Helper()
		got, err := w.Party.ValidCustodyKey(ctx, agency.UserID, at)
		if err != nil || got != want {
			t.Errorf("%s: got %v %v, want %v", name, fps([]party.PublicKey{got}), err, fps([]party.PublicKey{want}))
		}
	}
	now := w.Clock.Now()
	check("the newest valid key", now, newer)
	check("after the newest expired, the older one", t0.Add(31*24*time.Hour), old)
	check("once the future key starts, it", t0.Add(61*24*time.Hour), future)

	_, err = w.Party.RevokeKey(ctx, agency, newer.ID, "更换")
	mustOK(t, err)
	check("the newest revoked, the older one", w.Clock.Now(), old)
	_, err = w.Party.RevokeKey(ctx, agency, old.ID, "更换")
	mustOK(t, err)
	_, err = w.Party.ValidCustodyKey(ctx, agency.UserID, w.Clock.Now())
	wantErr(t, "all revoked", err, apperr.NotFound, "该人员尚未登记有效的解密（保管）公钥")

	_, err = w.Party.ValidCustodyKey(ctx, w.Users["bidder1"].ID, now)
	wantErr(t, "a bidder", err, apperr.NotFound, "不能担任解密（保管）人")
	_, err = w.Party.ValidCustodyKey(ctx, "nope", now)
	wantErr(t, "unknown user", err, apperr.NotFound)
}

func TestCustodianOrg(t *testing.T) {
	w := newWorld(t)
	agency := w.Users["agency"]
	for _, c := range []struct {
		user       party.User
		entity     party.Entity
		key, label string
	}{
		{agency, w.Agency, "entity:" + w.Agency.ID, "广西八桂招标代理有限公司"},
		{agency, party.Entity{}, "entity:" + w.Agency.ID, "招标代理机构"},
		{w.Users["operator"], party.Entity{}, "centre", "交易中心"},
		{w.Users["supervisor"], party.Entity{}, "dept:住建", "住建行政监督部门"},
		{w.Users["bidder1"], w.Bidders[0], "", ""},
		{w.Users["principal"], w.Principal, "", ""},
		{w.Users["auditor"], party.Entity{}, "", ""},
	} {
		key, label := party.CustodianOrg(c.user, c.entity)
		if key != c.key || label != c.label {
			t.Errorf("CustodianOrg(%s) = %q, %q; want %q, %q", c.user.Username, key, label, c.key, c.label)
		}
		if got := party.CanHoldCustody(c.user.Role); got != (c.key != "") {
			t.Errorf("CanHoldCustody(%s) = %v", c.user.Role, got)
		}
	}
	key, label, err := w.Party.CustodianOrgOf(ctx, agency.ID)
	if err != nil || key != "entity:"+w.Agency.ID || label != w.Agency.Name {
		t.Errorf("CustodianOrgOf(agency) = %q, %q, %v", key, label, err)
	}
	_, _, err = w.Party.CustodianOrgOf(ctx, "nope")
	wantErr(t, "CustodianOrgOf(unknown)", err, apperr.NotFound)
}

func TestPublicKeyValidAt(t *testing.T) {
	from := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	to := from.Add(48 * time.Hour)
	rev := from.Add(24 * time.Hour)
	open := party.PublicKey{ValidFrom: from}
	closed := party.PublicKey{ValidFrom: from, ValidTo: to}
	revoked := party.PublicKey{ValidFrom: from, ValidTo: to, RevokedAt: rev, RevokedReason: "x"}
	for _, c := range []struct {
		name   string
		k      party.PublicKey
		at     time.Time
		valid  bool
		status string
	}{
		{"before the start", closed, from.Add(-time.Nanosecond), false, "未生效"},
		{"at the start", closed, from, true, "有效"},
		{"just before the end", closed, to.Add(-time.Nanosecond), true, "有效"},
		{"at the end", closed, to, false, "已过期"},
		{"open-ended, years later", open, from.AddDate(30, 0, 0), true, "有效"},
		{"open-ended, before the start", open, from.Add(-time.Hour), false, "未生效"},
		{"just before the revocation", revoked, rev.Add(-time.Nanosecond), true, "有效"},
		{"at the revocation", revoked, rev, false, "已吊销"},
		{"after the revocation and the end", revoked, to.Add(time.Hour), false, "已吊销"},
	} {
		if got := c.k.ValidAt(c.at); got != c.valid {
			t.Errorf("%s: ValidAt = %v", c.name, got)
		}
		if got := c.k.StatusAt(c.at); got != c.status {
			t.Errorf("%s: StatusAt = %q, want %q", c.name, got, c.status)
		}
	}
}

func TestPublicKeySM2RefusesATamperedRow(t *testing.T) {
	_, p := newPEM(t)
	pub, err := gm.ParsePublicKeyPEM([]byte(p))
	mustOK(t, err)
	k := party.PublicKey{Fingerprint: pub.Fingerprint(), PEM: p}
	if _, err := k.SM2(); err != nil {
		t.Fatalf("SM2: %v", err)
	}
	k.PEM = pemOf(t) // another key under the recorded fingerprint
	if _, err := k.SM2(); err == nil {
		t.Error("SM2 accepted a PEM that does not match the fingerprint")
	}
	k.PEM = "junk"
	if _, err := k.SM2(); err == nil {
		t.Error("SM2 accepted junk")
	}
}

func TestKeyPurpose(t *testing.T) {
	for _, p := range party.KeyPurposes {
		if !p.Valid() || p.Label() == "未知用途" {
			t.Errorf("%q: Valid %v Label %q", p, p.Valid(), p.Label())
		}
	}
	if party.KeyPurpose("signing").Valid() {
		t.Error("unknown purpose is valid")
	}
}
