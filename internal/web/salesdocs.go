package web

import (
	"net/http"
	"strconv"
	"strings"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
)

// The documents and decisions of a sale beyond its bidding: the
// transaction confirmation (成交确认书) as a signed PDF, public once the
// deal stands; the change of an announced sale's announcement (变更公告) by
// the seller or the trading centre; the trading centre's agreement transfer
// (协议转让) of state-owned property to its single qualified buyer.

// saleConfirmationPDF sends the confirmation of a concluded sale as a PDF
// signed by the platform key, to anyone: the sale page shows the
// confirmation, with the winner's name, to everyone after the deal.
func (s *server) saleConfirmationPDF(w http.ResponseWriter, r *http.Request) {
	if !s.salesOn(w, r) {
		return
	}
	v, err := s.d.Auction.ViewSale(r.Context(), s.actor(r), r.PathValue("id"))
	if err == nil {
		err = s.d.ServeConfirmationPDF(r.Context(), w, v)
	}
	if err != nil {
		s.fail(w, r, err)
	}
}

// saleDocs is what the console's sale page offers beyond the bidding: the
// change form, pre-filled with the announcement, and the agreement form.
type saleDocs struct {
	CanChange bool
	Change    changeForm
	Uses      []landUseOpt
	// Agreement transfer: the form, or when it will open.
	CanAgree    bool
	AgreeFrom   string // the disclosure ends then (before it, the form is not offered)
	Buyers      []buyerOpt
	AgreeRule   string // RULES.md §5, shown beside the form
	AgreePrice  string
	AgreeRounds string
}

type landUseOpt struct {
	Use  rules.LandUse
	Name string
}

type buyerOpt struct {
	ID    ids.ID
	Label string
}

// changeForm is the announcement as the change form shows it.
type changeForm struct {
	Title, Location, AreaM2, Use, TermYears, PlotRatio, Mineral, Asset, Valuation, Conditions, Decision string
	Eligibility, Deposit, StartPrice, Increment, StartAt, EndAt                                         string
	// Period is the notice period as announced, which a change of
	// substance restarts.
	Period string

	// The statutory phases' dates (an auction's viewing, a property
	// pre-disclosure), kept by a change unless edited.
	ViewFrom, ViewTo, ApprovedOn, DisclosureFrom string
	ControlTransfer                              bool
}

func plainOrEmpty(f money.Fen) string {
	if f == 0 {
		return ""
	}
	return f.Plain()
}

// changeFormOf is the announcement of i as the change form's values.
func changeFormOf(i auction.Info) changeForm {
	d := i.Data
	f := changeForm{Title: i.Title, Location: d.Location, Use: string(d.Use), PlotRatio: d.PlotRatio, Mineral: d.Mineral, Asset: d.Asset,
		Conditions: d.Conditions, Decision: d.Decision, Eligibility: i.Eligibility, Valuation: plainOrEmpty(d.Valuation),
		Deposit: i.Deposit.Plain(), StartPrice: i.StartPrice.Plain(), Increment: i.Increment.Plain(), StartAt: dtLocal(i.StartAt), EndAt: dtLocal(i.EndAt)}
	f.ViewFrom, f.ViewTo, f.ApprovedOn, f.DisclosureFrom, f.ControlTransfer = d.ViewFrom, d.ViewTo, d.ApprovedOn, d.DisclosureFrom, d.ControlTransfer
	if d.AreaM2 > 0 {
		f.AreaM2 = strconv.FormatFloat(d.AreaM2, 'f', 2, 64)
	}
	if d.TermYears > 0 {
		f.TermYears = strconv.Itoa(d.TermYears)
	}
	for _, p := range salePeriods(i) {
		if p.Label == "公告期" || p.Label == "信息披露期" {
			f.Period = p.Label + " " + p.Value
		}
	}
	return f
}

// agreementRule is the rule of an agreement transfer (RULES.md §5), as the
// form shows it beside the fields.
func agreementRule(p rules.Params) string {
	return "只征集到一个合格意向受让方的，经批准可以协议转让：受让方须为本宗交易唯一的合格意向受让方（征集到两个以上的，应当公开竞价，" +
		rules.BasisSOAL54 + "）；转让价格不得低于挂牌价（" + rules.BasisSOAL55 + "；" + rules.BasisO32 + "）；须有批准文件；" +
		"只征集到一个合格意向受让方的信息披露须已进行" + strconv.Itoa(p.AgreementRounds.Value) + "轮（" + p.AgreementRounds.Basis + "）。" +
		"决定由交易中心作出，连同批准文件文号公开留痕，成交后生成成交确认书。"
}

// docsOf decides the change and agreement forms of the console's sale page.
func docsOf(d saleData) saleDocs {
	v, i, now := d.V, d.V.Sale, d.V.Now
	var x saleDocs
	x.CanChange = d.Console && v.CanManage && i.Status == auction.StatusAnnounced && now.Before(i.StartAt)
	if x.CanChange {
		x.Change = changeFormOf(i)
		for _, u := range landUses {
			x.Uses = append(x.Uses, landUseOpt(u))
		}
	}
	if d.Console && d.Operator && i.Mode == auction.ModeAgreement && i.Status == auction.StatusAnnounced {
		x.AgreeRule = agreementRule(i.Params)
		if now.Before(i.StartAt) {
			x.AgreeFrom = fmtTime(i.StartAt)
		} else {
			x.CanAgree = true
		}
		for _, r := range v.Registrations {
			if r.Status != auction.Qualified {
				continue
			}
			l := "竞买号牌 " + r.BidderNo
			if r.BidderNo == "" {
				l = "待发放号牌（保证金未确认）"
			}
			x.Buyers = append(x.Buyers, buyerOpt{ID: r.ID, Label: l + "，申请于 " + fmtTime(r.CreatedAt)})
		}
		x.AgreePrice, x.AgreeRounds = i.StartPrice.Plain(), strconv.Itoa(i.Params.AgreementRounds.Value)
	}
	return x
}

// changeAnnouncement runs ChangeAnnouncement from the console's change
// form; field errors come back beside the fields. The result says whether
// the change restarted the statutory period.
func (s *server) changeAnnouncement(w http.ResponseWriter, r *http.Request, id ids.ID) {
	v := r.PostForm
	f := map[string]string{}
	in := parseSale(v, f)
	if len(f) > 0 {
		s.saleFailed(w, r, id, "change", saleErr(nil, f, "变更内容有误，请按提示修改。"), v)
		return
	}
	sale, err := s.d.Auction.ChangeAnnouncement(r.Context(), s.actor(r), id, in, v.Get("reason"))
	if err != nil {
		s.saleFailed(w, r, id, "change", saleErr(err, nil, ""), v)
		return
	}
	s.redirect(w, r, saleConsolePath(id), changedText(sale))
}

// changedText says what a change did. A change of substance sets the
// notice time to the change's time (auction.ChangeAnnouncement), which is
// also the sale's update time; a correction of the title's wording keeps
// the original notice time.
func changedText(sale auction.Sale) string {
	word := "公告期"
	if sale.Kind == auction.Property {
		word = "信息披露期"
	}
	start := startWord(sale.Mode) + "时间 " + clock.Format(sale.StartAt) + "（北京时间）"
	if sale.NoticeAt.Equal(sale.UpdatedAt) {
		return "公告已变更。本次为实质性变更，" + word + "自 " + clock.Format(sale.NoticeAt) + "（北京时间）起重新计算；" + start + "。变更内容和理由已公开留痕。"
	}
	return "公告已变更。本次仅更正标的名称文字，不重新计算" + word + "（仍自 " + clock.Format(sale.NoticeAt) + " 起算）；" + start + "。变更内容和理由已公开留痕。"
}

// agreeSale runs Agree from the console's agreement form.
func (s *server) agreeSale(w http.ResponseWriter, r *http.Request, id ids.ID) {
	v := r.PostForm
	a := s.actor(r)
	if a.Role != party.RoleOperator {
		s.fail(w, r, apperr.Forbiddenf("协议转让由交易中心工作人员决定。"))
		return
	}
	f := map[string]string{}
	price := moneyField(v, "price", true, f)
	rounds, err := strconv.Atoi(strings.TrimSpace(v.Get("rounds")))
	if err != nil || rounds < 0 {
		f["rounds"] = "请填写信息披露轮数（整数）。"
	}
	reg := strings.TrimSpace(v.Get("registration"))
	if reg == "" {
		f["registration"] = "请选择受让方。"
	}
	if len(f) > 0 {
		s.saleFailed(w, r, id, "agree", mergeFields(nil, f, "协议转让信息有误，请按提示修改。"), v)
		return
	}
	sale, err := s.d.Auction.Agree(r.Context(), a, id, auction.AgreementInput{RegistrationID: reg, Price: price, Rounds: rounds, Approval: v.Get("approval")})
	if err != nil {
		s.saleFailed(w, r, id, "agree", err, v)
		return
	}
	s.redirect(w, r, saleConsolePath(id), "协议转让已成交：成交价 "+sale.Final.String()+"（"+sale.Final.Capital()+"），受让方竞买号牌 "+sale.Winner+"。决定已公开留痕，成交确认书可下载。")
}
