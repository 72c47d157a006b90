package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"runtime/debug"

	"ggzy/internal/clock"
	"ggzy/internal/config"
	"ggzy/internal/store"
	"ggzy/internal/verify"
	"ggzy/internal/worker"
)

// Version is set at build time (-ldflags "-X ggzy/internal/app.Version=…").
var Version = "dev"

const usage = `ggzy — 公共资源交易平台

用法:
  ggzy demo    [--addr 127.0.0.1:8080] [--data DIR]   以演示数据运行（内嵌 SQLite）
  ggzy serve   [--addr ADDR] [--db sqlite:PATH|postgres://…] [--data DIR] [--config FILE]
  ggzy migrate [--db …]                                 只执行数据库迁移
  ggzy version

  ggzy keygen --out 私钥文件 [--pub 公钥文件]            生成 SM2 密钥对（私钥以 GGZY_KEY_PASSPHRASE 加密）
  ggzy seal --url URL --user 用户名 --key 私钥文件 --lot 标段ID --price 元 --duration 天 --manager 姓名 [--file 附件]…
                                                       在本机密封并递交投标文件（断点续传）
  ggzy seal --url URL --user 用户名 --key 私钥文件 --sale 交易ID --amount 元
                                                       在本机密封并提交一次报价（土地、矿业权、国有产权交易）
  ggzy custody open --url URL --user 用户名 --key 保管私钥文件 (--lot 标段ID | --sale 交易ID)
                                                       开标（报价截止）后在本机解密本人的密钥份额并提交
  ggzy verify --url URL [--state FILE] [--key VKEY]    独立核验平台留痕（签名、一致性、承诺揭示）
  ggzy verify receipt 回执文件 [--url URL | --key VKEY]  离线核验投标回执
  ggzy verify --db DSN                                  运营方对数据库逐行核验留痕树
  ggzy verify-draw --url URL --draw ID                  重新运行一次专家抽取，核对与记录一致

环境变量: GGZY_ADDR GGZY_DB GGZY_DATA_DIR GGZY_REGION GGZY_SITE_NAME GGZY_CALENDAR_DIR GGZY_LOG_LEVEL GGZY_CONFIG
          GGZY_KEY_FILE GGZY_KEY_PASSPHRASE（平台签名密钥及其口令；客户端命令中为私钥文件口令）GGZY_PASSWORD（客户端命令的登录密码）
`

// Main runs a subcommand and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, rest, stdout, stderr, getenv, false)
	case "demo":
		err = serve(ctx, rest, stdout, stderr, getenv, true)
	case "migrate":
		err = migrate(ctx, rest, stdout, stderr, getenv)
	case "version":
		fmt.Fprintln(stdout, "ggzy", versionString())
		return 0
	case "keygen":
		err = keygen(rest, stdout, getenv)
	case "seal":
		err = sealCmd(ctx, rest, stdout, getenv)
	case "custody":
		err = custodyCmd(ctx, rest, stdout, getenv)
	case "verify":
		return verify.Main(ctx, rest, stdout, stderr)
	case "verify-draw":
		return verify.DrawMain(ctx, rest, stdout, stderr, getenv)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "未知命令 %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "ggzy:", err)
		return 1
	}
	return 0
}

func versionString() string {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		v += " " + bi.GoVersion
	}
	return v
}

func logger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, demo bool) error {
	cfg, fs, err := config.Load(map[bool]string{true: "demo", false: "serve"}[demo], args, getenv)
	if err != nil {
		return err
	}
	if demo {
		// The demo always runs on its own embedded database in the data directory.
		dir := cfg.DataDir
		if getenv("GGZY_DATA_DIR") == "" && !flagSet(fs, "data") {
			dir = "ggzy-demo"
		}
		cfg.DataDir = dir
		cfg.DB = "sqlite:" + filepath.Join(dir, "ggzy.db")
		if cfg.KeyPassphrase == "" {
			// Demo only: the platform key and the demo users' key files are
			// locked with the demo password, printed below.
			cfg.KeyPassphrase = DemoPassword
		}
	}
	log := logger(stderr, cfg.LogLevel)
	a, err := Build(ctx, cfg, log, clock.Real{})
	if err != nil {
		return err
	}
	defer a.Close()
	var logins []Login
	if demo {
		logins, err = Seed(ctx, a)
		if err != nil {
			return fmt.Errorf("演示数据初始化失败: %w", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("监听 %s 失败: %w", cfg.Addr, err)
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "ggzy %s 已启动：%s （数据库 %s）\n", versionString(), url, redact(cfg.DB))
	if demo {
		fmt.Fprintln(stdout, "演示账号（密码均为 "+DemoPassword+"）：")
		for _, l := range logins {
			fmt.Fprintf(stdout, "  %-10s %-14s %s\n", l.Role, l.Username, l.Note)
		}
		fmt.Fprintf(stdout, "演示用户的私钥文件（投标签名、解密保管，口令同密码）：%s\n", KeyDir(cfg.DataDir))
		fmt.Fprintln(stdout, "按 Ctrl+C 停止。")
	}
	return a.Serve(ctx, ln)
}

func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, err := config.Load("migrate", args, getenv)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	r, err := worker.New(db.Writer(), db.Dialect(), nil, logger(stderr, cfg.LogLevel), worker.Options{})
	if err != nil {
		return err
	}
	if err := r.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "数据库迁移完成：", redact(cfg.DB))
	return nil
}

// redact hides passwords in a database URL (user info and query).
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "sqlite" || p.Opaque != "" {
		return u
	}
	if p.User != nil {
		if _, ok := p.User.Password(); ok {
			p.User = url.UserPassword(p.User.Username(), "xxx")
		}
	}
	q := p.Query()
	if q.Has("password") {
		q.Set("password", "xxx")
		p.RawQuery = q.Encode()
	}
	return p.String()
}
