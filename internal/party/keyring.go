package party

import (
	"context"
	"time"

	"ggzy/internal/gm"
	"ggzy/internal/ids"
)

// Keyring is the registry as the tender procedure needs it (tender.Keys):
// a bidder's signing key and a custodian's share key, valid at a time.
type Keyring struct{ S *Service }

// BidKey returns the entity's bid key with that fingerprint, valid at at.
func (k Keyring) BidKey(ctx context.Context, entityID ids.ID, fingerprint string, at time.Time) (*gm.PublicKey, error) {
	pk, err := k.S.ValidBidKey(ctx, entityID, fingerprint, at)
	if err != nil {
		return nil, err
	}
	return pk.SM2()
}

// CustodyKey returns the user's newest custody key valid at at.
func (k Keyring) CustodyKey(ctx context.Context, userID ids.ID, at time.Time) (string, string, error) {
	pk, err := k.S.ValidCustodyKey(ctx, userID, at)
	return pk.Fingerprint, pk.PEM, err
}

// SignKey returns the user's sheet-signing key with that fingerprint, valid at at.
func (k Keyring) SignKey(ctx context.Context, userID ids.ID, fingerprint string, at time.Time) (*gm.PublicKey, error) {
	pk, err := k.S.ValidSignKey(ctx, userID, fingerprint, at)
	if err != nil {
		return nil, err
	}
	return pk.SM2()
}
