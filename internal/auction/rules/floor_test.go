package rules

import (
	"strings"
	"testing"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

func TestSealedFloors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		err   error
		field string
		basis string
	}{
		{"quote below the listed price", CheckListedPrice(99, 100), "amount", BasisSOAL55},
		{"land bid below the start price", CheckLandStartPrice(99, 100), "price", BasisLO39},
	} {
		e := apperr.As(tt.err)
		if tt.err == nil || e.Code != apperr.Invalid || e.Fields[tt.field] == "" || e.Basis == "" || !strings.Contains(e.Basis, tt.basis) {
			t.Errorf("%s: %+v", tt.name, tt.err)
		}
	}
	for _, err := range []error{CheckListedPrice(100, 100), CheckLandStartPrice(money.Fen(100), 100)} {
		if err != nil {
			t.Errorf("at the floor: %v", err)
		}
	}
}
