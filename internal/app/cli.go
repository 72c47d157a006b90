package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/api"
	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	arules "ggzy/internal/auction/rules"
	"ggzy/internal/clock"
	"ggzy/internal/gm"
	"ggzy/internal/money"
	"ggzy/internal/seal"
	"ggzy/internal/sealbid"
	"ggzy/internal/tender"
)

// The client commands (keygen, seal, custody open) run on the user's own
// machine: private keys and bid content never leave it unencrypted. Secrets
// come from the environment, never from flags (which other users can see in
// the process list).
const (
	envPassword   = "GGZY_PASSWORD"       // the user's platform password
	envPassphrase = "GGZY_KEY_PASSPHRASE" // the private key file's passphrase
)

// keygen makes an SM2 key pair: the private key encrypted with the
// passphrase, the public key to register on the platform.
func keygen(args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	out := fs.String("out", "", "私钥文件（加密 PKCS#8 PEM），不得已存在")
	pub := fs.String("pub", "", "公钥文件（PEM）；省略时输出到标准输出")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pass := getenv(envPassphrase)
	if *out == "" || pass == "" {
		return fmt.Errorf("用法: %s=口令 ggzy keygen --out 私钥文件 [--pub 公钥文件]", envPassphrase)
	}
	k, err := gm.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	pem, err := k.MarshalEncryptedPEM([]byte(pass))
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("写私钥文件失败（不覆盖已有文件）: %w", err)
	}
	if _, err := f.Write(pem); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	pp := k.Public().MarshalPEM()
	if *pub != "" {
		if err := os.WriteFile(*pub, pp, 0o644); err != nil {
			return err
		}
	} else {
		_, _ = stdout.Write(pp)
	}
	fmt.Fprintf(stdout, "SM2 密钥已生成。私钥：%s（已加密）；公钥指纹（SM3）：%s\n请在平台“我的密钥”中登记公钥。\n", *out, k.Public().Fingerprint())
	return nil
}

// client talks to a platform's JSON API as one user.
type client struct {
	base  string
	token string
	http  *http.Client
}

func login(ctx context.Context, base, user, password string) (*client, error) {
	c := &client{base: strings.TrimRight(base, "/"), http: &http.Client{Timeout: 10 * time.Minute}}
	var lr api.LoginResponse
	if err := c.call(ctx, "POST", "/api/v1/auth/login", api.LoginRequest{Username: user, Password: password}, &lr); err != nil {
		return nil, fmt.Errorf("登录失败: %w", err)
	}
	c.token = lr.Token
	return c, nil
}

// call sends a JSON (or raw []byte / io.Reader) body and decodes the answer;
// an error answer becomes its Chinese message with the legal basis.
func (c *client) call(ctx context.Context, method, path string, body, out any, header ...string) error {
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ctype = bytes.NewReader(b), "application/octet-stream"
	case io.Reader:
		rd, ctype = b, "application/octet-stream"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		var e struct {
			Error struct {
				Message string `json:"message"`
				Basis   string `json:"basis"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
			if e.Error.Basis != "" {
				return fmt.Errorf("%s（依据：%s）", e.Error.Message, e.Error.Basis)
			}
			return errors.New(e.Error.Message)
		}
		return fmt.Errorf("HTTP %d", res.StatusCode)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// privateKey reads an encrypted key file with the passphrase from the environment.
func privateKey(path string, getenv func(string) string) (*gm.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("读取私钥文件失败: %w", err)
	}
	k, err := gm.ParsePrivateKeyPEM(b, []byte(getenv(envPassphrase)))
	if err != nil {
		return nil, fmt.Errorf("私钥文件 %s 无法解开（口令取自 %s）: %w", path, envPassphrase, err)
	}
	return k, nil
}

type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

// uploadChunk is the size of one resumable upload request.
const uploadChunk = 8 << 20

// sealCmd seals a bid on the bidder's machine and submits it with a
// resumable upload; the receipt is printed.
func sealCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("seal", flag.ContinueOnError)
	url := fs.String("url", "", "平台地址，如 http://127.0.0.1:8080")
	user := fs.String("user", "", "投标单位用户名（密码取自 "+envPassword+"）")
	keyFile := fs.String("key", "", "投标签名私钥文件（口令取自 "+envPassphrase+"）")
	lot := fs.String("lot", "", "标段ID")
	sale := fs.String("sale", "", "交易ID（土地、矿业权、国有产权的一次报价，与 --lot 二选一）")
	amount := fs.String("amount", "", "一次报价金额（元，与 --sale 一起使用）")
	price := fs.String("price", "", "投标报价（元，如 9137246.58）")
	days := fs.Int("duration", 0, "工期（日历天）；土地招标出让为开发建设周期")
	quality := fs.String("quality", "合格", "质量标准（土地招标出让不填）")
	manager := fs.String("manager", "", "项目经理（土地招标出让不填）")
	out := fs.String("out", "", "另存密封后的投标文件（可选）")
	var files fileList
	fs.Var(&files, "file", "投标附件（可多次指定）")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sale != "" {
		if *url == "" || *user == "" || *keyFile == "" || *amount == "" || *lot != "" || *price != "" || len(files) > 0 {
			return errors.New(sealQuoteUsage)
		}
		return sealQuote(ctx, *url, *user, *keyFile, *sale, *amount, *out, stdout, getenv)
	}
	if *url == "" || *user == "" || *keyFile == "" || *lot == "" || *price == "" {
		return errors.New("用法: ggzy seal --url URL --user 用户名 --key 私钥文件 --lot 标段ID --price 元 --duration 天 [--manager 姓名（工程）] [--file 附件]…\n或：" + sealQuoteUsage)
	}
	p, err := money.Parse(*price)
	if err != nil {
		return fmt.Errorf("投标报价: %w", err)
	}
	key, err := privateKey(*keyFile, getenv)
	if err != nil {
		return err
	}
	c, err := login(ctx, *url, *user, getenv(envPassword))
	if err != nil {
		return err
	}
	var me api.Me
	if err := c.call(ctx, "GET", "/api/v1/me", nil, &me); err != nil {
		return err
	}
	if me.Entity == nil {
		return errors.New("该用户不属于投标单位")
	}
	var cust api.CustodyView
	if err := c.call(ctx, "GET", "/api/v1/lots/"+*lot+"/custody", nil, &cust); err != nil {
		return err
	}
	var lv api.LotView
	if err := c.call(ctx, "GET", "/api/v1/lots/"+*lot, nil, &lv); err != nil {
		return err
	}
	// The opener's own checks, before sealing: a sealed bid cannot be checked
	// on upload, and one that fails them is only rejected at the opening.
	period := "工期"
	if lv.Lot.Land != nil {
		// A land bid is a price and a development period: the works terms
		// (and the quality default) stay empty in the form.
		*quality, *manager = "", ""
		period = "开发建设周期"
		if err := arules.CheckLandStartPrice(p, money.Fen(lv.Lot.Land.StartPriceFen)); err != nil {
			return ruleErr(err)
		}
	}
	if *days < 1 || *days > 3650 {
		return fmt.Errorf("请用 --duration 填写%s：1至3650日历天的整数", period)
	}
	var pf []seal.PackageFile
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		pf = append(pf, seal.PackageFile{Name: fi.Name(), Size: fi.Size(), R: f})
	}
	form := tender.EncodePlain(tender.BidContent{Price: p, DurationDays: *days, Quality: *quality, ProjectManager: *manager})
	// Seal into a temporary file (bids of hundreds of MB), then upload it.
	tmp, err := os.CreateTemp("", "ggzy-sealed-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h, err := sealbid.Seal(tmp, cust.Custody, me.Entity.ID, form, pf, key, time.Now(), rand.Reader)
	if err != nil {
		return fmt.Errorf("密封失败: %w", err)
	}
	if *out != "" {
		if _, err := tmp.Seek(0, 0); err != nil {
			return err
		}
		o, err := os.Create(*out)
		if err != nil {
			return err
		}
		if _, err := io.Copy(o, tmp); err != nil {
			o.Close()
			return err
		}
		if err := o.Close(); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "已在本机密封：%d 字节，摘要（SM3）%s，%d 名保管人中任意 %d 名可在开标后解密。\n", h.FileSize(), h.Digest(), len(cust.Custodians), cust.Threshold)
	r, err := c.uploadBid(ctx, *lot, tmp, h.FileSize(), stdout)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, r.Text)
	return nil
}

const sealQuoteUsage = "用法: ggzy seal --url URL --user 用户名 --key 签名私钥文件 --sale 交易ID --amount 元 [--out 另存密封文件]"

// sealQuote seals a sale's one quote (一次报价) on the bidder's machine, as
// the browser does: the sale's published custody (lot_id is the sale's ID),
// bound to the bidder's number, signed with the entity's key; only the
// sealed file is sent. One quote per bidder: it cannot be changed.
func sealQuote(ctx context.Context, url, user, keyFile, saleID, amount, out string, stdout io.Writer, getenv func(string) string) error {
	a, err := money.Parse(amount)
	if err != nil {
		return fmt.Errorf("报价金额: %w", err)
	}
	key, err := privateKey(keyFile, getenv)
	if err != nil {
		return err
	}
	c, err := login(ctx, url, user, getenv(envPassword))
	if err != nil {
		return err
	}
	var v api.SaleView
	if err := c.call(ctx, "GET", "/api/v1/sales/"+saleID, nil, &v); err != nil {
		return err
	}
	if v.Mine == nil || v.Mine.BidderNo == "" {
		return errors.New("该用户所在单位在本宗交易中没有竞买号牌（须资格审查通过并确认保证金到账）")
	}
	if err := arules.CheckListedPrice(a, money.Fen(v.Sale.StartPriceFen)); err != nil {
		return ruleErr(err)
	}
	var cust api.SaleCustodyView
	if err := c.call(ctx, "GET", "/api/v1/sales/"+saleID+"/custody", nil, &cust); err != nil {
		return err
	}
	if cust.LotID != saleID {
		return fmt.Errorf("平台返回的密钥保管信息属于另一宗交易（%s），拒绝密封", cust.LotID)
	}
	var buf bytes.Buffer
	h, err := sealbid.Seal(&buf, cust.Custody, v.Mine.BidderNo, auction.EncodeQuote(a), nil, key, time.Now(), rand.Reader)
	if err != nil {
		return fmt.Errorf("密封失败: %w", err)
	}
	if out != "" {
		if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "已在本机密封一次报价：%d 字节，摘要（SM3）%s；%d 名保管人中任意 %d 名可在报价截止后解密。\n", buf.Len(), h.Digest(), len(cust.Custodians), cust.Threshold)
	var r api.SaleSealedReceipt
	if err := c.call(ctx, "POST", "/api/v1/sales/"+saleID+"/sealed-quote", buf.Bytes(), &r); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "一次报价已提交：交易 %s，竞买号牌 %s，接收时间 %s（北京时间），文件摘要 %s，留痕序号 %d。报价截止后由密钥保管人解密开启。\n",
		r.SaleCode, r.BidderNo, clock.Format(r.At), r.PackageSM3, r.LedgerIndex)
	return nil
}

// uploadBid sends a sealed file in chunks, resuming from the server's offset
// after a failed request, and submits it.
func (c *client) uploadBid(ctx context.Context, lot string, f *os.File, size int64, stdout io.Writer) (api.Receipt, error) {
	var up api.Upload
	if err := c.call(ctx, "POST", "/api/v1/lots/"+lot+"/uploads", api.UploadInput{Size: size}, &up); err != nil {
		return api.Receipt{}, err
	}
	failures := 0
	for up.Offset < up.Size {
		n := min(int64(uploadChunk), up.Size-up.Offset)
		err := c.call(ctx, "PATCH", "/api/v1/uploads/"+up.ID, io.NewSectionReader(f, up.Offset, n), &up, "Upload-Offset", strconv.FormatInt(up.Offset, 10))
		if err != nil {
			failures++
			if failures > 5 {
				return api.Receipt{}, fmt.Errorf("上传中断（已接收 %d/%d 字节，可重新运行续传）: %w", up.Offset, up.Size, err)
			}
			time.Sleep(time.Duration(failures) * time.Second)
			if err := c.call(ctx, "GET", "/api/v1/uploads/"+up.ID, nil, &up); err != nil {
				return api.Receipt{}, err
			}
			continue
		}
		fmt.Fprintf(stdout, "已上传 %d/%d 字节\n", up.Offset, up.Size)
	}
	var r api.Receipt
	err := c.call(ctx, "POST", "/api/v1/uploads/"+up.ID+"/bid", nil, &r)
	return r, err
}

// custodyCmd: `ggzy custody open` decrypts the custodian's shares on this
// machine after the deadline and submits them.
func custodyCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "open" {
		return errors.New(custodyUsage)
	}
	fs := flag.NewFlagSet("custody open", flag.ContinueOnError)
	url := fs.String("url", "", "平台地址")
	user := fs.String("user", "", "保管人用户名（密码取自 "+envPassword+"）")
	keyFile := fs.String("key", "", "解密（保管）私钥文件（口令取自 "+envPassphrase+"）")
	lot := fs.String("lot", "", "标段ID")
	sale := fs.String("sale", "", "交易ID（一次报价，与 --lot 二选一）")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *url == "" || *user == "" || *keyFile == "" || (*lot == "") == (*sale == "") {
		return errors.New(custodyUsage)
	}
	key, err := privateKey(*keyFile, getenv)
	if err != nil {
		return err
	}
	c, err := login(ctx, *url, *user, getenv(envPassword))
	if err != nil {
		return err
	}
	if *sale != "" {
		return openSaleShares(ctx, c, *sale, key, stdout)
	}
	var cust api.CustodyView
	if err := c.call(ctx, "GET", "/api/v1/lots/"+*lot+"/custody", nil, &cust); err != nil {
		return err
	}
	// Our own check of the deadline, not only the server's: a custodian's
	// client never helps open a bid early.
	if time.Now().Before(cust.Deadline) {
		return fmt.Errorf("投标截止时间 %s 前不得解密（《招标投标法》第三十四条）", cust.Deadline.Local().Format("2006-01-02 15:04:05"))
	}
	var envs api.Envelopes
	if err := c.call(ctx, "GET", "/api/v1/lots/"+*lot+"/custody/envelopes", nil, &envs); err != nil {
		return err
	}
	shares, bad := sealbid.OpenShares(*lot, envs.CustodianID, envs.Envelopes, key)
	for _, b := range bad {
		fmt.Fprintf(stdout, "投标文件 %s 的份额无法解密：%s\n", b.BidID, b.Reason)
	}
	if len(shares) == 0 {
		return errors.New("没有可提交的份额")
	}
	var res api.SharesResult
	if err := c.call(ctx, "POST", "/api/v1/lots/"+*lot+"/custody/shares", api.SharesInput{Shares: shares}, &res); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已在本机解密并提交 %d 份密钥份额；已有 %d/%d 名保管人完成解密。\n", len(shares), res.CustodiansDone, res.Threshold)
	return nil
}

const custodyUsage = "用法: ggzy custody open --url URL --user 用户名 --key 保管私钥文件 (--lot 标段ID | --sale 交易ID)"

// openSaleShares decrypts the custodian's shares of a sale's sealed quotes
// on this machine after the quote window, and submits them. The sale comes
// from the command line, not from the server's answer: envelopes of another
// sale are refused (sealbid.OpenShares).
func openSaleShares(ctx context.Context, c *client, saleID string, key *gm.PrivateKey, stdout io.Writer) error {
	var cust api.SaleCustodyView
	if err := c.call(ctx, "GET", "/api/v1/sales/"+saleID+"/custody", nil, &cust); err != nil {
		return err
	}
	// Our own check of the window's end, not only the server's: a
	// custodian's client never helps open a quote early.
	if time.Now().Before(cust.Deadline) {
		return fmt.Errorf("报价截止时间 %s（北京时间）前任何人不得解密报价（%s）", clock.Format(cust.Deadline), "《企业国有资产交易监督管理办法》（国务院国资委、财政部令第32号）")
	}
	var envs api.Envelopes
	if err := c.call(ctx, "GET", "/api/v1/sales/"+saleID+"/custody/envelopes", nil, &envs); err != nil {
		return err
	}
	shares, bad := sealbid.OpenShares(saleID, envs.CustodianID, envs.Envelopes, key)
	for _, b := range bad {
		fmt.Fprintf(stdout, "号牌 %s 的报价份额无法解密：%s\n", b.BidID, strings.NewReplacer("投标文件", "报价文件", "标段", "交易").Replace(b.Reason))
	}
	if len(shares) == 0 {
		return errors.New("没有可提交的份额")
	}
	var res api.SharesResult
	if err := c.call(ctx, "POST", "/api/v1/sales/"+saleID+"/custody/shares", api.SaleSharesInput{Shares: shares}, &res); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已在本机解密并提交 %d 份报价密钥份额；已有 %d/%d 名保管人完成解密。\n", len(shares), res.CustodiansDone, res.Threshold)
	if res.CustodiansDone >= res.Threshold {
		fmt.Fprintln(stdout, "已达到解密门限：全部报价已开启，交易结果已确定。")
	}
	return nil
}

// ruleErr is a rule's refusal as the command prints it: the message and
// its basis, without the error code.
func ruleErr(err error) error {
	e := apperr.As(err)
	return fmt.Errorf("%s（依据：%s）", e.Message, e.Basis)
}
