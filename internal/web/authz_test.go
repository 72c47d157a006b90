package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/fixture"
	"ggzy/internal/gm"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/sealbid"
	"ggzy/internal/tender"
	"ggzy/internal/testkit"
)

// This file is the authorisation matrix of the web UI: every route that
// web.go registers (and every action of lotAction) × every role, with the
// outcome each role must get. It follows internal/api/authz_test.go: the lots
// are prepared at T0 on one fake clock and moved through three phases
// together; every expected success of a state-changing request gets a fresh
// lot of its own, so the shared lot of a state stays as prepared.

// azRole is a column of the matrix.
type azRole string

const (
	azPublic      azRole = "public"
	azBidder      azRole = "bidder"       // bidder1: obtained, paid and bid on the lot
	azOtherBidder azRole = "other_bidder" // bidder2: has done nothing on the lot
	azPrincipal   azRole = "principal"
	azAgency      azRole = "agency"
	azMember      azRole = "expert_member" // a member of the lot's committee (when there is one)
	azNonMember   azRole = "expert_non_member"
	azOperator    azRole = "operator"
	azSupervisor  azRole = "supervisor"
	azAuditor     azRole = "auditor"
	azAdmin       azRole = "admin"
)

var azRoles = []azRole{azPublic, azBidder, azOtherBidder, azPrincipal, azAgency, azMember, azNonMember, azOperator, azSupervisor, azAuditor, azAdmin}

// Outcomes. A 4xx is a rendered Chinese page carrying "错误代码 <status>-":
// the error page, or the console page again with the form's error summary.
const (
	azOK      = http.StatusOK        // a page (or a file)
	azPRG     = http.StatusSeeOther  // a redirect elsewhere than the login page: post-redirect-get
	azToLogin = -http.StatusSeeOther // 303 to /login?next=<the page>: an anonymous GET of a console page
)

// azKind is the state a case needs its lot in.
type azKind string

const (
	azNone           azKind = "none"
	azDraft          azKind = "draft"
	azBidding        azKind = "bidding"   // bids from bidders 1, 3, 4 (bidder2 has done nothing)
	azObjection      azKind = "objection" // bidding, suspended by bidder1's objection to the documents
	azOpened         azKind = "opened"    // evaluating, no committee yet
	azCommittee      azKind = "committee" // committee drawn
	azFailed         azKind = "failed"    // one bid at the deadline
	azPublicity      azKind = "publicity" // candidate publicity running
	azPublicityEnded azKind = "publicity_ended"
	azAwarded        azKind = "awarded"
	// Sealed bids: custody agency, operator, supervisor (2 of 3); sealed bids from bidders 1, 3, 4.
	azSealed     azKind = "sealed"     // bidding
	azDecrypting azKind = "decrypting" // past the deadline, waiting for custodians
	azStalled    azKind = "stalled"    // the decryption window ran out below the threshold
	azLandDraft  azKind = "land_draft" // a land lot sold by tender (principal with the agency), not published
	// The evaluation room (issue 4 §3): committee formed by the matrix itself.
	azRoomWaiting     azKind = "room_waiting"     // committee formed, evaluation not started
	azRoomInterrupted azKind = "room_interrupted" // started, then a failure declared
	azRoomDecision    azKind = "room_decision"    // a failure before the start outlasted its wait: the principal decides
	// Sales (issue 5), all in phase 4 on one schedule (azMatrix.prepareSales):
	// the demo plot sold by the principal's entity; bidder1 and bidder3 are
	// qualified with their deposits confirmed (bidder2 has done nothing).
	azSaleDraft   azKind = "sale_draft"   // created, not announced
	azSaleListing azKind = "sale_listing" // listing running: quotes by bidder1, then bidder3 (leading); bidder5 pending review, bidder6 qualified without deposit
	azSaleJoining azKind = "sale_joining" // listing closed, join window open, nobody joined yet
	azSaleTimed   azKind = "sale_timed"   // timed bidding between bidder1 and bidder3 (leading)
	azSalePaused  azKind = "sale_paused"  // the same, paused for a declared technical fault
	azSaleClosed  azKind = "sale_closed"  // a deal: bidder1 alone quoted, the reserve revealed
	azSaleSealed  azKind = "sale_sealed"  // state property by one sealed quote, window open
)

// azIsSale reports whether k is a state of a sale rather than of a lot.
func azIsSale(k azKind) bool { return strings.HasPrefix(string(k), "sale_") }

var azPhase = map[azKind]int{azNone: 1, azDraft: 1, azBidding: 1, azObjection: 1, azOpened: 2, azCommittee: 2, azFailed: 2, azPublicity: 2, azPublicityEnded: 3, azAwarded: 3,
	azSealed: 1, azDecrypting: 2, azStalled: 3, azLandDraft: 1, azRoomWaiting: 2, azRoomInterrupted: 2, azRoomDecision: 3,
	azSaleDraft: 4, azSaleListing: 4, azSaleJoining: 4, azSaleTimed: 4, azSalePaused: 4, azSaleClosed: 4, azSaleSealed: 4}

// azLot is one lot prepared in a state.
type azLot struct {
	kind        azKind
	lot         tender.Lot
	projectID   string
	docID       string
	noticeID    string
	objectionID string
	ownBid      string // bidder1's bid, which carries an attachment
	fileHash    string
	member      string // username of an expert on the committee
	nonMember   string // username of an expert who is not
	memberNames []string
	candidate   string
	awardPrice  money.Fen
	// A sale: its ID, a registration pending review, a qualified one
	// without a deposit, and the name behind bidder1's number.
	sale          ids.ID
	salePending   ids.ID
	saleQualified ids.ID
	saleBidder    string
}

type azFile struct{ field, name, content string }

type azCase struct {
	route  string // exactly as registered in web.go
	action string // the {action} of POST /console/lots/{id}/{action} or POST /console/lots/{id}/room/{action}
	name   string
	kind   azKind
	path   func(m *azMatrix, x *azLot) string
	form   func(m *azMatrix, x *azLot) url.Values // POST fields (the CSRF token is added)
	file   *azFile                                // sent as multipart/form-data
	raw    func(m *azMatrix, x *azLot) []byte     // the body of a request that is neither GET nor POST
	head   map[string]string                      // its headers (the form token is added)
	want   map[azRole]int
	def    int                     // outcome for the roles not in want
	loc    func(x *azLot) string   // prefix of the Location of a success
	fresh  bool                    // a session of its own (logout ends it)
	body   func(x *azLot) []string // the body of a 200 contains these
	says   map[int][]string        // the body of that outcome contains these
	stream bool                    // an event stream: the request ends after a moment
}

func (c azCase) outcome(r azRole) int {
	if s, ok := c.want[r]; ok {
		return s
	}
	return c.def
}

func (c azCase) method() string {
	if m, _, ok := strings.Cut(c.route, " "); ok && !strings.HasPrefix(c.route, "/") {
		return m
	}
	if c.raw != nil {
		return http.MethodPatch
	}
	if c.form != nil || c.file != nil { // a pattern without a method: any
		return http.MethodPost
	}
	return http.MethodGet
}

func (c azCase) label() string {
	s := c.route
	if c.action != "" {
		s += " action=" + c.action
	}
	if c.name != "" {
		s += " (" + c.name + ")"
	}
	return s
}

// Expectation shorthands.
func azAll() map[azRole]int { return map[azRole]int{} }

// azConsole: a console page; the public is sent to the login page.
func azConsole(extra map[azRole]int) map[azRole]int {
	m := map[azRole]int{azPublic: azToLogin}
	for r, s := range extra {
		m[r] = s
	}
	return m
}

// azPost: a console form; the public is told to log in first.
func azPost(extra map[azRole]int) map[azRole]int {
	m := map[azRole]int{azPublic: http.StatusUnauthorized}
	for r, s := range extra {
		m[r] = s
	}
	return m
}

func azManagers(s int) map[azRole]int { return map[azRole]int{azPrincipal: s, azAgency: s} }

func azStaff(s int) map[azRole]int {
	return map[azRole]int{azOperator: s, azSupervisor: s, azAuditor: s, azAdmin: s}
}

func azJoin(ms ...map[azRole]int) map[azRole]int {
	out := map[azRole]int{}
	for _, m := range ms {
		for r, s := range m {
			out[r] = s
		}
	}
	return out
}

func azFixed(p string) func(*azMatrix, *azLot) string {
	return func(*azMatrix, *azLot) string { return p }
}

func azLotPath(suffix string) func(*azMatrix, *azLot) string {
	return func(_ *azMatrix, x *azLot) string { return "/console/lots/" + x.lot.ID + suffix }
}

func azLotLoc(suffix string) func(*azLot) string {
	return func(x *azLot) string { return "/console/lots/" + x.lot.ID + suffix }
}

func azLocIs(p string) func(*azLot) string { return func(*azLot) string { return p } }

// azKeyHolders: the roles with keys of their own (bidders; agency, centre and
// supervisors; experts and the principal's users, who sign evaluation sheets).
func azKeyHolders(s int) map[azRole]int {
	return map[azRole]int{azBidder: s, azOtherBidder: s, azAgency: s, azOperator: s, azSupervisor: s, azPrincipal: s, azMember: s, azNonMember: s}
}

// azRoomViewers: who may enter the evaluation room (read-only for staff).
func azRoomViewers(s int) map[azRole]int {
	return map[azRole]int{azMember: s, azOperator: s, azSupervisor: s, azAuditor: s}
}

// azCustodians: the custodians of a sealed lot.
func azCustodians(s int) map[azRole]int {
	return map[azRole]int{azAgency: s, azOperator: s, azSupervisor: s}
}

func azFreshPEM(t *testing.T) string {
	k, err := gm.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return string(k.Public().MarshalPEM())
}

func azShanghai(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02T15:04") }

const azUnknownAction = "nope"

func azCases() []azCase {
	const lotAction = "POST /console/lots/{id}/{action}"
	act := func(action string, kind azKind, want map[azRole]int, def int) azCase {
		return azCase{route: lotAction, action: action, kind: kind, path: azLotPath("/" + action), want: azPost(want), def: def, loc: azLotLoc("")}
	}
	bidForm := func(*azMatrix, *azLot) url.Values {
		return url.Values{"price": {"8800000"}, "duration_days": {"300"}, "quality": {"合格"}, "project_manager": {"新经理"}}
	}
	docFile := &azFile{field: "file", name: "补充招标文件.pdf", content: "补充招标文件正文"}
	projectPath := func(_ *azMatrix, x *azLot) string { return "/projects/" + x.projectID }
	consoleProjectPath := func(_ *azMatrix, x *azLot) string { return "/console/projects/" + x.projectID }
	docPath := func(_ *azMatrix, x *azLot) string { return "/lots/" + x.lot.ID + "/documents/" + x.docID }
	bidFilePath := func(_ *azMatrix, x *azLot) string {
		return "/lots/" + x.lot.ID + "/bids/" + x.ownBid + "/files/" + x.fileHash
	}
	docReaders := azJoin(azManagers(azOK), azStaff(azOK), map[azRole]int{azBidder: azOK})

	cs := []azCase{
		// ---- portal
		{route: "GET /{$}", kind: azNone, path: azFixed("/"), want: azAll(), def: azOK, body: func(*azLot) []string { return []string{"首页"} }},
		{route: "GET /notices", kind: azNone, path: azFixed("/notices?q=" + url.QueryEscape("道路")), want: azAll(), def: azOK},
		{route: "GET /notices/{id}", kind: azBidding, path: func(_ *azMatrix, x *azLot) string { return "/notices/" + x.noticeID }, want: azAll(), def: azOK,
			body: func(*azLot) []string { return []string{"招标公告"} }},
		{route: "GET /projects/{id}", kind: azBidding, path: projectPath, want: azAll(), def: azOK, body: func(*azLot) []string { return []string{"尚未开标"} }},
		{route: "GET /projects/{id}", name: "draft", kind: azDraft, path: projectPath, want: azJoin(azManagers(azOK), azStaff(azOK)), def: http.StatusNotFound},
		{route: "GET /projects/{id}", name: "awarded", kind: azAwarded, path: projectPath, want: azAll(), def: azOK, body: func(*azLot) []string { return []string{"中标结果", "开标记录"} }},
		{route: "GET /lots/{lot}/documents/{doc}", kind: azBidding, path: docPath, want: docReaders, def: http.StatusForbidden,
			body: func(*azLot) []string { return []string{"招标文件正文"} }},
		{route: "GET /lots/{lot}/documents/{doc}", name: "committee", kind: azCommittee, path: docPath,
			want: azJoin(docReaders, map[azRole]int{azMember: azOK}), def: http.StatusForbidden},
		{route: "GET /lots/{lot}/documents/{doc}", name: "draft", kind: azDraft, path: docPath, want: azJoin(azManagers(azOK), azStaff(azOK)), def: http.StatusNotFound},
		// A bid attachment: before the opening only its bidder; after it the managers, staff and the committee too.
		{route: "GET /lots/{lot}/bids/{bid}/files/{hash}", kind: azBidding, path: bidFilePath, want: map[azRole]int{azBidder: azOK}, def: http.StatusNotFound},
		{route: "GET /lots/{lot}/bids/{bid}/files/{hash}", name: "committee", kind: azCommittee, path: bidFilePath,
			want: azJoin(azManagers(azOK), azStaff(azOK), map[azRole]int{azBidder: azOK, azMember: azOK}), def: http.StatusNotFound},
		{route: "GET /login", kind: azNone, path: azFixed("/login"), want: azAll(), def: azOK},
		{route: "POST /login", kind: azNone, path: azFixed("/login"), want: azAll(), def: azPRG, loc: azLocIs("/console"),
			form: func(*azMatrix, *azLot) url.Values {
				return url.Values{"username": {"bidder6"}, "password": {fixture.Password}, "next": {"/console"}}
			}},
		{route: "POST /logout", kind: azNone, path: azFixed("/logout"), want: azAll(), def: azPRG, loc: azLocIs("/"), fresh: true},
		{route: "POST /session/extend", kind: azNone, path: azFixed("/session/extend"), want: map[azRole]int{azPublic: http.StatusUnauthorized}, def: azPRG, loc: azLocIs("/console")},
		{route: "GET /guide", kind: azNone, path: azFixed("/guide"), want: azAll(), def: azOK},
		{route: "GET /rules", kind: azNone, path: azFixed("/rules"), want: azAll(), def: azOK},
		// The pool's public page: rules, application, draw and discipline; no names.
		{route: "GET /experts", kind: azNone, path: azFixed("/experts?code=A08"), want: azAll(), def: azOK,
			body: func(*azLot) []string {
				return []string{"评标专家库", "《招标投标法》第三十七条", `href="/console/experts/apply"`, "ggzy verify-draw", "A0801"}
			}},
		{route: "GET /accessibility", kind: azNone, path: azFixed("/accessibility"), want: azAll(), def: azOK},
		{route: "GET /statement", kind: azNone, path: azFixed("/statement"), want: azAll(), def: azOK},
		{route: "GET /fontsize", kind: azNone, path: azFixed("/fontsize?size=20&back=/notices"), want: azAll(), def: azPRG, loc: azLocIs("/notices")},
		{route: "GET /care", kind: azNone, path: azFixed("/care?on=1&back=/notices"), want: azAll(), def: azPRG, loc: azLocIs("/notices")},
		{route: "GET /static/", kind: azNone, path: azFixed("/static/app.css"), want: azAll(), def: azOK},
		{route: "/", kind: azNone, path: azFixed("/no/such/page"), want: azAll(), def: http.StatusNotFound},
		{route: "/", name: "POST", kind: azNone, path: azFixed("/no/such/page"), want: azAll(), def: http.StatusNotFound,
			form: func(*azMatrix, *azLot) url.Values { return url.Values{} }},

		// ---- consoles: pages
		{route: "GET /console", kind: azNone, path: azFixed("/console"), want: azConsole(nil), def: azOK, body: func(*azLot) []string { return []string{"工作台"} }},
		{route: "GET /console/projects/{id}", kind: azBidding, path: consoleProjectPath, want: azConsole(nil), def: azOK},
		{route: "GET /console/projects/{id}", name: "draft", kind: azDraft, path: consoleProjectPath,
			want: azConsole(azJoin(azManagers(azOK), azStaff(azOK))), def: http.StatusNotFound},
		{route: "GET /console/lots/{id}", kind: azBidding, path: azLotPath(""), want: azConsole(nil), def: azOK},
		{route: "GET /console/lots/{id}", name: "draft", kind: azDraft, path: azLotPath(""),
			want: azConsole(azJoin(azManagers(azOK), azStaff(azOK))), def: http.StatusNotFound},
		{route: "GET /console/lots/{id}", name: "committee", kind: azCommittee, path: azLotPath(""), want: azConsole(nil), def: azOK,
			body: func(*azLot) []string { return []string{"开标记录"} }},
		{route: "GET /console/lots/{id}", name: "awarded", kind: azAwarded, path: azLotPath(""), want: azConsole(nil), def: azOK,
			body: func(*azLot) []string { return []string{"中标结果"} }},
		// The report PDF follows ViewLot's report: managers, staff and the committee; hidden from the rest and before the report exists.
		{route: "GET /console/lots/{id}/report.pdf", kind: azPublicity, path: azLotPath("/report.pdf"),
			want: azConsole(azJoin(azManagers(azOK), azStaff(azOK), map[azRole]int{azMember: azOK})), def: http.StatusNotFound},
		{route: "GET /console/lots/{id}/report.pdf", name: "awarded", kind: azAwarded, path: azLotPath("/report.pdf"),
			want: azConsole(azJoin(azManagers(azOK), azStaff(azOK), map[azRole]int{azMember: azOK})), def: http.StatusNotFound},
		{route: "GET /console/lots/{id}/report.pdf", name: "committee", kind: azCommittee, path: azLotPath("/report.pdf"),
			want: azConsole(nil), def: http.StatusNotFound},
		{route: "GET /console/lots/{id}/receipt", kind: azBidding, path: azLotPath("/receipt"),
			want: azConsole(map[azRole]int{azBidder: azOK, azOtherBidder: http.StatusNotFound}), def: http.StatusForbidden,
			body: func(*azLot) []string { return []string{"投标文件接收回执"} }},

		// ---- consoles: forms
		{route: "POST /console/projects", kind: azNone, path: azFixed("/console/projects"), want: azPost(azManagers(azPRG)), def: http.StatusForbidden,
			loc: azLocIs("/console/projects/"),
			form: func(m *azMatrix, _ *azLot) url.Values {
				return url.Values{"name": {"南宁市江南区排水管网改造工程"}, "supervisor_dept": {"住建"}, "funding": {"财政资金"},
					"principal_uscc": {m.w.Principal.USCC}, "agency_uscc": {m.w.Agency.USCC}}
			}},
		{route: "POST /console/projects/{id}/lots", kind: azDraft, path: func(_ *azMatrix, x *azLot) string { return "/console/projects/" + x.projectID + "/lots" },
			// Staff see the draft project and get the project page with the
			// refusal; for everyone else the draft project does not exist.
			want: azPost(azJoin(azManagers(azPRG), azStaff(http.StatusForbidden))), def: http.StatusNotFound, loc: azLocIs("/console/lots/"),
			form: func(*azMatrix, *azLot) url.Values {
				return url.Values{"name": {"附属工程"}, "procedure": {"open"}, "method": {"lowest_price"}, "estimate": {"5000000"}, "security": {"50000"},
					"category_code": {"A0801"}, "committee_size": {"5"}, "principal_reps": {"1"}}
			}},
		{route: "POST /console/objections/{id}/answer", kind: azObjection,
			path: func(_ *azMatrix, x *azLot) string { return "/console/objections/" + x.objectionID + "/answer" },
			form: func(_ *azMatrix, x *azLot) url.Values {
				return url.Values{"answer": {"经核查，资格条件与项目规模相适应。"}, "lot": {x.lot.ID}}
			}, want: azPost(azManagers(azPRG)), def: http.StatusForbidden, loc: azLotLoc("")},

		// ---- keys (我的密钥): bidders keep their entity's signing keys, possible custodians their own custody keys
		{route: "GET /console/keys", kind: azNone, path: azFixed("/console/keys"), want: azConsole(azKeyHolders(azOK)), def: http.StatusForbidden,
			body: func(*azLot) []string {
				return []string{"我的密钥", "在浏览器中生成新密钥", "ggzy keygen"}
			}},
		{route: "POST /console/keys", kind: azNone, path: azFixed("/console/keys"), form: func(m *azMatrix, _ *azLot) url.Values {
			return url.Values{"pem": {azFreshPEM(m.t)}, "label": {"矩阵"}}
		}, want: azPost(azKeyHolders(azPRG)), def: http.StatusForbidden, loc: azLocIs("/console/keys")},
		// bidder1's entity's key: its users, the centre and the administrators may revoke it.
		{route: "POST /console/keys/{id}/revoke", kind: azNone, path: func(m *azMatrix, _ *azLot) string {
			return "/console/keys/" + m.bidKey() + "/revoke"
		}, form: func(*azMatrix, *azLot) url.Values {
			return url.Values{"reason": {"私钥文件遗失"}, "confirm": {"1"}}
		},
			want: azPost(map[azRole]int{azBidder: azPRG, azOperator: azPRG, azAdmin: azPRG}), def: http.StatusForbidden},

		// ---- sealed bids: the browser's resumable upload of bidder1's sealed file
		{route: "POST /console/lots/{id}/uploads", kind: azSealed, path: azLotPath("/uploads"), form: func(*azMatrix, *azLot) url.Values {
			return url.Values{"size": {"4096"}}
		}, want: map[azRole]int{azPublic: http.StatusUnauthorized, azBidder: http.StatusCreated, azOtherBidder: http.StatusCreated}, def: http.StatusForbidden},
		{route: "POST /console/lots/{id}/uploads", name: "plain lot", kind: azBidding, path: azLotPath("/uploads"), form: func(*azMatrix, *azLot) url.Values {
			return url.Values{"size": {"4096"}}
		}, want: map[azRole]int{azPublic: http.StatusUnauthorized, azBidder: http.StatusUnprocessableEntity, azOtherBidder: http.StatusUnprocessableEntity}, def: http.StatusForbidden},
		{route: "GET /console/uploads/{upload}", kind: azSealed, path: func(m *azMatrix, x *azLot) string {
			return "/console/uploads/" + m.upload(x, nil)
		}, want: map[azRole]int{azPublic: http.StatusUnauthorized, azBidder: azOK}, def: http.StatusNotFound},
		{route: "PATCH /console/uploads/{upload}", kind: azSealed, path: func(m *azMatrix, x *azLot) string {
			return "/console/uploads/" + m.upload(x, nil)
		}, raw: func(*azMatrix, *azLot) []byte { return []byte("密封") }, head: map[string]string{"Upload-Offset": "0"},
			want: map[azRole]int{azPublic: http.StatusUnauthorized, azBidder: azOK}, def: http.StatusNotFound},
		{route: "POST /console/uploads/{upload}/bid", kind: azSealed, path: func(m *azMatrix, x *azLot) string {
			sealed := m.w.SealBid(m.t, x.lot, 0, tender.BidContent{Price: 8_900_000_00, DurationDays: 300, Quality: "合格", ProjectManager: "项目经理1"})
			return "/console/uploads/" + m.upload(x, sealed) + "/bid"
		}, form: func(*azMatrix, *azLot) url.Values { return url.Values{} },
			want: map[azRole]int{azPublic: http.StatusUnauthorized, azBidder: azPRG}, def: http.StatusNotFound, loc: azLotLoc("/receipt")},
		{route: "GET /console/lots/{id}/receipt", name: "sealed", kind: azSealed, path: azLotPath("/receipt"),
			want: azConsole(map[azRole]int{azBidder: azOK, azOtherBidder: http.StatusNotFound}), def: http.StatusForbidden,
			body: func(*azLot) []string {
				return []string{"投标文件接收回执", "密封文件摘要", "平台未保存也无法查看"}
			}},

		// ---- custodians (开标解密): never before the deadline (《招标投标法》第三十四条)
		{route: "GET /console/decrypt", kind: azNone, path: azFixed("/console/decrypt"), want: azConsole(azCustodians(azOK)), def: http.StatusForbidden,
			body: func(*azLot) []string { return []string{"开标解密", "我保管的标段"} }},
		{route: "GET /console/lots/{id}/decrypt", kind: azSealed, path: azLotPath("/decrypt"), want: azConsole(azCustodians(azOK)), def: http.StatusForbidden,
			body: func(*azLot) []string { return []string{"《招标投标法》第三十四条", "不得解密"} }},
		{route: "GET /console/lots/{id}/decrypt", name: "decrypting", kind: azDecrypting, path: azLotPath("/decrypt"), want: azConsole(azCustodians(azOK)), def: http.StatusForbidden,
			body: func(*azLot) []string { return []string{"已有", "0/2", "名保管人完成解密", "decrypt-form"} }},
		{route: "GET /console/lots/{id}/envelopes", kind: azSealed, path: azLotPath("/envelopes"),
			want: azJoin(azCustodians(http.StatusConflict), map[azRole]int{azPublic: http.StatusUnauthorized}), def: http.StatusForbidden,
			says: map[int][]string{http.StatusConflict: {"《招标投标法》第三十四条", "不得解密"}}},
		{route: "GET /console/lots/{id}/envelopes", name: "decrypting", kind: azDecrypting, path: azLotPath("/envelopes"),
			want: azJoin(azCustodians(azOK), map[azRole]int{azPublic: http.StatusUnauthorized}), def: http.StatusForbidden,
			body: func(*azLot) []string { return []string{`"envelopes":[{`, `"custodian_id"`} }},
		// The operator's shares: its own succeed, another custodian's position is refused.
		{route: "POST /console/lots/{id}/shares", kind: azDecrypting, path: azLotPath("/shares"), form: func(m *azMatrix, x *azLot) url.Values {
			return url.Values{"shares": {m.shares(x, "operator")}}
		}, want: azPost(map[azRole]int{azOperator: azPRG, azAgency: http.StatusUnprocessableEntity, azSupervisor: http.StatusUnprocessableEntity}),
			def: http.StatusForbidden, loc: azLotLoc("/decrypt")},
		// ---- the expert pool and the draw (issue 4)
		// The expert's notices and record: experts only.
		{route: "GET /console/invitations", kind: azNone, path: azFixed("/console/invitations"),
			want: azConsole(map[azRole]int{azMember: azOK, azNonMember: azOK}), def: http.StatusForbidden,
			body: func(*azLot) []string { return []string{"抽取通知", "请勿向任何人透露"} }},
		// The member's invitation was confirmed when the committee formed: a second answer is refused with a
		// message; nobody else has that invitation.
		{route: "POST /console/invitations/{id}", kind: azCommittee, path: func(m *azMatrix, x *azLot) string {
			return "/console/invitations/" + m.invitationOf(x, x.member)
		}, form: func(*azMatrix, *azLot) url.Values { return url.Values{"answer": {"accept"}, "declare": {"1"}} },
			want: azPost(map[azRole]int{azMember: http.StatusConflict}), def: http.StatusNotFound,
			says: map[int][]string{http.StatusConflict: {"该通知已处理", "已确认参加"}}},
		{route: "GET /console/profile", kind: azNone, path: azFixed("/console/profile"),
			want: azConsole(map[azRole]int{azMember: azOK, azNonMember: azOK}), def: http.StatusForbidden,
			body: func(*azLot) []string {
				return []string{"我的专家档案", "在库", "A0801 房屋建筑工程", "履历"}
			}},
		// The pool: staff read it; the centre reviews, supervisors and the centre sanction, supervisors reinstate.
		{route: "GET /console/experts", kind: azNone, path: azFixed("/console/experts?status=active&specialty=A08"),
			want: azConsole(azStaff(azOK)), def: http.StatusForbidden,
			body: func(*azLot) []string { return []string{"专家库", "专家01", "4501**********"} }},
		{route: "GET /console/experts/{id}", kind: azNone, path: func(m *azMatrix, _ *azLot) string { return "/console/experts/" + m.expertOf("expert2") },
			want: azConsole(azJoin(azStaff(azOK), map[azRole]int{azNonMember: azOK})), def: http.StatusNotFound,
			body: func(*azLot) []string { return []string{"专家02", "履历", "审核通过入库"} }},
		{route: "GET /console/experts/apply", kind: azNone, path: azFixed("/console/experts/apply"),
			want: azConsole(azJoin(azManagers(azOK), map[azRole]int{azBidder: azOK, azOtherBidder: azOK, azMember: azOK, azNonMember: azOK, azOperator: azOK})),
			def:  http.StatusForbidden},
		// Experts already in the pool cannot apply again; an employer recommends its own staff.
		{route: "POST /console/experts", kind: azNone, path: azFixed("/console/experts"), form: func(m *azMatrix, _ *azLot) url.Values { return m.applicant() },
			want: azPost(azJoin(azManagers(azPRG), map[azRole]int{azBidder: azPRG, azOtherBidder: azPRG, azOperator: azPRG,
				azMember: http.StatusConflict, azNonMember: http.StatusConflict})), def: http.StatusForbidden, loc: azLocIs("/console/experts"),
			says: map[int][]string{http.StatusConflict: {"不能重复申请"}}},
		{route: "POST /console/experts/{id}/review", kind: azNone, path: func(m *azMatrix, _ *azLot) string { return "/console/experts/" + m.applied() + "/review" },
			form: func(*azMatrix, *azLot) url.Values {
				return url.Values{"decision": {"reject"}, "reason": {"职称证明材料不全"}}
			},
			want: azPost(map[azRole]int{azOperator: azPRG}), def: http.StatusForbidden, loc: azLocIs("/console/experts/")},
		// An applicant is not in the pool yet: the roles that may sanction are told so.
		{route: "POST /console/experts/{id}/sanction", kind: azNone, path: func(m *azMatrix, _ *azLot) string { return "/console/experts/" + m.applied() + "/sanction" },
			form: azSanctionForm, want: azPost(map[azRole]int{azOperator: http.StatusConflict, azSupervisor: http.StatusConflict}), def: http.StatusForbidden,
			says: map[int][]string{http.StatusConflict: {"不在库中"}}},
		{route: "POST /console/experts/{id}/sanction", name: "active", kind: azNone, path: func(m *azMatrix, _ *azLot) string {
			return "/console/experts/" + m.activeExpert() + "/sanction"
		}, form: azSanctionForm, want: azPost(map[azRole]int{azOperator: azPRG, azSupervisor: azPRG}), def: http.StatusForbidden, loc: azLocIs("/console/experts/")},
		{route: "POST /console/experts/{id}/sanction", name: "missing fields", kind: azNone, path: func(m *azMatrix, _ *azLot) string {
			return "/console/experts/" + m.activeExpert() + "/sanction"
		}, form: func(*azMatrix, *azLot) url.Values { return url.Values{"blacklist": {"1"}} },
			want: azPost(map[azRole]int{azOperator: http.StatusUnprocessableEntity, azSupervisor: http.StatusUnprocessableEntity}), def: http.StatusForbidden,
			says: map[int][]string{http.StatusUnprocessableEntity: {`href="#sanction-reason"`, `href="#sanction-source"`}}},
		{route: "POST /console/experts/{id}/reinstate", kind: azNone, path: func(m *azMatrix, _ *azLot) string {
			return "/console/experts/" + m.suspendedExpert() + "/reinstate"
		}, form: func(*azMatrix, *azLot) url.Values { return url.Values{"reason": {"处理期满，经复核恢复"}} },
			want: azPost(map[azRole]int{azSupervisor: azPRG}), def: http.StatusForbidden, loc: azLocIs("/console/experts/")},
		{route: "POST /console/experts/{id}/exit", kind: azNone, path: func(m *azMatrix, _ *azLot) string { return "/console/experts/" + m.applied() + "/exit" },
			form: func(*azMatrix, *azLot) url.Values {
				return url.Values{"kind": {"assessment"}, "reason": {"年度考核不合格"}}
			},
			want: azPost(map[azRole]int{azOperator: azPRG}), def: http.StatusForbidden, loc: azLocIs("/console/experts/")},

		{route: "POST /console/lots/{id}/shares", name: "before the deadline", kind: azSealed, path: azLotPath("/shares"), form: func(_ *azMatrix, x *azLot) url.Values {
			return url.Values{"shares": {`[{"bid_id":"` + x.ownBid + `","share":{"x":2,"y":"00112233445566778899aabbccddeeff"}}]`}}
		}, want: azPost(azCustodians(http.StatusConflict)), def: http.StatusForbidden,
			says: map[int][]string{http.StatusConflict: {"《招标投标法》第三十四条", "不得解密", "开标解密"}}},
	}

	// ---- POST /console/lots/{id}/{action}, every action of lotAction
	draftAct := azPost(azJoin(azManagers(azPRG), azStaff(http.StatusForbidden)))
	documents := act("documents", azDraft, draftAct, http.StatusNotFound)
	documents.file = docFile
	publish := act("publish", azDraft, draftAct, http.StatusNotFound)
	publish.form = func(m *azMatrix, _ *azLot) url.Values {
		now := m.w.Clock.Now()
		dl := azShanghai(m.w.Tender.EarliestDeadline(now, 9, 30))
		return url.Values{"docs_from": {azShanghai(now)}, "docs_until": {dl}, "bid_deadline": {dl}, "body": {"欢迎投标。"}}
	}
	clarify := act("clarify", azBidding, azManagers(azPRG), http.StatusForbidden)
	clarify.form = func(*azMatrix, *azLot) url.Values {
		return url.Values{"text": {"第三章工程量清单第12项数量更正为1200立方米。"}, "new_deadline": {""}}
	}
	awardForm := func(_ *azMatrix, x *azLot) url.Values { return url.Values{"bid_id": {x.candidate}} }
	award := act("award", azPublicityEnded, azManagers(azPRG), http.StatusForbidden)
	award.form = awardForm
	awardEarly := act("award", azPublicity, azManagers(http.StatusConflict), http.StatusForbidden)
	awardEarly.name, awardEarly.form = "during the publicity", awardForm
	contract := act("contract", azAwarded, azManagers(azPRG), http.StatusForbidden)
	contract.form = func(m *azMatrix, x *azLot) url.Values {
		return url.Values{"signed_at": {m.w.Clock.Now().In(clock.Shanghai).Format("2006-01-02")}, "amount": {x.awardPrice.Plain()}}
	}
	retender := act("retender", azFailed, azManagers(azPRG), http.StatusForbidden)
	retender.loc = func(*azLot) string { return "/console/lots/" } // the new lot's page
	obtain := act("obtain", azBidding, map[azRole]int{azBidder: azPRG, azOtherBidder: azPRG}, http.StatusForbidden)
	deposit := act("deposit", azBidding, map[azRole]int{azBidder: azPRG, azOtherBidder: azPRG}, http.StatusForbidden)
	deposit.form = func(*azMatrix, *azLot) url.Values {
		return url.Values{"amount": {"100000.00"}, "reference": {"GX-BANK-77"}}
	}
	bid := act("bid", azBidding, map[azRole]int{azBidder: azPRG, azOtherBidder: http.StatusConflict}, http.StatusForbidden)
	bid.form, bid.file, bid.loc = bidForm, &azFile{field: "file", name: "商务标.pdf", content: "投标文件正文"}, azLotLoc("/receipt")
	bidLate := act("bid", azOpened, map[azRole]int{azBidder: http.StatusConflict, azOtherBidder: http.StatusConflict}, http.StatusForbidden)
	bidLate.name, bidLate.form, bidLate.file = "after the deadline", bidForm, &azFile{}
	withdraw := act("withdraw", azBidding, map[azRole]int{azBidder: azPRG, azOtherBidder: http.StatusNotFound}, http.StatusForbidden)
	withdraw.loc = azLotLoc("/receipt")
	objection := act("objection", azBidding, map[azRole]int{azBidder: azPRG}, http.StatusForbidden)
	objection.form = func(*azMatrix, *azLot) url.Values {
		return url.Values{"stage": {"documents"}, "text": {"招标文件的业绩要求明显超出项目规模，排斥潜在投标人，请予以澄清。"}}
	}
	objectionPub := act("objection", azPublicity, map[azRole]int{azBidder: azPRG}, http.StatusForbidden)
	objectionPub.name = "on the evaluation result"
	objectionPub.form = func(*azMatrix, *azLot) url.Values {
		return url.Values{"stage": {"publicity"}, "text": {"第一中标候选人的项目经理有在建工程，不符合招标文件要求，请核查。"}}
	}
	// The two-step draw: the request is committed; the job runs it later.
	drawReq := act("draw", azOpened, map[azRole]int{azOperator: azPRG}, http.StatusForbidden)
	drawReq.form = func(*azMatrix, *azLot) url.Values {
		return url.Values{"specialty0": {"A0801"}, "count0": {"4"}, "backups0": {"2"}, "reps": {"principal2"}}
	}
	drawReq.says = map[int][]string{http.StatusForbidden: {"专家抽取由交易中心工作人员执行"}}
	unknown := act(azUnknownAction, azBidding, nil, http.StatusNotFound)
	unknown.name = "no such action"
	// A plain bid on a lot with custody is refused (《电子招标投标办法》第二十六条).
	bidSealed := act("bid", azSealed, map[azRole]int{azBidder: http.StatusUnprocessableEntity, azOtherBidder: http.StatusUnprocessableEntity}, http.StatusForbidden)
	bidSealed.name, bidSealed.form, bidSealed.file = "plain bid on a sealed lot", bidForm, &azFile{field: "file", name: "商务标.pdf", content: "投标文件正文"}
	bidSealed.says = map[int][]string{http.StatusUnprocessableEntity: {"《电子招标投标办法》第二十六条", "不接受未加密的投标文件"}}
	custody := act("custody", azDraft, draftAct, http.StatusNotFound)
	custody.form = func(m *azMatrix, _ *azLot) url.Values {
		for _, u := range []string{"agency", "operator", "supervisor"} {
			m.w.CustodyKey(m.t, u)
		}
		return url.Values{"usernames": {"agency\noperator\nsupervisor"}, "threshold": {"2"}, "window_minutes": {"60"}}
	}
	// The reserve (底价) of a land lot: the seller's side only; the draft is hidden from the rest.
	reserve := act("reserve", azLandDraft, draftAct, http.StatusNotFound)
	reserve.form = func(*azMatrix, *azLot) url.Values { return url.Values{"reserve": {"320000000"}} }
	extend := act("extend", azStalled, map[azRole]int{azOperator: azPRG, azSupervisor: azPRG}, http.StatusForbidden)
	extend.form = func(m *azMatrix, _ *azLot) url.Values {
		return url.Values{"until": {azShanghai(m.w.Clock.Now().Add(90 * time.Minute))}, "reason": {"保管人的私钥介质故障，需补办后解密"}}
	}

	// Rating the experts (issue 4 §4): the lot's agency and supervisors,
	// once the report exists; one rating per rater, expert and lot. The form
	// names a seat: before the award the agency cannot tell the seats apart
	// (TBL 37), the supervisor rates by seat number.
	rateForm := func(score, comment string) func(*azMatrix, *azLot) url.Values {
		return func(m *azMatrix, x *azLot) url.Values {
			return url.Values{"seat": {m.expertSeat(x)}, "score": {score}, "comment": {comment}}
		}
	}
	raters := func(s int) map[azRole]int { return map[azRole]int{azAgency: s, azSupervisor: s} }
	rate := act("rate", azAwarded, raters(azPRG), http.StatusForbidden)
	rate.form = rateForm("4", "")
	rate.says = map[int][]string{http.StatusForbidden: {"由本项目的招标代理机构或行政监督部门评价"}}
	ratePub := act("rate", azPublicity, map[azRole]int{azAgency: http.StatusConflict, azSupervisor: azPRG}, http.StatusForbidden)
	ratePub.name, ratePub.form = "during the publicity", rateForm("3", "")
	ratePub.says = map[int][]string{http.StatusConflict: {"《招标投标法》第三十七条", "定标后请回到本页逐名评价"}}
	rateEarly := act("rate", azCommittee, raters(http.StatusConflict), http.StatusForbidden)
	rateEarly.name, rateEarly.form = "before the report", rateForm("4", "")
	rateEarly.says = map[int][]string{http.StatusConflict: {"评标结束后才能评价专家表现"}}
	rateLow := act("rate", azAwarded, raters(http.StatusUnprocessableEntity), http.StatusForbidden)
	rateLow.name, rateLow.form = "low score without comment", rateForm("2", "")
	rateLow.says = map[int][]string{http.StatusUnprocessableEntity: {"评价说明：请写明情形", `id="rate-`}}

	cs = append(cs, documents, publish, clarify, award, awardEarly, contract, retender, obtain, deposit, bid, bidLate, withdraw,
		objection, objectionPub, drawReq, unknown, bidSealed, custody, reserve, extend, rate, ratePub, rateEarly, rateLow)
	cs = append(cs, azRoomCases()...)
	return append(cs, azSaleCases()...)
}

// azRoomCases: the evaluation room's page, its event stream, the digest a
// member signs and every action of roomAction. Members act in it; the
// centre starts it, records failures and replaces experts; staff watch
// read-only; the tenderer decides after a long failure before the start.
func azRoomCases() []azCase {
	const roomAct = "POST /console/lots/{id}/room/{action}"
	act := func(action string, kind azKind, want map[azRole]int, def int) azCase {
		return azCase{route: roomAct, action: action, kind: kind, path: azLotPath("/room/" + action), want: azPost(want), def: def, loc: azLotLoc("/room"),
			form: func(*azMatrix, *azLot) url.Values { return url.Values{} }}
	}
	sheet := act("sheet", azCommittee, map[azRole]int{azMember: azPRG}, http.StatusForbidden)
	sheet.form = func(m *azMatrix, x *azLot) url.Values { return m.signedSheet(x) }
	unsigned := act("sheet", azCommittee, map[azRole]int{azMember: http.StatusUnprocessableEntity}, http.StatusForbidden)
	unsigned.name = "unsigned"
	unsigned.form = func(m *azMatrix, x *azLot) url.Values {
		f := m.signedSheet(x)
		f.Del("signature")
		return f
	}
	unsigned.says = map[int][]string{http.StatusUnprocessableEntity: {"第五十三条", `href="#sheet-signature"`}}
	explain := act("explain", azCommittee, map[azRole]int{azMember: http.StatusConflict}, http.StatusForbidden)
	explain.form = func(_ *azMatrix, x *azLot) url.Values {
		return url.Values{"bid": {x.ownBid}, "item": {"tech"}, "explanation": {"该投标人施工组织设计不完整"}}
	}
	explain.says = map[int][]string{http.StatusConflict: {"当前没有需要说明的评分偏离"}}
	chair := act("chair", azCommittee, map[azRole]int{azMember: azPRG}, http.StatusForbidden)
	chair.form = func(m *azMatrix, x *azLot) url.Values { return url.Values{"chair": {m.memberID(x, false)}} }
	insufficient := act("insufficient", azCommittee, map[azRole]int{azMember: azPRG}, http.StatusForbidden)
	start := act("start", azRoomWaiting, map[azRole]int{azOperator: azPRG}, http.StatusForbidden)
	start.says = map[int][]string{http.StatusForbidden: {"评标由交易中心工作人员宣布开始"}}
	startAgain := act("start", azCommittee, map[azRole]int{azOperator: http.StatusConflict}, http.StatusForbidden)
	startAgain.name = "running"
	failure := act("failure", azCommittee, map[azRole]int{azOperator: azPRG}, http.StatusForbidden)
	failure.form = func(*azMatrix, *azLot) url.Values { return url.Values{"failure": {"异地评标室网络中断"}} }
	resume := act("resume", azRoomInterrupted, map[azRole]int{azOperator: azPRG}, http.StatusForbidden)
	replace := act("replace", azCommittee, map[azRole]int{azOperator: azPRG}, http.StatusForbidden)
	replace.form = func(m *azMatrix, x *azLot) url.Values {
		return url.Values{"member": {m.memberID(x, true)}, "reason": {"评标中发现应当回避的情形"}}
	}
	decideForm := func(*azMatrix, *azLot) url.Values {
		return url.Values{"proceed": {"1"}, "reason": {"故障已排除，按原评标委员会继续评标"}}
	}
	// The tenderer (a principal's user who is not on the committee) is sent
	// back to the lot page: it does not see the room.
	decide := act("decide", azRoomDecision, map[azRole]int{azPrincipal: azPRG}, http.StatusForbidden)
	decide.form, decide.loc = decideForm, azLotLoc("")
	decideEarly := act("decide", azCommittee, map[azRole]int{azPrincipal: http.StatusConflict}, http.StatusForbidden)
	decideEarly.name, decideEarly.form = "nothing to decide", decideForm
	decideEarly.says = map[int][]string{http.StatusConflict: {"当前无需招标人决定"}}
	unknown := act(azUnknownAction, azCommittee, nil, http.StatusNotFound)
	unknown.name = "no such action"

	room := func(*azLot) []string { return []string{"评标室", "评审进度", "开标记录"} }
	return []azCase{
		{route: "GET /console/lots/{id}/room", kind: azCommittee, path: azLotPath("/room"), want: azConsole(azRoomViewers(azOK)), def: http.StatusNotFound,
			body: func(x *azLot) []string { return append(room(x), "评标中") }},
		{route: "GET /console/lots/{id}/room", name: "waiting", kind: azRoomWaiting, path: azLotPath("/room"), want: azConsole(azRoomViewers(azOK)), def: http.StatusNotFound,
			body: func(x *azLot) []string { return append(room(x), "待开始评标") }},
		{route: "GET /console/lots/{id}/room", name: "interrupted", kind: azRoomInterrupted, path: azLotPath("/room"), want: azConsole(azRoomViewers(azOK)), def: http.StatusNotFound,
			body: func(x *azLot) []string { return append(room(x), "故障暂停", "异地评标室网络中断") }},
		// Before a committee exists the centre, the supervisor and the auditor are told so; the rest learn nothing.
		{route: "GET /console/lots/{id}/room", name: "no committee", kind: azOpened, path: azLotPath("/room"),
			want: azJoin(azConsole(nil), map[azRole]int{azOperator: http.StatusConflict, azSupervisor: http.StatusConflict, azAuditor: http.StatusConflict}), def: http.StatusNotFound,
			says: map[int][]string{http.StatusConflict: {"评标委员会尚未组建"}}},
		{route: "GET /console/lots/{id}/room/events", kind: azCommittee, path: azLotPath("/room/events"), stream: true,
			want: azJoin(azRoomViewers(azOK), map[azRole]int{azPublic: http.StatusUnauthorized}), def: http.StatusNotFound,
			body: func(*azLot) []string { return []string{"retry: 2000"} }},
		{route: "POST /console/lots/{id}/room/digest", kind: azCommittee, path: azLotPath("/room/digest"),
			form: func(m *azMatrix, x *azLot) url.Values { return m.signedSheet(x) },
			want: map[azRole]int{azPublic: http.StatusUnauthorized, azMember: azOK}, def: http.StatusForbidden,
			body: func(*azLot) []string { return []string{`"digest":"`} }},
		sheet, unsigned, explain, chair, insufficient, start, startAgain, failure, resume, replace, decide, decideEarly, unknown,
	}
}

func azSuccess(s int) bool { return s >= 200 && s < 400 && s != azToLogin }

// ---- the world

type azSession struct {
	user  string
	token string // session cookie; empty for the public
	csrf  string // the form token of this visitor
}

type azMatrix struct {
	t        *testing.T
	w        *fixture.World
	h        http.Handler
	ctx      context.Context
	public   *azSession
	sessions map[string]*azSession
	pools    map[azKind][]*azLot
	shared   map[azKind]*azLot
	username map[string]string // user ID → username
	seq      int               // fresh identity numbers and usernames
}

var azCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

type azResp struct {
	code int
	loc  string
	body string
	ct   string
	res  *http.Response
}

func (m *azMatrix) do(method, path string, who *azSession, form url.Values, file *azFile) azResp {
	return m.doRaw(method, path, who, form, file, nil, nil)
}

// doRaw also sends a raw body with headers (a script's PATCH), with the
// visitor's form token in the header.
func (m *azMatrix) doRaw(method, path string, who *azSession, form url.Values, file *azFile, raw []byte, head map[string]string) azResp {
	m.t.Helper()
	return m.doCtx(context.Background(), method, path, who, form, file, raw, head)
}

// doCtx is doRaw with the request's context (an event stream ends with it).
func (m *azMatrix) doCtx(ctx context.Context, method, path string, who *azSession, form url.Values, file *azFile, raw []byte, head map[string]string) azResp {
	m.t.Helper()
	var body io.Reader
	ct := ""
	if raw != nil {
		body, ct = bytes.NewReader(raw), "application/offset+octet-stream"
	}
	if method == http.MethodPost {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("csrf", who.csrf)
		if file != nil {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			for k, vs := range f {
				for _, v := range vs {
					_ = mw.WriteField(k, v)
				}
			}
			if file.field != "" {
				fw, _ := mw.CreateFormFile(file.field, file.name)
				_, _ = io.WriteString(fw, file.content)
			}
			_ = mw.Close()
			body, ct = &buf, mw.FormDataContentType()
		} else {
			body, ct = strings.NewReader(f.Encode()), "application/x-www-form-urlencoded"
		}
	}
	req := httptest.NewRequest(method, path, body).WithContext(ctx)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if raw != nil {
		for k, v := range head {
			req.Header.Set(k, v)
		}
		if who != nil {
			req.Header.Set(csrfHeader, who.csrf)
		}
	}
	if who != nil {
		if who.token != "" {
			req.AddCookie(&http.Cookie{Name: SessionCookie, Value: who.token})
		} else if who.csrf != "" {
			req.AddCookie(&http.Cookie{Name: csrfCookie, Value: who.csrf})
		}
	}
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, req)
	res := rec.Result()
	return azResp{code: rec.Code, loc: rec.Header().Get("Location"), body: rec.Body.String(), ct: rec.Header().Get("Content-Type"), res: res}
}

// login signs user in through the login form and reads the session's form
// token from a page.
func (m *azMatrix) login(user string) *azSession {
	m.t.Helper()
	r := m.do(http.MethodPost, "/login", m.public, url.Values{"username": {user}, "password": {fixture.Password}, "next": {"/console"}}, nil)
	if r.code != http.StatusSeeOther || r.loc != "/console" {
		m.t.Fatalf("login %s: %d %s", user, r.code, azExcerpt(r.body))
	}
	s := &azSession{user: user}
	for _, c := range r.res.Cookies() {
		if c.Name == SessionCookie {
			s.token = c.Value
		}
	}
	if s.token == "" {
		m.t.Fatalf("login %s: no session cookie", user)
	}
	pg := m.do(http.MethodGet, "/guide", s, nil, nil) // a light page; the logout form carries the token
	mm := azCSRF.FindStringSubmatch(pg.body)
	if pg.code != http.StatusOK || mm == nil || !strings.Contains(pg.body, `action="/logout"`) {
		m.t.Fatalf("%s is not signed in: %d, no form token", user, pg.code)
	}
	s.csrf = html.UnescapeString(mm[1])
	return s
}

// session is the cached session of user (the public when user is empty).
func (m *azMatrix) session(user string) *azSession {
	if user == "" {
		return m.public
	}
	if s := m.sessions[user]; s != nil {
		return s
	}
	s := m.login(user)
	m.sessions[user] = s
	return s
}

func (m *azMatrix) user(r azRole, x *azLot) string {
	switch r {
	case azPublic:
		return ""
	case azBidder:
		return "bidder1"
	case azOtherBidder:
		return "bidder2"
	case azMember:
		if x != nil && x.member != "" {
			return x.member
		}
		return "expert1"
	case azNonMember:
		if x != nil && x.nonMember != "" {
			return x.nonMember
		}
		return "expert2"
	}
	return string(r)
}

func azExcerpt(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 600 {
		s = s[:600]
	}
	return s
}

// ---- the routes and actions in the code

// azRegistered parses web.go, console.go, room.go and sales.go: the
// patterns passed to m.Handle/m.HandleFunc in routes, and the case values of
// the switch on the action in lotAction, roomAction and saleAction (and
// whether each has a default), by the route they serve.
func azRegistered(t *testing.T) (routes []string, actions map[string][]string, hasDefault map[string]bool) {
	t.Helper()
	fset := token.NewFileSet()
	parse := func(name string) *ast.File {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	wf, cf, rf, sf := parse("web.go"), parse("console.go"), parse("room.go"), parse("sales.go")
	fn := func(f *ast.File, name string) *ast.FuncDecl {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == name && fd.Recv != nil {
				return fd
			}
		}
		t.Fatalf("no method %s", name)
		return nil
	}
	ast.Inspect(fn(wf, "routes").Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") || len(call.Args) == 0 {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "m" {
			return true
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			t.Fatalf("route pattern is not a literal at %s", fset.Position(call.Pos()))
		}
		p, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		routes = append(routes, p)
		return true
	})
	actions, hasDefault = map[string][]string{}, map[string]bool{}
	for _, h := range []struct {
		f           *ast.File
		fn, pattern string
	}{{cf, "lotAction", "POST /console/lots/{id}/{action}"}, {rf, "roomAction", "POST /console/lots/{id}/room/{action}"},
		{sf, "saleAction", "POST /console/sales/{id}/{action}"}} {
		ast.Inspect(fn(h.f, h.fn).Body, func(n ast.Node) bool {
			sw, ok := n.(*ast.SwitchStmt)
			if !ok {
				return true
			}
			if id, ok := sw.Tag.(*ast.Ident); !ok || id.Name != "action" {
				return true
			}
			for _, st := range sw.Body.List {
				cc := st.(*ast.CaseClause)
				if cc.List == nil {
					hasDefault[h.pattern] = true
				}
				for _, e := range cc.List {
					lit, ok := e.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s case is not a literal at %s", h.fn, fset.Position(e.Pos()))
					}
					a, _ := strconv.Unquote(lit.Value)
					actions[h.pattern] = append(actions[h.pattern], a)
				}
			}
			return false
		})
	}
	if len(routes) < 20 || len(actions["POST /console/lots/{id}/{action}"]) < 10 || len(actions["POST /console/lots/{id}/room/{action}"]) < 8 ||
		len(actions["POST /console/sales/{id}/{action}"]) < 10 {
		t.Fatalf("parsed %d routes and %d+%d+%d actions: the guard would be vacuous", len(routes),
			len(actions["POST /console/lots/{id}/{action}"]), len(actions["POST /console/lots/{id}/room/{action}"]), len(actions["POST /console/sales/{id}/{action}"]))
	}
	return routes, actions, hasDefault
}

// ---- the test

func TestWebAuthorizationMatrix(t *testing.T) {
	w := fixture.New(t, testkit.OpenSQLite(t))
	h, err := New(w.HTTPDeps())
	if err != nil {
		t.Fatal(err)
	}
	m := &azMatrix{t: t, w: w, h: h, ctx: context.Background(), sessions: map[string]*azSession{},
		pools: map[azKind][]*azLot{}, shared: map[azKind]*azLot{}, username: map[string]string{}}
	for name, u := range w.Users {
		m.username[u.ID] = name
	}
	pg := m.do(http.MethodGet, "/login", nil, nil, nil)
	mm := azCSRF.FindStringSubmatch(pg.body)
	if mm == nil {
		t.Fatalf("no form token on the login page")
	}
	m.public = &azSession{csrf: html.UnescapeString(mm[1])}
	for _, c := range pg.res.Cookies() {
		if c.Name == csrfCookie && c.Value != m.public.csrf {
			t.Fatalf("the login form's token is not the csrf cookie")
		}
	}

	cs := azCases()

	// Guard: every route registered in web.go and every action of lotAction
	// and roomAction has a row; every row names a registered route and a
	// real action of it.
	routes, actions, hasDefault := azRegistered(t)
	registered, isAction := map[string]bool{}, map[string]bool{}
	for _, r := range routes {
		registered[r] = true
	}
	for route, as := range actions {
		for _, a := range as {
			isAction[route+" "+a] = true
		}
	}
	covered, coveredAct := map[string]bool{}, map[string]bool{}
	for _, c := range cs {
		if !registered[c.route] {
			t.Errorf("row %s: no such route in web.go", c.label())
		}
		if c.action != "" {
			if _, ok := actions[c.route]; !ok {
				t.Errorf("row %s: the route has no actions", c.label())
			}
			if !isAction[c.route+" "+c.action] && c.action != azUnknownAction {
				t.Errorf("row %s: no action %q", c.label(), c.action)
			}
			coveredAct[c.route+" "+c.action] = true
		}
		if c.def == 0 {
			t.Errorf("row %s: no default outcome", c.label())
		}
		covered[c.route] = true
	}
	for _, r := range routes {
		if !covered[r] {
			t.Errorf("route %q in web.go has no row in the authorisation matrix", r)
		}
	}
	for route, as := range actions {
		for _, a := range as {
			if !coveredAct[route+" "+a] {
				t.Errorf("%s: action %q has no row in the authorisation matrix", route, a)
			}
		}
		if isAction[route+" "+azUnknownAction] {
			t.Fatalf("%q became a real action of %s: pick another unknown action", azUnknownAction, route)
		}
		if hasDefault[route] != coveredAct[route+" "+azUnknownAction] {
			t.Errorf("%s default branch: %v, row for an unknown action: %v", route, hasDefault[route], coveredAct[route+" "+azUnknownAction])
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Prepare, at T0, one shared lot per state plus a fresh one for every
	// expected success of a state-changing request.
	need := map[azKind]int{}
	for _, c := range cs {
		if c.kind == azNone {
			continue
		}
		need[c.kind] = max(need[c.kind], 1)
		if c.method() != http.MethodGet {
			for _, r := range azRoles {
				if azSuccess(c.outcome(r)) {
					need[c.kind]++
				}
			}
		}
	}
	kinds := make([]azKind, 0, len(need))
	for k := range need {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
	for _, k := range kinds {
		for i := 0; i < need[k]; i++ {
			m.pools[k] = append(m.pools[k], m.prepare(k))
		}
		m.shared[k] = m.pools[k][0]
		m.pools[k] = m.pools[k][1:]
	}

	cells := 0
	for phase := 1; phase <= 4; phase++ {
		m.advance(phase)
		switch phase {
		case 1:
			m.checkSecrecyBeforeOpening(t)
		case 2:
			m.checkOpeningIsPublic(t)
			m.checkCommitteeSecret(t)
		case 4:
			m.checkBiddersSecret(t)
		}
		for _, c := range cs {
			if azPhase[c.kind] != phase {
				continue
			}
			t.Run(c.label(), func(t *testing.T) {
				for _, r := range azRoles {
					cells++
					m.run(t, c, r)
				}
			})
		}
	}
	if cells != len(cs)*len(azRoles) {
		t.Errorf("ran %d cells of %d", cells, len(cs)*len(azRoles))
	}
	t.Logf("authorisation matrix: %d rows × %d roles = %d cells", len(cs), len(azRoles), cells)
}

func (m *azMatrix) run(t *testing.T, c azCase, r azRole) {
	t.Helper()
	want := c.outcome(r)
	x := m.shared[c.kind]
	if c.kind != azNone && c.method() != http.MethodGet && azSuccess(want) {
		x = m.take(t, c.kind)
	}
	if x == nil {
		x = &azLot{}
	}
	user := m.user(r, x)
	who := m.session(user)
	if c.fresh && user != "" {
		who = m.login(user)
	}
	var form url.Values
	if c.form != nil {
		form = c.form(m, x)
	}
	path := c.path(m, x)
	var raw []byte
	if c.raw != nil {
		raw = c.raw(m, x)
	}
	ctx := context.Background()
	if c.stream {
		// The stream runs until its client leaves: leave after a moment.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
	}
	res := m.doCtx(ctx, c.method(), path, who, form, c.file, raw, c.head)
	as := fmt.Sprintf("%s %s as %s (%s)", c.method(), path, r, user)
	got := res.code
	if got == http.StatusSeeOther && strings.HasPrefix(res.loc, "/login") {
		got = azToLogin
	}
	if got != want {
		t.Errorf("%s: %s, want %s: %s", as, azName(got, res.loc), azName(want, ""), azExcerpt(res.body))
		return
	}
	switch {
	case want == azToLogin:
		if exp := "/login?next=" + url.QueryEscape(path); res.loc != exp {
			t.Errorf("%s: redirected to %q, want %q", as, res.loc, exp)
		}
	case want == azPRG:
		if c.loc != nil && !strings.HasPrefix(res.loc, c.loc(x)) {
			t.Errorf("%s: redirected to %q, want %q…", as, res.loc, c.loc(x))
		}
	case want == azOK:
		if strings.HasPrefix(res.ct, "text/html") {
			if !strings.Contains(res.body, `<html lang="zh-CN"`) || strings.Contains(res.body, `class="errsum"`) || strings.Contains(res.body, "错误代码") {
				t.Errorf("%s: 200 but not a clean page: %s", as, azExcerpt(res.body))
			}
		}
		if c.body != nil {
			for _, s := range c.body(x) {
				if !strings.Contains(res.body, s) {
					t.Errorf("%s: page lacks %q", as, s)
				}
			}
		}
	case want >= 400 && strings.HasPrefix(res.ct, "application/json"):
		// A script's request: the same message and code, as JSON.
		var j struct{ Error, Code string }
		if json.Unmarshal([]byte(res.body), &j) != nil || j.Error == "" || !strings.HasPrefix(j.Code, fmt.Sprintf("%d-", want)) {
			t.Errorf("%s: %d without a JSON error and code: %s", as, want, azExcerpt(res.body))
		}
	case want >= 400:
		if !strings.Contains(res.body, fmt.Sprintf("错误代码 %d-", want)) || !strings.Contains(res.body, `<html lang="zh-CN"`) {
			t.Errorf("%s: %d without the Chinese error page or form summary: %s", as, want, azExcerpt(res.body))
		}
	case strings.HasPrefix(res.ct, "application/json") && !json.Valid([]byte(res.body)):
		t.Errorf("%s: %d with a broken JSON body: %s", as, want, azExcerpt(res.body))
	}
	for _, s := range c.says[want] {
		// A refusal names its rule, on a page and to a script alike.
		if !strings.Contains(res.body, s) {
			t.Errorf("%s: %d lacks %q: %s", as, want, s, azExcerpt(res.body))
		}
	}
	if c.fresh && user != "" {
		// The logout ended the session: the console asks to log in again.
		if p := m.do(http.MethodGet, "/console", who, nil, nil); p.code != http.StatusSeeOther || !strings.HasPrefix(p.loc, "/login") {
			t.Errorf("%s: the session still works after the logout (%d)", as, p.code)
		}
	}
}

func azName(s int, loc string) string {
	switch s {
	case azToLogin:
		return "303 to the login page"
	case azPRG:
		if loc != "" {
			return "303 to " + loc
		}
		return "303"
	}
	return strconv.Itoa(s)
}

func (m *azMatrix) take(t *testing.T, k azKind) *azLot {
	if len(m.pools[k]) == 0 {
		t.Fatalf("no fresh lot left in state %s", k)
	}
	x := m.pools[k][0]
	m.pools[k] = m.pools[k][1:]
	return x
}

// prepare makes a lot at T0 that reaches state k in its phase; a sale is
// made when its phase begins (prepareSales).
func (m *azMatrix) prepare(k azKind) *azLot {
	if azIsSale(k) {
		return &azLot{kind: k}
	}
	if k == azLandDraft {
		return m.prepareLand()
	}
	start := fixture.StartBidding
	switch k {
	case azDraft:
		start = fixture.StartDraft
	case azFailed:
		start = fixture.StartTwoBids
	case azObjection:
		start = fixture.StartObjection
	}
	if k == azSealed || k == azDecrypting || k == azStalled {
		start = fixture.StartSealed
	}
	ml := m.w.PrepareMatrixLot(m.t, start)
	x := &azLot{kind: k, lot: ml.Lot, projectID: ml.ProjectID, docID: ml.DocID, noticeID: ml.NoticeID,
		ownBid: ml.OwnBid, fileHash: ml.FileHash, objectionID: ml.ObjectionID}
	if start == fixture.StartSealed {
		ns, _, err := m.w.Tender.Notices(m.ctx, m.w.Actor("operator"), tender.NoticeFilter{LotID: x.lot.ID, Kind: tender.NoticeTender})
		if err != nil || len(ns) == 0 {
			m.t.Fatalf("sealed lot's notice: %v", err)
		}
		x.noticeID = ns[0].ID
	}
	return x
}

// advance moves the clock into phase and brings every prepared lot of a
// later state into it; the sessions end with the clock's jump.
func (m *azMatrix) advance(phase int) {
	goal := map[azKind]fixture.MatrixGoal{azOpened: fixture.GoalOpened, azFailed: fixture.GoalOpened, azCommittee: fixture.GoalCommittee,
		azPublicity: fixture.GoalPublicity, azPublicityEnded: fixture.GoalPublicity, azAwarded: fixture.GoalAwarded,
		azDecrypting: fixture.GoalOpened, azStalled: fixture.GoalOpened,
		azRoomWaiting: fixture.GoalOpened, azRoomInterrupted: fixture.GoalCommittee, azRoomDecision: fixture.GoalOpened}
	var (
		lots  []*azLot
		mls   []*fixture.MatrixLot
		goals []fixture.MatrixGoal
	)
	for k, l := range m.pools {
		if s := m.shared[k]; s != nil {
			l = append(l, s)
		}
		if azPhase[k] >= phase && !azIsSale(k) {
			for _, x := range l {
				lots, mls, goals = append(lots, x), append(mls, &fixture.MatrixLot{Lot: x.lot}), append(goals, goal[k])
			}
		}
	}
	if phase == 4 {
		var sales []*azLot
		for k, l := range m.pools {
			if azIsSale(k) {
				sales = append(append(sales, l...), m.shared[k])
			}
		}
		m.prepareSales(sales)
		m.sessions = map[string]*azSession{}
		return
	}
	for i, p := range m.w.AdvanceMatrix(m.t, phase, mls, goals) {
		x := lots[i]
		if phase == 2 && goals[i] >= fixture.GoalCommittee {
			x.member, x.nonMember, x.candidate, x.awardPrice = p.MemberUser, p.NonMember, p.Candidate, p.AwardPrice
			for _, mem := range p.Members {
				x.memberNames = append(x.memberNames, mem.Name)
			}
		}
	}
	if phase == 2 {
		// The rooms: committees the centre has not started (fixture.Committee
		// starts them), and failures.
		for _, x := range lots {
			switch x.kind {
			case azRoomWaiting, azRoomDecision:
				m.formCommittee(x)
			}
			switch x.kind {
			case azRoomInterrupted, azRoomDecision:
				if _, err := m.w.Tender.DeclareFailure(m.ctx, m.w.Actor("operator"), x.lot.ID, "异地评标室网络中断"); err != nil {
					m.t.Fatal(err)
				}
			}
		}
	}
	if phase == 3 {
		// A failure before the start outlasted its wait: the principal decides.
		for _, x := range lots {
			if x.kind != azRoomDecision {
				continue
			}
			v, err := m.w.Tender.ViewRoom(m.ctx, m.w.Actor("operator"), x.lot.ID)
			if err != nil {
				m.t.Fatal(err)
			}
			if !m.w.Clock.Now().After(v.Room.ResumeBy) {
				m.w.Clock.Set(v.Room.ResumeBy.Add(time.Minute))
			}
			if err := m.w.Tender.RoomFailureDue(m.ctx, x.lot.ID); err != nil {
				m.t.Fatal(err)
			}
			if v, _ = m.w.Tender.ViewRoom(m.ctx, m.w.Actor("operator"), x.lot.ID); v.Room.Status != tender.RoomDecision {
				m.t.Fatalf("room of %s is %s", x.lot.Code, v.Room.Status)
			}
		}
		// The decryption windows ran out with no custodian: stalled.
		for _, x := range lots {
			if x.kind != azStalled {
				continue
			}
			l, err := m.w.GetLot(x.lot.ID)
			if err != nil {
				m.t.Fatal(err)
			}
			if !m.w.Clock.Now().After(l.DecryptBy) {
				m.w.Clock.Set(l.DecryptBy.Add(time.Minute))
			}
			if err := m.w.Tender.CheckDecryption(m.ctx, x.lot.ID); err != nil {
				m.t.Fatal(err)
			}
			if l, _ = m.w.GetLot(x.lot.ID); !l.Stalled {
				m.t.Fatalf("lot %s is not stalled", l.Code)
			}
		}
	}
	if phase > 1 {
		m.sessions = map[string]*azSession{}
	}
}

// signedSheet is the member's score sheet as the console posts it: every
// bid passes (the matrix lots are lowest-price lots), signed with the
// member's sign key over tender.SheetDigest of exactly those lines.
func (m *azMatrix) signedSheet(x *azLot) url.Values {
	if x.member == "" {
		return url.Values{}
	}
	a := m.w.Actor(x.member)
	v, err := m.w.Tender.ViewLot(m.ctx, a, x.lot.ID)
	if err != nil {
		m.t.Fatal(err)
	}
	f := url.Values{}
	var lines []tender.SheetLine
	for _, b := range v.Bids {
		lines = append(lines, tender.SheetLine{BidID: b.ID, Pass: true})
	}
	sig := m.w.SignSheet(m.t, a, v.Lot.Code, lines)
	f.Set("sig_fingerprint", sig.Fingerprint)
	f.Set("signature", sig.Signature)
	return f
}

// formCommittee draws the lot's experts (principal2 as the principal's
// representative) and has the invited confirm, without starting the room.
func (m *azMatrix) formCommittee(x *azLot) {
	m.t.Helper()
	d, err := m.w.Tender.RequestDraw(m.ctx, m.w.Actor("operator"), x.lot.ID, tender.DrawInput{
		Needs: []draw.Need{{Specialty: "A0801", Count: 4, Backups: 2}}, Reps: []string{"principal2"}}, m.w.Party.UserByUsername)
	if err != nil {
		m.t.Fatal(err)
	}
	if err := m.w.Tender.RunDraw(m.ctx, d.ID); err != nil {
		m.t.Fatal(err)
	}
	_, invs, err := m.w.Tender.ListLotDraws(m.ctx, m.w.Actor("operator"), x.lot.ID)
	if err != nil {
		m.t.Fatal(err)
	}
	for _, iv := range invs {
		if iv.Status == tender.InvInvited {
			if _, err := m.w.Tender.RespondInvitation(m.ctx, m.w.ActorByID(iv.UserID), iv.ID, true, "", true); err != nil {
				m.t.Fatal(err)
			}
		}
	}
	v, err := m.w.Tender.ViewLot(m.ctx, m.w.Actor("operator"), x.lot.ID)
	if err != nil || len(v.Committee) != 5 {
		m.t.Fatalf("committee of %s: %v %d", x.lot.Code, err, len(v.Committee))
	}
	in := map[string]bool{}
	for _, mem := range v.Committee {
		in[mem.UserID] = true
		x.memberNames = append(x.memberNames, mem.Name)
	}
	for i := 1; i <= len(m.w.Experts); i++ {
		name := fmt.Sprintf("expert%d", i)
		switch {
		case in[m.w.Users[name].ID] && x.member == "":
			x.member = name
		case !in[m.w.Users[name].ID] && x.nonMember == "":
			x.nonMember = name
		}
	}
}

// memberID is a member of the lot's committee: the first, or the first
// expert (the centre replaces experts only).
func (m *azMatrix) memberID(x *azLot, expertOnly bool) string {
	v, err := m.w.Tender.ViewRoom(m.ctx, m.w.Actor("operator"), x.lot.ID)
	if err != nil {
		m.t.Fatal(err)
	}
	for _, mem := range v.Members {
		if !expertOnly || mem.Kind == tender.MemberExpert {
			return string(mem.ID)
		}
	}
	m.t.Fatalf("no member on %s", x.lot.Code)
	return ""
}

// ---- the expert pool

func azSanctionForm(*azMatrix, *azLot) url.Values {
	return url.Values{"blacklist": {"0"}, "reason": {"评标中私下接触投标人"}, "source": {"南宁市住建局处理决定书〔2026〕3号"}}
}

// applicant is a fresh application as the form posts it (a new identity number each time).
func (m *azMatrix) applicant() url.Values {
	m.seq++
	return url.Values{"name": {fmt.Sprintf("申请人%03d", m.seq)}, "id_number": {expert.IDNumber(fmt.Sprintf("45010219800101%03d", m.seq%1000))},
		"employer_name": {"广西大学"}, "title": {"高级工程师"}, "senior": {"1"}, "field_since": {"2005"}, "specialty0": {"A0802"}, "city": {"450300"}}
}

// applied files an application through the service and returns its ID.
func (m *azMatrix) applied() string {
	v := m.applicant()
	fs, _ := strconv.Atoi(v.Get("field_since"))
	e, err := m.w.Expert.Apply(m.ctx, m.w.Actor("operator"), expert.Input{Name: v.Get("name"), IDNumber: v.Get("id_number"), EmployerName: v.Get("employer_name"),
		Title: v.Get("title"), Senior: true, FieldSince: fs, Specialties: []string{v.Get("specialty0")}, City: v.Get("city")})
	if err != nil {
		m.t.Fatal(err)
	}
	return e.ID
}

// activeExpert is a fresh expert in the pool with a login of their own.
// Their specialty (A0802) is not the matrix lots' (A0801): no draw of the
// matrix can pick them.
func (m *azMatrix) activeExpert() string {
	id := m.applied()
	u, err := m.w.Party.CreateUser(m.ctx, party.System(), party.UserInput{Username: fmt.Sprintf("poolexpert%d", m.seq), Name: "库内专家",
		Password: fixture.Password, Role: party.RoleExpert})
	if err != nil {
		m.t.Fatal(err)
	}
	if _, err := m.w.Expert.Review(m.ctx, m.w.Actor("operator"), id, true, "", u.ID); err != nil {
		m.t.Fatal(err)
	}
	return id
}

// suspendedExpert is a fresh expert suspended indefinitely.
func (m *azMatrix) suspendedExpert() string {
	id := m.activeExpert()
	if _, err := m.w.Expert.Sanction(m.ctx, m.w.Actor("supervisor"), id, false, "无故缺席评标", "南宁市住建局处理决定书〔2026〕5号", time.Time{}); err != nil {
		m.t.Fatal(err)
	}
	return id
}

// expertOf is the pool record of a fixture expert user.
func (m *azMatrix) expertOf(username string) string {
	for _, e := range m.w.Experts {
		if e.UserID == m.w.Users[username].ID {
			return e.ID
		}
	}
	m.t.Fatalf("no expert %s", username)
	return ""
}

// expertSeat is the lot's first expert seat (1-based, committee order).
func (m *azMatrix) expertSeat(x *azLot) string {
	v, err := m.w.Tender.ViewLot(m.ctx, m.w.Actor("operator"), x.lot.ID)
	if err != nil {
		m.t.Fatal(err)
	}
	for i, mem := range v.Committee {
		if mem.Kind == tender.MemberExpert {
			return strconv.Itoa(i + 1)
		}
	}
	m.t.Fatalf("no expert on the committee of %s", x.lot.Code)
	return ""
}

// invitationOf is the user's invitation on the lot.
func (m *azMatrix) invitationOf(x *azLot, username string) string {
	_, invs, err := m.w.Tender.ListLotDraws(m.ctx, m.w.Actor("operator"), x.lot.ID)
	if err != nil {
		m.t.Fatal(err)
	}
	for _, iv := range invs {
		if iv.UserID == m.w.Users[username].ID {
			return iv.ID
		}
	}
	m.t.Fatalf("no invitation for %s on %s", username, x.lot.Code)
	return ""
}

// bidKey registers a fresh bid key of bidder1's entity (to be revoked).
func (m *azMatrix) bidKey() string {
	k, err := m.w.Party.RegisterKey(m.ctx, m.w.Actor("bidder1"), party.KeyInput{PEM: azFreshPEM(m.t), Purpose: party.KeyBid, Label: "矩阵"})
	if err != nil {
		m.t.Fatal(err)
	}
	return string(k.ID)
}

// upload makes bidder1's upload on the lot, complete with file when given.
func (m *azMatrix) upload(x *azLot, file []byte) string {
	size := int64(len(file))
	if size == 0 {
		size = 4096
	}
	owner := string(m.w.Users["bidder1"].ID)
	u, err := m.w.Uploads.Create(owner, string(x.lot.ID), size)
	if err != nil {
		m.t.Fatal(err)
	}
	if file != nil {
		if _, err := m.w.Uploads.Append(u.ID, owner, 0, bytes.NewReader(file)); err != nil {
			m.t.Fatal(err)
		}
	}
	return u.ID
}

// shares are a custodian's decrypted shares of the lot's bids, as the
// browser posts them.
func (m *azMatrix) shares(x *azLot, username string) string {
	l, envs, err := m.w.Tender.CustodyEnvelopes(m.ctx, m.w.Actor(username), x.lot.ID)
	if err != nil {
		m.t.Fatal(err)
	}
	sh, bad := sealbid.OpenShares(string(l.ID), string(m.w.Users[username].ID), envs, m.w.CustodyKeys[username])
	if len(bad) > 0 || len(sh) == 0 {
		m.t.Fatalf("custodian %s: %d shares, %+v", username, len(sh), bad)
	}
	b, _ := json.Marshal(sh)
	return string(b)
}

// ---- 《招标投标法》第二十二条 in the pages

// pages of a lot that a role can open (the public has no console).
func (m *azMatrix) lotPages(x *azLot, r azRole) []string {
	ps := []string{"/", "/notices", "/notices/" + x.noticeID, "/projects/" + x.projectID}
	if r != azPublic {
		ps = append(ps, "/console", "/console/lots/"+x.lot.ID, "/console/projects/"+x.projectID)
	}
	if x.kind == azSealed && (r == azAgency || r == azOperator || r == azSupervisor) {
		ps = append(ps, "/console/decrypt", "/console/lots/"+x.lot.ID+"/decrypt")
	}
	return ps
}

// checkSecrecyBeforeOpening: before the opening no one on the principal's
// side, the trading centre, the public or another bidder learns from any page
// who or how many obtained the documents or bid; a bidder sees only its own bid.
func (m *azMatrix) checkSecrecyBeforeOpening(t *testing.T) {
	t.Run("Art22/BeforeTheOpeningNoPageNamesTheBidders", func(t *testing.T) {
		w := m.w
		prices := []string{"9,000,000.00", "9000000.00", "9,100,000.00", "9100000.00", "9,200,000.00", "9200000.00"}
		seen := map[string]bool{} // the home page and the notice list once per role
		for _, x := range []*azLot{m.shared[azBidding], m.shared[azObjection], m.shared[azSealed]} {
			for _, r := range []azRole{azPublic, azPrincipal, azAgency, azOperator, azSupervisor, azAuditor, azAdmin, azNonMember, azOtherBidder} {
				user := m.user(r, x)
				who := m.session(user)
				own := ""
				if u, ok := w.Users[user]; ok {
					own = u.EntityID
				}
				for _, p := range m.lotPages(x, r) {
					if seen[string(r)+" "+p] {
						continue
					}
					seen[string(r)+" "+p] = true
					res := m.do(http.MethodGet, p, who, nil, nil)
					if res.code != http.StatusOK {
						t.Errorf("%s %s as %s: %d", x.kind, p, r, res.code)
						continue
					}
					for _, b := range w.Bidders {
						if b.ID == own {
							continue
						}
						for _, s := range []string{b.Name, b.USCC, b.ID} {
							if strings.Contains(res.body, s) {
								t.Errorf("%s %s as %s names bidder %s (%q) before the opening", x.kind, p, r, b.Name, s)
							}
						}
					}
					for _, s := range append([]string{"共 3 家", "3 家", "项目经理1", "项目经理3", "项目经理4", "开标记录</h2>", "GX-BANK", "BANK-0"}, prices...) {
						if strings.Contains(res.body, s) {
							t.Errorf("%s %s as %s leaks %q before the opening", x.kind, p, r, s)
						}
					}
				}
			}
		}

		// bidder1 sees its own bid and nobody else's.
		x := m.shared[azBidding]
		who := m.session("bidder1")
		for _, p := range []string{"/console/lots/" + x.lot.ID, "/console/lots/" + x.lot.ID + "/receipt", "/console"} {
			res := m.do(http.MethodGet, p, who, nil, nil)
			if res.code != http.StatusOK {
				t.Fatalf("%s as bidder1: %d %s", p, res.code, azExcerpt(res.body))
			}
			for _, i := range []int{1, 2, 3, 4, 5} {
				if b := w.Bidders[i]; strings.Contains(res.body, b.Name) || strings.Contains(res.body, b.USCC) {
					t.Errorf("%s as bidder1 names %s", p, b.Name)
				}
			}
			for _, s := range []string{"9,100,000.00", "9100000.00", "9,200,000.00", "9200000.00", "项目经理3", "项目经理4", "共 3 家"} {
				if strings.Contains(res.body, s) {
					t.Errorf("%s as bidder1 leaks another bid: %q", p, s)
				}
			}
		}
		lotPage := m.do(http.MethodGet, "/console/lots/"+x.lot.ID, who, nil, nil).body
		for _, s := range []string{"我的投标", "第2版", "技术标.pdf", `value="9000000.00"`, "项目经理1", "/console/lots/" + x.lot.ID + "/receipt", w.Bidders[0].Name} {
			if !strings.Contains(lotPage, s) {
				t.Errorf("bidder1's lot page lacks its own bid: %q", s)
			}
		}
		receipt := m.do(http.MethodGet, "/console/lots/"+x.lot.ID+"/receipt", who, nil, nil).body
		for _, s := range []string{"投标文件接收回执", w.Bidders[0].Name, "¥9,000,000.00"} {
			if !strings.Contains(receipt, s) {
				t.Errorf("bidder1's receipt lacks %q", s)
			}
		}
	})
}

// checkOpeningIsPublic: at the deadline the opening record is public.
func (m *azMatrix) checkOpeningIsPublic(t *testing.T) {
	t.Run("Art22/AfterTheOpeningTheRecordIsPublic", func(t *testing.T) {
		x := m.shared[azOpened]
		want := []string{"开标记录", "共 3 家投标人", "¥9,000,000.00", "¥9,100,000.00", "¥9,200,000.00", "项目经理1", "项目经理3", "项目经理4"}
		for _, i := range []int{0, 2, 3} {
			want = append(want, m.w.Bidders[i].Name)
		}
		ns, _, err := m.w.Tender.Notices(m.ctx, m.w.Actor("operator"), tender.NoticeFilter{LotID: x.lot.ID, Kind: tender.NoticeOpening})
		if err != nil || len(ns) != 1 || !ns[0].Public {
			t.Fatalf("opening notice: %v %+v", err, ns)
		}
		for _, p := range []string{"/projects/" + x.projectID, "/notices/" + ns[0].ID} {
			res := m.do(http.MethodGet, p, m.public, nil, nil)
			if res.code != http.StatusOK {
				t.Fatalf("%s: %d", p, res.code)
			}
			for _, s := range want {
				if !strings.Contains(res.body, s) {
					t.Errorf("public %s lacks %q after the opening", p, s)
				}
			}
			for _, i := range []int{1, 4, 5} {
				if strings.Contains(res.body, m.w.Bidders[i].Name) {
					t.Errorf("public %s names %s, who did not bid", p, m.w.Bidders[i].Name)
				}
			}
		}
		// Another bidder and the principal see the same record in the console.
		for _, user := range []string{"bidder2", "principal"} {
			res := m.do(http.MethodGet, "/console/lots/"+x.lot.ID, m.session(user), nil, nil)
			for _, s := range want {
				if !strings.Contains(res.body, s) {
					t.Errorf("%s's console lacks %q after the opening", user, s)
				}
			}
		}
	})
}

// checkCommitteeSecret: 《招标投标法》第三十七条 — the committee's names stay
// secret until the award, except to the members and the centre that drew them.
func (m *azMatrix) checkCommitteeSecret(t *testing.T) {
	t.Run("Art37/CommitteeNamesSecretBeforeTheAward", func(t *testing.T) {
		// During the publicity the tenderer holds the signed report, which
		// names the committee; nobody else does.
		for _, st := range []struct {
			x     *azLot
			roles []azRole
		}{
			{m.shared[azCommittee], []azRole{azPublic, azBidder, azOtherBidder, azPrincipal, azAgency, azNonMember, azSupervisor, azAdmin}},
			{m.shared[azPublicity], []azRole{azPublic, azBidder, azOtherBidder, azNonMember, azSupervisor, azAdmin}},
		} {
			x := st.x
			if len(x.memberNames) == 0 {
				t.Fatalf("%s: no committee", x.kind)
			}
			for _, r := range st.roles {
				who := m.session(m.user(r, x))
				for _, p := range m.lotPages(x, r) {
					if p == "/" || p == "/notices" {
						continue // lists of notices: no committee there
					}
					res := m.do(http.MethodGet, p, who, nil, nil)
					if res.code != http.StatusOK {
						t.Errorf("%s %s as %s: %d", x.kind, p, r, res.code)
						continue
					}
					for _, n := range x.memberNames {
						if strings.Contains(res.body, n) {
							t.Errorf("%s %s as %s names committee member %s before the award", x.kind, p, r, n)
						}
					}
				}
			}
		}
		x := m.shared[azCommittee]
		for _, r := range []azRole{azMember, azOperator} {
			for _, p := range []string{"/console/lots/" + x.lot.ID, "/console/lots/" + x.lot.ID + "/room"} {
				res := m.do(http.MethodGet, p, m.session(m.user(r, x)), nil, nil)
				for _, n := range x.memberNames {
					if !strings.Contains(res.body, n) {
						t.Errorf("%s does not see committee member %s on %s", r, n, p)
					}
				}
			}
		}
		// The supervisor watches the room by seat numbers.
		res := m.do(http.MethodGet, "/console/lots/"+x.lot.ID+"/room", m.session("supervisor"), nil, nil)
		if res.code != http.StatusOK || !strings.Contains(res.body, "第1席") {
			t.Errorf("the supervisor's room: %d %s", res.code, azExcerpt(res.body))
		}
		for _, n := range x.memberNames {
			if strings.Contains(res.body, n) {
				t.Errorf("the supervisor's room names committee member %s before the award", n)
			}
		}
	})
}

// prepareLand registers a land project of the principal, run by the agency,
// with one draft lot carrying its plot.
func (m *azMatrix) prepareLand() *azLot {
	w := m.w
	p, err := w.Tender.CreateProject(m.ctx, w.Actor("principal"), tender.ProjectInput{Name: "五象新区总部基地", AgencyUSCC: w.Agency.USCC, Category: tender.LandUse})
	if err != nil {
		m.t.Fatal(err)
	}
	l, err := w.Tender.AddLot(m.ctx, w.Actor("agency"), p.ID, tender.LotInput{Name: "GC2026-18号地块", Procedure: tender.Open, Method: tender.HighestPrice,
		Security: 60_000_000_00, CategoryCode: "E0101", CommitteeSize: 5, PrincipalReps: 1,
		Land: &tender.Land{Location: "南宁市良庆区秋月路以南", AreaM2: 35120.56, Use: "residential", TermYears: 70, StartPrice: 300_000_000_00}})
	if err != nil {
		m.t.Fatal(err)
	}
	return &azLot{kind: azLandDraft, lot: l, projectID: p.ID}
}
