package pdf

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

// sampleConfirmation is a land plot sold in a contested timed bidding, with
// a reserve, a long title and a long basis that must wrap.
func sampleConfirmation() ConfirmationInput {
	price := money.Fen(10_400_000_00 + 56)
	return ConfirmationInput{
		SiteName: "南宁市公共资源交易平台", SaleCode: "450100-TD-2026-0012",
		Title: "五象新区良庆区五象大道以南、玉洞大道以东、平乐大道以北GC2026-012号地块国有建设用地使用权（含地下空间开发利用权及配套市政设施代建义务）",
		Kind:  "国有建设用地使用权", Mode: "挂牌", SellerWord: "出让人", Seller: "南宁市自然资源局", BuyerWord: "竞得人",
		Winner: "广西北部湾城市建设投资集团有限公司", WinnerUSCC: "91450100MA5KX0Q83W", WinnerNo: "4821",
		Price: price, PriceText: price.Capital(), Stage: "挂牌截止后网上限时竞价的最高出价",
		Basis: "《招标拍卖挂牌出让国有建设用地使用权规定》（国土资源部令第39号）关于挂牌截止确定竞得人的规定；《中华人民共和国拍卖法》第五十条；限时竞价最高出价不低于底价的成交",
		At:    time.Date(2026, 4, 20, 7, 35, 12, 0, time.UTC), HasReserve: true, Reserve: 10_200_000_00, ReserveReveals: []int64{311, 318},
		LedgerIndex: 320,
	}
}

func renderConfirmation(t *testing.T, in ConfirmationInput) []byte {
	t.Helper()
	b, err := Confirmation(testFont(t), in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	return b
}

// TestConfirmation: every field of the confirmation reads back from the
// PDF — the price in figures and in capitals, the stage, the basis wrapped
// over lines, the deal time in Beijing time, the reserve and how to check
// its reveal, the ledger index, the signature blocks — and nothing leaves
// the page's margins.
func TestConfirmation(t *testing.T) {
	in := sampleConfirmation()
	b := renderConfirmation(t, in)
	if b2, err := Confirmation(testFont(t), in); err != nil || !bytes.Equal(b, b2) {
		t.Fatalf("two renderings differ (%v)", err)
	}
	if dir := os.Getenv("GGZY_ARTIFACTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "confirmation.pdf"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := extract(t, b, "-layout")
	all := flat(text)
	want := []string{"成交确认书", "编号：" + in.SaleCode, in.Title, in.Kind, "交易方式挂牌", "出让人" + in.Seller,
		"名称" + in.Winner, "统一社会信用代码" + in.WinnerUSCC, "竞买号牌" + in.WinnerNo,
		"成交价（小写）¥10,400,000.56", "成交价（大写）" + in.Price.Capital(), "价格形成方式" + in.Stage, "成交依据" + in.Basis,
		"成交时间2026年4月20日 15:35（北京时间）", "底价（小写）¥10,200,000.00", "底价（大写）" + in.Reserve.Capital(),
		"第 311 号、第 318 号公开留痕记录", VerifySentence, "成交留痕记录第 320 号公开留痕记录",
		"出让人（盖章）：", "竞得人（盖章）：", "法定代表人或授权代表（签字）：", "X-Signature-SM2",
		"确认书数据 SM3：" + in.Digest(), "第 1 页 共 1 页"}
	for _, w := range want {
		if !strings.Contains(all, flat(w)) {
			t.Errorf("extracted text lacks %q", w)
		}
	}
	if !strings.Contains(in.Price.Capital(), "伍角陆分") {
		t.Fatalf("the sample's capitals %q do not cover the fen", in.Price.Capital())
	}
	if n := strings.Count(text, "法定代表人或授权代表（签字）"); n != 2 {
		t.Errorf("%d signature lines, want one for each party", n)
	}
	// The long title and basis wrap: they read back whole, over several
	// lines, and every word lies inside the margins and above the footer.
	for _, long := range []string{in.Title, in.Basis} {
		r := []rune(long)
		head, tail := string(r[:8]), string(r[len(r)-8:])
		for _, l := range strings.Split(text, "\n") {
			if strings.Contains(flat(l), head) && strings.Contains(flat(l), tail) {
				t.Errorf("%q is on one line: not wrapped", long)
			}
		}
	}
	bbox := extract(t, b, "-bbox")
	re := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
	words := re.FindAllStringSubmatch(bbox, -1)
	if len(words) < 30 {
		t.Fatalf("bbox output has %d words", len(words))
	}
	for _, w := range words {
		f := func(i int) float64 { v, _ := strconv.ParseFloat(w[i], 64); return v }
		if f(1) < marginX-0.5 || f(3) > pageW-marginX+0.5 {
			t.Errorf("%q at x %.1f–%.1f leaves the margins", w[5], f(1), f(3))
		}
		if f(2) < bottom && f(4) > bottom+0.5 {
			t.Errorf("%q runs into the footer", w[5])
		}
	}
	if t.Failed() {
		t.Logf("extracted text:\n%s", text)
	}
}

// A property sold by agreement transfer, without a reserve: the parties
// are 转让方 and 受让方, and the reserve section says there was none.
func TestConfirmationWithoutReserve(t *testing.T) {
	in := sampleConfirmation()
	in.Kind, in.Mode, in.SellerWord, in.BuyerWord = "国有产权", "协议转让", "转让方", "受让方"
	in.Title, in.Seller = "南宁某国有企业所持某公司40%股权", "南宁市某国有独资公司"
	in.Stage, in.Basis = "协议转让（交易中心决定，不低于挂牌价）", "《企业国有资产交易监督管理办法》（国资委 财政部令第32号）（协议转让）"
	in.HasReserve, in.Reserve, in.ReserveReveals = false, 0, nil
	in.PriceText = "" // rendered from the amount when the data lacks it
	all := flat(extract(t, renderConfirmation(t, in), "-layout"))
	for _, w := range []string{"二、受让方", "转让方（盖章）：", "受让方（盖章）：", "本宗交易未设底价。", "交易方式协议转让",
		"成交价（大写）" + in.Price.Capital(), in.Stage} {
		if !strings.Contains(all, flat(w)) {
			t.Errorf("lacks %q:\n%s", w, all)
		}
	}
	for _, w := range []string{"底价（小写）", "出让人", "竞得人"} {
		if strings.Contains(all, w) {
			t.Errorf("shows %q", w)
		}
	}
}

// A mining right: the deadlines after the deal (signing the confirmation,
// the result's publicity) get their own section, with their basis.
func TestConfirmationDeadlines(t *testing.T) {
	in := sampleConfirmation()
	day := func(d int) time.Time { return time.Date(2026, 5, d, 0, 0, 0, 0, beijing) }
	in.Deadlines = []Deadline{{"成交确认书签订截止", day(6), "四川省矿业权出让规则"}, {"成交结果公示开始", day(1), ""}, {"公示至少持续至", day(15), ""}}
	all := flat(extract(t, renderConfirmation(t, in), "-layout"))
	for _, w := range []string{"五、成交后期限", "成交确认书签订截止2026年5月6日", "成交结果公示开始2026年5月1日", "公示至少持续至2026年5月15日",
		"依据：四川省矿业权出让规则", "六、留痕与签名"} {
		if !strings.Contains(all, flat(w)) {
			t.Errorf("lacks %q:\n%s", w, all)
		}
	}
	if plain := flat(extract(t, renderConfirmation(t, sampleConfirmation()), "-layout")); strings.Contains(plain, "成交后期限") || !strings.Contains(plain, "五、留痕与签名") {
		t.Errorf("a sale without deadlines shows the section:\n%s", plain)
	}
}

func TestConfirmationDigest(t *testing.T) {
	in := sampleConfirmation()
	d := in.Digest()
	for name, change := range map[string]func(*ConfirmationInput){
		"price":   func(c *ConfirmationInput) { c.Price++ },
		"winner":  func(c *ConfirmationInput) { c.WinnerUSCC = "914403001922038216" },
		"reserve": func(c *ConfirmationInput) { c.Reserve-- },
		"ledger":  func(c *ConfirmationInput) { c.LedgerIndex++ },
		"reveals": func(c *ConfirmationInput) { c.ReserveReveals = c.ReserveReveals[:1] },
	} {
		c := sampleConfirmation()
		change(&c)
		if c.Digest() == d {
			t.Errorf("changing the %s leaves the digest", name)
		}
	}
	c := sampleConfirmation()
	c.At = c.At.In(beijing)
	if c.Digest() != d {
		t.Error("the digest depends on the zone of the deal time")
	}
}

func TestConfirmationWithoutFont(t *testing.T) {
	if _, err := Confirmation(nil, sampleConfirmation()); err == nil || !strings.Contains(apperr.As(err).Message, "fonts-wqy-zenhei") {
		t.Fatalf("render without font: %v", err)
	}
}
