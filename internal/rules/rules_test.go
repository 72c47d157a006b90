package rules

import "testing"

func TestEngineeringTenderHasStatutoryValues(t *testing.T) {
	s := EngineeringTender()
	cases := []struct {
		k     Key
		v     int64
		u     Unit
		basis string
	}{
		{BidPeriodMin, 20, CalendarDays, "《招标投标法》第二十四条"},
		{DocsSaleMin, 5, CalendarDays, "《招标投标法实施条例》第十六条"},
		{ClarificationLead, 15, CalendarDays, "《招标投标法实施条例》第二十一条"},
		{SecurityCap, 200, BasisPoints, "《招标投标法实施条例》第二十六条"},
		{MinBids, 3, Count, "《招标投标法》第二十八条、《招标投标法实施条例》第四十四条"},
		{CommitteeMin, 5, Count, "《招标投标法》第三十七条"},
		{CandidatesMax, 3, Count, "《招标投标法实施条例》第五十三条"},
		{ContractMax, 30, CalendarDays, "《招标投标法》第四十六条"},
	}
	for _, c := range cases {
		r := s.Get(c.k)
		if r.Value != c.v || r.Unit != c.u || r.Basis != c.basis {
			t.Errorf("%s = %+v", c.k, r)
		}
	}
	if got := s.Get(SecurityCap).Describe(); got != "2%" {
		t.Errorf("describe: %s", got)
	}
}

func TestOverridesMayNotWeakenTheStatute(t *testing.T) {
	s := EngineeringTender()
	if _, err := s.With(BidPeriodMin, 19); err == nil {
		t.Error("a shorter bid period than 20 days was accepted")
	}
	if _, err := s.With(SecurityCap, 300); err == nil {
		t.Error("a security cap above 2% was accepted")
	}
	n, err := s.With(BidPeriodMin, 25)
	if err != nil || n.Get(BidPeriodMin).Value != 25 || s.Get(BidPeriodMin).Value != 20 {
		t.Errorf("override: %v %v", err, n.Get(BidPeriodMin))
	}
}
