package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/ids"

	"ggzy/internal/party"
	"ggzy/internal/sealbid"
	"ggzy/internal/tender"
)

// Sealed bids with k-of-n custody (DESIGN.md §6.2) in the consoles: the
// managers name the custodians of a draft lot, the set is published with the
// notice, custodians decrypt their shares in their own browser after the
// deadline, and the supervisor or the centre can extend a stalled window.

// custodyLister lists the users who may hold custody: agency staff, the
// trading centre and supervising departments, active ones only. The party
// service does not offer it yet; until it does, the custody form takes
// usernames instead of offering a list.
type custodyLister interface {
	CustodyCandidates(ctx context.Context) ([]party.User, error)
}

// custodianRow is one custodian as pages show it.
type custodianRow struct {
	No          int
	UserID      ids.ID
	Name        string
	OrgName     string
	Fingerprint string
	Done        bool // submitted their shares (public ledger)
	Me          bool
}

// custodyView is a lot's custody set and how far the decryption is.
type custodyView struct {
	Rows      []custodianRow
	K, N      int
	Window    int // minutes
	Done      int // custodians who submitted shares
	DecryptBy time.Time
	Stalled   bool
	Status    tender.Status
	Mine      *custodianRow // the viewer, when a custodian
}

// Decrypting reports whether custodians may submit now.
func (c *custodyView) Decrypting() bool { return c.Status == tender.Decrypting }

// Opened reports whether the deadline's opening ran: who decrypted is shown.
func (c *custodyView) Opened() bool { return c.Status != tender.Draft && c.Status != tender.Bidding }

// Remaining is how many more custodians must decrypt.
func (c *custodyView) Remaining() int { return max(c.K-c.Done, 0) }

// custodyOf describes a lot's custody and who has decrypted (done).
func custodyOf(l tender.Lot, done []ids.ID, a party.Actor) *custodyView {
	if l.Custody == nil {
		return nil
	}
	c := &custodyView{K: l.Custody.Threshold, N: len(l.Custody.Custodians), Window: l.Custody.WindowMinutes, DecryptBy: l.DecryptBy, Stalled: l.Stalled, Status: l.Status, Done: len(done)}
	for i, cu := range l.Custody.Custodians {
		row := custodianRow{No: i + 1, UserID: cu.UserID, Name: cu.Name, OrgName: cu.OrgName, Fingerprint: cu.Fingerprint, Done: slices.Contains(done, cu.UserID), Me: a.UserID != "" && cu.UserID == a.UserID}
		c.Rows = append(c.Rows, row)
		if row.Me {
			c.Mine = &c.Rows[len(c.Rows)-1]
		}
	}
	return c
}

func isCustodian(l tender.Lot, a party.Actor) bool { return l.CustodianIndex(a.UserID) >= 0 }

// sealForm is what the bidder's sealing page needs: the published custody,
// the entity, and the entity's valid signing keys (to stop a wrong key file
// before the upload).
type sealForm struct {
	Custody  string // JSON
	EntityID ids.ID
	Keys     string // JSON array of fingerprints
	HasKey   bool
	NowMS    int64
}

func (s *server) sealFormFor(ctx context.Context, a party.Actor, l tender.Lot) *sealForm {
	cj, _ := json.Marshal(l.Sealing())
	f := &sealForm{Custody: string(cj), EntityID: a.EntityID, NowMS: s.d.Clock.Now().UnixMilli()}
	fps := []string{}
	if ks, err := s.d.Party.EntityKeys(ctx, a.EntityID); err == nil {
		now := s.d.Clock.Now()
		for _, k := range ks {
			if k.Purpose == party.KeyBid && k.ValidAt(now) {
				fps = append(fps, k.Fingerprint)
			}
		}
	}
	kj, _ := json.Marshal(fps)
	f.Keys, f.HasKey = string(kj), len(fps) > 0
	return f
}

// candidateRow is a user who may be named custodian, with their key.
type candidateRow struct {
	User        party.User
	Org         string
	Fingerprint string // of a valid custody key; "" when none
	Checked     bool
}

func (s *server) custodyCandidates(ctx context.Context, l tender.Lot, vals url.Values) ([]candidateRow, bool) {
	if s.candidates == nil {
		return nil, false
	}
	us, err := s.candidates(ctx)
	if err != nil {
		return nil, false
	}
	chosen := map[string]bool{}
	if vals != nil {
		for _, id := range vals["custodians"] {
			chosen[id] = true
		}
	} else if l.Custody != nil {
		for _, c := range l.Custody.Custodians {
			chosen[string(c.UserID)] = true
		}
	}
	now := s.d.Clock.Now()
	var out []candidateRow
	for _, u := range us {
		if !party.CanHoldCustody(u.Role) || u.Disabled {
			continue
		}
		row := candidateRow{User: u, Checked: chosen[string(u.ID)]}
		_, row.Org, _ = s.d.Party.CustodianOrgOf(ctx, u.ID)
		if k, err := s.d.Party.ValidCustodyKey(ctx, u.ID, now); err == nil {
			row.Fingerprint = k.Fingerprint
		}
		out = append(out, row)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Org < out[j].Org })
	return out, true
}

// setCustody names the custodians of a draft lot (lotAction "custody").
func (s *server) setCustody(w http.ResponseWriter, r *http.Request, id ids.ID, v url.Values) {
	ctx, a := r.Context(), s.actor(r)
	failed := func(err error) { s.lotPage(w, r, id, &formErr{Form: "custody", Err: apperr.As(err), Vals: v}) }
	f := map[string]string{}
	in := tender.CustodyInput{}
	if t := strings.TrimSpace(v.Get("threshold")); t != "" {
		in.Threshold = intField(v, "threshold", f)
	}
	if m := strings.TrimSpace(v.Get("window_minutes")); m != "" {
		in.WindowMinutes = intField(v, "window_minutes", f)
	}
	now := s.d.Clock.Now()
	var users []party.User
	for _, uid := range v["custodians"] {
		users = append(users, party.User{ID: ids.ID(uid)})
	}
	for _, name := range splitList(v.Get("usernames")) {
		u, err := s.d.Party.UserByUsername(ctx, name)
		if err != nil {
			f["custodians"] = "找不到用户名为“" + name + "”的用户。"
			continue
		}
		users = append(users, u)
	}
	for _, u := range users {
		in.UserIDs = append(in.UserIDs, u.ID)
		if u.Username == "" {
			continue // chosen from the list, which shows the key state
		}
		if !party.CanHoldCustody(u.Role) {
			f["custodians"] = u.Name + "（" + u.Role.Label() + "）不能担任保管人：保管人应为招标代理机构、交易中心或行政监督部门的人员。"
		} else if _, err := s.d.Party.ValidCustodyKey(ctx, u.ID, now); err != nil {
			f["custodians"] = u.Name + "（" + u.Username + "）尚未登记有效的解密（保管）公钥，请其先在“我的密钥”中生成并登记。"
		}
	}
	if len(f) > 0 {
		failed(mergeFields(nil, f, "密钥保管设置有误，请按提示修改。"))
		return
	}
	l, err := s.d.Tender.SetCustody(ctx, a, id, in)
	if err != nil {
		if e := apperr.As(err); e.Code == apperr.NotFound && len(in.UserIDs) > 0 {
			// A custodian without a valid key: say so on the field.
			err = mergeFields(nil, map[string]string{"custodians": e.Message}, "密钥保管设置有误，请按提示修改。")
		}
		failed(err)
		return
	}
	names := make([]string, len(l.Custody.Custodians))
	for i, c := range l.Custody.Custodians {
		names[i] = c.Name + "（" + c.OrgName + "）"
	}
	s.redirect(w, r, "/console/lots/"+string(id), "已指定投标文件密钥保管人："+strings.Join(names, "、")+"；开标后任意"+strconv.Itoa(l.Custody.Threshold)+"名在"+strconv.Itoa(l.Custody.WindowMinutes)+"分钟内解密。保管人随招标公告公布。")
}

// extendDecryption is the supervisor's or the centre's audited decision to
// give custodians more time (lotAction "extend").
func (s *server) extendDecryption(w http.ResponseWriter, r *http.Request, id ids.ID, v url.Values) {
	f := map[string]string{}
	until := timeField(v, "until", f)
	if len(f) > 0 {
		s.lotPage(w, r, id, &formErr{Form: "extend", Err: mergeFields(nil, f, "请按提示填写新的解密时限。"), Vals: v})
		return
	}
	l, err := s.d.Tender.ExtendDecryption(r.Context(), s.actor(r), id, until, strings.TrimSpace(v.Get("reason")))
	if err != nil {
		s.lotPage(w, r, id, &formErr{Form: "extend", Err: apperr.As(err), Vals: v})
		return
	}
	s.redirect(w, r, "/console/lots/"+string(id), "解密时限已延长至 "+clock.Format(l.DecryptBy)+"（北京时间），决定及理由已公开留痕。")
}

// ---- custodians' pages

type decryptRow struct {
	V       *tender.LotView
	Custody *custodyView
}

type decryptListData struct {
	Rows  []decryptRow
	Sales []saleDecryptRow // sealed quotes of sales (salessealed.go)
}

// decryptList lists the lots the user holds a share of (开标解密).
func (s *server) decryptList(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), s.actor(r)
	if !party.CanHoldCustody(a.Role) {
		s.fail(w, r, apperr.Forbiddenf("开标解密由投标文件密钥保管人（招标代理机构、交易中心、行政监督部门的人员）办理。"))
		return
	}
	lots, err := s.d.Tender.CustodyLots(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var d decryptListData
	for _, l := range lots {
		if !isCustodian(l, a) {
			continue
		}
		v, err := s.d.Tender.ViewLot(ctx, a, l.ID)
		if err != nil {
			continue
		}
		d.Rows = append(d.Rows, decryptRow{V: &v, Custody: custodyOf(v.Lot, v.CustodiansDone, a)})
	}
	// Lots waiting for this custodian first, then by deadline.
	sort.SliceStable(d.Rows, func(i, j int) bool {
		wi, wj := d.Rows[i].Custody.Decrypting() && !d.Rows[i].Custody.Mine.Done, d.Rows[j].Custody.Decrypting() && !d.Rows[j].Custody.Mine.Done
		if wi != wj {
			return wi
		}
		return d.Rows[i].V.Lot.BidDeadline.Before(d.Rows[j].V.Lot.BidDeadline)
	})
	if d.Sales, err = s.custodySaleRows(ctx, a); err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.newPage(r, "开标解密", "工作台", d)
	p.Nav = "console"
	p.Crumbs = []crumb{{"工作台", "/console"}, {"开标解密", ""}}
	s.render(w, r, "decrypt", p)
}

type decryptData struct {
	V        tender.LotView
	Custody  *custodyView
	Before   bool // the deadline has not passed: decryption is refused (TBL 34)
	Username string
	Basis    string
	Dec      decryptForm
}

// decryptForm is a custodian's in-browser decryption form (template
// "decryptForm"), the same for a lot's sealed bids and a sale's sealed
// quotes: the browser fetches the shares sealed to the custodian from
// Base+"/envelopes", decrypts them with the custodian's key on this
// machine and posts them to Base+"/shares".
type decryptForm struct {
	Base        string // "/console/lots/ID" or "/console/sales/ID"
	ID          ids.ID // the lot or the sale (the sealed packages' binding)
	UserID      ids.ID
	Fingerprint string
	CLI         string // the same with `ggzy custody open`
}

func (s *server) decryptPage(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	s.renderDecrypt(w, r, r.PathValue("id"), nil)
}

func (s *server) renderDecrypt(w http.ResponseWriter, r *http.Request, id ids.ID, fe *formErr) {
	ctx, a := r.Context(), s.actor(r)
	v, err := s.d.Tender.ViewLot(ctx, a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !isCustodian(v.Lot, a) {
		s.fail(w, r, apperr.Forbiddenf("您不是本标段的投标文件密钥保管人。"))
		return
	}
	now := s.d.Clock.Now()
	d := decryptData{V: v, Custody: custodyOf(v.Lot, v.CustodiansDone, a), Username: state(r).username, Basis: "《招标投标法》第三十四条",
		Before: v.Lot.Status == tender.Bidding || now.Before(v.Lot.BidDeadline)}
	d.Dec = decryptForm{Base: "/console/lots/" + string(v.Lot.ID), ID: v.Lot.ID, UserID: a.UserID, Fingerprint: d.Custody.Mine.Fingerprint,
		CLI: "ggzy custody open --url 平台地址 --user " + d.Username + " --key 保管私钥文件 --lot " + string(v.Lot.ID)}
	p := s.consolePage(r, "开标解密 "+v.Lot.Code, d, fe)
	p.Crumbs = []crumb{{"工作台", "/console"}, {"开标解密", "/console/decrypt"}, {"标段 " + v.Lot.Code, ""}}
	s.render(w, r, "decrypt_lot", p)
}

// envelopesJSON is what the custodian's browser decrypts.
type envelopesJSON struct {
	LotID       ids.ID             `json:"lot_id"`
	CustodianID ids.ID             `json:"custodian_id"`
	Envelopes   []sealbid.Envelope `json:"envelopes"`
}

// envelopes gives a custodian, after the deadline only, each sealed bid's
// header carrying the share encrypted to their key.
func (s *server) envelopes(w http.ResponseWriter, r *http.Request) {
	if !s.requireLoginJSON(w, r) {
		return
	}
	a := s.actor(r)
	l, envs, err := s.d.Tender.CustodyEnvelopes(r.Context(), a, r.PathValue("id"))
	if err != nil {
		failJSON(w, r, s, err)
		return
	}
	if envs == nil {
		envs = []sealbid.Envelope{}
	}
	writeJSON(w, http.StatusOK, envelopesJSON{LotID: l.ID, CustodianID: a.UserID, Envelopes: envs})
}

// submitShares takes the shares the custodian's browser decrypted (a form
// post whose field the page filled) and ends on the progress page.
func (s *server) submitShares(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	id := r.PathValue("id")
	var shares []sealbid.Share
	raw := strings.TrimSpace(r.PostFormValue("shares"))
	if raw != "" && json.Unmarshal([]byte(raw), &shares) != nil {
		s.renderDecrypt(w, r, id, &formErr{Form: "shares", Err: apperr.New(apperr.Invalid, "解密份额格式错误，请刷新页面后重新解密。")})
		return
	}
	in := make([]tender.ShareInput, len(shares))
	for i, sh := range shares {
		in[i] = tender.ShareInput{BidID: ids.ID(sh.BidID), Share: sh.Share}
	}
	done, _, err := s.d.Tender.SubmitShares(r.Context(), s.actor(r), id, in)
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Forbidden || e.Code == apperr.NotFound {
			s.fail(w, r, err)
			return
		}
		s.renderDecrypt(w, r, id, &formErr{Form: "shares", Err: e})
		return
	}
	v, err := s.d.Tender.ViewLot(r.Context(), s.actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	k := v.Lot.Custody.Threshold
	msg := "您的解密份额已提交（" + strconv.Itoa(len(in)) + "份）。已有 " + strconv.Itoa(done) + "/" + strconv.Itoa(k) + " 名保管人完成解密。"
	if done >= k {
		msg += "已达到解密门限，平台正在解密投标文件并公布开标记录。"
	}
	s.redirect(w, r, "/console/lots/"+string(id)+"/decrypt", msg)
}
