package verify

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/transparency-dev/merkle/proof"

	"ggzy/internal/store"
)

// Each test changes the database behind the application's back, on a fresh
// platform, and wants the change named by the monitor and/or the audit.

// A clean platform passes the audit, signatures included.
func TestAuditClean(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB, dsn string) {
		e := newEnv(t, db, dsn)
		e.reveal(e.firstConfidential(), "")
		e.appendNotes(5)
		e.sign()
		rep := e.audit(true)
		wantOK(t, rep)
		wantFact(t, rep, "2 个中 2 个有效")
		wantFact(t, e.audit(false), "未提供 --key")
	})
}

// (a) A changed public payload: the monitor finds the entry whose leaf the
// signed tree does not include; the audit finds the entry that no longer
// matches its (intact) leaf node.
func TestTamperPublic(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB, dsn string) {
		e := newEnv(t, db, dsn)
		const n = 7
		e.exec(`UPDATE ledger SET public = '{"role":"forged"}' WHERE idx = 7`)

		cfg := e.monitorCfg("")
		cfg.Key = e.key()
		rep := e.monitor(cfg)
		wantProblems(t, rep, 2, "根哈希", fmt.Sprintf("记录 %d 的内容与已签名的树不符", n))

		rep = e.audit(true)
		wantProblems(t, rep, -1, fmt.Sprintf("记录 %d 的内容与树中的叶哈希不符：该记录被改动", n), "树头", "检查点（规模")
		for _, p := range rep.Problems {
			if bytes.Contains([]byte(p), []byte("节点（层")) {
				t.Errorf("an intact node was blamed: %s", p)
			}
		}
	})
}

// (a') A row changed after the monitor checked it: incremental runs only
// see new entries (and the signed tree is intact), --full names the row.
func TestTamperPublicAfterMonitoring(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB, dsn string) {
		e := newEnv(t, db, dsn)
		state := filepath.Join(t.TempDir(), "monitor.json")
		wantOK(t, e.monitor(e.monitorCfg(state)))
		e.exec(`UPDATE ledger SET public = '{"role":"forged"}' WHERE idx = 12`)
		e.appendNotes(3)
		e.sign()
		wantOK(t, e.monitor(e.monitorCfg(state)))
		cfg := e.monitorCfg(state)
		cfg.Full = true
		wantProblems(t, e.monitor(cfg), -1, "已核验的历史记录被改动", "记录 12 的内容与已签名的树不符")
	})
}

// (b) A changed node hash: the audit names the node; the monitor's next run
// after a new checkpoint finds the consistency proof (built from stored
// nodes) no longer proves the new tree extends the one it verified.
func TestTamperNode(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB, dsn string) {
		e := newEnv(t, db, dsn)
		state := filepath.Join(t.TempDir(), "monitor.json")
		wantOK(t, e.monitor(e.monitorCfg(state)))
		size1 := e.size()
		e.appendNotes(20)
		size2 := e.size()

		// A node of the old tree on the consistency path.
		nodes, err := proof.Consistency(size1, size2)
		if err != nil {
			t.Fatal(err)
		}
		level, index := -1, uint64(0)
		for _, id := range nodes.IDs {
			if (id.Index+1)<<id.Level <= size1 {
				level, index = int(id.Level), id.Index
				break
			}
		}
		if level < 0 {
			t.Fatalf("no old node on the consistency path %d → %d", size1, size2)
		}
		e.exec(`UPDATE ledger_node SET hash = ? WHERE level = ? AND idx = ?`, bytes.Repeat([]byte{0xee}, 32), level, index)
		e.sign()

		rep := e.monitor(e.monitorCfg(state))
		wantProblems(t, rep, 1, fmt.Sprintf("从规模 %d 到规模 %d 的一致性证明未通过", size1, size2))

		rep = e.audit(true)
		wantProblems(t, rep, -1, fmt.Sprintf("节点（层 %d，序号 %d）的哈希被改动", level, index))
		for _, p := range rep.Problems {
			if bytes.Contains([]byte(p), []byte("记录")) {
				t.Errorf("an intact entry was blamed: %s", p)
			}
		}
	})
}

// (b') A changed leaf node is named as a node, not as its (intact) entry.
func TestTamperLeafNode(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB, dsn string) {
		e := newEnv(t, db, dsn)
		e.exec(`UPDATE ledger_node SET hash = ? WHERE level = 0 AND idx = 3`, bytes.Repeat([]byte{0xee}, 32))
		rep := e.audit(false)
		wantProblems(t, rep, 1, "节点（层 0，序号 3）的哈希被改动")
	})
}

// (c) A deleted entry is missing for both.
func TestTamperDelete(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB, dsn string) {
		e := newEnv(t, db, dsn)
		e.exec(`DELETE FROM ledger WHERE idx = 20`)
		cfg := e.monitorCfg("")
		cfg.Key = e.key()
		wantProblems(t, e.monitor(cfg), 1, "记录 20 缺失")
		wantProblems(t, e.audit(true), -1, "记录 20 缺失")
	})
}

// (d) A checkpoint signed by another key, replacing the latest one or
// added with a bigger size, is refused; the state does not move; the audit
// with the key names it.
func TestTamperCheckpoint(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB, dsn string) {
		e := newEnv(t, db, dsn)
		state := filepath.Join(t.TempDir(), "monitor.json")
		wantOK(t, e.monitor(e.monitorCfg(state)))
		before, _ := os.ReadFile(state)
		s, _, _ := otherKey(t)
		cp, err := e.w.Ledger.Latest(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		cp.Origin = e.w.Ledger.Origin() // the store keeps it only inside the note

		bigger := cp
		bigger.Size += 10
		e.exec(`INSERT INTO ledger_checkpoint (size, root, at, note) VALUES (?, ?, ?, ?)`, int64(bigger.Size), bigger.Root, "2026-03-02T02:00:00.000000Z", string(signNote(t, bigger, s)))
		wantProblems(t, e.monitor(e.monitorCfg(state)), 1, "拒绝平台的最新检查点")
		wantProblems(t, e.audit(true), -1, fmt.Sprintf("检查点（规模 %d）：检查点没有所信任密钥的签名", bigger.Size), fmt.Sprintf("检查点（规模 %d）超出树规模", bigger.Size))
		e.exec(`DELETE FROM ledger_checkpoint WHERE size = ?`, int64(bigger.Size))

		e.exec(`UPDATE ledger_checkpoint SET note = ? WHERE size = ?`, string(signNote(t, cp, s)), int64(cp.Size))
		wantProblems(t, e.monitor(e.monitorCfg(state)), 1, "拒绝平台的最新检查点")
		wantProblems(t, e.audit(true), 1, fmt.Sprintf("检查点（规模 %d）：检查点没有所信任密钥的签名", cp.Size))

		if after, _ := os.ReadFile(state); !bytes.Equal(before, after) {
			t.Fatal("the state file changed after a refused checkpoint")
		}
	})
}

// (e) A changed private part is invisible to the public (the monitor passes:
// the leaf covers only the commitment) and named by the audit.
func TestTamperPrivate(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB, dsn string) {
		e := newEnv(t, db, dsn)
		n := e.firstConfidential()
		e.exec(`UPDATE ledger SET private = '{"entity":"someone-else"}' WHERE idx = ?`, n)
		cfg := e.monitorCfg("")
		cfg.Key = e.key()
		wantOK(t, e.monitor(cfg))
		wantProblems(t, e.audit(true), 1, fmt.Sprintf("记录 %d 的不公开部分与其承诺不符", n))
	})
}
