package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/fixture"
	"ggzy/internal/gm"
	"ggzy/internal/money"
	"ggzy/internal/seal"
	"ggzy/internal/sealbid"
	"ggzy/internal/tender"
)

// send makes a script's request: a raw body, the form token in a header.
func (b *browser) send(method, path, csrf string, body io.Reader, head map[string]string) page {
	b.e.t.Helper()
	req, _ := http.NewRequest(method, b.e.ts.URL+path, body)
	req.Header.Set("X-CSRF-Token", csrf)
	for k, v := range head {
		req.Header.Set(k, v)
	}
	return b.do(req)
}

type uploadState struct {
	ID     string `json:"upload_id"`
	Offset int64  `json:"offset"`
	Size   int64  `json:"size"`
}

func decodeJSON(t *testing.T, p page, v any) {
	t.Helper()
	if !strings.HasPrefix(p.header.Get("Content-Type"), "application/json") {
		t.Fatalf("not JSON (%d): %s", p.status, excerpt(p.body))
	}
	if err := json.Unmarshal([]byte(p.body), v); err != nil {
		t.Fatalf("JSON %s: %v", p.body, err)
	}
}

// brokenBody sends n bytes, then fails as a dropped connection does.
type brokenBody struct {
	r io.Reader
	n int
}

func (b *brokenBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errors.New("network cable unplugged")
	}
	if len(p) > b.n {
		p = p[:b.n]
	}
	k, err := b.r.Read(p)
	b.n -= k
	return k, err
}

// A sealed bid uploaded from the browser survives a broken request: the
// server keeps what arrived, says where to resume, and takes the rest; the
// completed file is checked and acknowledged with the receipt.
func TestSealedBidUploadResumesAfterABrokenRequest(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	l := w.PublishedLot(t, fixture.LotOptions{Sealed: true})
	a := w.Actor("bidder1")
	if err := w.Tender.ObtainDocuments(ctx, a, l.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.Tender.RecordDeposit(ctx, a, l.ID, 100_000_00, "BANK-1"); err != nil {
		t.Fatal(err)
	}
	tech := bytes.Repeat([]byte("施工组织设计。"), 40_000) // ~840 KB: several writes on the wire
	sealed := w.SealBid(t, l, 0, tender.BidContent{Price: 9_876_543_21, DurationDays: 365, Quality: "合格", ProjectManager: "王建"},
		seal.PackageFile{Name: "技术标.pdf", Size: int64(len(tech)), R: bytes.NewReader(tech)})

	b := e.browser()
	b.login("bidder1")
	lotPath := "/console/lots/" + l.ID
	lotPage := b.get(lotPath)
	for _, want := range []string{`id="seal-form"`, "data-wasm-missing", "ggzy seal", "《电子招标投标办法》第二十六条", "不接受未加密的投标文件"} {
		if !strings.Contains(lotPage.body, want) {
			t.Errorf("sealed lot page lacks %q", want)
		}
	}
	if strings.Contains(lotPage.body, `name="price"`) || strings.Contains(lotPage.body, `action="/console/lots/`+l.ID+`/bid"`) {
		t.Error("a lot with custody still offers the plain bid form")
	}
	tok := b.csrf(lotPath)

	// Without the form token the script's request is refused.
	p := b.send(http.MethodPatch, "/console/uploads/0123456789abcdef0123456789abcdef", "", strings.NewReader("x"), map[string]string{"Upload-Offset": "0"})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "防跨站请求伪造") {
		t.Fatalf("PATCH without token: %d %s", p.status, p.body)
	}

	var up uploadState
	p = b.post(lotPath+"/uploads", url.Values{"csrf": {tok}, "size": {strconv.Itoa(len(sealed))}})
	if p.status != http.StatusCreated {
		t.Fatalf("create upload: %d %s", p.status, p.body)
	}
	decodeJSON(t, p, &up)

	// The first chunk breaks after 300 KB.
	req, _ := http.NewRequest(http.MethodPatch, e.ts.URL+"/console/uploads/"+up.ID, &brokenBody{r: bytes.NewReader(sealed), n: 300 << 10})
	req.Header.Set("X-CSRF-Token", tok)
	req.Header.Set("Upload-Offset", "0")
	if res, err := b.c.Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("the broken request succeeded: %d", res.StatusCode)
	}
	// Ask where the server stands, as the page does; the handler may still
	// be writing what arrived, so ask until the answer settles.
	var held int64 = -1
	for i := 0; i < 100; i++ {
		p = b.get("/console/uploads/" + up.ID)
		decodeJSON(t, p, &up)
		if up.Offset == held && held > 0 {
			break
		}
		held = up.Offset
		time.Sleep(20 * time.Millisecond)
	}
	if up.Offset <= 0 || up.Offset > 300<<10 {
		t.Fatalf("after the break the server holds %d bytes, want some of the 300 KB sent", up.Offset)
	}
	t.Logf("after the break the server holds %d of %d bytes", up.Offset, up.Size)
	if p.header.Get("Upload-Offset") != strconv.FormatInt(up.Offset, 10) {
		t.Errorf("Upload-Offset header %q, body %d", p.header.Get("Upload-Offset"), up.Offset)
	}

	// A chunk at the wrong offset is answered with the right one.
	p = b.send(http.MethodPatch, "/console/uploads/"+up.ID, tok, bytes.NewReader(sealed[:10]), map[string]string{"Upload-Offset": "0"})
	var conflict struct {
		Error  string `json:"error"`
		Code   string `json:"code"`
		Offset *int64 `json:"offset"`
	}
	decodeJSON(t, p, &conflict)
	if p.status != http.StatusConflict || conflict.Offset == nil || *conflict.Offset != up.Offset || conflict.Code != "409-conflict" || !strings.Contains(conflict.Error, "续传") {
		t.Fatalf("wrong offset: %d %s", p.status, p.body)
	}

	// The rest, in 256 KB chunks, from where the server stands.
	for up.Offset < up.Size {
		end := min(up.Offset+256<<10, up.Size)
		p = b.send(http.MethodPatch, "/console/uploads/"+up.ID, tok, bytes.NewReader(sealed[up.Offset:end]), map[string]string{"Upload-Offset": strconv.FormatInt(up.Offset, 10)})
		if p.status != http.StatusOK {
			t.Fatalf("PATCH at %d: %d %s", up.Offset, p.status, p.body)
		}
		decodeJSON(t, p, &up)
	}

	p = b.post("/console/uploads/"+up.ID+"/bid", url.Values{"csrf": {tok}})
	if p.status != http.StatusSeeOther || p.loc != lotPath+"/receipt" {
		t.Fatalf("complete: %d %s", p.status, excerpt(p.body))
	}
	rc := b.follow(p)
	v, err := w.Tender.ViewLot(ctx, a, l.ID)
	if err != nil || v.MyReceipt == nil || v.MyBid.Format != tender.SealedFormat {
		t.Fatalf("no sealed bid: %v", err)
	}
	for _, want := range []string{"投标文件接收回执", "加密投标文件第1版已完整接收", "密封文件摘要", v.MyReceipt.ContentHash, strconv.FormatInt(v.MyReceipt.LedgerIndex, 10), "北京时间", "平台未保存也无法查看"} {
		if !strings.Contains(rc.body, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	// The receipt does not decode the sealed content (it cannot).
	for _, leak := range []string{money.Fen(9_876_543_21).String(), "王建", "大写："} {
		if strings.Contains(rc.body, leak) {
			t.Errorf("receipt shows %q of a sealed bid", leak)
		}
	}
	// The upload is gone once submitted.
	if p := b.get("/console/uploads/" + up.ID); p.status != http.StatusNotFound {
		t.Errorf("upload after completion: %d", p.status)
	}
}

// On a lot with custody a plain bid is refused with its rule and nothing is
// stored; shares before the deadline are refused with TBL 34.
func TestSealedLotRefusesPlainBidsAndEarlyDecryption(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	l := w.PublishedLot(t, fixture.LotOptions{Sealed: true})
	w.SealedBid(t, l.ID, 1, 9_500_000_00)
	a := w.Actor("bidder1")
	if err := w.Tender.ObtainDocuments(ctx, a, l.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.Tender.RecordDeposit(ctx, a, l.ID, 100_000_00, "BANK-1"); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("bidder1")
	lotPath := "/console/lots/" + l.ID
	tok := b.csrf(lotPath)
	p := b.postMultipart(lotPath+"/bid", url.Values{"csrf": {tok}, "price": {"9000000"}, "duration_days": {"300"}, "quality": {"合格"}, "project_manager": {"王建"}},
		"file", "商务标.pdf", "明文投标文件")
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "《电子招标投标办法》第二十六条") || !strings.Contains(p.body, "不接受未加密的投标文件") {
		t.Fatalf("plain bid: %d %s", p.status, excerpt(p.body))
	}
	if v, _ := w.Tender.ViewLot(ctx, a, l.ID); v.MyBid != nil {
		t.Fatal("a plain bid was stored")
	}

	c := e.browser()
	c.login("operator")
	dec := c.get(lotPath + "/decrypt")
	for _, want := range []string{"《招标投标法》第三十四条", "不得解密", "剩 ", "北京时间"} {
		if !strings.Contains(dec.body, want) {
			t.Errorf("decrypt page before the deadline lacks %q", want)
		}
	}
	if strings.Contains(dec.body, `id="decrypt-form"`) {
		t.Error("the decryption form is offered before the deadline")
	}
	p = c.get(lotPath + "/envelopes")
	var je struct{ Error, Basis, Code string }
	decodeJSON(t, p, &je)
	if p.status != http.StatusConflict || je.Basis != "《招标投标法》第三十四条" || !strings.Contains(je.Error, "不得解密") {
		t.Fatalf("envelopes before the deadline: %d %s", p.status, p.body)
	}
	ctok := c.csrf(lotPath + "/decrypt")
	p = c.post(lotPath+"/shares", url.Values{"csrf": {ctok}, "shares": {`[{"bid_id":"x","share":{"x":2,"y":"00112233445566778899aabbccddeeff"}}]`}})
	if p.status != http.StatusConflict || !strings.Contains(p.body, "《招标投标法》第三十四条") || !strings.Contains(p.body, "错误代码 409-deadline") {
		t.Fatalf("shares before the deadline: %d %s", p.status, excerpt(p.body))
	}
}

// The agency names custodians on the draft lot; the set is published with
// the notice; custodians decrypt their shares after the deadline (here the
// test plays the browser); with 2 of 3 the opening record is public.
func TestCustodyDecryptionAndOpeningThroughTheConsoles(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	ml := w.PrepareMatrixLot(t, fixture.StartDraft)
	lotPath := "/console/lots/" + ml.Lot.ID

	ag := e.browser()
	ag.login("agency")
	tok := ag.csrf(lotPath)
	page := ag.get(lotPath)
	if !strings.Contains(page.body, "指定投标文件密钥保管人") || !strings.Contains(page.body, `name="threshold"`) || !strings.Contains(page.body, `value="60"`) {
		t.Fatalf("no custody form on the draft lot: %s", excerpt(page.body))
	}
	// The supervisor has no custody key yet: refused on the field.
	w.CustodyKey(t, "agency")
	w.CustodyKey(t, "operator")
	p := ag.post(lotPath+"/custody", url.Values{"csrf": {tok}, "usernames": {"agency\noperator\nsupervisor"}, "threshold": {"2"}, "window_minutes": {"60"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "住建监督员（supervisor）尚未登记有效的解密（保管）公钥") || !strings.Contains(p.body, `href="#custody-custodians"`) {
		t.Fatalf("custodian without key: %d %s", p.status, excerpt(p.body))
	}
	// One organisation alone is refused.
	p = ag.post(lotPath+"/custody", url.Values{"csrf": {tok}, "usernames": {"agency"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "至少2名") {
		t.Fatalf("one custodian: %d %s", p.status, excerpt(p.body))
	}
	w.CustodyKey(t, "supervisor")
	p = ag.post(lotPath+"/custody", url.Values{"csrf": {tok}, "usernames": {"agency\noperator\nsupervisor"}, "threshold": {"2"}, "window_minutes": {"45"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("set custody: %d %s", p.status, excerpt(p.body))
	}
	page = ag.follow(p)
	for _, want := range []string{"已指定投标文件密钥保管人", "陈代理", "交易中心员", "住建监督员", "住建行政监督部门", "交易中心", "任意 <strong>2</strong> 名在 45 分钟内"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("lot page after custody lacks %q", want)
		}
	}
	now := w.Clock.Now()
	dl := w.Tender.EarliestDeadline(now, 9, 30)
	p = ag.post(lotPath+"/publish", url.Values{"csrf": {tok}, "docs_from": {now.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")},
		"docs_until": {dl.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")}, "bid_deadline": {dl.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", p.status, excerpt(p.body))
	}

	// The set is public with the notice and on the project page.
	pub := e.browser()
	l, _ := w.GetLot(ml.Lot.ID)
	for _, path := range []string{"/notices/" + noticeID(t, w, l.ID, tender.NoticeTender), "/projects/" + ml.ProjectID} {
		p := pub.get(path)
		for _, want := range []string{"投标文件密钥保管", "陈代理", "广西八桂招标代理有限公司", "交易中心员", "住建监督员", l.Custody.Custodians[0].Fingerprint, "《电子招标投标办法》第二十六条"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("public %s lacks %q", path, want)
			}
		}
	}

	for i, price := range []money.Fen{9_100_000_00, 9_200_000_00, 9_300_000_00} {
		w.SealedBid(t, l.ID, i, price)
	}
	w.Clock.Set(l.BidDeadline.Add(time.Minute))
	if _, err := w.Tender.OpenBids(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if p := pub.get("/projects/" + ml.ProjectID); !strings.Contains(p.body, "开标解密中") || !strings.Contains(p.body, "已有 <strong class=\"num\">0/2</strong>") {
		t.Errorf("public page while decrypting: %s", excerpt(p.body))
	}

	// Each custodian's browser: envelopes → own shares → post.
	decrypt := func(user string, wantDone string) {
		t.Helper()
		c := e.browser()
		c.login(user)
		list := c.get("/console/decrypt")
		if !strings.Contains(list.body, l.Code) || !strings.Contains(list.body, "待解密") {
			t.Errorf("%s's decryption list: %s", user, excerpt(list.body))
		}
		dp := c.get(lotPath + "/decrypt")
		if !strings.Contains(dp.body, `id="decrypt-form"`) || !strings.Contains(dp.body, "ggzy custody open") {
			t.Fatalf("%s's decryption page has no form: %s", user, excerpt(dp.body))
		}
		var envs struct {
			LotID       string             `json:"lot_id"`
			CustodianID string             `json:"custodian_id"`
			Envelopes   []sealbid.Envelope `json:"envelopes"`
		}
		decodeJSON(t, c.get(lotPath+"/envelopes"), &envs)
		if len(envs.Envelopes) != 3 || envs.CustodianID != string(w.Users[user].ID) {
			t.Fatalf("%s's envelopes: %+v", user, envs)
		}
		shares, bad := sealbid.OpenShares(string(l.ID), string(w.Users[user].ID), envs.Envelopes, w.CustodyKeys[user])
		if len(bad) > 0 {
			t.Fatalf("%s: %+v", user, bad)
		}
		sj, _ := json.Marshal(shares)
		p := c.post(lotPath+"/shares", url.Values{"csrf": {c.csrf(lotPath + "/decrypt")}, "shares": {string(sj)}})
		if p.status != http.StatusSeeOther || p.loc != lotPath+"/decrypt" {
			t.Fatalf("%s's shares: %d %s", user, p.status, excerpt(p.body))
		}
		dp = c.follow(p)
		if !strings.Contains(dp.body, "已有 "+wantDone+" 名保管人完成解密") || !strings.Contains(dp.body, "您已提交本人的解密份额") {
			t.Errorf("%s after submitting: %s", user, excerpt(dp.body))
		}
	}
	decrypt("operator", "1/2")
	decrypt("agency", "2/2")
	if err := w.Tender.DecryptBids(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	p = pub.get("/projects/" + ml.ProjectID)
	for _, want := range []string{"开标记录", "¥9,100,000.00", "¥9,200,000.00", "¥9,300,000.00", w.Bidders[0].Name, "项目经理3"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("public opening record lacks %q", want)
		}
	}
}

// A stalled window can be extended by the supervisor, with a reason.
func TestSupervisorExtendsAStalledDecryption(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	ml := w.PrepareMatrixLot(t, fixture.StartSealed)
	l := ml.Lot
	w.Clock.Set(l.BidDeadline.Add(time.Minute))
	if _, err := w.Tender.OpenBids(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	l, _ = w.GetLot(l.ID)
	w.Clock.Set(l.DecryptBy.Add(time.Minute))
	if err := w.Tender.CheckDecryption(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	lotPath := "/console/lots/" + l.ID
	s := e.browser()
	s.login("supervisor")
	p := s.get(lotPath)
	for _, want := range []string{"解密停滞", "延长解密时限", `id="extend-until"`, "《电子招标投标办法》第三十条"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("stalled lot page lacks %q", want)
		}
	}
	tok := s.csrf(lotPath)
	p = s.post(lotPath+"/extend", url.Values{"csrf": {tok}, "until": {w.Clock.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")}, "reason": {""}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#extend-reason"`) {
		t.Fatalf("extension without a reason: %d %s", p.status, excerpt(p.body))
	}
	p = s.follow(s.post(lotPath+"/extend", url.Values{"csrf": {tok}, "until": {w.Clock.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")}, "reason": {"两名保管人的私钥介质故障，补办后解密"}}))
	if !strings.Contains(p.body, "解密时限已延长至") || strings.Contains(p.body, "解密停滞：") {
		t.Errorf("after the extension: %s", excerpt(p.body))
	}
	// A bidder sees the state but no form.
	b := e.browser()
	b.login("bidder1")
	if p := b.get(lotPath); strings.Contains(p.body, `id="extend-until"`) || !strings.Contains(p.body, "开标解密中") {
		t.Errorf("bidder's view of a decrypting lot: %s", excerpt(p.body))
	}
}

// 我的密钥: register a public key by paste, refuse a private key without
// echoing it, and revoke only with a confirmation.
func TestKeysPageRegistersAndRevokes(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.login("bidder1")
	p := b.get("/console/keys")
	for _, want := range []string{"我的密钥", "投标签名", "目前没有有效的公钥", "在浏览器中生成新密钥", "ggzy keygen", "私钥和口令都不会发送到平台", `src="/static/crypto.js?v=`, `data-wasm="/static/ggzy.wasm?v=`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("keys page lacks %q", want)
		}
	}
	tok := b.csrf("/console/keys")
	k, err := gm.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	priv := string(k.MarshalPlainPEM())
	p = b.post("/console/keys", url.Values{"csrf": {tok}, "pem": {priv}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "您提交的是私钥") || strings.Contains(p.body, strings.Split(priv, "\n")[1]) {
		t.Fatalf("private key: %d %s", p.status, excerpt(p.body))
	}
	// Uploaded as a file.
	p = b.postMultipart("/console/keys", url.Values{"csrf": {tok}, "label": {"投标专用笔记本"}}, "pem_file", "bidder1-bid.pub.pem", string(k.Public().MarshalPEM()))
	if p.status != http.StatusSeeOther {
		t.Fatalf("register: %d %s", p.status, excerpt(p.body))
	}
	p = b.follow(p)
	fp := k.Public().Fingerprint()
	for _, want := range []string{"公钥已登记", fp, "投标专用笔记本", "有效"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("keys page after registering lacks %q", want)
		}
	}
	keys, _ := e.w.Party.EntityKeys(context.Background(), e.w.Bidders[0].ID)
	if len(keys) != 1 {
		t.Fatalf("%d keys", len(keys))
	}
	id := string(keys[0].ID)
	p = b.post("/console/keys/"+id+"/revoke", url.Values{"csrf": {tok}, "reason": {"私钥文件遗失"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "不能恢复") {
		t.Fatalf("revoke without confirmation: %d %s", p.status, excerpt(p.body))
	}
	p = b.follow(b.post("/console/keys/"+id+"/revoke", url.Values{"csrf": {tok}, "reason": {"私钥文件遗失"}, "confirm": {"1"}}))
	if !strings.Contains(p.body, "已吊销") || !strings.Contains(p.body, "私钥文件遗失") {
		t.Errorf("after revocation: %s", excerpt(p.body))
	}
	// Another bidder cannot revoke it; a principal's user keeps a sheet-signing
	// key (the principal's representative sits on the committee); an
	// administrator has no keys page.
	o := e.browser()
	o.login("bidder2")
	if p := o.post("/console/keys/"+id+"/revoke", url.Values{"csrf": {o.csrf("/console/keys")}, "reason": {"x"}, "confirm": {"1"}}); p.status != http.StatusForbidden {
		t.Errorf("another bidder revoking: %d", p.status)
	}
	pr := e.browser()
	pr.login("principal")
	if p := pr.get("/console/keys"); p.status != http.StatusOK || !strings.Contains(p.body, "评审签名") || strings.Contains(p.body, fp) {
		t.Errorf("principal's keys page: %d %s", p.status, excerpt(p.body))
	}
	ad := e.browser()
	ad.login("admin")
	if p := ad.get("/console/keys"); p.status != http.StatusForbidden {
		t.Errorf("admin's keys page: %d", p.status)
	}
}
