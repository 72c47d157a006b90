package tender_test

import (
	"reflect"
	"strings"
	"testing"

	"ggzy/internal/apperr"
	"ggzy/internal/rules"
	"ggzy/internal/tender"
)

func validLot() tender.LotInput {
	return tender.LotInput{Name: "第一标段", Procedure: tender.Open, Method: tender.LowestPrice, Estimate: 10_000_000_00,
		Security: 100_000_00, CategoryCode: "A0801", CommitteeSize: 5, PrincipalReps: 1}
}

func TestValidateLot(t *testing.T) {
	svc := tender.New(tender.Config{Rules: rules.EngineeringTender()})
	scoring := func(items ...tender.ScoreItem) []tender.ScoreItem { return items }
	price := func(max int64) tender.ScoreItem {
		return tender.ScoreItem{Key: "price", Name: "投标报价", Max: max, Price: true}
	}
	item := func(key string, max int64) tender.ScoreItem {
		return tender.ScoreItem{Key: key, Name: "技术" + key, Max: max}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*tender.LotInput)
		field string // "" = accepted
		basis string
	}{
		{"SecurityOfExactly2PercentIsAccepted", func(in *tender.LotInput) { in.Security = 200_000_00 }, "", ""},
		{"SecurityAbove2PercentOfEstimateIsRefusedWithBasis", func(in *tender.LotInput) { in.Security = 200_000_01 }, "security", "《招标投标法实施条例》第二十六条"},
		{"NegativeSecurityIsRefused", func(in *tender.LotInput) { in.Security = -1 }, "security", ""},
		{"CommitteeOf4IsRefused", func(in *tender.LotInput) { in.CommitteeSize = 4 }, "committee_size", "第三十七条"},
		{"CommitteeOf6IsRefused", func(in *tender.LotInput) { in.CommitteeSize, in.PrincipalReps = 6, 1 }, "committee_size", "第三十七条"},
		{"CommitteeOf3IsRefused", func(in *tender.LotInput) { in.CommitteeSize, in.PrincipalReps = 3, 0 }, "committee_size", "第三十七条"},
		{"FiveMembersWithOneRepIsAccepted", func(in *tender.LotInput) {}, "", ""},
		{"FiveMembersWithTwoRepsIsRefused", func(in *tender.LotInput) { in.PrincipalReps = 2 }, "principal_reps", "第三十七条"},
		{"SevenMembersWithTwoRepsIsAccepted", func(in *tender.LotInput) { in.CommitteeSize, in.PrincipalReps = 7, 2 }, "", ""},
		{"SevenMembersWithThreeRepsIsRefused", func(in *tender.LotInput) { in.CommitteeSize, in.PrincipalReps = 7, 3 }, "principal_reps", "第三十七条"},
		{"NineMembersWithThreeRepsIsAcceptedExactlyTwoThirdsExperts", func(in *tender.LotInput) { in.CommitteeSize, in.PrincipalReps = 9, 3 }, "", ""},
		{"NineMembersWithFourRepsIsRefused", func(in *tender.LotInput) { in.CommitteeSize, in.PrincipalReps = 9, 4 }, "principal_reps", "第三十七条"},
		{"FifteenMembersWithFiveRepsIsAccepted", func(in *tender.LotInput) { in.CommitteeSize, in.PrincipalReps = 15, 5 }, "", ""},
		{"NegativeRepsIsRefused", func(in *tender.LotInput) { in.PrincipalReps = -1 }, "principal_reps", ""},
		{"NegativeCeilingIsRefused", func(in *tender.LotInput) { in.Ceiling = -1 }, "ceiling", ""},
		{"CeilingBelowEstimateIsAccepted", func(in *tender.LotInput) { in.Ceiling = 9_000_000_00 }, "", ""},
		{"ZeroEstimateIsRefused", func(in *tender.LotInput) { in.Estimate = 0 }, "estimate", ""},
		{"BadCategoryIsRefused", func(in *tender.LotInput) { in.CategoryCode = "Z08" }, "category_code", ""},
		{"ComprehensiveDefaultTableIsAccepted", func(in *tender.LotInput) {
			in.Method, in.Scoring = tender.Comprehensive, tender.DefaultScoring()
		}, "", ""},
		{"ComprehensiveSummingTo90IsRefused", func(in *tender.LotInput) {
			in.Method, in.Scoring = tender.Comprehensive, scoring(price(6000), item("a", 3000))
		}, "scoring", ""},
		{"ComprehensiveSummingTo110IsRefused", func(in *tender.LotInput) {
			in.Method, in.Scoring = tender.Comprehensive, scoring(price(6000), item("a", 5000))
		}, "scoring", ""},
		{"ComprehensiveWithoutPriceItemIsRefused", func(in *tender.LotInput) {
			in.Method, in.Scoring = tender.Comprehensive, scoring(item("a", 6000), item("b", 4000))
		}, "scoring", ""},
		{"ComprehensiveWithTwoPriceItemsIsRefused", func(in *tender.LotInput) {
			p2 := price(3000)
			p2.Key = "price2"
			in.Method, in.Scoring = tender.Comprehensive, scoring(price(3000), p2, item("a", 4000))
		}, "scoring", ""},
		{"ComprehensiveWithDuplicateKeysIsRefused", func(in *tender.LotInput) {
			in.Method, in.Scoring = tender.Comprehensive, scoring(price(6000), item("a", 2000), item("a", 2000))
		}, "scoring", ""},
		{"ComprehensiveWithoutTableIsRefused", func(in *tender.LotInput) { in.Method = tender.Comprehensive }, "scoring", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := validLot()
			tc.edit(&in)
			err := svc.ValidateLot(in)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v %v", err, apperr.As(err).Fields)
				}
				return
			}
			e := wantErr(t, err, apperr.Invalid, tc.basis)
			if e.Fields[tc.field] == "" {
				t.Fatalf("no message for field %q: %v", tc.field, e.Fields)
			}
		})
	}
}

func TestValidateLotSecurityMessageNamesTheCap(t *testing.T) {
	svc := tender.New(tender.Config{Rules: rules.EngineeringTender()})
	in := validLot()
	in.Security = 300_000_00
	e := wantErr(t, svc.ValidateLot(in), apperr.Invalid, "第二十六条")
	if !strings.Contains(e.Fields["security"], "2%") || !strings.Contains(e.Fields["security"], "200,000.00") {
		t.Errorf("security message %q should name 2%% and the cap ¥200,000.00", e.Fields["security"])
	}
}

func TestLotHasNoFloorPrice(t *testing.T) {
	// 《招标投标法实施条例》第二十七条: a ceiling may be set, a floor may not.
	// There is nowhere to put one.
	for _, typ := range []reflect.Type{reflect.TypeOf(tender.LotInput{}), reflect.TypeOf(tender.Lot{})} {
		for i := 0; i < typ.NumField(); i++ {
			n := strings.ToLower(typ.Field(i).Name)
			if strings.Contains(n, "floor") || strings.Contains(n, "minprice") || strings.Contains(n, "lowerlimit") {
				t.Errorf("%s has a floor-price field %s", typ.Name(), typ.Field(i).Name)
			}
		}
	}
}
