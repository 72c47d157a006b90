package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ggzy/internal/fixture"
	"ggzy/internal/party"
	"ggzy/internal/testkit"
)

// When the party service can list the possible custodians, the draft lot's
// form offers them with their key state, and only those with a valid key can
// be chosen.
func TestCustodyFormListsCandidatesWithTheirKeys(t *testing.T) {
	w := fixture.New(t, testkit.OpenSQLite(t))
	h, err := New(w.HTTPDeps())
	if err != nil {
		t.Fatal(err)
	}
	s := h.(*server)
	s.candidates = func(context.Context) ([]party.User, error) {
		var us []party.User
		for _, n := range []string{"agency", "operator", "supervisor", "principal", "bidder1"} {
			us = append(us, w.Users[n])
		}
		return us, nil
	}
	ml := w.PrepareMatrixLot(t, fixture.StartDraft)
	agencyKey := w.CustodyKey(t, "agency")
	w.CustodyKey(t, "operator")

	m := &azMatrix{t: t, w: w, h: h, ctx: context.Background(), sessions: map[string]*azSession{}}
	pg := m.do(http.MethodGet, "/login", nil, nil, nil)
	m.public = &azSession{csrf: azCSRF.FindStringSubmatch(pg.body)[1]}
	ag := m.login("agency")
	lotPath := "/console/lots/" + ml.Lot.ID
	page := m.do(http.MethodGet, lotPath, ag, nil, nil).body
	for _, want := range []string{`name="custodians" value="` + w.Users["agency"].ID + `"`, agencyKey.Public().Fingerprint()[:16], "交易中心", "住建行政监督部门", "未登记有效公钥，暂不能选择"} {
		if !strings.Contains(page, want) {
			t.Errorf("custody form lacks %q", want)
		}
	}
	if strings.Contains(page, `value="`+w.Users["principal"].ID+`"`) || strings.Contains(page, `value="`+w.Users["bidder1"].ID+`"`) {
		t.Error("the form offers users who cannot hold custody")
	}
	if !strings.Contains(page, `value="`+w.Users["supervisor"].ID+`" disabled`) {
		t.Error("the supervisor without a key can be chosen")
	}
	res := m.do(http.MethodPost, lotPath+"/custody", ag, url.Values{"custodians": {w.Users["agency"].ID, w.Users["operator"].ID}}, nil)
	if res.code != http.StatusSeeOther {
		t.Fatalf("set custody from the list: %d %s", res.code, azExcerpt(res.body))
	}
	page = m.do(http.MethodGet, lotPath, ag, nil, nil).body
	if !strings.Contains(page, `value="`+w.Users["operator"].ID+`" checked`) {
		t.Error("the chosen custodians are not checked on the form")
	}
}
