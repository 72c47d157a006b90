package verify

import (
	"crypto/rand"
	"testing"

	"ggzy/internal/gm"
)

// The platform's real key is SM2 (internal/gm): its verifier key string
// parses here, and a receipt signed with it verifies with --key.
func TestSM2Key(t *testing.T) {
	k, err := gm.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gm.NewNoteSigner("ggzy/ledger/450100", k)
	if err != nil {
		t.Fatal(err)
	}
	vkey := gm.VerifierKeyString("ggzy/ledger/450100", k.Public())
	r := synthReceipt(t, s, vkey, 6, 4)
	rep, err := CheckReceipt(t.Context(), r, ReceiptConfig{Key: vkey})
	if err != nil {
		t.Fatal(err)
	}
	wantOK(t, rep)

	other, _ := gm.GenerateKey(rand.Reader)
	if _, err := verifierFromKey(gm.VerifierKeyString("ggzy/ledger/450100", other.Public())); err != nil {
		t.Fatal(err)
	}
	rep, err = CheckReceipt(t.Context(), r, ReceiptConfig{Key: gm.VerifierKeyString("ggzy/ledger/450100", other.Public())})
	if err != nil {
		t.Fatal(err)
	}
	wantProblems(t, rep, 1, "签名")
	if _, err := verifierFromKey("ggzy+00000000+AAAA"); err == nil {
		t.Fatal("a malformed key parsed")
	}
}
