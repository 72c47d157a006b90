package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/note"

	"ggzy/internal/ledger"
)

// MonitorConfig says what Monitor checks.
type MonitorConfig struct {
	URL       string       // the platform's address
	StatePath string       // "" = check from index 0 and remember nothing
	Key       string       // verifier key; "" = from the state file, else from the platform (then pinned)
	Origin    string       // expected checkpoint origin; "" = from the state file, else from the platform
	Full      bool         // re-fetch every entry, not only those after the state
	HTTP      *http.Client // nil = a client with a timeout
	PageSize  int          // entries per request; 0 or more than MaxPage = MaxPage
}

// stateVersion marks the state file format.
const stateVersion = "ggzy-monitor-state-v1"

// State is what a monitor remembers between runs: the key and origin it
// trusts, the last checkpoint it verified and the tree frontier at that
// size, so the next run fetches only new entries and proves that the new
// tree extends the old one.
type State struct {
	Version     string   `json:"version"`
	URL         string   `json:"url"`
	Origin      string   `json:"origin"`
	VerifierKey string   `json:"verifier_key"`
	Size        uint64   `json:"size"`
	Checkpoint  string   `json:"checkpoint"` // the signed note
	Frontier    []string `json:"frontier"`   // Base64 hashes of the compact range [0, size)
}

// Monitor checks the platform's ledger through its public API. Problems go
// into the report; the error is for what stopped the check (usage, network,
// a state file that cannot be read). The state file is written only when
// the report has no problems.
func Monitor(ctx context.Context, cfg MonitorConfig) (Report, error) {
	m := &monitor{cfg: cfg, rep: Report{Title: "留痕监测：" + cfg.URL}, opened: map[int64]string{}}
	err := m.run(ctx)
	return m.rep, err
}

type monitor struct {
	cfg MonitorConfig
	c   *client
	rep Report

	v            note.Verifier
	vkey, origin string
	keyInfo      *keyInfo // the platform's /ledger/key, when fetched

	prev  *ledger.Checkpoint // verified in an earlier run
	front ledger.Frontier    // leaves folded so far
	cp    ledger.Checkpoint  // verified in this run

	start   uint64   // first index fetched in this run
	leaves  [][]byte // recomputed leaves from start on; nil = missing or unreadable
	commits []string // their commitments, for reveals
	opened  map[int64]string
	broken  bool // an entry is missing or unreadable: the root cannot be recomputed
	stop    bool // nothing more can be checked against this checkpoint
	checked int
	reveals int
}

func (m *monitor) run(ctx context.Context) error {
	var err error
	if m.c, err = newClient(m.cfg.URL, m.cfg.HTTP); err != nil {
		return err
	}
	st, err := loadState(m.cfg.StatePath)
	if err != nil {
		return err
	}
	steps := []func(context.Context, *State) error{m.trustKey, m.trustOrigin, m.restore, m.fetchCheckpoint, m.checkConsistency, m.fetchEntries, m.checkRoot}
	for _, step := range steps {
		if err := step(ctx, st); err != nil {
			return err
		}
		if m.stop {
			return nil
		}
	}
	m.summary()
	if m.rep.OK() && m.cfg.StatePath != "" {
		return m.save()
	}
	return nil
}

// platformKey fetches /ledger/key once.
func (m *monitor) platformKey(ctx context.Context) (keyInfo, error) {
	if m.keyInfo == nil {
		k, err := m.c.key(ctx)
		if err != nil {
			return k, err
		}
		m.keyInfo = &k
	}
	return *m.keyInfo, nil
}

// trustKey picks the verifier key: --key, else the pinned one, else the
// platform's on first use (trust on first use, said plainly).
func (m *monitor) trustKey(ctx context.Context, st *State) error {
	switch {
	case m.cfg.Key != "":
		if st != nil && st.VerifierKey != m.cfg.Key {
			return fmt.Errorf("--key 与状态文件 %s 中记录的验证密钥不同；如平台确已更换密钥，请核实后换用新的状态文件", m.cfg.StatePath)
		}
		m.vkey = m.cfg.Key
		m.rep.fact("验证密钥：%s（来自 --key）", m.vkey)
	case st != nil:
		m.vkey = st.VerifierKey
		m.rep.fact("验证密钥：%s（来自状态文件，首次核验时已记录）", m.vkey)
	default:
		k, err := m.platformKey(ctx)
		if err != nil {
			return err
		}
		m.vkey = k.VerifierKey
		m.rep.fact("验证密钥：%s（取自平台 /api/v1/ledger/key，首次使用即信任%s，请与平台另行公布的密钥核对）", m.vkey, fingerprint(k))
		if m.cfg.StatePath != "" {
			m.rep.fact("核验全部通过后，此密钥将记入状态文件，以后只信任此密钥")
		} else {
			m.rep.fact("未指定 --state：密钥不会保存，本次结果只证明平台所给数据自洽")
		}
	}
	var err error
	m.v, err = verifierFromKey(m.vkey)
	return err
}

// trustOrigin picks the expected origin the same way: a checkpoint of
// another log signed with the same key must not pass.
func (m *monitor) trustOrigin(ctx context.Context, st *State) error {
	switch {
	case m.cfg.Origin != "":
		if st != nil && st.Origin != m.cfg.Origin {
			return fmt.Errorf("--origin 与状态文件中记录的来源标识 %q 不同", st.Origin)
		}
		m.origin = m.cfg.Origin
	case st != nil:
		m.origin = st.Origin
	default:
		k, err := m.platformKey(ctx)
		if err != nil {
			return err
		}
		m.origin = k.Origin
		m.rep.fact("来源标识：%s（取自平台 /api/v1/ledger/key）", m.origin)
	}
	if k := m.keyInfo; k != nil && k.VerifierKey != m.vkey {
		m.rep.fact("注意：平台 /api/v1/ledger/key 现在公布的验证密钥与本次所用的不同")
	}
	return nil
}

// restore re-checks the state file against its own key before relying on it:
// a damaged or edited file must not make a later run pass or fail wrongly.
func (m *monitor) restore(_ context.Context, st *State) error {
	if st == nil {
		return nil
	}
	prev, err := openCheckpoint([]byte(st.Checkpoint), m.v)
	if err != nil {
		return fmt.Errorf("状态文件中的检查点无法核验（文件可能被改动）：%v", err)
	}
	if prev.Origin != m.origin || prev.Size != st.Size {
		return errors.New("状态文件中的检查点与其记录的来源标识或规模不符（文件可能被改动）")
	}
	hs, err := ledger.UnB64(st.Frontier)
	if err != nil {
		return fmt.Errorf("状态文件中的前沿哈希损坏：%v", err)
	}
	front := ledger.Frontier{Size: prev.Size, Hashes: hs}
	if root, err := front.Root(); err != nil || !bytes.Equal(root, prev.Root) {
		return errors.New("状态文件中的前沿哈希与其检查点不符（文件可能被改动）")
	}
	m.prev = &prev
	if !m.cfg.Full {
		m.front = front
	}
	m.rep.fact("上次已核验至规模 %d，其检查点签名时间 %s", prev.Size, beijing(prev.At))
	return nil
}

// fetchCheckpoint verifies the platform's latest checkpoint; a checkpoint
// that fails is refused and nothing is checked against it.
func (m *monitor) fetchCheckpoint(ctx context.Context, _ *State) error {
	text, err := m.c.checkpoint(ctx)
	if err != nil {
		return err
	}
	cp, err := openCheckpoint(text, m.v)
	if err != nil {
		m.rep.problem("拒绝平台的最新检查点：%v", err)
		m.stop = true
		return nil
	}
	if cp.Origin != m.origin {
		m.rep.problem("拒绝平台的最新检查点：来源标识为 %q，应为 %q", cp.Origin, m.origin)
		m.stop = true
		return nil
	}
	m.cp = cp
	m.rep.fact("检查点：规模 %d，根哈希 %s，签名时间 %s，签名有效", cp.Size, b64(cp.Root), beijing(cp.At))
	return nil
}

// checkConsistency proves the new tree extends the one verified before.
func (m *monitor) checkConsistency(ctx context.Context, _ *State) error {
	p := m.prev
	if p == nil {
		return nil
	}
	if m.cp.At.Before(p.At) {
		m.rep.problem("新检查点的签名时间 %s 早于上次核验的检查点（%s）", beijing(m.cp.At), beijing(p.At))
	}
	switch {
	case m.cp.Size < p.Size:
		m.rep.problem("平台最新检查点的规模 %d 小于上次核验的规模 %d：记录被删减或回滚", m.cp.Size, p.Size)
		m.stop = true
	case m.cp.Size == p.Size:
		if !bytes.Equal(m.cp.Root, p.Root) {
			m.rep.problem("规模 %d 出现两个根哈希不同的已签名检查点（%s 与 %s）：平台的树被改写", p.Size, b64(p.Root), b64(m.cp.Root))
		}
	case p.Size == 0:
		// Every tree extends the empty one.
	default:
		proof, err := m.c.consistency(ctx, p.Size, m.cp.Size)
		if err != nil {
			if !isServerError(err) {
				return err
			}
			m.rep.problem("无法取得从规模 %d 到规模 %d 的一致性证明：%v", p.Size, m.cp.Size, err)
			return nil
		}
		if ledger.VerifyConsistency(p.Size, m.cp.Size, proof, p.Root, m.cp.Root) != nil {
			m.rep.problem("从规模 %d 到规模 %d 的一致性证明未通过：平台现在的树不是上次核验的树的延续", p.Size, m.cp.Size)
			return nil
		}
		m.rep.fact("一致性证明：规模 %d → %d 通过", p.Size, m.cp.Size)
	}
	return nil
}

// fetchEntries reads [front.Size, cp.Size) page by page and checks each
// index is the expected one.
func (m *monitor) fetchEntries(ctx context.Context, _ *State) error {
	m.start = m.front.Size
	if m.cp.Size <= m.start {
		return nil
	}
	page := uint64(m.cfg.PageSize)
	if page == 0 || page > MaxPage {
		page = MaxPage
	}
	for next := m.start; next < m.cp.Size; {
		end := min(next+page, m.cp.Size)
		es, err := m.c.entries(ctx, next, end)
		if err != nil {
			return err
		}
		if err := m.takePage(ctx, es, next, end); err != nil {
			return err
		}
		next = end
	}
	return nil
}

// takePage checks one page of [next, end). The platform fills a page from
// the rows it has, so after a gap it may return rows past end: those are
// left for the next page.
func (m *monitor) takePage(ctx context.Context, es []ledger.Published, next, end uint64) error {
	expect := int64(next)
	for _, p := range es {
		if p.Index >= int64(end) {
			break
		}
		if p.Index < expect {
			m.rep.problem("平台返回的记录 %d 重复或次序错乱", p.Index)
			continue
		}
		if p.Index > expect {
			m.missing(expect, p.Index-1)
		}
		if err := m.take(ctx, p); err != nil {
			return err
		}
		expect = p.Index + 1
	}
	if expect < int64(end) {
		m.missing(expect, int64(end)-1)
	}
	return nil
}

func (m *monitor) missing(from, to int64) {
	m.rep.problem("%s", missingMsg(from, to))
	m.broken = true
}

// take recomputes one entry's leaf, folds it into the tree and checks it
// if it is a reveal.
func (m *monitor) take(ctx context.Context, p ledger.Published) error {
	i := uint64(p.Index) - m.start
	// Grown as entries arrive, not sized from the checkpoint: memory follows
	// what the platform actually sent.
	for uint64(len(m.leaves)) <= i {
		m.leaves, m.commits = append(m.leaves, nil), append(m.commits, "")
	}
	leaf, err := p.LeafHash()
	if err != nil {
		m.rep.problem("记录 %d 的内容无法解析：%v", p.Index, err)
		m.broken = true
		return nil
	}
	m.leaves[i], m.commits[i] = leaf, p.Commitment
	m.checked++
	if !m.broken {
		if err := m.fold(leaf); err != nil {
			return err
		}
	}
	if p.Type == ledger.Revealed {
		return m.checkReveal(ctx, p)
	}
	return nil
}

func (m *monitor) fold(leaf []byte) error {
	f, _, err := m.front.Append(leaf)
	if err != nil {
		return err
	}
	m.front = f
	// --full re-derives the part verified before: it must give the same root.
	if p := m.prev; p != nil && m.cfg.Full && f.Size == p.Size {
		if root, err := f.Root(); err != nil || !bytes.Equal(root, p.Root) {
			m.rep.problem("由记录 0 至 %d 重算的根哈希与上次核验的检查点（规模 %d）不符：已核验的历史记录被改动", p.Size-1, p.Size)
		}
	}
	return nil
}

// checkReveal checks a reveal against the commitment of the entry it opens.
func (m *monitor) checkReveal(ctx context.Context, p ledger.Published) error {
	m.reveals++
	var r ledger.Reveal
	if err := json.Unmarshal(p.Public, &r); err != nil {
		m.rep.problem("记录 %d 是披露记录，但其公开内容无法解析", p.Index)
		return nil
	}
	if r.Of < 0 || r.Of >= p.Index {
		m.rep.problem("记录 %d 披露的记录 %d 不在它之前", p.Index, r.Of)
		return nil
	}
	commitment, ok, err := m.commitmentOf(ctx, r.Of, p.Index)
	if err != nil || !ok {
		return err
	}
	if !r.Check(commitment) {
		m.rep.problem("记录 %d 的披露与记录 %d 的承诺不符", p.Index, r.Of)
	}
	return nil
}

// commitmentOf returns the commitment of entry of (opened by entry by): from
// this run, or fetched and proved included in the signed tree.
func (m *monitor) commitmentOf(ctx context.Context, of, by int64) (string, bool, error) {
	if uint64(of) >= m.start {
		i := uint64(of) - m.start
		if i >= uint64(len(m.leaves)) || m.leaves[i] == nil {
			m.rep.problem("记录 %d 披露的记录 %d 缺失或无法解析，无法核对", by, of)
			return "", false, nil
		}
		return m.commits[i], true, nil
	}
	if c, ok := m.opened[of]; ok {
		return c, c != "", nil
	}
	c, err := m.fetchProved(ctx, of, by)
	m.opened[of] = c
	return c, c != "", err
}

// fetchProved fetches an entry verified in an earlier run and checks its
// inclusion in the new signed tree; "" when it fails (reported).
func (m *monitor) fetchProved(ctx context.Context, of, by int64) (string, error) {
	es, err := m.c.entries(ctx, uint64(of), uint64(of)+1)
	if err != nil {
		return "", err
	}
	if len(es) == 0 || es[0].Index != of {
		m.rep.problem("记录 %d 披露的记录 %d 缺失", by, of)
		return "", nil
	}
	leaf, err := es[0].LeafHash()
	if err != nil {
		m.rep.problem("记录 %d 披露的记录 %d 无法解析：%v", by, of, err)
		return "", nil
	}
	proof, err := m.c.inclusion(ctx, uint64(of), m.cp.Size)
	if err != nil {
		if !isServerError(err) {
			return "", err
		}
		m.rep.problem("无法取得记录 %d（被记录 %d 披露）的包含性证明：%v", of, by, err)
		return "", nil
	}
	if ledger.VerifyInclusion(uint64(of), m.cp.Size, leaf, proof, m.cp.Root) != nil {
		m.rep.problem("记录 %d（被记录 %d 披露）的内容与已签名的树不符", of, by)
		return "", nil
	}
	return es[0].Commitment, nil
}

// checkRoot compares the recomputed root with the signed one, and on a
// mismatch or a gap finds the entries at fault.
func (m *monitor) checkRoot(ctx context.Context, _ *State) error {
	if m.broken {
		m.rep.fact("因有记录缺失或无法解析，无法重算根哈希；改为逐条用包含性证明核验本次取得的记录")
		return m.localise(ctx)
	}
	root, err := m.front.Root()
	if err != nil {
		return err
	}
	if m.front.Size == m.cp.Size && bytes.Equal(root, m.cp.Root) {
		m.rep.fact("由记录重算的根哈希与检查点一致")
		return nil
	}
	m.rep.problem("由记录重算的根哈希 %s 与已签名的根哈希 %s 不符", b64(root), b64(m.cp.Root))
	return m.localise(ctx)
}

// localise checks every entry fetched in this run against the signed root
// with the platform's inclusion proof, and names each that fails.
func (m *monitor) localise(ctx context.Context) error {
	bad := 0
	for i, leaf := range m.leaves {
		if leaf == nil {
			continue
		}
		idx := m.start + uint64(i)
		proof, err := m.c.inclusion(ctx, idx, m.cp.Size)
		if err != nil {
			if !isServerError(err) {
				return err
			}
			m.rep.problem("无法取得记录 %d 的包含性证明：%v", idx, err)
			bad++
			continue
		}
		if ledger.VerifyInclusion(idx, m.cp.Size, leaf, proof, m.cp.Root) != nil {
			m.rep.problem("记录 %d 的内容与已签名的树不符", idx)
			bad++
		}
	}
	if bad == 0 && !m.broken {
		m.rep.problem("本次取得的记录都能用包含性证明核验：差异出在此前核验过的部分（状态文件或平台的历史记录），请用 --full 重新核验")
	}
	return nil
}

func (m *monitor) summary() {
	if m.checked == 0 {
		m.rep.fact("没有新记录需要核验")
		return
	}
	line := fmt.Sprintf("本次核验记录 %d 条（序号 %d 至 %d），其中披露记录 %d 条", m.checked, m.start, m.cp.Size-1, m.reveals)
	if m.reveals > 0 {
		line += "，均已与所披露记录的承诺核对"
	}
	m.rep.fact("%s", line)
}

// save writes the state after a fully successful run.
func (m *monitor) save() error {
	st := State{Version: stateVersion, URL: m.cfg.URL, Origin: m.origin, VerifierKey: m.vkey,
		Size: m.cp.Size, Checkpoint: string(m.cp.Note), Frontier: ledger.B64(m.front.Hashes)}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(m.cfg.StatePath, append(b, '\n')); err != nil {
		return fmt.Errorf("保存状态文件失败：%v", err)
	}
	m.rep.fact("状态已保存至 %s（规模 %d）", m.cfg.StatePath, m.cp.Size)
	return nil
}

// loadState reads the state file; a missing file is a first run.
func loadState(path string) (*State, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("读取状态文件失败：%v", err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil || st.Version != stateVersion {
		return nil, fmt.Errorf("状态文件 %s 格式不符（应为 %s）", path, stateVersion)
	}
	return &st, nil
}

// writeFileAtomic replaces path with b so that a crash leaves either the old
// or the new file, never a torn one: temp file in the same directory,
// synced, then renamed over.
func writeFileAtomic(path string, b []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// fingerprint is the "，公钥指纹 …" clause when the platform gave one.
func fingerprint(k keyInfo) string {
	if k.Fingerprint == "" {
		return ""
	}
	return "；公钥指纹 " + k.Fingerprint
}
