package party_test

import (
	"context"
	"testing"

	"ggzy/internal/apperr"
	"ggzy/internal/fixture"
	"ggzy/internal/party"
	"ggzy/internal/store"
)

// TestControlRelation: an entity may name its registered controller; the
// relation reads in both directions.
func TestControlRelation(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	sys := party.System()
	code := func(n string) string {
		c, err := party.MakeUSCC("91", fixture.Region, n)
		mustOK(t, err)
		return c
	}
	in := party.EntityInput{USCC: code("50000001"), Name: "广西某建设集团子公司", LegalRep: "甲", Kind: party.KindEnterprise, Region: fixture.Region, ControllerUSCC: code("50000009")}
	_, err := w.Party.RegisterEntity(ctx, sys, in)
	wantErr(t, "unregistered controller", err, apperr.Invalid, "未在平台登记")
	in.ControllerUSCC = in.USCC
	_, err = w.Party.RegisterEntity(ctx, sys, in)
	wantErr(t, "itself", err, apperr.Invalid)
	in.ControllerUSCC = w.Bidders[0].USCC
	sub, err := w.Party.RegisterEntity(ctx, sys, in)
	mustOK(t, err)
	if sub.ControllerID != w.Bidders[0].ID {
		t.Fatalf("controller %q", sub.ControllerID)
	}
	mustOK(t, w.DB.Read(ctx, func(tx *store.Tx) error {
		up, err := party.Related(ctx, tx, sub)
		if err != nil {
			return err
		}
		parent, err := tx.GetEntity(ctx, w.Bidders[0].ID)
		if err != nil {
			return err
		}
		down, err := party.Related(ctx, tx, parent)
		if err != nil {
			return err
		}
		if len(up) != 1 || up[0] != parent.ID || len(down) != 1 || down[0] != sub.ID {
			t.Errorf("related: up %v down %v", up, down)
		}
		return nil
	}))
}
