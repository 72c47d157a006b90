package verify

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"ggzy/internal/draw"
	"ggzy/internal/gm"
	"ggzy/internal/ledger"
)

const drawUsage = `用法：
  ggzy verify-draw --url URL --draw ID [--key VKEY]
  ggzy verify-draw --file PROOF.json --url URL [--key VKEY]
      独立复核一次评标专家抽取：从平台取得抽取证明（请求、专家库快照、检查点、结果），
      核对请求与快照的摘要和留痕中承诺的一致、请求已包含在作为随机数来源的签名检查点中、
      检查点签名有效，再用同一随机种子重新抽取，结果须与记录逐字节相同。
      评标结束后任何人可取得证明；此前交易中心和监督人员可用环境变量 GGZY_TOKEN 提供接口令牌。
      未给 --key 时取平台 /api/v1/ledger/key（请与平台公布的密钥核对）。

退出码：0 复核一致；1 发现问题；2 用法错误或网络错误。
`

// drawProof is the proof as served (GET /api/v1/draws/{id}/proof); the
// verifier keeps its own copy of the shape rather than the server's type.
type drawProof struct {
	DrawID       string          `json:"draw_id"`
	LotCode      string          `json:"lot_code"`
	Attempt      int             `json:"attempt"`
	Status       string          `json:"status"`
	Request      json.RawMessage `json:"request"`
	RequestIndex int64           `json:"request_index"`
	Pool         json.RawMessage `json:"pool"`
	Checkpoint   string          `json:"checkpoint"`
	Result       *draw.Result    `json:"result"`
	ResultIndex  int64           `json:"result_index"`
	Failure      string          `json:"failure"`
}

// DrawMain runs `ggzy verify-draw`.
func DrawMain(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := newFlagSet("ggzy verify-draw")
	siteURL := fs.String("url", "", "平台地址")
	id := fs.String("draw", "", "抽取记录编号")
	file := fs.String("file", "", "抽取证明文件")
	key := fs.String("key", "", "检查点验证密钥")
	pos, err := parseArgs(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, drawUsage)
		return ExitOK
	case err != nil:
		return drawUsageError(stderr, "参数有误：%v", err)
	case len(pos) > 0:
		return drawUsageError(stderr, "多余的参数：%s", strings.Join(pos, " "))
	case *siteURL == "":
		return drawUsageError(stderr, "请给出 --url（核对留痕和检查点需要平台公开接口）")
	case (*id == "") == (*file == ""):
		return drawUsageError(stderr, "请给出 --draw 或 --file 之一")
	}
	rep, err := VerifyDraw(ctx, DrawConfig{URL: *siteURL, DrawID: *id, File: *file, Key: *key, Token: getenv("GGZY_TOKEN")})
	return finish(rep, err, stdout, stderr)
}

func drawUsageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, format+"\n\n", args...)
	fmt.Fprint(stderr, drawUsage)
	return ExitError
}

// DrawConfig says which draw to re-run and where.
type DrawConfig struct {
	URL    string
	DrawID string
	File   string // a saved proof instead of fetching it
	Key    string // checkpoint verifier key; "" = the platform's published key
	Token  string // bearer token (staff, before the evaluation ends)
	HTTP   *http.Client
}

// VerifyDraw re-runs a finished draw from its proof and checks the proof
// against the public ledger. Problems go in the report; err means nothing
// could be concluded.
func VerifyDraw(ctx context.Context, cfg DrawConfig) (Report, error) {
	rep := Report{Title: "评标专家抽取复核"}
	c, err := newClient(cfg.URL, cfg.HTTP)
	if err != nil {
		return rep, err
	}
	var raw []byte
	if cfg.File != "" {
		if raw, err = os.ReadFile(cfg.File); err != nil {
			return rep, fmt.Errorf("读取抽取证明失败：%v", err)
		}
	} else if raw, err = c.getAuth(ctx, "/api/v1/draws/"+url.PathEscape(cfg.DrawID)+"/proof", cfg.Token); err != nil {
		return rep, err
	}
	var pr drawProof
	if err := json.Unmarshal(raw, &pr); err != nil {
		return rep, fmt.Errorf("抽取证明格式错误：%v", err)
	}
	rep.Title = fmt.Sprintf("评标专家抽取复核：标段 %s 第 %d 次抽取（%s）", pr.LotCode, pr.Attempt, pr.DrawID)

	// The key that signs checkpoints.
	vkey := cfg.Key
	if vkey == "" {
		k, err := c.key(ctx)
		if err != nil {
			return rep, err
		}
		vkey = k.VerifierKey
		rep.fact("检查点验证密钥取自平台 /api/v1/ledger/key（%s），请与平台公布的密钥核对", k.Fingerprint)
	}
	v, err := verifierFromKey(vkey)
	if err != nil {
		return rep, err
	}
	cp, err := openCheckpoint([]byte(pr.Checkpoint), v)
	if err != nil {
		rep.problem("作为随机数来源的检查点：%v", err)
		return rep, nil
	}
	rep.fact("检查点签名有效：树规模 %d，根哈希 %x", cp.Size, cp.Root)

	// The request and the pool are what the ledger committed.
	var req draw.Request
	if err := json.Unmarshal(pr.Request, &req); err != nil {
		return rep, fmt.Errorf("抽取请求格式错误：%v", err)
	}
	var pool []draw.Expert
	if err := json.Unmarshal(pr.Pool, &pool); err != nil {
		return rep, fmt.Errorf("专家库快照格式错误：%v", err)
	}
	p, err := draw.NewPool(pool)
	if err != nil {
		rep.problem("专家库快照无效：%v", err)
		return rep, nil
	}
	reqDigest := draw.RequestDigest(req)
	if got := gm.SM3(pr.Request); hex.EncodeToString(got[:]) != hex.EncodeToString(reqDigest) {
		rep.problem("证明中的抽取请求不是规范形式（其摘要与按规范重算的不同）")
	}
	entries, err := c.entries(ctx, uint64(pr.RequestIndex), uint64(pr.RequestIndex)+1)
	if err != nil {
		return rep, err
	}
	if len(entries) != 1 || entries[0].Index != pr.RequestIndex {
		rep.problem("留痕中找不到抽取请求记录（第 %d 号）", pr.RequestIndex)
		return rep, nil
	}
	reqEntry := entries[0]
	pub := map[string]any{}
	_ = json.Unmarshal(reqEntry.Public, &pub)
	switch {
	case reqEntry.Type != "evaluation.draw_requested":
		rep.problem("第 %d 号留痕记录不是抽取请求（类型 %s）", pr.RequestIndex, reqEntry.Type)
	case pub["request_digest"] != hex.EncodeToString(reqDigest):
		rep.problem("抽取请求与第 %d 号留痕记录承诺的摘要不一致", pr.RequestIndex)
	case pub["pool_digest"] != p.Digest():
		rep.problem("专家库快照与第 %d 号留痕记录承诺的摘要不一致", pr.RequestIndex)
	case fmt.Sprint(pub["attempt"]) != strconv.Itoa(pr.Attempt):
		rep.problem("抽取次数与留痕不一致：证明为第 %d 次，留痕为 %v", pr.Attempt, pub["attempt"])
	default:
		rep.fact("抽取请求（第 %d 号留痕，第 %d 次抽取）与专家库快照（%d 名专家）的摘要均与留痕承诺一致", pr.RequestIndex, pr.Attempt, p.Len())
	}

	// The checkpoint came after the request: it includes the request entry.
	if cp.Size <= uint64(pr.RequestIndex) {
		rep.problem("检查点（规模 %d）不包含抽取请求（第 %d 号），随机数可能先于请求产生", cp.Size, pr.RequestIndex)
		return rep, nil
	}
	leaf, err := reqEntry.LeafHash()
	if err != nil {
		return rep, err
	}
	proof, err := c.inclusion(ctx, uint64(pr.RequestIndex), cp.Size)
	if err != nil {
		return rep, err
	}
	if err := ledger.VerifyInclusion(uint64(pr.RequestIndex), cp.Size, leaf, proof, cp.Root); err != nil {
		rep.problem("抽取请求不在签名检查点的树中：%v", err)
	} else {
		rep.fact("抽取请求包含在签名检查点中（先有请求，后有随机数）")
	}

	// Re-run.
	seed := draw.Seed(reqDigest, cp.Root, cp.Size)
	res, drawErr := p.Draw(req, seed)
	var short *draw.ShortageError
	switch {
	case pr.Status == "failed":
		if !errors.As(drawErr, &short) {
			rep.problem("记录为抽取失败，但重新抽取成功")
		} else {
			rep.fact("重新抽取同样因专家不足而失败：%s", short.Error())
		}
		return rep, nil
	case drawErr != nil:
		rep.problem("重新抽取失败：%v", drawErr)
		return rep, nil
	case pr.Result == nil:
		rep.problem("证明没有抽取结果")
		return rep, nil
	}
	if err := p.Verify(req, seed, *pr.Result); err != nil {
		rep.problem("重新抽取的结果与记录不同：%v", err)
		return rep, nil
	}
	resEntries, err := c.entries(ctx, uint64(pr.ResultIndex), uint64(pr.ResultIndex)+1)
	if err != nil {
		return rep, err
	}
	if len(resEntries) != 1 || resEntries[0].Type != "evaluation.draw_done" {
		rep.problem("留痕中找不到抽取结果记录（第 %d 号）", pr.ResultIndex)
		return rep, nil
	}
	rpub := map[string]any{}
	_ = json.Unmarshal(resEntries[0].Public, &rpub)
	if rpub["result_digest"] != res.Digest || rpub["seed"] != hex.EncodeToString(seed) {
		rep.problem("抽取结果或随机种子与第 %d 号留痕记录不一致", pr.ResultIndex)
		return rep, nil
	}
	members, backups := 0, 0
	for _, n := range res.Needs {
		members += len(n.Members)
		backups += len(n.Backups)
	}
	rep.fact("以同一随机种子重新抽取，得到相同的 %d 名专家和 %d 名备选（结果摘要 %s，与第 %d 号留痕一致），回避 %d 人", members, backups, res.Digest, pr.ResultIndex, len(res.Exclusions))
	return rep, nil
}

// getAuth fetches an API path outside the ledger, with an optional token.
func (c *client) getAuth(ctx context.Context, path, token string) ([]byte, error) {
	u := c.base + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("无法构造请求 %s：%v", u, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("无法访问 %s：%v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPageBody+1))
	if err != nil {
		return nil, fmt.Errorf("读取 %s 的响应失败：%v", u, err)
	}
	if len(body) > maxPageBody {
		return nil, fmt.Errorf("%s 的响应超过 %d 字节", u, maxPageBody)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &serverError{Status: resp.StatusCode, Message: errorMessage(body)}
	}
	return body, nil
}
