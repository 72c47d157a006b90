package rules

import (
	"testing"

	"ggzy/internal/apperr"
)

func TestLandTerms(t *testing.T) {
	tests := []struct {
		use   LandUse
		years int
	}{
		{LandResidential, 70},
		{LandIndustrial, 50},
		{LandPublic, 50},
		{LandCommercial, 40},
		{LandOther, 50},
	}
	for _, tt := range tests {
		y, ok := MaxLandTerm(tt.use)
		if !ok || y != tt.years {
			t.Errorf("MaxLandTerm(%s) = %d, %v; want %d", tt.use, y, ok, tt.years)
		}
		if err := CheckLandTerm(tt.use, tt.years); err != nil {
			t.Errorf("%s at the maximum: %v", tt.use, err)
		}
		if err := CheckLandTerm(tt.use, 1); err != nil {
			t.Errorf("%s one year: %v", tt.use, err)
		}
		checkErr(t, CheckLandTerm(tt.use, tt.years+1), apperr.Invalid, BasisLandTerm, "最高年限")
	}
	if _, ok := MaxLandTerm("farm"); ok {
		t.Error("unknown use accepted")
	}
	checkErr(t, CheckLandTerm("farm", 10), apperr.Invalid, "", "「farm」")
	checkErr(t, CheckLandTerm(LandCommercial, 0), apperr.Invalid, "", "大于零")
	checkErr(t, CheckLandTerm(LandCommercial, 41), apperr.Invalid, BasisLandTerm, "商业、旅游、娱乐用地的出让最高年限为40年，当前为41年")
}
