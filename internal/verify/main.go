package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"ggzy/internal/ledger"
)

// Exit codes of `ggzy verify`.
const (
	ExitOK       = 0 // everything verified
	ExitProblems = 1 // the check ran and found problems
	ExitError    = 2 // usage, network or database error: nothing was concluded
)

const usage = `用法：
  ggzy verify --url URL [--state FILE] [--key VKEY] [--origin ORIGIN] [--full]
      独立监测：只通过平台公开接口核验留痕——检查点签名与来源标识、逐条重算叶哈希与根哈希、
      与上次核验的检查点之间的一致性证明、每条披露记录与其所披露记录的承诺。
      --state 记住已核验的检查点、树前沿和验证密钥，下次只核验新增记录；
      未给 --key 时用状态文件中的密钥，首次则取平台 /api/v1/ledger/key 并记入状态文件。
      --full 重新核验全部记录（已有状态文件时，还核对历史记录未被改写）。

  ggzy verify --db DSN [--key VKEY]
      运维核查：只读数据库（sqlite:PATH 或 postgres://…），由记录重算全部叶节点、中间节点、
      树头和检查点根哈希，逐一与库中所存比较，并核对每条记录的不公开部分与其承诺；
      给出 --key 时还核验每个检查点的签名。

  ggzy verify receipt FILE [--key VKEY | --url URL]
      核验投标回执：检查点签名、承诺、投标文件摘要、包含性证明；给出 --url 时还核对
      该记录仍在平台最新的留痕中。两者都不给时只用回执自带的密钥，仅能证明回执内部一致。

退出码：0 全部核验通过；1 发现问题；2 用法错误或网络、数据库错误。
`

// Main runs `ggzy verify` with args (after "verify") and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "receipt" {
		return receiptMain(ctx, args[1:], stdout, stderr)
	}
	fs := newFlagSet("ggzy verify")
	siteURL := fs.String("url", "", "平台地址")
	statePath := fs.String("state", "", "状态文件")
	key := fs.String("key", "", "检查点验证密钥")
	origin := fs.String("origin", "", "检查点来源标识")
	full := fs.Bool("full", false, "重新核验全部记录")
	dsn := fs.String("db", "", "数据库")
	pos, err := parseArgs(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return ExitOK
	case err != nil:
		return usageError(stderr, "参数有误：%v", err)
	case len(pos) > 0:
		return usageError(stderr, "多余的参数：%s", strings.Join(pos, " "))
	case *siteURL != "" && *dsn != "":
		return usageError(stderr, "--url 与 --db 只能选一个")
	case *siteURL != "":
		rep, err := Monitor(ctx, MonitorConfig{URL: *siteURL, StatePath: *statePath, Key: *key, Origin: *origin, Full: *full})
		return finish(rep, err, stdout, stderr)
	case *dsn != "":
		if *statePath != "" || *origin != "" || *full {
			return usageError(stderr, "--state、--origin、--full 只用于 --url")
		}
		return auditMain(ctx, *dsn, *key, stdout, stderr)
	}
	return usageError(stderr, "请给出 --url、--db 或 receipt FILE")
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported in Chinese by the caller
	fs.Usage = func() {}
	return fs
}

// parseArgs lets flags come before or after positional arguments
// ("receipt FILE --key K" and "receipt --key K FILE").
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

func usageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, format+"\n\n", args...)
	fmt.Fprint(stderr, usage)
	return ExitError
}

// finish prints a report and maps it to an exit code. A check stopped by an
// error prints what it had found so far but concludes nothing.
func finish(rep Report, err error, stdout, stderr io.Writer) int {
	if err != nil {
		if len(rep.Facts) > 0 || len(rep.Problems) > 0 {
			rep.writeUnfinished(stdout)
		}
		fmt.Fprintf(stderr, "核验未完成：%v\n", err)
		return ExitError
	}
	rep.Write(stdout)
	if !rep.OK() {
		return ExitProblems
	}
	return ExitOK
}

func (r Report) writeUnfinished(w io.Writer) {
	var b strings.Builder
	b.WriteString(r.Title + "\n")
	for _, f := range r.Facts {
		b.WriteString("  " + f + "\n")
	}
	for _, p := range r.Problems {
		b.WriteString("  ✗ " + p + "\n")
	}
	b.WriteString("结论：核验未完成。\n")
	_, _ = io.WriteString(w, b.String())
}

func auditMain(ctx context.Context, dsn, key string, stdout, stderr io.Writer) int {
	var v note.Verifier
	if key != "" {
		var err error
		if v, err = verifierFromKey(key); err != nil {
			return usageError(stderr, "%v", err)
		}
	}
	db, err := openAudit(ctx, dsn)
	if err != nil {
		fmt.Fprintf(stderr, "核验未完成：%v\n", err)
		return ExitError
	}
	defer db.Close()
	rep, err := Audit(ctx, db, v)
	rep.Title = "留痕数据库核查：" + redactDSN(dsn)
	return finish(rep, err, stdout, stderr)
}

// checkSQLitePath refuses a SQLite path that does not exist: opening it
// would create an empty database and "verify" that.
func checkSQLitePath(dsn string) error {
	path, ok := strings.CutPrefix(dsn, "sqlite:")
	if !ok {
		return nil
	}
	path = strings.TrimPrefix(path, "file:")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("数据库文件 %s 不存在或无法访问", path)
	}
	return nil
}

// redactDSN hides a password in a PostgreSQL URL before it is printed.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

func receiptMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("ggzy verify receipt")
	key := fs.String("key", "", "检查点验证密钥")
	siteURL := fs.String("url", "", "平台地址")
	pos, err := parseArgs(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return ExitOK
	case err != nil:
		return usageError(stderr, "参数有误：%v", err)
	case len(pos) != 1:
		return usageError(stderr, "请给出一个回执文件")
	case *key != "" && *siteURL != "":
		return usageError(stderr, "--key 与 --url 只能选一个")
	}
	b, err := os.ReadFile(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "核验未完成：无法读取回执文件：%v\n", err)
		return ExitError
	}
	rep := Report{Title: "回执核验：" + pos[0]}
	r, err := ParseReceipt(b)
	if err != nil {
		rep.problem("%v", err)
		rep.Write(stdout)
		return ExitProblems
	}
	rep, err = CheckReceipt(ctx, r, ReceiptConfig{Key: *key, URL: *siteURL})
	rep.Title = "回执核验：" + pos[0]
	return finish(rep, err, stdout, stderr)
}

// ReceiptConfig says which key to trust for a receipt: Key, else the
// platform's at URL (which also checks the entry is still in the ledger),
// else the one inside the receipt.
type ReceiptConfig struct {
	Key  string
	URL  string
	HTTP *http.Client
}

// CheckReceipt verifies r and reports in Chinese. The error is for what
// stopped the check (a bad --key, the network).
func CheckReceipt(ctx context.Context, r Receipt, cfg ReceiptConfig) (Report, error) {
	rep := Report{Title: "回执核验"}
	v, c, err := receiptVerifier(ctx, r, cfg, &rep)
	if err != nil || v == nil {
		return rep, err
	}
	rep.fact("留痕序号 %d，投标文件 SM3 %s", r.Entry.Index, r.ContentHash)
	if text := statementText(r.Statement); text != "" {
		rep.fact("回执说明：%s", text)
	}
	if err := VerifyReceipt(r, v); err != nil {
		var re *ReceiptError
		if !errors.As(err, &re) {
			return rep, err
		}
		for _, f := range re.Faults {
			rep.problem("%s", f.Msg)
		}
		return rep, nil
	}
	cp, err := openCheckpoint([]byte(r.Checkpoint), v)
	if err != nil {
		return rep, err
	}
	rep.fact("检查点：规模 %d，根哈希 %s，签名时间 %s；签名、承诺、文件摘要与包含性证明均已核验", cp.Size, b64(cp.Root), beijing(cp.At))
	if c != nil {
		return rep, stillInLedger(ctx, c, cp, v, &rep)
	}
	return rep, nil
}

// receiptVerifier picks the key to trust; with --url it also returns the
// client for the follow-up check.
func receiptVerifier(ctx context.Context, r Receipt, cfg ReceiptConfig, rep *Report) (note.Verifier, *client, error) {
	var vkey string
	var c *client
	switch {
	case cfg.Key != "":
		vkey = cfg.Key
		rep.fact("验证密钥：%s（来自 --key）", vkey)
	case cfg.URL != "":
		var err error
		if c, err = newClient(cfg.URL, cfg.HTTP); err != nil {
			return nil, nil, err
		}
		k, err := c.key(ctx)
		if err != nil {
			return nil, nil, err
		}
		vkey = k.VerifierKey
		rep.fact("验证密钥：%s（取自平台 %s%s）", vkey, cfg.URL, fingerprint(k))
		if k.Origin != r.Origin {
			rep.problem("回执的来源标识 %q 不是该平台的（%q）", r.Origin, k.Origin)
		}
	default:
		vkey = r.VerifierKey
		rep.fact("验证密钥：回执自带的 %s。注意：这只证明回执内部一致，不能证明回执由平台签发；请用 --key（平台公布的密钥）或 --url 核验", vkey)
	}
	if cfg.Key != "" || cfg.URL != "" {
		if r.VerifierKey != vkey {
			rep.fact("回执所附的验证密钥与所用的不同，以所用密钥为准")
		}
	}
	v, err := verifierFromKey(vkey)
	if err != nil {
		if cfg.Key != "" {
			return nil, nil, err
		}
		rep.problem("%v", err)
		return nil, nil, nil
	}
	return v, c, nil
}

// statementText is the statement's human-readable sentence, if any.
func statementText(st json.RawMessage) string {
	var s struct {
		Text string `json:"text"`
	}
	if len(bytes.TrimSpace(st)) == 0 || json.Unmarshal(st, &s) != nil {
		return ""
	}
	return s.Text
}

// stillInLedger proves that the platform's current tree extends the
// receipt's checkpoint, so the entry has not been dropped since.
func stillInLedger(ctx context.Context, c *client, cp ledger.Checkpoint, v note.Verifier, rep *Report) error {
	text, err := c.checkpoint(ctx)
	if err != nil {
		return err
	}
	latest, err := openCheckpoint(text, v)
	if err != nil {
		rep.problem("平台最新的检查点未通过核验：%v", err)
		return nil
	}
	switch {
	case latest.Size < cp.Size:
		rep.problem("平台最新检查点的规模 %d 小于回执中的 %d：记录被删减或回滚", latest.Size, cp.Size)
	case latest.Size == cp.Size:
		if !bytes.Equal(latest.Root, cp.Root) {
			rep.problem("平台最新检查点与回执中的检查点规模相同（%d）而根哈希不同：平台的树被改写", cp.Size)
			return nil
		}
		rep.fact("平台最新检查点即回执中的检查点")
	default:
		proof, err := c.consistency(ctx, cp.Size, latest.Size)
		if err != nil {
			if !isServerError(err) {
				return err
			}
			rep.problem("无法取得从规模 %d 到规模 %d 的一致性证明：%v", cp.Size, latest.Size, err)
			return nil
		}
		if ledger.VerifyConsistency(cp.Size, latest.Size, proof, cp.Root, latest.Root) != nil {
			rep.problem("从回执的检查点（规模 %d）到平台最新检查点（规模 %d）的一致性证明未通过", cp.Size, latest.Size)
			return nil
		}
		rep.fact("一致性证明：回执的检查点（规模 %d）→ 平台最新检查点（规模 %d）通过，该记录仍在留痕中", cp.Size, latest.Size)
	}
	return nil
}
