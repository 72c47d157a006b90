package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"ggzy/internal/expert"
	"ggzy/internal/fixture"
	"ggzy/internal/gm"
	"ggzy/internal/ids"
	"ggzy/internal/party"
	"ggzy/internal/sealbid"
	"ggzy/internal/tender"
)

// role is a column of the authorisation matrix.
type role string

const (
	rPublic      role = "public"
	rBidder      role = "bidder"       // bidder1: has obtained, paid and bid on the lot
	rOtherBidder role = "other_bidder" // bidder2: has done nothing on the lot
	rPrincipal   role = "principal"
	rAgency      role = "agency"
	rMember      role = "expert_member" // a member of the lot's committee (when there is one)
	rNonMember   role = "expert_non_member"
	rOperator    role = "operator"
	rSupervisor  role = "supervisor"
	rAuditor     role = "auditor"
	rAdmin       role = "admin"
)

var allRoles = []role{rPublic, rBidder, rOtherBidder, rPrincipal, rAgency, rMember, rNonMember, rOperator, rSupervisor, rAuditor, rAdmin}

// state is where a lot must be for a case; phases follow the clock.
type state string

const (
	sNone           state = "none"
	sDraft          state = "draft"
	sBidding        state = "bidding"         // bids from bidders 1, 3, 4
	sObjection      state = "objection"       // bidding, suspended by bidder1's objection
	sOpened         state = "opened"          // evaluating, no committee yet
	sCommittee      state = "committee"       // committee drawn
	sFailed         state = "failed"          // one bid at the deadline
	sPublicity      state = "publicity"       // candidate publicity running
	sPublicityEnded state = "publicity_ended" // publicity over, not awarded
	sAwarded        state = "awarded"
	sSealed         state = "sealed"     // bidding with custody (agency, operator, supervisor; 2 of 3), sealed bids from 1, 3, 4
	sDecrypting     state = "decrypting" // sealed, past the deadline, waiting for custodians
	sLandDraft      state = "land_draft" // a land lot sold by tender (principal with the agency), not published

	// Sales (issue 5), each at its own clock (saleState.at); see salesauthz_test.go.
	sSaleDraft     state = "sale_draft"     // a land listing created by the seller, not announced
	sSaleAnnounced state = "sale_announced" // announced, before the listing; bidder1 eligible, bidder3 pending, bidder4 qualified without deposit
	sSaleListing   state = "sale_listing"   // listing under way; bidders 1 and 3 eligible, bidder3 has quoted
	sSaleJoining   state = "sale_joining"   // listing closed with quotes of bidders 1 and 3, join window open
	sSaleTimed     state = "sale_timed"     // timed bidding among bidders 1 and 3, bidder3 leading
	sSalePaused    state = "sale_paused"    // timed bidding paused for a declared fault
	sSaleClosed    state = "sale_closed"    // concluded with a deal
	sSaleSealed    state = "sale_sealed"    // state property, one sealed quote, window open; bidder1 eligible
	sSaleAgree     state = "sale_agreement" // state property by agreement after the disclosure; bidder1 the single qualified buyer
	// One sealed quote under custody (operator, supervisor, agency; 2 of 3); see salesauthz_test.go.
	sSaleSealedSoon state = "sale_sealed_soon" // announced, the window not yet open, no custody yet; bidder1 eligible
	sSaleDecrypting state = "sale_decrypting"  // the window closed with quotes of bidders 1 and 3 sealed; waiting for custodians
	// A state-property disclosure ending without a buyer; see salesauthz_test.go.
	sSaleUnsold state = "sale_unsold" // open quotes, the formal disclosure ends on the next working day, no registration
)

var phaseOf = map[state]int{sNone: 1, sDraft: 1, sBidding: 1, sObjection: 1, sOpened: 2, sCommittee: 2, sFailed: 2, sPublicity: 2, sPublicityEnded: 3, sAwarded: 3, sSealed: 1, sDecrypting: 2, sLandDraft: 1,
	sSaleDraft: 1, sSaleAnnounced: 1, sSaleListing: 1, sSaleJoining: 1, sSaleTimed: 1, sSalePaused: 1, sSaleClosed: 1, sSaleSealed: 1, sSaleAgree: 1,
	sSaleSealedSoon: 1, sSaleDecrypting: 1, sSaleUnsold: 1}

// lotState is one lot prepared in a state.
type lotState struct {
	kind        state
	lot         tender.Lot
	projectID   string
	docID       string
	noticeID    string
	objectionID string
	ownBid      string // bidder1's bid, which carries an attachment
	fileHash    string // that attachment
	member      string // username of an expert member
	nonMember   string // username of an expert who is not a member
	bids        []string
	candidate   string
	awardPrice  int64
	sale        *saleState // sale states only
}

type mcase struct {
	route  string // "METHOD /api/... template", as registered
	name   string
	state  state
	path   func(st *lotState) string
	pathM  func(m *matrix, st *lotState) string // instead of path, when the path needs the world
	body   func(m *matrix, st *lotState) any
	head   map[string]string
	want   map[role]int
	def    int  // status for roles not in want
	fresh  bool // use a fresh token (logout)
	stream bool // an event stream: read it briefly, then hang up
}

func (c mcase) status(r role) int {
	if s, ok := c.want[r]; ok {
		return s
	}
	return c.def
}

type matrix struct {
	e      *env
	ctx    context.Context
	pools  map[state][]*lotState
	shared map[state]*lotState
	seq    int
}

func lotPath(p string) func(st *lotState) string {
	return func(st *lotState) string { return "/api/v1/lots/" + st.lot.ID + p }
}

func fixed(p string) func(*lotState) string { return func(*lotState) string { return p } }

func jsonBody(v any) func(*matrix, *lotState) any { return func(*matrix, *lotState) any { return v } }

// Expectation shorthands.
// everyone: every role gets the case's default status.
func everyone() map[role]int { return map[role]int{} }

// signedIn: the public is told to log in; every user gets the default.
func signedIn() map[role]int { return map[role]int{rPublic: 401} }

func managers(code int) map[role]int {
	return map[role]int{rPublic: 401, rPrincipal: code, rAgency: code}
}
func centre(code int) map[role]int {
	return map[role]int{rPublic: 401, rOperator: code, rAdmin: code}
}

func cases() []mcase {
	lotBody := LotInput{Name: "附属工程", Procedure: "open", Method: "lowest_price", EstimateFen: 5_000_000_00, SecurityFen: 50_000_00, CategoryCode: "A0801", CommitteeSize: 5, PrincipalReps: 1}
	return append([]mcase{
		{route: "GET /api/openapi.json", state: sNone, path: fixed("/api/openapi.json"), want: everyone(), def: 200},
		{route: "POST /api/v1/calendar", state: sNone, path: fixed("/api/v1/calendar"),
			body: func(*matrix, *lotState) any { return []byte("date,kind,name\n2027-01-01,holiday,元旦\n") },
			want: map[role]int{rPublic: 401, rOperator: 200, rAdmin: 200}, def: 403},
		{route: "POST /api/v1/auth/login", state: sNone, path: fixed("/api/v1/auth/login"), body: jsonBody(LoginRequest{Username: "bidder6", Password: fixture.Password}), want: everyone(), def: 200},
		{route: "POST /api/v1/auth/logout", state: sNone, path: fixed("/api/v1/auth/logout"), want: signedIn(), def: 204, fresh: true},
		{route: "GET /api/v1/me", state: sNone, path: fixed("/api/v1/me"), want: signedIn(), def: 200},
		{route: "POST /api/v1/keys", state: sNone, path: fixed("/api/v1/keys"), body: func(m *matrix, _ *lotState) any {
			return KeyInput{PEM: freshPEM(m), Purpose: "custody", Label: "矩阵测试"}
		}, want: map[role]int{rPublic: 401, rAgency: 201, rOperator: 201, rSupervisor: 201}, def: 403},
		{route: "GET /api/v1/keys", state: sNone, path: fixed("/api/v1/keys"), want: signedIn(), def: 200},
		{route: "POST /api/v1/keys/{keyID}/revoke", state: sNone, pathM: func(m *matrix, _ *lotState) string {
			return "/api/v1/keys/" + string(m.bidKey()) + "/revoke"
		}, body: jsonBody(RevokeInput{Reason: "密钥介质遗失"}), want: map[role]int{rPublic: 401, rBidder: 200, rOperator: 200, rAdmin: 200}, def: 403},
		{route: "GET /api/v1/entities/{id}/keys", state: sNone, pathM: func(m *matrix, _ *lotState) string {
			return "/api/v1/entities/" + string(m.e.w.Bidders[0].ID) + "/keys"
		}, want: everyone(), def: 200},
		{route: "GET /api/v1/users/{id}/keys", state: sNone, pathM: func(m *matrix, _ *lotState) string {
			return "/api/v1/users/" + string(m.e.w.Users["operator"].ID) + "/keys"
		}, want: everyone(), def: 200},
		{route: "GET /api/v1/lots/{id}/bid/receipt", state: sSealed, path: lotPath("/bid/receipt"), want: map[role]int{rPublic: 401, rBidder: 200}, def: 404},
		{route: "GET /api/v1/lots/{id}/custody", state: sSealed, path: lotPath("/custody"), want: everyone(), def: 200},
		{route: "PUT /api/v1/lots/{id}/custody", state: sDraft, path: lotPath("/custody"), body: func(m *matrix, _ *lotState) any {
			var ids []string
			for _, u := range []string{"agency", "operator", "supervisor"} {
				m.e.w.CustodyKey(m.e.t, u)
				ids = append(ids, string(m.e.w.Users[u].ID))
			}
			return CustodyInput{Custodians: ids, Threshold: 2}
		}, want: managers(200), def: 403},
		{route: "POST /api/v1/lots/{id}/sealed-bid", state: sSealed, path: lotPath("/sealed-bid"), body: func(m *matrix, st *lotState) any {
			return m.e.w.SealBid(m.e.t, st.lot, 0, tender.BidContent{Price: 8_800_000_00, DurationDays: 300, Quality: "合格", ProjectManager: "项目经理1"})
		}, want: map[role]int{rPublic: 401, rBidder: 201, rOtherBidder: 422}, def: 403},
		{route: "POST /api/v1/lots/{id}/uploads", state: sSealed, path: lotPath("/uploads"), body: jsonBody(UploadInput{Size: 4096}),
			want: map[role]int{rPublic: 401, rBidder: 201, rOtherBidder: 201}, def: 403},
		{route: "GET /api/v1/uploads/{uploadID}", state: sSealed, pathM: func(m *matrix, st *lotState) string {
			return "/api/v1/uploads/" + m.upload(st, nil)
		}, want: map[role]int{rPublic: 401, rBidder: 200}, def: 404},
		{route: "PATCH /api/v1/uploads/{uploadID}", state: sSealed, pathM: func(m *matrix, st *lotState) string {
			return "/api/v1/uploads/" + m.upload(st, nil)
		}, body: jsonBody([]byte("密封")), head: map[string]string{"Upload-Offset": "0"}, want: map[role]int{rPublic: 401, rBidder: 200}, def: 404},
		{route: "POST /api/v1/uploads/{uploadID}/bid", state: sSealed, pathM: func(m *matrix, st *lotState) string {
			return "/api/v1/uploads/" + m.upload(st, m.e.w.SealBid(m.e.t, st.lot, 0, tender.BidContent{Price: 8_900_000_00, DurationDays: 300, Quality: "合格", ProjectManager: "项目经理1"})) + "/bid"
		}, want: map[role]int{rPublic: 401, rBidder: 201}, def: 404},
		{route: "GET /api/v1/lots/{id}/custody/envelopes", state: sDecrypting, path: lotPath("/custody/envelopes"),
			want: map[role]int{rPublic: 401, rAgency: 200, rOperator: 200, rSupervisor: 200}, def: 403},
		{route: "POST /api/v1/lots/{id}/custody/shares", state: sDecrypting, path: lotPath("/custody/shares"), body: func(m *matrix, st *lotState) any {
			return SharesInput{Shares: m.shares(st, "operator")}
		}, want: map[role]int{rPublic: 401, rAgency: 422, rOperator: 200, rSupervisor: 422}, def: 403},
		{route: "POST /api/v1/lots/{id}/custody/extend", state: sDecrypting, path: lotPath("/custody/extend"), body: func(m *matrix, st *lotState) any {
			l, err := m.e.w.GetLot(st.lot.ID)
			if err != nil {
				m.e.t.Fatal(err)
			}
			return ExtendInput{Until: l.DecryptBy.Add(30 * time.Minute), Reason: "保管人证书故障，需补办"}
		}, want: map[role]int{rPublic: 401, rOperator: 200, rSupervisor: 200}, def: 403},
		{route: "GET /api/v1/ledger/checkpoint", state: sNone, path: fixed("/api/v1/ledger/checkpoint"), want: everyone(), def: 200},
		{route: "GET /api/v1/ledger/key", state: sNone, path: fixed("/api/v1/ledger/key"), want: everyone(), def: 200},
		{route: "GET /api/v1/ledger/entries", state: sNone, path: fixed("/api/v1/ledger/entries?start=0&end=10"), want: everyone(), def: 200},
		{route: "GET /api/v1/ledger/proof/inclusion", state: sNone, path: fixed("/api/v1/ledger/proof/inclusion?index=0&size=2"), want: everyone(), def: 200},
		{route: "GET /api/v1/ledger/proof/consistency", state: sNone, path: fixed("/api/v1/ledger/proof/consistency?from=1&to=2"), want: everyone(), def: 200},
		{route: "GET /api/v1/rules", state: sNone, path: fixed("/api/v1/rules"), want: everyone(), def: 200},
		{route: "GET /api/v1/notices", state: sNone, path: fixed("/api/v1/notices?limit=5"), want: everyone(), def: 200},
		{route: "GET /api/v1/notices/{id}", state: sBidding, path: func(st *lotState) string { return "/api/v1/notices/" + st.noticeID }, want: everyone(), def: 200},
		{route: "POST /api/v1/projects", state: sNone, path: fixed("/api/v1/projects"),
			body: func(m *matrix, _ *lotState) any {
				return ProjectInput{Name: "南宁市江南区排水管网改造工程", PrincipalUSCC: m.e.w.Principal.USCC, AgencyUSCC: m.e.w.Agency.USCC, SupervisorDept: "住建"}
			}, want: managers(201), def: 403},
		{route: "GET /api/v1/projects/{id}", state: sBidding, path: func(st *lotState) string { return "/api/v1/projects/" + st.projectID }, want: everyone(), def: 200},
		{route: "GET /api/v1/projects/{id}", name: "draft", state: sDraft, path: func(st *lotState) string { return "/api/v1/projects/" + st.projectID },
			want: map[role]int{rPrincipal: 200, rAgency: 200, rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}, def: 404},
		{route: "POST /api/v1/projects/{id}/lots", state: sDraft, path: func(st *lotState) string { return "/api/v1/projects/" + st.projectID + "/lots" },
			body: jsonBody(lotBody), want: managers(201), def: 403},
		{route: "GET /api/v1/lots/{id}", state: sBidding, path: lotPath(""), want: everyone(), def: 200},
		{route: "GET /api/v1/lots/{id}", name: "draft", state: sDraft, path: lotPath(""),
			want: map[role]int{rPrincipal: 200, rAgency: 200, rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}, def: 404},
		{route: "POST /api/v1/lots/{id}/documents", state: sDraft, path: lotPath("/documents?name=" + url.QueryEscape("补充文件.pdf")),
			body: func(*matrix, *lotState) any { return []byte("补充招标文件") }, want: managers(201), def: 403},
		// Downloading is obtaining: only bidders who obtained the documents (recorded, secret), managers and staff.
		{route: "GET /api/v1/lots/{id}/documents/{docID}", state: sBidding, path: func(st *lotState) string { return "/api/v1/lots/" + st.lot.ID + "/documents/" + st.docID },
			want: map[role]int{rPublic: 401, rOtherBidder: 403, rMember: 403, rNonMember: 403}, def: 200},
		{route: "GET /api/v1/lots/{id}/documents/{docID}", name: "draft", state: sDraft, path: func(st *lotState) string { return "/api/v1/lots/" + st.lot.ID + "/documents/" + st.docID },
			want: map[role]int{rPrincipal: 200, rAgency: 200, rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}, def: 404},
		// The reserve (底价) of a land lot: the seller's side only, never answered back.
		{route: "PUT /api/v1/lots/{id}/reserve", state: sLandDraft, path: lotPath("/reserve"), body: jsonBody(ReserveInput{ReserveFen: 320_000_000_00}),
			want: managers(204), def: 403},
		{route: "POST /api/v1/lots/{id}/publish", state: sDraft, path: lotPath("/publish"),
			body: func(m *matrix, _ *lotState) any {
				now := m.e.w.Clock.Now()
				dl := m.e.w.Tender.EarliestDeadline(now, 9, 30)
				return PublishInput{DocsFrom: now, DocsUntil: dl, BidDeadline: dl}
			}, want: managers(201), def: 403},
		{route: "POST /api/v1/lots/{id}/clarifications", state: sBidding, path: lotPath("/clarifications"),
			body: jsonBody(ClarificationInput{Text: "招标文件第二章第3条更正如下。"}), want: managers(201), def: 403},
		{route: "POST /api/v1/lots/{id}/objections", state: sBidding, path: lotPath("/objections"),
			body: jsonBody(ObjectionInput{Stage: "documents", Text: "招标文件评标办法中的业绩要求明显超出项目需要。"}),
			want: map[role]int{rPublic: 401, rBidder: 201}, def: 403},
		{route: "POST /api/v1/lots/{id}/objections", name: "publicity", state: sPublicity, path: lotPath("/objections"),
			body: jsonBody(ObjectionInput{Stage: "publicity", Text: "第一中标候选人的项目经理存在在建工程，请核查。"}),
			want: map[role]int{rPublic: 401, rBidder: 201}, def: 403},
		{route: "POST /api/v1/objections/{id}/answer", state: sObjection, path: func(st *lotState) string { return "/api/v1/objections/" + st.objectionID + "/answer" },
			body: jsonBody(AnswerInput{Answer: "经核查，业绩要求与项目规模相适应。"}), want: managers(200), def: 403},
		{route: "POST /api/v1/lots/{id}/obtain", state: sBidding, path: lotPath("/obtain"),
			want: map[role]int{rPublic: 401, rBidder: 200, rOtherBidder: 200}, def: 403},
		{route: "POST /api/v1/lots/{id}/deposit", state: sBidding, path: lotPath("/deposit"), body: jsonBody(DepositInput{AmountFen: 100_000_00, Reference: "GX-BANK-77"}),
			want: map[role]int{rPublic: 401, rBidder: 200, rOtherBidder: 200}, def: 403},
		{route: "PUT /api/v1/lots/{id}/bid", state: sBidding, path: lotPath("/bid"), body: jsonBody(plainBid(8_800_000_00, "新经理")),
			want: map[role]int{rPublic: 401, rBidder: 201, rOtherBidder: 409}, def: 403},
		{route: "PUT /api/v1/lots/{id}/bid", name: "after the deadline", state: sOpened, path: lotPath("/bid"), body: jsonBody(plainBid(8_800_000_00, "新经理")),
			want: map[role]int{rPublic: 401, rBidder: 409, rOtherBidder: 409}, def: 403},
		{route: "DELETE /api/v1/lots/{id}/bid", state: sBidding, path: lotPath("/bid"),
			want: map[role]int{rPublic: 401, rBidder: 200, rOtherBidder: 404}, def: 403},
		{route: "GET /api/v1/lots/{id}/bid", state: sBidding, path: lotPath("/bid"),
			want: map[role]int{rPublic: 401, rBidder: 200}, def: 404},
		// Before the opening only the bidder may fetch its attachment; after it the managers, staff and the committee too.
		{route: "GET /api/v1/lots/{id}/bids/{bidID}/files/{hash}", state: sBidding, path: func(st *lotState) string {
			return "/api/v1/lots/" + st.lot.ID + "/bids/" + st.ownBid + "/files/" + st.fileHash
		},
			want: map[role]int{rBidder: 200}, def: 404},
		{route: "GET /api/v1/lots/{id}/bids/{bidID}/files/{hash}", name: "after the opening", state: sOpened, path: func(st *lotState) string {
			return "/api/v1/lots/" + st.lot.ID + "/bids/" + st.ownBid + "/files/" + st.fileHash
		},
			want: map[role]int{rBidder: 200, rPrincipal: 200, rAgency: 200, rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}, def: 404},
		{route: "GET /api/v1/lots/{id}/bids/{bidID}/files/{hash}", name: "committee", state: sCommittee, path: func(st *lotState) string {
			return "/api/v1/lots/" + st.lot.ID + "/bids/" + st.ownBid + "/files/" + st.fileHash
		},
			want: map[role]int{rBidder: 200, rPrincipal: 200, rAgency: 200, rMember: 200, rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}, def: 404},
		{route: "POST /api/v1/lots/{id}/files", state: sBidding, path: lotPath("/files?name=a.pdf"), body: func(*matrix, *lotState) any { return []byte("附件") },
			want: map[role]int{rPublic: 401, rBidder: 201, rOtherBidder: 201}, def: 403},
		{route: "POST /api/v1/lots/{id}/files", name: "after the deadline", state: sOpened, path: lotPath("/files?name=a.pdf"), body: func(*matrix, *lotState) any { return []byte("附件") },
			want: map[role]int{rPublic: 401, rBidder: 409, rOtherBidder: 409}, def: 403},
		{route: "POST /api/v1/lots/{id}/draws", state: sOpened, path: lotPath("/draws"),
			body: jsonBody(DrawInput{Needs: []DrawNeed{{Specialty: "A0801", Count: 4}}, Reps: []string{"principal2"}}),
			want: map[role]int{rPublic: 401, rOperator: 202}, def: 403},
		{route: "GET /api/v1/lots/{id}/draws", state: sCommittee, path: lotPath("/draws"), want: map[role]int{rPublic: 401, rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}, def: 403},
		// Before the report the proof is for staff; the public gets it after the evaluation.
		{route: "GET /api/v1/draws/{drawID}/proof", state: sCommittee, pathM: func(m *matrix, st *lotState) string {
			return "/api/v1/draws/" + m.drawID(st) + "/proof"
		}, want: map[role]int{rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}, def: 404},
		{route: "GET /api/v1/draws/{drawID}/proof", name: "after the evaluation", state: sPublicity, pathM: func(m *matrix, st *lotState) string {
			return "/api/v1/draws/" + m.drawID(st) + "/proof"
		}, want: everyone(), def: 200},
		{route: "GET /api/v1/invitations", state: sNone, path: fixed("/api/v1/invitations"), want: signedIn(), def: 200},
		// The member's invitation is confirmed already; nobody else's it is.
		{route: "POST /api/v1/invitations/{invID}", state: sCommittee, pathM: func(m *matrix, st *lotState) string {
			return "/api/v1/invitations/" + m.invitationOf(st, st.member)
		}, body: jsonBody(RespondInput{Accept: true}), want: map[role]int{rPublic: 401, rMember: 409}, def: 404},
		{route: "GET /api/v1/lots/{id}/room", state: sCommittee, path: lotPath("/room"),
			want: map[role]int{rPublic: 401, rMember: 200, rOperator: 200, rSupervisor: 200, rAuditor: 200}, def: 404},
		{route: "POST /api/v1/lots/{id}/room/start", state: sCommittee, path: lotPath("/room/start"), want: map[role]int{rPublic: 401, rOperator: 409}, def: 403},
		{route: "POST /api/v1/lots/{id}/room/votes", state: sCommittee, path: lotPath("/room/votes"), body: jsonBody(VoteInput{Kind: "extend"}),
			want: map[role]int{rPublic: 401, rMember: 200}, def: 403},
		{route: "POST /api/v1/lots/{id}/room/deviations", state: sCommittee, path: lotPath("/room/deviations"),
			body: jsonBody(ExplainInput{BidID: "x", Item: "tech", Explanation: "施工组织设计缺少雨季措施"}), want: map[role]int{rPublic: 401, rMember: 409}, def: 403},
		{route: "POST /api/v1/lots/{id}/room/failure", state: sCommittee, path: lotPath("/room/failure"), body: jsonBody(FailureInput{Failure: "分会场网络中断"}),
			want: map[role]int{rPublic: 401, rOperator: 200}, def: 403},
		{route: "POST /api/v1/lots/{id}/room/resume", state: sCommittee, path: lotPath("/room/resume"), want: map[role]int{rPublic: 401, rOperator: 409}, def: 403},
		{route: "POST /api/v1/lots/{id}/room/decision", state: sCommittee, path: lotPath("/room/decision"), body: jsonBody(DecisionInput{Proceed: true, Reason: "继续"}),
			want: map[role]int{rPublic: 401, rPrincipal: 409}, def: 403},
		{route: "POST /api/v1/lots/{id}/members/{memberID}/replace", state: sCommittee, pathM: func(m *matrix, st *lotState) string {
			return "/api/v1/lots/" + st.lot.ID + "/members/" + m.memberOf(st, st.member) + "/replace"
		}, body: jsonBody(ReasonInput{Reason: "应当回避"}), want: map[role]int{rPublic: 401, rOperator: 200}, def: 403},
		{route: "POST /api/v1/lots/{id}/ratings", state: sPublicity, path: lotPath("/ratings"), body: func(m *matrix, st *lotState) any {
			return RatingInput{ExpertID: m.expertOf(st.member), Score: 4, Comment: "认真负责"}
		}, want: map[role]int{rPublic: 401, rAgency: 200, rSupervisor: 200}, def: 403},
		{route: "GET /api/v1/experts/{expertID}/record", state: sNone, pathM: func(m *matrix, _ *lotState) string {
			return "/api/v1/experts/" + m.expertOf("expert1") + "/record"
		}, want: map[role]int{rPublic: 401, rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}, def: 403},
		{route: "GET /api/v1/classification", state: sNone, path: fixed("/api/v1/classification"), want: everyone(), def: 200},
		{route: "GET /api/v1/experts", state: sNone, path: fixed("/api/v1/experts"), want: map[role]int{rPublic: 401, rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}, def: 403},
		// Experts already in the pool cannot apply again; an employer must name itself.
		{route: "POST /api/v1/experts", state: sNone, path: fixed("/api/v1/experts"), body: func(m *matrix, _ *lotState) any { return m.applicant() },
			want: map[role]int{rPublic: 401, rOperator: 201, rMember: 409, rNonMember: 409}, def: 403},
		{route: "GET /api/v1/experts/{expertID}", state: sCommittee, pathM: func(m *matrix, st *lotState) string {
			return "/api/v1/experts/" + m.expertOf(st.nonMember)
		}, want: map[role]int{rPublic: 401, rNonMember: 200, rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}, def: 404},
		{route: "POST /api/v1/experts/{expertID}/review", state: sNone, pathM: func(m *matrix, _ *lotState) string {
			return "/api/v1/experts/" + m.applied() + "/review"
		}, body: jsonBody(ReviewInput{Approve: false, Reason: "职称证明材料不全"}), want: map[role]int{rPublic: 401, rOperator: 200}, def: 403},
		// An applicant is not in the pool yet: the roles that may sanction get a conflict.
		{route: "POST /api/v1/experts/{expertID}/sanction", state: sNone, pathM: func(m *matrix, _ *lotState) string {
			return "/api/v1/experts/" + m.applied() + "/sanction"
		}, body: jsonBody(SanctionInput{Reason: "评标中私下接触投标人", Source: "南宁市住建局处理决定"}), want: map[role]int{rPublic: 401, rOperator: 409, rSupervisor: 409}, def: 403},
		{route: "POST /api/v1/experts/{expertID}/reinstate", state: sNone, pathM: func(m *matrix, _ *lotState) string {
			return "/api/v1/experts/" + m.applied() + "/reinstate"
		}, body: jsonBody(ReasonInput{Reason: "处理期满"}), want: map[role]int{rPublic: 401, rSupervisor: 409}, def: 403},
		{route: "POST /api/v1/experts/{expertID}/exit", state: sNone, pathM: func(m *matrix, _ *lotState) string {
			return "/api/v1/experts/" + m.applied() + "/exit"
		}, body: jsonBody(ExitInput{Kind: "assessment", Reason: "年度考核不合格"}), want: map[role]int{rPublic: 401, rOperator: 200}, def: 403},
		{route: "PUT /api/v1/lots/{id}/sheet", state: sCommittee, path: lotPath("/sheet"),
			body: func(m *matrix, st *lotState) any {
				var in SheetInput
				for _, b := range st.bids {
					in.Lines = append(in.Lines, SheetLine{BidID: b, Pass: true})
				}
				// Signed by the member: others are refused before the signature matters.
				sig, err := m.e.w.SheetSignature(m.e.w.Actor(st.member), st.lot.Code, sheetLines(in.Lines))
				if err != nil {
					panic(err)
				}
				in.Fingerprint, in.Signature = sig.Fingerprint, sig.Signature
				return in
			}, want: map[role]int{rPublic: 401, rMember: 200}, def: 403},
		{route: "POST /api/v1/lots/{id}/sheet/digest", state: sCommittee, path: lotPath("/sheet/digest"), body: func(_ *matrix, st *lotState) any {
			var in SheetInput
			for _, b := range st.bids {
				in.Lines = append(in.Lines, SheetLine{BidID: b, Pass: true})
			}
			return in
		},
			want: map[role]int{rPublic: 401, rMember: 200}, def: 403},
		// The report PDF follows ViewLot's report: managers, staff and the committee; hidden (404) from the rest and before the report exists.
		{route: "GET /api/v1/lots/{id}/report.pdf", state: sPublicity, path: lotPath("/report.pdf"),
			want: map[role]int{rPrincipal: 200, rAgency: 200, rMember: 200, rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}, def: 404},
		{route: "GET /api/v1/lots/{id}/report.pdf", name: "awarded", state: sAwarded, path: lotPath("/report.pdf"),
			want: map[role]int{rPrincipal: 200, rAgency: 200, rMember: 200, rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}, def: 404},
		{route: "GET /api/v1/lots/{id}/report.pdf", name: "before the report", state: sCommittee, path: lotPath("/report.pdf"), want: everyone(), def: 404},
		{route: "POST /api/v1/lots/{id}/award", state: sPublicityEnded, path: lotPath("/award"),
			body: func(_ *matrix, st *lotState) any { return AwardInput{BidID: st.candidate} }, want: managers(201), def: 403},
		{route: "POST /api/v1/lots/{id}/award", name: "during publicity", state: sPublicity, path: lotPath("/award"),
			body: func(_ *matrix, st *lotState) any { return AwardInput{BidID: st.candidate} }, want: managers(409), def: 403},
		{route: "POST /api/v1/lots/{id}/contract", state: sAwarded, path: lotPath("/contract"),
			body: func(m *matrix, st *lotState) any {
				return ContractInput{SignedAt: m.e.w.Clock.Now(), AmountFen: st.awardPrice}
			}, want: managers(201), def: 403},
		{route: "POST /api/v1/lots/{id}/retender", state: sFailed, path: lotPath("/retender"), want: managers(201), def: 403},
		{route: "GET /api/v1/lots/{id}/timeline", state: sBidding, path: lotPath("/timeline"), want: everyone(), def: 200},
		{route: "GET /api/v1/console/lots", state: sNone, path: fixed("/api/v1/console/lots"), want: signedIn(), def: 200},
		{route: "GET /api/v1/warnings", state: sNone, path: fixed("/api/v1/warnings"),
			want: map[role]int{rPublic: 401, rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}, def: 403},
		{route: "GET /api/v1/entities", state: sNone, path: fixed("/api/v1/entities?kind=enterprise"), want: everyone(), def: 200},
		{route: "POST /api/v1/entities", state: sNone, path: fixed("/api/v1/entities"),
			body: func(m *matrix, _ *lotState) any {
				m.seq++
				code, err := party.MakeUSCC("91", fixture.Region, fmt.Sprintf("%08d", 50000000+m.seq))
				if err != nil {
					m.e.t.Fatal(err)
				}
				return EntityInput{USCC: code, Name: fmt.Sprintf("广西新登记建设有限公司%d", m.seq), LegalRep: "赵六", Kind: "enterprise", Region: fixture.Region}
			}, want: centre(201), def: 403},
		{route: "POST /api/v1/users", state: sNone, path: fixed("/api/v1/users"),
			body: func(m *matrix, _ *lotState) any {
				m.seq++
				return UserInput{Username: fmt.Sprintf("auditor%d", m.seq), Name: "新审计员", Password: "Strong-pass-2026", Role: "auditor"}
			}, want: centre(201), def: 403},
	}, saleCases()...)
}

func mutates(method string) bool { return method != "GET" }

func TestAuthorizationMatrix(t *testing.T) {
	e := newEnv(t)
	m := &matrix{e: e, ctx: context.Background(), pools: map[state][]*lotState{}, shared: map[state]*lotState{}}
	cs := cases()

	// Every registered route has at least one case.
	covered := map[string]bool{}
	for _, c := range cs {
		covered[c.route] = true
	}
	for _, rt := range e.h.(*server).routes {
		if !covered[rt.Method+" "+rt.Path] {
			t.Errorf("route %s %s has no authorisation case", rt.Method, rt.Path)
		}
	}

	// Prepare, at T0, one shared lot per state plus a fresh one for every
	// expected success of a state-changing request.
	need := map[state]int{}
	for _, c := range cs {
		if c.state == sNone {
			continue
		}
		need[c.state] = max(need[c.state], 1)
		if method, _, _ := strings.Cut(c.route, " "); mutates(method) {
			for _, r := range allRoles {
				if s := c.status(r); s >= 200 && s < 300 {
					need[c.state]++
				}
			}
		}
	}
	for st, n := range need {
		for i := 0; i < n; i++ {
			m.pools[st] = append(m.pools[st], m.prepare(t, st))
		}
		m.shared[st] = m.pools[st][0]
		m.pools[st] = m.pools[st][1:]
	}

	for phase := 1; phase <= 3; phase++ {
		m.advance(t, phase)
		if phase == 1 {
			m.checkSecrecyBeforeOpening(t)
		}
		if phase == 2 {
			m.checkOpeningIsPublic(t)
		}
		for _, c := range cs {
			if phaseOf[c.state] != phase {
				continue
			}
			name := c.route
			if c.name != "" {
				name += " (" + c.name + ")"
			}
			t.Run(name, func(t *testing.T) {
				method, _, _ := strings.Cut(c.route, " ")
				for _, r := range allRoles {
					want := c.status(r)
					st := m.shared[c.state]
					if c.state != sNone && mutates(method) && want >= 200 && want < 300 {
						st = m.take(t, c.state)
					}
					if st == nil {
						st = &lotState{}
					}
					user := m.username(r, st)
					tok := ""
					if user != "" {
						tok = e.login(user)
						if c.fresh {
							tok = e.freshLogin(user)
						}
					}
					var body any
					if c.body != nil {
						body = c.body(m, st)
					}
					ip := "203.0.113.9"
					if user != "" {
						ip = ipFor(user)
					}
					var path string
					if c.pathM != nil {
						path = c.pathM(m, st)
					} else {
						path = c.path(st)
					}
					saved := e.w.Clock.Now()
					if st.sale != nil {
						e.w.Clock.Set(st.sale.at) // a sale's cases run at its own clock
					}
					rctx, cancel := context.WithCancel(m.ctx)
					if c.stream {
						rctx, cancel = context.WithTimeout(m.ctx, 30*time.Millisecond)
					}
					res := e.reqCtx(rctx, method, path, tok, body, ip, c.head)
					cancel()
					e.w.Clock.Set(saved)
					if res.Code != want {
						t.Errorf("%s as %s (%s): status %d, want %d: %.300s", c.route, r, user, res.Code, want, res.Body)
						continue
					}
					if want >= 400 {
						res.wantError(t, want, "")
					}
				}
			})
		}
	}
}

func (m *matrix) take(t *testing.T, st state) *lotState {
	if len(m.pools[st]) == 0 {
		t.Fatalf("no fresh lot left in state %s", st)
	}
	x := m.pools[st][0]
	m.pools[st] = m.pools[st][1:]
	return x
}

func (m *matrix) username(r role, st *lotState) string {
	switch r {
	case rPublic:
		return ""
	case rBidder:
		return "bidder1"
	case rOtherBidder:
		return "bidder2"
	case rMember:
		if st.member != "" {
			return st.member
		}
		return "expert1"
	case rNonMember:
		if st.nonMember != "" {
			return st.nonMember
		}
		return "expert2"
	}
	return string(r)
}

// prepare makes a lot at T0 that will reach state st in its phase.
func (m *matrix) prepare(t *testing.T, st state) *lotState {
	if strings.HasPrefix(string(st), "sale_") {
		return &lotState{kind: st, sale: m.prepareSale(t, st)}
	}
	if st == sLandDraft {
		return m.prepareLand(t)
	}
	start := fixture.StartBidding
	switch st {
	case sDraft:
		start = fixture.StartDraft
	case sFailed:
		start = fixture.StartTwoBids
	case sObjection:
		start = fixture.StartObjection
	case sSealed, sDecrypting:
		start = fixture.StartSealed
	}
	ml := m.e.w.PrepareMatrixLot(t, start)
	return &lotState{kind: st, lot: ml.Lot, projectID: ml.ProjectID, docID: ml.DocID, noticeID: ml.NoticeID,
		ownBid: ml.OwnBid, fileHash: ml.FileHash, objectionID: ml.ObjectionID}
}

// advance moves the clock into phase and brings every prepared lot of that
// phase into its state.
func (m *matrix) advance(t *testing.T, phase int) {
	goal := map[state]fixture.MatrixGoal{sDecrypting: fixture.GoalOpened, sOpened: fixture.GoalOpened, sFailed: fixture.GoalOpened, sCommittee: fixture.GoalCommittee,
		sPublicity: fixture.GoalPublicity, sPublicityEnded: fixture.GoalPublicity, sAwarded: fixture.GoalAwarded}
	var (
		lots  []*lotState
		mls   []*fixture.MatrixLot
		goals []fixture.MatrixGoal
	)
	for st, l := range m.pools {
		if s := m.shared[st]; s != nil {
			l = append(l, s)
		}
		if phaseOf[st] >= phase {
			for _, x := range l {
				lots, mls, goals = append(lots, x), append(mls, &fixture.MatrixLot{Lot: x.lot}), append(goals, goal[st])
			}
		}
	}
	for i, p := range m.e.w.AdvanceMatrix(t, phase, mls, goals) {
		x := lots[i]
		if phase == 2 && goals[i] >= fixture.GoalCommittee {
			x.member, x.nonMember, x.bids = p.MemberUser, p.NonMember, p.Bids
			x.candidate, x.awardPrice = p.Candidate, int64(p.AwardPrice)
		}
	}
}

// checkSecrecyBeforeOpening: 招标投标法第二十二条 — before the opening no
// one on the principal's side, the trading centre or the public learns who
// or how many obtained the documents or bid; a bidder sees only its own bid.
func (m *matrix) checkSecrecyBeforeOpening(t *testing.T) {
	t.Run("Art22/BeforeTheOpeningNobodyLearnsTheBidders", func(t *testing.T) {
		st := m.shared[sBidding]
		w := m.e.w
		secrets := func(idx ...int) []string {
			var out []string
			for _, i := range idx {
				b := w.Bidders[i]
				out = append(out, b.ID, b.Name, b.USCC)
			}
			return out
		}
		for _, r := range []role{rPublic, rPrincipal, rAgency, rOperator, rSupervisor, rNonMember, rOtherBidder} {
			tok := ""
			if u := m.username(r, st); u != "" {
				tok = m.e.login(u)
			}
			res := m.e.do("GET", "/api/v1/lots/"+st.lot.ID, tok, nil)
			res.want(t, 200, nil)
			assertHidden(t, string(r), res.Body, secrets(0, 2, 3))
			tl := m.e.do("GET", "/api/v1/lots/"+st.lot.ID+"/timeline", tok, nil)
			tl.want(t, 200, nil)
			assertHidden(t, string(r)+" timeline", tl.Body, secrets(0, 2, 3))
			pv := m.e.do("GET", "/api/v1/projects/"+st.projectID, tok, nil)
			pv.want(t, 200, nil)
			assertHidden(t, string(r)+" project", pv.Body, secrets(0, 2, 3))
		}
		res := m.e.do("GET", "/api/v1/lots/"+st.lot.ID, m.e.login("bidder1"), nil)
		var v LotView
		res.want(t, 200, &v)
		assertHidden(t, "bidder1", res.Body, secrets(2, 3))
		if v.MyReceipt == nil || v.MyReceipt.EntityID != w.Bidders[0].ID || v.MyBid == nil || !v.MyAccess || v.MyDeposit == nil {
			t.Fatalf("bidder1 does not see its own bid: %s", res.Body)
		}
		if strings.Contains(string(res.Body), `"content"`) {
			t.Fatalf("bid content leaked: %s", res.Body)
		}
	})
}

// assertHidden checks a lot view JSON: no bidders, no access list, no
// opening, no count of anything, none of the secret strings.
func assertHidden(t *testing.T, who string, body []byte, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(string(body), s) {
			t.Errorf("%s sees %q before the opening", who, s)
		}
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	walkJSON(doc, func(key string, v any) {
		if strings.Contains(key, "count") {
			t.Errorf("%s sees a count %q = %v before the opening", who, key, v)
		}
	})
	if obj, ok := doc.(map[string]any); ok && obj["lot"] != nil {
		for _, k := range []string{"bids", "access"} {
			if l, _ := obj[k].([]any); len(l) != 0 {
				t.Errorf("%s sees %s before the opening: %v", who, k, l)
			}
		}
		if obj["opening"] != nil {
			t.Errorf("%s sees an opening record before the opening", who)
		}
	}
}

func walkJSON(v any, f func(key string, v any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			f(k, c)
			walkJSON(c, f)
		}
	case []any:
		for _, c := range x {
			walkJSON(c, f)
		}
	}
}

func (m *matrix) checkOpeningIsPublic(t *testing.T) {
	t.Run("Art22/AfterTheOpeningTheRecordIsPublic", func(t *testing.T) {
		st := m.shared[sOpened]
		v := m.e.lotView(st.lot.ID, "")
		if v.Opening == nil || v.Opening.BidderCount != 3 || len(v.Opening.Rows) != 3 {
			t.Fatalf("public opening record = %+v", v.Opening)
		}
		names := map[string]bool{}
		for _, r := range v.Opening.Rows {
			names[r.EntityName] = true
			if r.PriceFen <= 0 {
				t.Fatalf("row without price: %+v", r)
			}
		}
		for _, i := range []int{0, 2, 3} {
			if !names[m.e.w.Bidders[i].Name] {
				t.Fatalf("opening record lacks %s: %v", m.e.w.Bidders[i].Name, names)
			}
		}
		if len(v.Bids) != 0 || len(v.Access) != 0 {
			t.Fatalf("public sees the bid list or access list after the opening")
		}
		pv := m.e.lotView(st.lot.ID, m.e.login("principal"))
		if len(pv.Bids) != 3 || len(pv.Access) != 3 {
			t.Fatalf("principal after the opening: %d bids, %d access", len(pv.Bids), len(pv.Access))
		}
	})
}

// freshPEM is a new SM2 public key each time (a key is registered once).
func freshPEM(m *matrix) string {
	k, err := gm.GenerateKey(rand.Reader)
	if err != nil {
		m.e.t.Fatal(err)
	}
	return string(k.Public().MarshalPEM())
}

// bidKey registers a fresh bid key of bidder1's entity (one per revocation).
// applicant is a fresh application (a unique identity number each time).
func (m *matrix) applicant() ExpertInput {
	m.seq++
	return ExpertInput{Name: "申请人", IDNumber: expert.IDNumber(fmt.Sprintf("45010219800101%03d", m.seq%1000)), EmployerName: "广西大学",
		Title: "高级工程师", Senior: true, FieldSince: 2005, Specialties: []string{"A0801"}, City: "450300"}
}

// applied files an application through the service and returns its ID.
func (m *matrix) applied() string {
	in := m.applicant()
	e, err := m.e.w.Expert.Apply(m.ctx, m.e.w.Actor("operator"), expert.Input{Name: in.Name, IDNumber: in.IDNumber, EmployerName: in.EmployerName,
		Title: in.Title, Senior: in.Senior, FieldSince: in.FieldSince, Specialties: in.Specialties, City: in.City})
	if err != nil {
		panic(err)
	}
	return e.ID
}

// expertOf is the pool record of a fixture expert user.
func (m *matrix) expertOf(username string) string {
	for _, e := range m.e.w.Experts {
		if e.UserID == m.e.w.Users[username].ID {
			return e.ID
		}
	}
	panic("no expert " + username)
}

// memberOf is the user's seat on the lot's committee.
func (m *matrix) memberOf(st *lotState, username string) string {
	v, err := m.e.w.Tender.ViewLot(m.ctx, m.e.w.Actor("operator"), st.lot.ID)
	if err != nil {
		panic(err)
	}
	for _, x := range v.Committee {
		if x.UserID == m.e.w.Users[username].ID {
			return x.ID
		}
	}
	panic("no seat for " + username)
}

// drawID is the lot's first draw.
func (m *matrix) drawID(st *lotState) string {
	ds, _, err := m.e.w.Tender.ListLotDraws(m.ctx, m.e.w.Actor("operator"), st.lot.ID)
	if err != nil || len(ds) == 0 {
		panic(fmt.Sprint("no draw: ", err))
	}
	return ds[0].ID
}

// invitationOf is the user's invitation on the lot.
func (m *matrix) invitationOf(st *lotState, username string) string {
	_, invs, err := m.e.w.Tender.ListLotDraws(m.ctx, m.e.w.Actor("operator"), st.lot.ID)
	if err != nil {
		panic(err)
	}
	for _, iv := range invs {
		if iv.UserID == m.e.w.Users[username].ID {
			return iv.ID
		}
	}
	panic("no invitation for " + username)
}

func (m *matrix) bidKey() ids.ID {
	k, err := m.e.w.Party.RegisterKey(m.ctx, m.e.w.Actor("bidder1"), party.KeyInput{PEM: freshPEM(m), Purpose: party.KeyBid, Label: "矩阵"})
	if err != nil {
		m.e.t.Fatal(err)
	}
	return k.ID
}

// upload makes bidder1's upload on the lot, complete with file when given.
func (m *matrix) upload(st *lotState, file []byte) string {
	size := int64(len(file))
	if size == 0 {
		size = 4096
	}
	u, err := m.e.w.Uploads.Create(string(m.e.w.Users["bidder1"].ID), string(st.lot.ID), size)
	if err != nil {
		m.e.t.Fatal(err)
	}
	if file != nil {
		if _, err := m.e.w.Uploads.Append(u.ID, string(m.e.w.Users["bidder1"].ID), 0, bytes.NewReader(file)); err != nil {
			m.e.t.Fatal(err)
		}
	}
	return u.ID
}

// shares are a custodian's decrypted shares of the lot's bids.
func (m *matrix) shares(st *lotState, username string) []sealbid.Share {
	l, envs, err := m.e.w.Tender.CustodyEnvelopes(m.ctx, m.e.w.Actor(username), st.lot.ID)
	if err != nil {
		m.e.t.Fatal(err)
	}
	sh, bad := sealbid.OpenShares(string(l.ID), string(m.e.w.Users[username].ID), envs, m.e.w.CustodyKeys[username])
	if len(bad) > 0 {
		m.e.t.Fatalf("custodian %s: %+v", username, bad)
	}
	return sh
}

// prepareLand registers a land project of the principal, run by the agency,
// with one draft lot carrying its plot.
func (m *matrix) prepareLand(t *testing.T) *lotState {
	w := m.e.w
	p, err := w.Tender.CreateProject(m.ctx, w.Actor("principal"), tender.ProjectInput{Name: "五象新区总部基地", AgencyUSCC: w.Agency.USCC, Category: tender.LandUse})
	if err != nil {
		t.Fatal(err)
	}
	l, err := w.Tender.AddLot(m.ctx, w.Actor("agency"), p.ID, tender.LotInput{Name: "GC2026-18号地块", Procedure: tender.Open, Method: tender.HighestPrice,
		Security: 60_000_000_00, CategoryCode: "E0101", CommitteeSize: 5, PrincipalReps: 1, Land: landLotBody().Land.domain()})
	if err != nil {
		t.Fatal(err)
	}
	return &lotState{kind: sLandDraft, lot: l, projectID: p.ID}
}
