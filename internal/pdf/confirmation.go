package pdf

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/signintech/gopdf"

	"ggzy/internal/apperr"
	"ggzy/internal/gm"
	"ggzy/internal/money"
)

// ConfirmationInput is the transaction confirmation (成交确认书) of a land,
// mining-right or state-property sale as the PDF shows it. The caller maps
// the domain's confirmation into it, with the Chinese labels already
// chosen: this package does not import the domain.
type ConfirmationInput struct {
	SiteName   string    `json:"site_name"`
	SaleCode   string    `json:"sale_code"`
	Title      string    `json:"title"`
	Kind       string    `json:"kind"`        // label, e.g. 国有建设用地使用权
	Mode       string    `json:"mode"`        // label, e.g. 挂牌
	SellerWord string    `json:"seller_word"` // 出让人 or 转让方
	Seller     string    `json:"seller"`
	BuyerWord  string    `json:"buyer_word"` // 竞得人 or 受让方
	Winner     string    `json:"winner"`
	WinnerUSCC string    `json:"winner_uscc"`
	WinnerNo   string    `json:"winner_no"` // 竞买号牌
	Price      money.Fen `json:"price"`
	PriceText  string    `json:"price_text"` // 大写, as the confirmation holds it
	Stage      string    `json:"stage"`      // how the price was reached, in words
	Basis      string    `json:"basis"`      // the rules that decided the deal
	At         time.Time `json:"at"`         // as of when the deal stands
	// The reserve (底价), revealed at the close; ReserveReveals are the
	// ledger entries that open its commitments (empty when not looked up).
	HasReserve     bool      `json:"has_reserve"`
	Reserve        money.Fen `json:"reserve"`
	ReserveReveals []int64   `json:"reserve_reveals,omitempty"`
	// LedgerIndex is the public entry recording the deal.
	LedgerIndex int64 `json:"ledger_index"`
	// Deadlines after the deal (mining rights: signing the confirmation,
	// the result's publicity), each a label and a date with its basis.
	Deadlines []Deadline `json:"deadlines,omitempty"`
}

// Deadline is a date the parties must keep after the deal.
type Deadline struct {
	Label string    `json:"label"`
	Date  time.Time `json:"date"`
	Basis string    `json:"basis"`
}

// Digest is the SM3 digest (hex) of the confirmation's data, its time in
// UTC so that the figure does not depend on the server's zone.
func (in ConfirmationInput) Digest() string {
	c := in
	c.At = c.At.UTC()
	b, err := json.Marshal(c)
	if err != nil { // plain fields only: cannot happen
		panic(err)
	}
	return gm.SM3Hex(b)
}

// VerifySentence tells the reader how anyone re-checks the reserve's
// reveal against its commitment.
const VerifySentence = "任何人可运行 ggzy verify --url <平台地址> 核验平台留痕，包括底价揭示记录与录入时的承诺是否一致。"

// reserveText is section 底价: the amount and how its commitment is checked.
func (in ConfirmationInput) reserveText() string {
	if !in.HasReserve {
		return "本宗交易未设底价。"
	}
	s := "底价由" + orDash(in.SellerWord) + "在截止前录入，录入时以加盐 SM3 承诺记入平台留痕，交易结束前对任何人保密；成交时已揭示承诺内容"
	if len(in.ReserveReveals) > 0 {
		var idx []string
		for _, i := range in.ReserveReveals {
			idx = append(idx, "第 "+strconv.FormatInt(i, 10)+" 号")
		}
		s += "（揭示记录：" + strings.Join(idx, "、") + "公开留痕记录）"
	}
	return s + "。" + VerifySentence
}

// confLabelW is the label column of the confirmation's fields: wider than
// the report's, for 统一社会信用代码.
const confLabelW = 100.0

// cfield writes "label：value" with the value wrapped under itself, in the
// confirmation's wider label column.
func (d *doc) cfield(label, value string) {
	for i, l := range d.wrap(value, bodyW-confLabelW) {
		d.need(d.lineH())
		if i == 0 {
			d.gp.SetTextColor(90, 90, 90)
			d.textTop(marginX, d.y, label)
			d.gp.SetTextColor(0, 0, 0)
		}
		d.textTop(marginX+confLabelW, d.y, l)
		d.y += d.lineH()
	}
}

// signBlock draws one party's signature block in a column at x, w wide,
// starting at y; it returns the height used.
func (d *doc) signBlock(x, w, y float64, role, name string) float64 {
	d.setSize(10.5)
	lh := d.lineH()
	yy := y
	d.textTop(x, yy, role+"（盖章）：")
	yy += lh
	for _, l := range d.wrap(name, w) {
		d.textTop(x, yy, l)
		yy += lh
	}
	yy += lh * 0.8
	d.textTop(x, yy, "法定代表人或授权代表（签字）：")
	yy += lh * 2
	// The line to sign on, under the label.
	d.gp.SetStrokeColor(120, 120, 120)
	d.gp.SetLineWidth(0.5)
	d.gp.Line(x, yy, x+w-12, yy)
	yy += lh * 0.6
	d.textTop(x, yy, "日期：        年      月      日")
	return yy + lh - y
}

// signHeight is what a signature block for name needs in a column w wide.
func (d *doc) signHeight(w float64, name string) float64 {
	d.setSize(10.5)
	return d.lineH() * (5.4 + float64(len(d.wrap(name, w))))
}

// Confirmation renders the transaction confirmation as an A4 PDF. font is a
// TrueType font with CJK glyphs (LoadFont). The same input gives the same
// bytes: the creation date is the deal's time and nothing else varies.
func Confirmation(font []byte, in ConfirmationInput) ([]byte, error) {
	if len(font) == 0 {
		return nil, ErrNoFont()
	}
	fail := func(err error) ([]byte, error) {
		return nil, apperr.New(apperr.Internal, "生成成交确认书 PDF 失败。").Wrap(err)
	}
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	gp.SetInfo(gopdf.PdfInfo{
		Title:        "成交确认书 " + in.SaleCode,
		Author:       in.SiteName,
		Subject:      in.Title,
		Creator:      "ggzy",
		Producer:     "ggzy (gopdf)",
		CreationDate: in.At.UTC(),
	})
	if err := gp.AddTTFFontData(family, font); err != nil {
		return nil, ErrNoFont().Wrap(err)
	}
	sellerWord, buyerWord := orDash(in.SellerWord), orDash(in.BuyerWord)
	d := &doc{gp: gp, header: strings.TrimSpace(in.SiteName + "  成交确认书  " + in.SaleCode)}
	d.setSize(10)
	d.newPage()

	d.setSize(20)
	title := "成交确认书"
	d.textTop((pageW-d.width(title))/2, d.y, title)
	d.y += d.lineH() + 4
	d.setSize(10)
	no := "编号：" + in.SaleCode
	d.textTop((pageW-d.width(no))/2, d.y, no)
	d.y += d.lineH() + 8

	d.para(marginX, bodyW, fmt.Sprintf("经%s%s交易，%s%s与%s%s就下列标的成交，现将成交结果确认如下。",
		orDash(in.Kind), orDash(in.Mode), sellerWord, orDash(clean(in.Seller)), buyerWord, orDash(clean(in.Winner))))

	d.heading("一、交易标的")
	d.cfield("交易编号", orDash(in.SaleCode))
	d.cfield("标的名称", orDash(clean(in.Title)))
	d.cfield("标的类别", orDash(in.Kind))
	d.cfield("交易方式", orDash(in.Mode))
	d.cfield(sellerWord, orDash(clean(in.Seller)))

	d.heading("二、" + buyerWord)
	d.cfield("名称", orDash(clean(in.Winner)))
	d.cfield("统一社会信用代码", orDash(in.WinnerUSCC))
	d.cfield("竞买号牌", orDash(in.WinnerNo))

	d.heading("三、成交价格")
	d.cfield("成交价（小写）", in.Price.String())
	capital := in.PriceText
	if capital == "" {
		capital = in.Price.Capital()
	}
	d.cfield("成交价（大写）", capital)
	d.cfield("价格形成方式", orDash(in.Stage))
	d.cfield("成交依据", orDash(in.Basis))
	d.cfield("成交时间", cnTime(in.At))

	d.heading("四、底价")
	if in.HasReserve {
		d.cfield("底价（小写）", in.Reserve.String())
		d.cfield("底价（大写）", in.Reserve.Capital())
	}
	d.para(marginX, bodyW, in.reserveText())

	if len(in.Deadlines) > 0 {
		d.heading("五、成交后期限")
		for _, dl := range in.Deadlines {
			d.cfield(dl.Label, dl.Date.In(beijing).Format("2006年1月2日"))
		}
		d.para(marginX, bodyW, "期限按法定节假日和调休安排以工作日计算；依据："+deadlinesBasis(in.Deadlines)+"。")
		d.heading("六、留痕与签名")
	} else {
		d.heading("五、留痕与签名")
	}
	d.cfield("成交留痕记录", "第 "+strconv.FormatInt(in.LedgerIndex, 10)+" 号公开留痕记录")
	d.para(marginX, bodyW, "本确认书由平台以 SM2 密钥签名：下载时的响应头 X-Content-SM3 为文件的 SM3 摘要，X-Signature-SM2 为平台签名，可用 GET /api/v1/ledger/key 公布的平台公钥核验。")
	d.para(marginX, bodyW, buyerWord+"应按交易公告和本确认书的约定与"+sellerWord+"签订合同并支付价款；竞买保证金按规定转作价款或退还。")

	// Signature blocks for the parties, to be signed on paper, side by side
	// and kept together on one page.
	colW := bodyW/2 - 8
	d.need(max(d.signHeight(colW, orDash(clean(in.Seller))), d.signHeight(colW, orDash(clean(in.Winner)))) + 14)
	d.y += 14
	h1 := d.signBlock(marginX, colW, d.y, sellerWord, orDash(clean(in.Seller)))
	h2 := d.signBlock(marginX+bodyW/2+8, colW, d.y, buyerWord, orDash(clean(in.Winner)))
	d.y += max(h1, h2)
	if d.err != nil {
		return fail(d.err)
	}

	b, err := d.finish("确认书数据 SM3：" + in.Digest())
	if err != nil {
		return fail(err)
	}
	return b, nil
}

// deadlinesBasis is the basis of the deadlines (one rule sets them all).
func deadlinesBasis(ds []Deadline) string {
	for _, d := range ds {
		if d.Basis != "" {
			return d.Basis
		}
	}
	return "交易公告"
}
