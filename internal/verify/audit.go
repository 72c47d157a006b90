package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/bits"
	"slices"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"

	"ggzy/internal/ledger"
	"ggzy/internal/store"
)

// auditPage is how many entries one read transaction lists.
const auditPage = 5000

// Audit is the operator's check of the ledger tables (read only): it
// recomputes every leaf from its entry, every stored node from its children,
// the head frontier and every checkpoint's root, and checks every private
// part against its commitment and every reveal against the entry it opens.
// v checks checkpoint signatures; nil skips them (said in the report).
//
// Tables are read in the order checkpoints, head, entries, nodes: the tree
// only grows, so anything past the head's size was appended meanwhile by a
// running platform and is left out rather than reported.
func Audit(ctx context.Context, db *store.DB, v note.Verifier) (Report, error) {
	a := &auditor{db: db, v: v, rep: Report{Title: "留痕数据库核查"}}
	steps := []func(context.Context) error{a.readCheckpoints, a.readHead, a.readEntries, a.readNodes}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return a.rep, fmt.Errorf("读取数据库失败：%v", err)
		}
	}
	a.rep.fact("树规模 %d，记录 %d 条，节点 %d 个，检查点 %d 个", a.size, a.entries, a.nodeCount, len(a.cps))
	if a.beyond > 0 {
		a.rep.fact("树规模之外另有 %d 行记录或节点（核查期间新追加的，未核查）", a.beyond)
	}
	a.checkMissingNodes()
	faults := a.nodeFaults()
	a.reportNodeFaults(faults)
	a.checkHead(faults)
	a.checkCheckpoints()
	return a.rep, nil
}

type storedCheckpoint struct {
	size uint64
	root []byte
	note string
}

type auditor struct {
	db  *store.DB
	v   note.Verifier
	rep Report

	cps       []storedCheckpoint
	size      uint64            // the head's tree size
	head      [][]byte          // the head's frontier; nil if unreadable
	leaves    [][]byte          // recomputed from entries; nil = missing
	commits   []string          // entries' commitments, for reveals
	nodes     [][][]byte        // stored, by level then index; nil = missing
	entryRoot map[uint64][]byte // roots recomputed from entries, at checkpoint sizes and the head
	entries   int
	nodeCount int
	signed    int // checkpoints whose signature verified
	beyond    int
}

func (a *auditor) readCheckpoints(ctx context.Context) error {
	rows, err := a.db.Writer().QueryContext(ctx, `SELECT size, root, note FROM ledger_checkpoint ORDER BY size`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c storedCheckpoint
		var size int64
		if err := rows.Scan(&size, &c.root, &c.note); err != nil {
			return err
		}
		c.size = uint64(size)
		a.cps = append(a.cps, c)
	}
	return rows.Err()
}

func (a *auditor) readHead(ctx context.Context) error {
	var size int64
	var front []byte
	err := a.db.Writer().QueryRowContext(ctx, `SELECT size, frontier FROM ledger_head WHERE id = 1`).Scan(&size, &front)
	if err != nil {
		return err
	}
	a.size = uint64(size)
	if a.head, err = ledger.DecodeHashes(front); err != nil {
		a.rep.problem("树头前沿格式损坏：%v", err)
		a.head = nil
	}
	return nil
}

// readEntries recomputes every leaf and checks commitments and reveals.
func (a *auditor) readEntries(ctx context.Context) error {
	a.leaves, a.commits = make([][]byte, a.size), make([]string, a.size)
	expect := int64(0)
	for from := int64(0); ; {
		var es []ledger.Entry
		err := a.db.Read(ctx, func(tx *store.Tx) error {
			var err error
			es, err = tx.ListLedger(ctx, "", from, auditPage)
			return err
		})
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.Index >= int64(a.size) {
				a.beyond++
				continue
			}
			if e.Index > expect {
				a.rep.problem("%s", missingMsg(expect, e.Index-1))
			}
			a.entry(e)
			expect = e.Index + 1
		}
		if len(es) < auditPage {
			break
		}
		from = es[len(es)-1].Index + 1
	}
	if expect < int64(a.size) {
		a.rep.problem("%s", missingMsg(expect, int64(a.size)-1))
	}
	a.foldEntries()
	return nil
}

func (a *auditor) entry(e ledger.Entry) {
	a.entries++
	leaf, err := e.LeafHash()
	if err != nil {
		a.rep.problem("记录 %d 的内容无法解析：%v", e.Index, err)
		return
	}
	a.leaves[e.Index], a.commits[e.Index] = leaf, e.Commitment
	if !e.Verify() {
		a.rep.problem("记录 %d 的不公开部分与其承诺不符：不公开部分、盐或承诺被改动", e.Index)
	}
	if e.Type == ledger.Revealed {
		a.reveal(e)
	}
}

func (a *auditor) reveal(e ledger.Entry) {
	var r ledger.Reveal
	if err := json.Unmarshal(e.Public, &r); err != nil {
		a.rep.problem("记录 %d 是披露记录，但其公开内容无法解析", e.Index)
		return
	}
	switch {
	case r.Of < 0 || r.Of >= e.Index:
		a.rep.problem("记录 %d 披露的记录 %d 不在它之前", e.Index, r.Of)
	case a.leaves[r.Of] == nil:
		a.rep.problem("记录 %d 披露的记录 %d 缺失或无法解析，无法核对", e.Index, r.Of)
	case !r.Check(a.commits[r.Of]):
		a.rep.problem("记录 %d 的披露与记录 %d 的承诺不符", e.Index, r.Of)
	}
}

// foldEntries computes the roots the entries give at every checkpoint size
// and at the head, up to the first missing entry.
func (a *auditor) foldEntries() {
	want := map[uint64]bool{a.size: true}
	for _, c := range a.cps {
		want[c.size] = true
	}
	a.entryRoot = map[uint64][]byte{0: ledger.Hasher{}.EmptyRoot()}
	var f ledger.Frontier
	for _, leaf := range a.leaves {
		if leaf == nil {
			return
		}
		var err error
		if f, _, err = f.Append(leaf); err != nil {
			return
		}
		if want[f.Size] {
			if root, err := f.Root(); err == nil {
				a.entryRoot[f.Size] = root
			}
		}
	}
}

func (a *auditor) readNodes(ctx context.Context) error {
	levels := bits.Len64(a.size) // levels 0 … ⌊log2 size⌋ have complete nodes
	a.nodes = make([][][]byte, levels)
	for l := range a.nodes {
		a.nodes[l] = make([][]byte, a.size>>l)
	}
	rows, err := a.db.Writer().QueryContext(ctx, `SELECT level, idx, hash FROM ledger_node`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var level, idx int64
		var h []byte
		if err := rows.Scan(&level, &idx, &h); err != nil {
			return err
		}
		if level < 0 || idx < 0 || level >= int64(levels) || uint64(idx) >= a.size>>level {
			a.beyond++
			continue
		}
		a.nodes[level][idx] = h
		a.nodeCount++
	}
	return rows.Err()
}

func (a *auditor) checkMissingNodes() {
	for l, level := range a.nodes {
		var miss []uint64
		for i, h := range level {
			if h == nil {
				miss = append(miss, uint64(i))
			}
		}
		switch {
		case len(miss) == 1:
			a.rep.problem("节点（层 %d，序号 %d）缺失", l, miss[0])
		case len(miss) > 1:
			a.rep.problem("第 %d 层缺失 %d 个节点（序号 %s）", l, len(miss), listSizes(miss))
		}
	}
}

func nodeID(level int, index int) compact.NodeID {
	return compact.NewNodeID(uint(level), uint64(index))
}

// nodeFaults finds every stored leaf that differs from its entry's leaf and
// every stored interior node that differs from the hash of its stored
// children.
func (a *auditor) nodeFaults() map[compact.NodeID]bool {
	faults := map[compact.NodeID]bool{}
	if len(a.nodes) == 0 {
		return faults
	}
	for i, leaf := range a.leaves {
		if s := a.nodes[0][i]; leaf != nil && s != nil && !bytes.Equal(leaf, s) {
			faults[nodeID(0, i)] = true
		}
	}
	for l := 1; l < len(a.nodes); l++ {
		for i, h := range a.nodes[l] {
			left, right := a.nodes[l-1][2*i], a.nodes[l-1][2*i+1]
			if h == nil || left == nil || right == nil {
				continue
			}
			if !bytes.Equal(h, ledger.Hasher{}.HashChildren(left, right)) {
				faults[nodeID(l, i)] = true
			}
		}
	}
	return faults
}

// reportNodeFaults names what was changed. One changed value spoils two
// adjacent checks: a changed node fails against its children and makes its
// parent fail too, while a changed entry fails only against its leaf node
// (whose parent still matches). So a fault whose parent also fails is the
// node itself; a leaf fault with a sound parent is the entry; an interior
// fault with a failing child is explained by that child.
func (a *auditor) reportNodeFaults(faults map[compact.NodeID]bool) {
	ids := make([]compact.NodeID, 0, len(faults))
	for id := range faults {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(x, y compact.NodeID) int {
		if x.Level != y.Level {
			return int(x.Level) - int(y.Level)
		}
		return compareU64(x.Index, y.Index)
	})
	for _, id := range ids {
		switch {
		case a.parentFails(faults, id):
			a.rep.problem("节点（层 %d，序号 %d）的哈希被改动：与其父节点或树头不符", id.Level, id.Index)
		case id.Level == 0:
			a.rep.problem("记录 %d 的内容与树中的叶哈希不符：该记录被改动", id.Index)
		case !faults[compact.NewNodeID(id.Level-1, 2*id.Index)] && !faults[compact.NewNodeID(id.Level-1, 2*id.Index+1)]:
			a.rep.problem("节点（层 %d，序号 %d）与其子节点不符", id.Level, id.Index)
		}
	}
}

func compareU64(x, y uint64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// parentFails says whether the value above id disagrees with it: its parent
// node, or for a top node of the frontier, the head's copy of its hash.
func (a *auditor) parentFails(faults map[compact.NodeID]bool, id compact.NodeID) bool {
	pl, pi := id.Level+1, id.Index/2
	if int(pl) < len(a.nodes) && pi < uint64(len(a.nodes[pl])) {
		return faults[compact.NewNodeID(pl, pi)]
	}
	h, ok := a.headHash(id)
	return ok && !bytes.Equal(h, a.nodes[id.Level][id.Index])
}

// headHash is the head's copy of frontier node id.
func (a *auditor) headHash(id compact.NodeID) ([]byte, bool) {
	ids := ledger.FrontierNodes(a.size)
	if a.head == nil || len(a.head) != len(ids) {
		return nil, false
	}
	for k, f := range ids {
		if f == id {
			return a.head[k], true
		}
	}
	return nil, false
}

// checkHead compares the head's frontier with the stored nodes and with the
// tree the entries give.
func (a *auditor) checkHead(faults map[compact.NodeID]bool) {
	ids := ledger.FrontierNodes(a.size)
	if a.head == nil {
		return
	}
	if len(a.head) != len(ids) {
		a.rep.problem("树头前沿有 %d 个哈希，规模 %d 应有 %d 个：树头被改动", len(a.head), a.size, len(ids))
		return
	}
	for k, id := range ids {
		stored := a.nodes[id.Level][id.Index]
		if stored != nil && !bytes.Equal(stored, a.head[k]) && !faults[id] {
			a.rep.problem("树头前沿中节点（层 %d，序号 %d）的哈希与已存节点不符：树头被改动", id.Level, id.Index)
		}
	}
	headRoot, err := ledger.Frontier{Size: a.size, Hashes: a.head}.Root()
	if want, ok := a.entryRoot[a.size]; ok && err == nil && !bytes.Equal(headRoot, want) {
		a.rep.problem("树头（规模 %d）的根哈希 %s 与由记录重算的 %s 不符", a.size, b64(headRoot), b64(want))
	}
	if want, ok := a.entryRoot[a.size]; ok {
		a.rep.fact("由记录重算的根哈希（规模 %d）：%s", a.size, b64(want))
	}
}

// nodeRoot is the root of the tree of size n from stored nodes.
func (a *auditor) nodeRoot(n uint64) ([]byte, bool) {
	if n > a.size {
		return nil, false
	}
	ids := ledger.FrontierNodes(n)
	hs := make([][]byte, len(ids))
	for k, id := range ids {
		if hs[k] = a.nodes[id.Level][id.Index]; hs[k] == nil {
			return nil, false
		}
	}
	root, err := ledger.Frontier{Size: n, Hashes: hs}.Root()
	return root, err == nil
}

// checkCheckpoints checks each stored checkpoint: its signature (with a
// key), that its note says what its columns say, and its root against the
// stored nodes and the entries. Root mismatches are summed up in one line
// each: one changed row spoils every later checkpoint.
func (a *auditor) checkCheckpoints() {
	if a.v == nil && len(a.cps) > 0 {
		a.rep.fact("未提供 --key：未核验检查点签名")
	}
	var byNodes, byEntries []uint64
	origins := map[string]bool{}
	a.signed = 0
	for _, c := range a.cps {
		if body, ok := a.checkpointBody(c); ok {
			origins[body.Origin] = true
		}
		if c.size > a.size {
			a.rep.problem("检查点（规模 %d）超出树规模 %d", c.size, a.size)
			continue
		}
		if root, ok := a.nodeRoot(c.size); ok && !bytes.Equal(root, c.root) {
			byNodes = append(byNodes, c.size)
		}
		if root, ok := a.entryRoot[c.size]; ok && !bytes.Equal(root, c.root) {
			byEntries = append(byEntries, c.size)
		}
	}
	if len(origins) > 1 {
		a.rep.problem("检查点的来源标识不一致（%d 种）", len(origins))
	}
	if len(byNodes) > 0 {
		a.rep.problem("检查点（规模 %s）的根哈希与由已存节点算出的不符", listSizes(byNodes))
	}
	if len(byEntries) > 0 {
		a.rep.problem("检查点（规模 %s）的根哈希与由记录重算的不符", listSizes(byEntries))
	}
	if a.v != nil && len(a.cps) > 0 {
		a.rep.fact("已核验检查点签名：%d 个中 %d 个有效", len(a.cps), a.signed)
	}
}

// checkpointBody checks one checkpoint's signature (with a key) and that
// its signed text matches its size and root columns.
func (a *auditor) checkpointBody(c storedCheckpoint) (ledger.Checkpoint, bool) {
	var body ledger.Checkpoint
	var err error
	if a.v != nil {
		if body, err = openCheckpoint([]byte(c.note), a.v); err != nil {
			a.rep.problem("检查点（规模 %d）：%v", c.size, err)
		} else {
			a.signed++
		}
	}
	if a.v == nil || err != nil {
		if body, err = unverifiedCheckpoint([]byte(c.note)); err != nil {
			a.rep.problem("检查点（规模 %d）的签名便笺无法解析：%v", c.size, err)
			return body, false
		}
	}
	if body.Size != c.size || !bytes.Equal(body.Root, c.root) {
		a.rep.problem("检查点（规模 %d）的签名便笺与数据库中的规模或根哈希列不一致", c.size)
	}
	return body, true
}

// openAudit opens the database a DSN names, refusing to create a SQLite
// file that does not exist (store.Open would).
func openAudit(ctx context.Context, dsn string) (*store.DB, error) {
	if err := checkSQLitePath(dsn); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("无法打开数据库：%v", err)
	}
	return db, nil
}
