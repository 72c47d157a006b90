package api

import (
	"bytes"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"ggzy/internal/fixture"
	"ggzy/internal/httpx"
)

func TestErrors(t *testing.T) {
	e := newEnv(t, func(d *httpx.Deps) { d.MaxUpload = 1 << 10 })
	agency := e.login("agency")
	lot := e.w.PublishedLot(t, fixture.LotOptions{})
	e.w.Bid(t, lot.ID, 0, 9_000_000_00)

	t.Run("BidAfterTheDeadlineIsRefusedWithTheLaw", func(t *testing.T) {
		tok := e.login("bidder1")
		e.w.Clock.Set(lot.BidDeadline)
		defer e.w.Clock.Set(fixture.T0)
		eb := e.do("PUT", "/api/v1/lots/"+lot.ID+"/bid", tok, plainBid(8_000_000_00, "经理")).wantError(t, 409, "deadline")
		if !strings.Contains(eb.Basis, "《招标投标法》第二十八条") {
			t.Fatalf("basis = %q", eb.Basis)
		}
	})

	t.Run("SecurityAboveTwoPercentIsInvalidWithFieldAndBasis", func(t *testing.T) {
		var p Project
		e.do("POST", "/api/v1/projects", agency, ProjectInput{Name: "青秀区学校改扩建工程", PrincipalUSCC: e.w.Principal.USCC, SupervisorDept: "教育"}).want(t, 201, &p)
		eb := e.do("POST", "/api/v1/projects/"+p.ID+"/lots", agency, LotInput{Name: "施工", Procedure: "open", Method: "lowest_price",
			EstimateFen: 1_000_000_00, SecurityFen: 20_000_01, CategoryCode: "A0801", CommitteeSize: 5, PrincipalReps: 1}).wantError(t, 422, "invalid")
		if eb.Fields["security"] == "" || !strings.Contains(eb.Basis, "第二十六条") {
			t.Fatalf("error = %+v", eb)
		}
	})

	t.Run("LoginIsRateLimitedPerAddressAndAccountWithRetryAfter", func(t *testing.T) {
		var last *resp
		for i := 0; i < 11; i++ {
			last = e.req("POST", "/api/v1/auth/login", "", LoginRequest{Username: "bidder1", Password: "wrong-password-1"}, "198.51.100.7")
			if i < 10 {
				last.wantError(t, 401, "unauthorized")
			}
		}
		last.wantError(t, 429, "rate_limited")
		if s, err := strconv.Atoi(last.Header.Get("Retry-After")); err != nil || s < 1 {
			t.Fatalf("Retry-After = %q", last.Header.Get("Retry-After"))
		}
		// Another account from another address is not affected; the guessed
		// account stays limited from every address.
		e.req("POST", "/api/v1/auth/login", "", LoginRequest{Username: "bidder3", Password: fixture.Password}, "198.51.100.8").want(t, 200, nil)
		e.req("POST", "/api/v1/auth/login", "", LoginRequest{Username: "bidder1", Password: fixture.Password}, "198.51.100.9").wantError(t, 429, "rate_limited")
	})

	t.Run("OversizeJSONBodyIs413", func(t *testing.T) {
		big := `{"name":"` + strings.Repeat("a", MaxJSONBody) + `"}`
		e.do("POST", "/api/v1/projects", agency, big).wantError(t, 413, "too_large")
	})

	t.Run("OversizeUploadIs413", func(t *testing.T) {
		bidder := e.login("bidder2")
		e.do("POST", "/api/v1/lots/"+lot.ID+"/files?name=a.pdf", bidder, bytes.Repeat([]byte("x"), 2<<10)).wantError(t, 413, "too_large")
		// Without a Content-Length the stream is cut at the limit.
		r := httptest.NewRequest("POST", "/api/v1/lots/"+lot.ID+"/files?name=a.pdf", bytes.NewReader(bytes.Repeat([]byte("x"), 2<<10)))
		r.ContentLength = -1
		r.Header.Set("Authorization", "Bearer "+bidder)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, r)
		(&resp{Code: rec.Code, Body: rec.Body.Bytes(), req: "chunked upload"}).wantError(t, 413, "too_large")
		e.do("POST", "/api/v1/lots/"+lot.ID+"/files?name=a.pdf", bidder, bytes.Repeat([]byte("x"), 1<<10)).want(t, 201, nil)
		e.do("POST", "/api/v1/lots/"+lot.ID+"/files?name=a.pdf", bidder, []byte{}).wantError(t, 422, "invalid")
	})

	t.Run("MalformedJSONIs422", func(t *testing.T) {
		e.do("POST", "/api/v1/projects", agency, `{"name":`).wantError(t, 422, "invalid")
		e.do("POST", "/api/v1/projects", agency, `{"name":"x"} {"name":"y"}`).wantError(t, 422, "invalid")
		eb := e.do("POST", "/api/v1/projects", agency, `{"name":12}`).wantError(t, 422, "invalid")
		if eb.Fields["name"] == "" {
			t.Fatalf("type error lacks field: %+v", eb)
		}
	})

	t.Run("UnknownJSONFieldIs422", func(t *testing.T) {
		eb := e.do("POST", "/api/v1/projects", agency, `{"name":"南宁市某某工程","supervisor_dept":"住建","budget":1}`).wantError(t, 422, "invalid")
		if eb.Fields["budget"] == "" {
			t.Fatalf("error = %+v", eb)
		}
	})

	t.Run("BadBidContentIs422", func(t *testing.T) {
		tok := e.login("bidder1")
		e.do("PUT", "/api/v1/lots/"+lot.ID+"/bid", tok, map[string]any{"content": "%%%not-base64"}).wantError(t, 422, "invalid")
		e.do("PUT", "/api/v1/lots/"+lot.ID+"/bid", tok, map[string]any{"format": "sm4-sealed-v1", "content": map[string]any{"price": 1}}).wantError(t, 422, "invalid")
		eb := e.do("PUT", "/api/v1/lots/"+lot.ID+"/bid", tok, map[string]any{"content": map[string]any{"price": 1, "duration_days": 30},
			"files": []FileRef{{Name: "x.pdf", Size: 3, Hash: strings.Repeat("ab", 32)}}}).wantError(t, 422, "invalid")
		if eb.Fields["files[0]"] == "" {
			t.Fatalf("error = %+v", eb)
		}
	})

	t.Run("UnknownPathIs404Envelope", func(t *testing.T) {
		e.do("GET", "/api/v1/nope", "", nil).wantError(t, 404, "not_found")
		e.do("GET", "/api/v2/notices", "", nil).wantError(t, 404, "not_found")
		e.do("GET", "/api/v1/lots/unknown-id", "", nil).wantError(t, 404, "not_found")
	})

	t.Run("MethodMismatchIs405EnvelopeWithAllow", func(t *testing.T) {
		r := e.do("PATCH", "/api/v1/lots/"+lot.ID+"/bid", agency, nil)
		r.wantError(t, 405, "method_not_allowed")
		allow := r.Header.Get("Allow")
		for _, m := range []string{"GET", "PUT", "DELETE"} {
			if !strings.Contains(allow, m) {
				t.Fatalf("Allow = %q", allow)
			}
		}
		e.do("DELETE", "/api/v1/rules", "", nil).wantError(t, 405, "method_not_allowed")
	})

	t.Run("BadTokenIs401NotPublic", func(t *testing.T) {
		e.do("GET", "/api/v1/rules", "not-a-token", nil).wantError(t, 401, "unauthorized")
		r := e.do("GET", "/api/v1/me", "", nil)
		r.wantError(t, 401, "unauthorized")
	})

	t.Run("LogoutEndsTheToken", func(t *testing.T) {
		tok := e.freshLogin("supervisor")
		e.do("GET", "/api/v1/me", tok, nil).want(t, 200, nil)
		e.do("POST", "/api/v1/auth/logout", tok, nil).want(t, 204, nil)
		e.do("GET", "/api/v1/me", tok, nil).wantError(t, 401, "unauthorized")
	})

	t.Run("NoticeQueryIsValidated", func(t *testing.T) {
		for _, q := range []string{"limit=0", "limit=101", "kind=rumour", "from=2026-13-01", "from=2026-03-05&to=2026-03-01", "cursor=zzz"} {
			e.do("GET", "/api/v1/notices?"+q, "", nil).wantError(t, 422, "invalid")
		}
		var pg NoticePage
		e.do("GET", "/api/v1/notices?limit=1&kind=tender", "", nil).want(t, 200, &pg)
		if pg.NextCursor == nil {
			// only one tender notice: make another so a cursor exists
			e.w.PublishedLot(t, fixture.LotOptions{})
			e.do("GET", "/api/v1/notices?limit=1&kind=tender", "", nil).want(t, 200, &pg)
		}
		// A cursor belongs to its filter.
		e.do("GET", "/api/v1/notices?limit=1&cursor="+url.QueryEscape(*pg.NextCursor), "", nil).wantError(t, 422, "invalid")
	})

	t.Run("UnknownDocumentIs404", func(t *testing.T) {
		e.do("GET", "/api/v1/lots/"+lot.ID+"/documents/none", "", nil).wantError(t, 404, "not_found")
	})
}
