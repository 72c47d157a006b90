package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/party"
	"ggzy/internal/sealbid"
	"ggzy/internal/tender"
)

// One sealed quote (一次报价) of a sale under k-of-n custody, in the
// consoles: the bidder's browser seals the quote to the sale's custodians
// (WebAssembly, the same code as `ggzy seal`) and posts the sealed file; the
// platform never sees the amount before the opening.

// submitSealedQuote takes the sealed file the page produced (field
// "sealed", standard base64) and submits it (saleAction "sealed").
func (s *server) submitSealedQuote(w http.ResponseWriter, r *http.Request, id ids.ID, v url.Values, failed func(string, error)) {
	raw := strings.TrimSpace(v.Get("sealed"))
	pkg, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(pkg) > auction.MaxSealedQuote {
		failed("sealed", apperr.New(apperr.Invalid, "密封报价文件无法读取，请刷新页面后重新加密提交。"))
		return
	}
	// The use case says first who may quote now; what it refuses of a
	// missing file is said here in the page's terms.
	rc, err := s.d.Auction.SubmitSealed(r.Context(), s.actor(r), id, pkg)
	if err != nil && raw == "" && apperr.CodeOf(err) == apperr.Invalid {
		err = apperr.New(apperr.Invalid, "未收到密封报价文件：报价须在本机用签名私钥加密后提交，请启用 JavaScript 后重试。").WithField("amount", "请在本机加密后提交")
	}
	if err != nil {
		failed("sealed", err)
		return
	}
	s.redirect(w, r, saleConsolePath(id), "一次报价已密封提交（号牌 "+rc.BidderNo+"，"+clock.Format(rc.At)+" 北京时间，文件摘要 "+rc.Digest[:16]+"…，留痕序号 "+strconv.FormatInt(rc.LedgerIndex, 10)+"）。报价截止后由密钥保管人解密开启；此前任何人（包括平台）都无法读取报价金额。")
}

// ---- custodians of sealed quotes: the same protocol as the tender's
// (custody.go), the sale's ID in the lot field; the page's script
// (crypto.js decryptPage) fetches the envelopes, decrypts the custodian's
// shares in the browser and posts them.

type saleDecryptData struct {
	Sale     auction.Sale
	Custody  auction.Custody
	Me       auction.Custodian
	No       int // the viewer's custodian number
	Done     int
	MeDone   bool
	Before   bool // the window is open: decryption is refused
	Decrypt  bool // decrypting now
	Packages int
	Quotes   []auction.SealedLine // the opening record, after the close
	Basis    string
	Username string
	Dec      decryptForm
}

// Remaining is how many more custodians must decrypt.
func (d saleDecryptData) Remaining() int { return max(d.Custody.Threshold-d.Done, 0) }

// saleDecryptPage is a custodian's page of a sealed-quote sale (报价解密).
func (s *server) saleDecryptPage(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) || !s.salesOn(w, r) {
		return
	}
	s.renderSaleDecrypt(w, r, r.PathValue("id"), nil)
}

func (s *server) renderSaleDecrypt(w http.ResponseWriter, r *http.Request, id ids.ID, fe *formErr) {
	ctx, a := r.Context(), s.actor(r)
	cv, err := s.d.Auction.SaleCustody(ctx, a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i := cv.Custody.Index(a.UserID)
	if i < 0 {
		s.fail(w, r, apperr.Forbiddenf("您不是本宗交易的报价密钥保管人。"))
		return
	}
	sale := cv.Sale
	d := saleDecryptData{Sale: sale, Custody: cv.Custody, Me: cv.Custody.Custodians[i], No: i + 1, Done: len(cv.Done), Packages: cv.Packages, Quotes: cv.Quotes,
		Before: sale.Status == auction.StatusAnnounced || sale.Status == auction.StatusListing, Decrypt: sale.Status == auction.StatusDecrypting,
		Basis: "《企业国有资产交易监督管理办法》（国务院国资委、财政部令第32号）（一次报价）", Username: state(r).username}
	for _, u := range cv.Done {
		d.MeDone = d.MeDone || u == a.UserID
	}
	d.Dec = decryptForm{Base: saleConsolePath(sale.ID), ID: sale.ID, UserID: d.Me.UserID, Fingerprint: d.Me.Fingerprint,
		CLI: "ggzy custody open --url 平台地址 --user " + d.Username + " --key 保管私钥文件 --sale " + string(sale.ID)}
	p := s.consolePage(r, "报价解密 "+sale.Code, d, fe)
	p.Crumbs = []crumb{{"工作台", "/console"}, {"交易", "/console/sales"}, {sale.Code, saleConsolePath(sale.ID)}, {"报价解密", ""}}
	s.render(w, r, "sale_decrypt", p)
}

// saleEnvelopes gives a custodian, after the window only, each sealed
// quote's header carrying the share encrypted to their key.
func (s *server) saleEnvelopes(w http.ResponseWriter, r *http.Request) {
	if !s.requireLoginJSON(w, r) {
		return
	}
	a := s.actor(r)
	sale, envs, err := s.d.Auction.CustodyEnvelopes(r.Context(), a, r.PathValue("id"))
	if err != nil {
		failJSON(w, r, s, err)
		return
	}
	if envs == nil {
		envs = []sealbid.Envelope{}
	}
	writeJSON(w, http.StatusOK, envelopesJSON{LotID: sale.ID, CustodianID: a.UserID, Envelopes: envs})
}

// submitSaleShares takes the shares the custodian's browser decrypted.
func (s *server) submitSaleShares(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) || !s.salesOn(w, r) {
		return
	}
	id := r.PathValue("id")
	var shares []sealbid.Share
	raw := strings.TrimSpace(r.PostFormValue("shares"))
	if raw != "" && json.Unmarshal([]byte(raw), &shares) != nil {
		s.renderSaleDecrypt(w, r, id, &formErr{Form: "shares", Err: apperr.New(apperr.Invalid, "解密份额格式错误，请刷新页面后重新解密。")})
		return
	}
	in := make([]auction.ShareInput, len(shares))
	for i, sh := range shares {
		in[i] = auction.ShareInput{BidderNo: sh.BidID, Share: sh.Share}
	}
	done, k, err := s.d.Auction.SubmitShares(r.Context(), s.actor(r), id, in)
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Forbidden || e.Code == apperr.NotFound {
			s.fail(w, r, err)
			return
		}
		s.renderSaleDecrypt(w, r, id, &formErr{Form: "shares", Err: e})
		return
	}
	msg := "您的解密份额已提交（" + strconv.Itoa(len(in)) + "份）。已有 " + strconv.Itoa(done) + "/" + strconv.Itoa(k) + " 名保管人完成解密。"
	if done >= k {
		msg += "已达到解密门限：全部报价已开启，交易结果已确定。"
	}
	s.redirect(w, r, "/console/sales/"+string(id)+"/decrypt", msg)
}

// setSaleCustody names a sealed-quote sale's custodians by username
// (saleAction "custody", the trading centre, before the window opens).
func (s *server) setSaleCustody(w http.ResponseWriter, r *http.Request, id ids.ID, v url.Values, failed func(string, error)) {
	ctx := r.Context()
	f := map[string]string{}
	in := auction.CustodyInput{}
	if t := strings.TrimSpace(v.Get("threshold")); t != "" {
		in.Threshold = intField(v, "threshold", f)
	}
	if m := strings.TrimSpace(v.Get("window_minutes")); m != "" {
		in.WindowMinutes = intField(v, "window_minutes", f)
	}
	var names []string
	for _, name := range splitList(v.Get("usernames")) {
		u, err := s.d.Party.UserByUsername(ctx, name)
		if err != nil {
			f["usernames"] = "找不到用户名为“" + name + "”的用户。"
			continue
		}
		in.UserIDs = append(in.UserIDs, u.ID)
		names = append(names, name)
	}
	if len(f) > 0 {
		failed("custody", mergeFields(nil, f, "密钥保管设置有误，请按提示修改。"))
		return
	}
	c, err := s.d.Auction.SetCustody(ctx, s.actor(r), id, in)
	if err != nil {
		// The form names custodians by username: say it there, including
		// a custodian without a valid key, which the use case's key
		// registry answers as not found.
		e := apperr.As(err)
		if e.Code == apperr.NotFound {
			if m := s.custodianWithoutKey(ctx, in.UserIDs, names); m != "" {
				e = mergeFields(nil, map[string]string{"usernames": m}, "密钥保管设置有误，请按提示修改。")
			}
		} else if m, ok := e.Fields["custodians"]; ok {
			f := map[string]string{"usernames": m}
			for k, x := range e.Fields {
				if k != "custodians" {
					f[k] = x
				}
			}
			e = &apperr.Error{Code: e.Code, Message: e.Message, Basis: e.Basis, Fields: f}
		}
		failed("custody", e)
		return
	}
	named := make([]string, len(c.Custodians))
	for i, cu := range c.Custodians {
		named[i] = cu.Name + "（" + cu.OrgName + "）"
	}
	s.redirect(w, r, saleConsolePath(id), "已指定一次报价的密钥保管人："+strings.Join(named, "、")+"；报价截止后任意"+strconv.Itoa(c.Threshold)+"名在"+
		strconv.Itoa(c.WindowMinutes)+"分钟内解密。保管人及其公钥指纹已公开。")
}

// custodianWithoutKey says which of the named custodians cannot hold a
// share (not a custodian's role, or no valid custody key), or "".
func (s *server) custodianWithoutKey(ctx context.Context, uids []ids.ID, names []string) string {
	for i, id := range uids {
		if _, err := s.d.Party.ValidCustodyKey(ctx, id, s.d.Clock.Now()); err == nil {
			continue
		}
		u, err := s.d.Party.UserByUsername(ctx, names[i])
		if err != nil {
			return ""
		}
		if !party.CanHoldCustody(u.Role) || u.Disabled {
			return u.Name + "（" + names[i] + "，" + u.Role.Label() + "）不能担任保管人：保管人应为交易中心、行政监督部门或代理机构的在岗人员。"
		}
		return u.Name + "（" + names[i] + "）尚未登记有效的解密（保管）公钥，请其先在“我的密钥”中生成并登记。"
	}
	return ""
}

// extendSaleDecryption is the centre's or the supervisor's audited
// decision to give custodians more time (saleAction "decrypt-extend").
func (s *server) extendSaleDecryption(w http.ResponseWriter, r *http.Request, id ids.ID, v url.Values, failed func(string, error)) {
	f := map[string]string{}
	until := timeField(v, "until", f)
	if len(f) > 0 {
		failed("decrypt-extend", mergeFields(nil, f, "请按提示填写新的解密时限。"))
		return
	}
	c, err := s.d.Auction.ExtendDecryption(r.Context(), s.actor(r), id, until, strings.TrimSpace(v.Get("reason")))
	if err != nil {
		failed("decrypt-extend", err)
		return
	}
	s.redirect(w, r, saleConsolePath(id), "报价解密时限已延长至 "+clock.Format(c.DecryptBy)+"（北京时间），决定及理由已公开留痕。")
}

// ---- the console of a sealed-quote sale: the bidder's sealing form or
// receipt, the custody for everyone (it is published), and the centre's
// forms (naming the custodians, extending the decryption).

// saleSealedData is what a sealed-quote sale's console shows of its sealed
// quotes.
type saleSealedData struct {
	Form          *saleSealForm       // the bidder's sealing form, in the window
	Mine          *auction.SealedLine // the bidder's own sealed quote: its receipt
	Custody       *auction.CustodyView
	Done          map[ids.ID]bool // custodians who have submitted their shares
	CanSetCustody bool            // the centre, before the window opens
	CanExtend     bool            // the centre or the supervisor, while decrypting
	Custodian     int             // the viewer's custodian number, 0 if none
	ExtendUntil   time.Time
	Candidates    []candidateRow // who may be named, with their key state
	Threshold     int            // the defaults of the custody form
	Window        int
	MinWindow     int
	MaxWindow     int
	Basis         string // of the custody
	SealBasis     string // of the one sealed quote
}

// saleSealForm is what the bidder's page seals to: the sale's published
// custody, the bidder's number (the sealed package's bidder), the entity's
// valid signing keys (to stop a wrong key file before posting), the listed
// price (a lower quote would not open) and the server's time.
type saleSealForm struct {
	Custody   string // JSON (sealbid.Custody, lot_id = the sale's ID)
	BidderNo  string
	Keys      string // JSON array of fingerprints
	HasKey    bool
	ListedFen int64
	NowMS     int64
}

// sealedOf fills what a sealed-quote sale's console shows of its sealed
// quotes at the view's server time, and turns the bidder's clear-amount
// stage into sealing (or into its receipt once it has submitted).
func (s *server) sealedOf(ctx context.Context, a party.Actor, d *saleData) *saleSealedData {
	v := d.V
	i := v.Sale
	if i.Mode != auction.ModeSealed {
		return nil
	}
	now := v.Now
	sd := &saleSealedData{Threshold: auction.DefaultThreshold, Window: auction.DefaultDecryptWindow, MinWindow: auction.MinDecryptWindow,
		MaxWindow: auction.MaxDecryptWindow, Basis: rules.BasisPlatform + "：一次报价的密钥保管与解密", SealBasis: rules.BasisO32}
	if cv, err := s.d.Auction.SaleCustody(ctx, a, i.ID); err == nil {
		sd.Custody, sd.Custodian = &cv, cv.Custody.Index(a.UserID)+1
		sd.Done = map[ids.ID]bool{}
		for _, u := range cv.Done {
			sd.Done[u] = true
		}
		sd.Threshold, sd.Window = cv.Custody.Threshold, cv.Custody.WindowMinutes
	}
	open := i.Status == auction.StatusAnnounced || i.Status == auction.StatusListing
	sd.CanSetCustody = d.Operator && (i.Status == auction.StatusDraft || open && now.Before(i.StartAt))
	if sd.CanSetCustody {
		sd.Candidates, _ = s.custodyCandidates(ctx, tender.Lot{}, nil)
	}
	if sd.Custody != nil && i.Status == auction.StatusDecrypting && (a.Role == party.RoleOperator || a.Role == party.RoleSupervisor) {
		sd.CanExtend = true
		from := sd.Custody.Custody.DecryptBy
		if from.Before(now) {
			from = now
		}
		sd.ExtendUntil = from.Add(time.Duration(max(sd.Custody.Custody.WindowMinutes, 30)) * time.Minute).Truncate(time.Minute)
	}
	if !d.Bidder || v.Mine == nil || v.Mine.BidderNo == "" {
		return sd
	}
	if l, err := s.d.Auction.MySealedQuote(ctx, a, i.ID); err == nil {
		sd.Mine = &l
		if d.Action == "sealed" {
			d.Stage, d.Action = "", ""
			d.StageMsg = "您已于 " + fmtTime(l.At) + "（北京时间）提交一次报价（已密封），报价截止后由密钥保管人解密开启；一次报价不能撤回或更改。"
		}
		return sd
	}
	if d.Action != "sealed" {
		return sd
	}
	if sd.Custody == nil {
		d.Stage, d.Action = "", ""
		d.StageMsg = "本宗交易尚未公布报价密钥保管人，暂不能密封报价，请联系交易中心。"
		return sd
	}
	cj, _ := json.Marshal(sd.Custody.Custody.Sealing(sd.Custody.Sale))
	f := &saleSealForm{Custody: string(cj), BidderNo: v.Mine.BidderNo, ListedFen: int64(i.StartPrice), NowMS: s.d.Clock.Now().UnixMilli()}
	fps := []string{}
	if ks, err := s.d.Party.EntityKeys(ctx, a.EntityID); err == nil {
		for _, k := range ks {
			if k.Purpose == party.KeyBid && k.ValidAt(now) {
				fps = append(fps, k.Fingerprint)
			}
		}
	}
	kj, _ := json.Marshal(fps)
	f.Keys, f.HasKey = string(kj), len(fps) > 0
	sd.Form = f
	return sd
}

// ---- the custodians' list (开标解密): sales beside lots

type saleDecryptRow struct {
	Sale    auction.Sale
	Custody auction.CustodyView
	Mine    bool // the viewer has submitted its shares
}

// Decrypting reports whether custodians may submit now.
func (r saleDecryptRow) Decrypting() bool { return r.Sale.Status == auction.StatusDecrypting }

// Waiting reports whether the sale waits for this custodian.
func (r saleDecryptRow) Waiting() bool { return r.Decrypting() && !r.Mine }

// custodySaleRows lists the sales whose sealed quotes the actor holds a
// share of, those waiting for the actor first, then by the window's end.
func (s *server) custodySaleRows(ctx context.Context, a party.Actor) ([]saleDecryptRow, error) {
	if s.d.Auction == nil {
		return nil, nil
	}
	sales, err := s.d.Auction.CustodySales(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []saleDecryptRow
	for _, sale := range sales {
		cv, err := s.d.Auction.SaleCustody(ctx, a, sale.ID)
		if err != nil || cv.Custody.Index(a.UserID) < 0 {
			continue
		}
		row := saleDecryptRow{Sale: cv.Sale, Custody: cv}
		for _, u := range cv.Done {
			row.Mine = row.Mine || u == a.UserID
		}
		out = append(out, row)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Waiting() != out[j].Waiting() {
			return out[i].Waiting()
		}
		return out[i].Sale.EndAt.Before(out[j].Sale.EndAt)
	})
	return out, nil
}
