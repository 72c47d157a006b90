package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// TestKeysConformance tests the public key registry's store methods on
// every database.
func TestKeysConformance(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		t.Run("CreateGet", func(t *testing.T) { testKeysCreateGet(t, db) })
		t.Run("List", func(t *testing.T) { testKeysList(t, db) })
		t.Run("Revoke", func(t *testing.T) { testKeysRevoke(t, db) })
	})
}

// fp makes a distinct 64-hex fingerprint.
func fp(prefix string, n int) string {
	s := fmt.Sprintf("%s%02d", prefix, n)
	return s + strings.Repeat("0", 64-len(s))
}

func testKey(id, fingerprint string, p party.KeyPurpose, entity, user string, created time.Time) party.PublicKey {
	return party.PublicKey{ID: id, Fingerprint: fingerprint, Purpose: p, EntityID: entity, UserID: user,
		PEM: "-----BEGIN PUBLIC KEY-----\n" + fingerprint + "\n-----END PUBLIC KEY-----\n", Label: "财务U盾",
		ValidFrom: created, ValidTo: created.AddDate(5, 0, 0), CreatedAt: created, CreatedBy: "u-" + id}
}

func testKeysCreateGet(t *testing.T, db *store.DB) {
	full := testKey("k1", fp("a1", 1), party.KeyBid, "e1", "", t0)
	open := testKey("k2", fp("a1", 2), party.KeyPlatform, "", "", at(time.Minute))
	open.ValidTo, open.Label = time.Time{}, "" // open-ended, unnamed
	revoked := testKey("k3", fp("a1", 3), party.KeyCustody, "", "u1", at(2*time.Minute))
	revoked.RevokedAt, revoked.RevokedReason = at(time.Hour), "U盾遗失"
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateKey(ctx, full))
		ok(t, tx.CreateKey(ctx, open))
		ok(t, tx.CreateKey(ctx, revoked))
	})
	read(t, db, func(tx *store.Tx) {
		for _, k := range []party.PublicKey{full, open, revoked} {
			eq(t, "GetKey "+k.ID, must[party.PublicKey](t)(tx.GetKey(ctx, k.ID)), k)
			eq(t, "GetKeyByFingerprint "+k.ID, must[party.PublicKey](t)(tx.GetKeyByFingerprint(ctx, k.Fingerprint)), k)
		}
		_, err := tx.GetKey(ctx, "nope")
		isCode(t, "GetKey missing", err, apperr.NotFound)
		_, err = tx.GetKeyByFingerprint(ctx, fp("ff", 0))
		isCode(t, "GetKeyByFingerprint missing", err, apperr.NotFound)
	})

	// The fingerprint is unique whatever the owner or purpose; so is the ID.
	dupFP := testKey("k9", full.Fingerprint, party.KeyCustody, "", "u2", at(time.Hour))
	dupID := testKey(full.ID, fp("a1", 9), party.KeyBid, "e1", "", at(time.Hour))
	for name, k := range map[string]party.PublicKey{"fingerprint": dupFP, "id": dupID} {
		err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.CreateKey(ctx, k) })
		isCode(t, "CreateKey duplicate "+name, err, apperr.Conflict)
	}
	// Times with sub-microsecond parts are stored to the microsecond, in UTC.
	odd := testKey("k4", fp("a1", 4), party.KeyBid, "e1", "", time.Date(2025, 3, 14, 17, 30, 15, 123456789, time.FixedZone("CST", 8*3600)))
	write(t, db, func(tx *store.Tx) { ok(t, tx.CreateKey(ctx, odd)) })
	read(t, db, func(tx *store.Tx) {
		got := must[party.PublicKey](t)(tx.GetKey(ctx, odd.ID))
		want := odd.CreatedAt.UTC().Truncate(time.Microsecond)
		if !got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC || !got.ValidFrom.Equal(want) {
			t.Errorf("times: got created %v valid from %v, want %v UTC", got.CreatedAt, got.ValidFrom, want)
		}
	})
}

func testKeysList(t *testing.T, db *store.DB) {
	ks := []party.PublicKey{
		testKey("l-k01", fp("b", 1), party.KeyBid, "l-e1", "", at(1*time.Minute)),
		testKey("l-k02", fp("b", 2), party.KeyBid, "l-e1", "", at(3*time.Minute)),
		testKey("l-k03", fp("b", 3), party.KeyBid, "l-e2", "", at(2*time.Minute)),
		testKey("l-k04", fp("b", 4), party.KeyCustody, "", "l-u1", at(4*time.Minute)),
		testKey("l-k05", fp("b", 5), party.KeyCustody, "", "l-u1", at(4*time.Minute)), // same time: ID breaks the tie
		testKey("l-k06", fp("b", 6), party.KeyCustody, "", "l-u2", at(5*time.Minute)),
		testKey("l-k07", fp("b", 7), party.KeyPlatform, "", "", at(6*time.Minute)),
	}
	write(t, db, func(tx *store.Tx) {
		for _, k := range ks {
			ok(t, tx.CreateKey(ctx, k))
		}
	})
	// Other subtests share the database: only this one's keys (l-…) count.
	idsOf := func(ks []party.PublicKey) string {
		var s []string
		for _, k := range ks {
			if strings.HasPrefix(k.ID, "l-") {
				s = append(s, k.ID)
			}
		}
		return strings.Join(s, ",")
	}
	read(t, db, func(tx *store.Tx) {
		for _, c := range []struct {
			f    party.KeyFilter
			want string
		}{
			{party.KeyFilter{}, "l-k07,l-k06,l-k05,l-k04,l-k02,l-k03,l-k01"},
			{party.KeyFilter{EntityID: "l-e1"}, "l-k02,l-k01"},
			{party.KeyFilter{EntityID: "l-e1", Purpose: party.KeyBid}, "l-k02,l-k01"},
			{party.KeyFilter{EntityID: "l-e1", Purpose: party.KeyCustody}, ""},
			{party.KeyFilter{UserID: "l-u1"}, "l-k05,l-k04"},
			{party.KeyFilter{UserID: "l-u1", Purpose: party.KeyCustody}, "l-k05,l-k04"},
			{party.KeyFilter{Purpose: party.KeyBid}, "l-k02,l-k03,l-k01"},
			{party.KeyFilter{Purpose: party.KeyPlatform}, "l-k07"},
			{party.KeyFilter{EntityID: "l-e1", UserID: "l-u1"}, ""},
			{party.KeyFilter{EntityID: "nope"}, ""},
		} {
			got := must[[]party.PublicKey](t)(tx.ListKeys(ctx, c.f))
			eq(t, fmt.Sprintf("ListKeys(%+v)", c.f), idsOf(got), c.want)
			for _, k := range got {
				if (c.f.EntityID != "" && k.EntityID != c.f.EntityID) || (c.f.UserID != "" && k.UserID != c.f.UserID) || (c.f.Purpose != "" && k.Purpose != c.f.Purpose) {
					t.Errorf("ListKeys(%+v) returned %s, which does not match", c.f, k.ID)
				}
			}
		}
		// Rows come back whole.
		got := must[[]party.PublicKey](t)(tx.ListKeys(ctx, party.KeyFilter{UserID: "l-u2"}))
		eq(t, "ListKeys row", got, []party.PublicKey{ks[5]})
	})
}

func testKeysRevoke(t *testing.T, db *store.DB) {
	k := testKey("r-k1", fp("c", 1), party.KeyCustody, "", "u1", t0)
	other := testKey("r-k2", fp("c", 2), party.KeyCustody, "", "u1", t0)
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateKey(ctx, k))
		ok(t, tx.CreateKey(ctx, other))
	})
	// Only the revocation is written, whatever else the value says.
	rev := k
	rev.RevokedAt, rev.RevokedReason = at(time.Hour), "人员调离"
	changed := rev
	changed.Label, changed.PEM, changed.Purpose, changed.UserID, changed.ValidTo = "改名", "x", party.KeyBid, "u9", at(2*time.Hour)
	write(t, db, func(tx *store.Tx) { ok(t, tx.UpdateKey(ctx, changed)) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "revoked key", must[party.PublicKey](t)(tx.GetKey(ctx, k.ID)), rev)
		eq(t, "other key untouched", must[party.PublicKey](t)(tx.GetKey(ctx, other.ID)), other)
	})

	// Revocation is forever: a second one is a conflict and changes nothing.
	again := rev
	again.RevokedAt, again.RevokedReason = at(3*time.Hour), "再次吊销"
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateKey(ctx, again) })
	isCode(t, "UpdateKey twice", err, apperr.Conflict)
	read(t, db, func(tx *store.Tx) {
		eq(t, "revocation kept", must[party.PublicKey](t)(tx.GetKey(ctx, k.ID)), rev)
	})

	missing := rev
	missing.ID = "nope"
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateKey(ctx, missing) })
	isCode(t, "UpdateKey missing", err, apperr.NotFound)

	// An "update" without a revocation time is refused (it would un-revoke nothing
	// and is a programming error).
	plain := other
	plain.Label = "改名"
	if err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateKey(ctx, plain) }); err == nil {
		t.Error("UpdateKey without RevokedAt: no error")
	}
	read(t, db, func(tx *store.Tx) {
		eq(t, "unrevoked key untouched", must[party.PublicKey](t)(tx.GetKey(ctx, other.ID)), other)
	})
}
