package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPrecedenceDefaultsFileEnvFlags(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.json")
	if err := os.WriteFile(file, []byte(`{"addr":"127.0.0.1:1111","region":"450200","site_name":"柳州市公共资源交易平台"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GGZY_ADDR": "127.0.0.1:2222"}
	c, _, err := Load("serve", []string{"--config", file}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:2222" || c.Region != "450200" || c.SiteName != "柳州市公共资源交易平台" || c.DB != Defaults().DB {
		t.Fatalf("env over file over defaults broken: %+v", c)
	}
	c, _, err = Load("serve", []string{"--config", file, "--addr", "127.0.0.1:3333"}, func(k string) string { return env[k] })
	if err != nil || c.Addr != "127.0.0.1:3333" {
		t.Fatalf("flag should win: %v %+v", err, c)
	}
}

func TestValidateRefusesBadValues(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"db":     {"GGZY_DB": "mysql://x"},
		"region": {"GGZY_REGION": "4501"},
		"upload": {"GGZY_MAX_UPLOAD_MB": "abc"},
		"level":  {"GGZY_LOG_LEVEL": "loud"},
	} {
		if _, _, err := Load("serve", nil, func(k string) string { return env[k] }); err == nil {
			t.Errorf("%s: accepted %v", name, env)
		}
	}
	if _, _, err := Load("serve", []string{"--config", "/nonexistent.json"}, func(string) string { return "" }); err == nil {
		t.Error("missing config file accepted")
	}
}
