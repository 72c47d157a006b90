// Package config is the typed configuration: defaults → optional JSON file →
// GGZY_* environment → command-line flags → Validate().
package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything a process needs to start.
type Config struct {
	Addr        string         `json:"addr"`         // listen address
	DB          string         `json:"db"`           // sqlite:PATH | postgres://…
	DataDir     string         `json:"data_dir"`     // blobs (and the SQLite file in demo)
	Region      string         `json:"region"`       // GB/T 2260 code of this platform
	SiteName    string         `json:"site_name"`    // 南宁市公共资源交易平台
	Sponsor     string         `json:"sponsor"`      // 主办单位, shown in the footer when set
	CalendarDir string         `json:"calendar_dir"` // holiday CSVs to load at start-up ("" = none)
	LogLevel    string         `json:"log_level"`    // debug | info | warn | error
	TrustProxy  bool           `json:"trust_proxy"`  // honour X-Forwarded-For
	MaxUploadMB int64          `json:"max_upload_mb"`
	JobPoll     time.Duration  `json:"job_poll"`     // job runner poll interval
	MetricsFrom []netip.Prefix `json:"metrics_from"` // networks allowed to read /metrics
	ClockOffset time.Duration  `json:"-"`            // demo acceleration only; never from file or env in serve
	// KeyFile holds the platform's SM2 signing key (PKCS#8, encrypted with
	// KeyPassphrase); "" = DATA_DIR/platform-key.pem, created at first start.
	KeyFile string `json:"key_file"`
	// KeyPassphrase unlocks KeyFile; from GGZY_KEY_PASSPHRASE only, never a file.
	KeyPassphrase string `json:"-"`
}

// PlatformKeyFile is where the platform's signing key is kept.
func (c Config) PlatformKeyFile() string {
	if c.KeyFile != "" {
		return c.KeyFile
	}
	return filepath.Join(c.DataDir, "platform-key.pem")
}

// Defaults returns the built-in configuration.
func Defaults() Config {
	return Config{
		Addr: "127.0.0.1:8080", DB: "sqlite:ggzy-data/ggzy.db", DataDir: "ggzy-data", Region: "450100",
		SiteName: "南宁市公共资源交易平台", CalendarDir: defaultCalendarDir(), LogLevel: "info", MaxUploadMB: 512, JobPoll: 500 * time.Millisecond,
		MetricsFrom: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
	}
}

// defaultCalendarDir finds the official table beside the repository, if any.
func defaultCalendarDir() string {
	for _, d := range []string{"../shared/reference/calendar", "shared/reference/calendar"} {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			abs, _ := filepath.Abs(d)
			return abs
		}
	}
	return ""
}

// Load builds the configuration for a subcommand from args and env.
// Flags: --config FILE, --addr, --db, --data, --region, --calendar.
func Load(name string, args []string, getenv func(string) string) (Config, *flag.FlagSet, error) {
	c := Defaults()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	file := fs.String("config", getenv("GGZY_CONFIG"), "JSON 配置文件路径")
	addr := fs.String("addr", "", "监听地址，如 127.0.0.1:8080（GGZY_ADDR）")
	db := fs.String("db", "", "数据库：sqlite:PATH 或 postgres://…（GGZY_DB）")
	data := fs.String("data", "", "数据目录（GGZY_DATA_DIR）")
	region := fs.String("region", "", "本平台行政区划代码（GGZY_REGION）")
	cal := fs.String("calendar", "", "节假日表目录（GGZY_CALENDAR_DIR）")
	if err := fs.Parse(args); err != nil {
		return c, fs, err
	}
	if *file != "" {
		b, err := os.ReadFile(*file)
		if err != nil {
			return c, fs, fmt.Errorf("读取配置文件失败: %w", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return c, fs, fmt.Errorf("配置文件 %s 格式错误: %w", *file, err)
		}
	}
	env := func(k string, dst *string) {
		if v := getenv(k); v != "" {
			*dst = v
		}
	}
	env("GGZY_ADDR", &c.Addr)
	env("GGZY_DB", &c.DB)
	env("GGZY_DATA_DIR", &c.DataDir)
	env("GGZY_REGION", &c.Region)
	env("GGZY_SITE_NAME", &c.SiteName)
	env("GGZY_SPONSOR", &c.Sponsor)
	env("GGZY_CALENDAR_DIR", &c.CalendarDir)
	env("GGZY_LOG_LEVEL", &c.LogLevel)
	env("GGZY_KEY_FILE", &c.KeyFile)
	env("GGZY_KEY_PASSPHRASE", &c.KeyPassphrase)
	if v := getenv("GGZY_TRUST_PROXY"); v != "" {
		c.TrustProxy = v == "1" || v == "true"
	}
	if v := getenv("GGZY_MAX_UPLOAD_MB"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return c, fs, fmt.Errorf("GGZY_MAX_UPLOAD_MB 应为整数: %w", err)
		}
		c.MaxUploadMB = n
	}
	if v := getenv("GGZY_METRICS_FROM"); v != "" {
		c.MetricsFrom = nil
		for _, part := range strings.Split(v, ",") {
			p, err := netip.ParsePrefix(strings.TrimSpace(part))
			if err != nil {
				return c, fs, fmt.Errorf("GGZY_METRICS_FROM 应为逗号分隔的网段，如 10.0.0.0/8: %w", err)
			}
			c.MetricsFrom = append(c.MetricsFrom, p)
		}
	}
	if v := getenv("GGZY_JOB_POLL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fs, fmt.Errorf("GGZY_JOB_POLL 应为时长，如 500ms: %w", err)
		}
		c.JobPoll = d
	}
	set := func(v string, dst *string) {
		if v != "" {
			*dst = v
		}
	}
	set(*addr, &c.Addr)
	set(*db, &c.DB)
	set(*data, &c.DataDir)
	set(*region, &c.Region)
	set(*cal, &c.CalendarDir)
	return c, fs, c.Validate()
}

// Validate checks the configuration.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("addr 不能为空"))
	}
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		errs = append(errs, fmt.Errorf("db 应为 sqlite:PATH 或 postgres://…，现为 %q", c.DB))
	}
	if len(c.Region) != 6 || strings.Trim(c.Region, "0123456789") != "" {
		errs = append(errs, fmt.Errorf("region 应为6位行政区划代码，现为 %q", c.Region))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data_dir 不能为空"))
	}
	if c.MaxUploadMB <= 0 {
		errs = append(errs, errors.New("max_upload_mb 应大于0"))
	}
	if c.JobPoll < 10*time.Millisecond {
		errs = append(errs, errors.New("job_poll 不能小于10ms"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log_level 无效: %q", c.LogLevel))
	}
	return errors.Join(errs...)
}
