package ledger

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/transparency-dev/formats/log"

	"ggzy/internal/gm"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
)

// Hasher is the RFC 6962 Merkle tree hasher with SM3 in place of SHA-256
// (GM/T 0004): leaf = SM3(0x00 || data), node = SM3(0x01 || left || right),
// empty tree = SM3(""). It satisfies merkle.LogHasher.
type Hasher struct{}

// HashSize is the SM3 digest size.
const HashSize = 32

// EmptyRoot is the root of the empty tree.
func (Hasher) EmptyRoot() []byte { s := gm.SM3(nil); return s[:] }

// HashLeaf hashes one leaf's data.
func (Hasher) HashLeaf(leaf []byte) []byte {
	h := gm.NewSM3()
	h.Write([]byte{0})
	h.Write(leaf)
	return h.Sum(nil)
}

// HashChildren hashes an interior node.
func (Hasher) HashChildren(l, r []byte) []byte {
	h := gm.NewSM3()
	h.Write([]byte{1})
	h.Write(l)
	h.Write(r)
	return h.Sum(nil)
}

// Size is the hash size.
func (Hasher) Size() int { return HashSize }

// Factory makes compact ranges with the SM3 hasher.
var factory = &compact.RangeFactory{Hash: Hasher{}.HashChildren}

// LeafHash is the Merkle leaf hash of an entry.
func (e Entry) LeafHash() ([]byte, error) {
	d, err := e.LeafData()
	if err != nil {
		return nil, err
	}
	return Hasher{}.HashLeaf(d), nil
}

// Node is one stored tree node (level 0 = leaves).
type Node struct {
	Level uint
	Index uint64
	Hash  []byte
}

// Frontier is the compact range [0, size): the hashes of the perfect
// subtrees along the right edge, enough to append and to compute the root.
// The store keeps it in the ledger head so an append needs no node reads.
type Frontier struct {
	Size   uint64
	Hashes [][]byte
}

// EncodeHashes concatenates hashes for storage.
func EncodeHashes(hs [][]byte) []byte { return bytes.Join(hs, nil) }

// DecodeHashes splits stored hashes.
func DecodeHashes(b []byte) ([][]byte, error) {
	if len(b)%HashSize != 0 {
		return nil, fmt.Errorf("ledger: stored frontier length %d is not a multiple of %d", len(b), HashSize)
	}
	var hs [][]byte
	for i := 0; i < len(b); i += HashSize {
		hs = append(hs, b[i:i+HashSize:i+HashSize])
	}
	return hs, nil
}

// Append adds one leaf to the frontier and returns the nodes that became
// complete (the leaf itself and any parents), which the store persists in the
// same transaction as the entry.
func (f Frontier) Append(leafHash []byte) (Frontier, []Node, error) {
	r, err := factory.NewRange(0, f.Size, f.Hashes)
	if err != nil {
		return f, nil, fmt.Errorf("ledger: frontier at size %d: %w", f.Size, err)
	}
	var nodes []Node
	err = r.Append(leafHash, func(id compact.NodeID, h []byte) {
		nodes = append(nodes, Node{Level: id.Level, Index: id.Index, Hash: h})
	})
	if err != nil {
		return f, nil, err
	}
	return Frontier{Size: r.End(), Hashes: r.Hashes()}, nodes, nil
}

// Root is the tree root of the frontier.
func (f Frontier) Root() ([]byte, error) {
	if f.Size == 0 {
		return Hasher{}.EmptyRoot(), nil
	}
	r, err := factory.NewRange(0, f.Size, f.Hashes)
	if err != nil {
		return nil, err
	}
	return r.GetRootHash(nil)
}

// FrontierNodes are the node IDs whose hashes make the frontier of size n.
func FrontierNodes(n uint64) []compact.NodeID { return compact.RangeNodes(0, n, nil) }

// NodeReader fetches stored node hashes by ID, in order; a missing node is an error.
type NodeReader func(ids []compact.NodeID) ([][]byte, error)

// InclusionProof builds the RFC 6962 inclusion proof of leaf index in the
// tree of size from stored nodes.
func InclusionProof(index, size uint64, read NodeReader) ([][]byte, error) {
	n, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, err
	}
	return rehash(n, read)
}

// ConsistencyProof builds the RFC 6962 consistency proof between two sizes.
func ConsistencyProof(size1, size2 uint64, read NodeReader) ([][]byte, error) {
	n, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, err
	}
	return rehash(n, read)
}

func rehash(n proof.Nodes, read NodeReader) ([][]byte, error) {
	hs, err := read(n.IDs)
	if err != nil {
		return nil, err
	}
	return n.Rehash(hs, Hasher{}.HashChildren)
}

// RootAt computes the root of the tree of size n from stored nodes.
func RootAt(n uint64, read NodeReader) ([]byte, error) {
	hs, err := read(FrontierNodes(n))
	if err != nil {
		return nil, err
	}
	return Frontier{Size: n, Hashes: hs}.Root()
}

// VerifyInclusion checks an inclusion proof against a root.
func VerifyInclusion(index, size uint64, leafHash []byte, p [][]byte, root []byte) error {
	return proof.VerifyInclusion(Hasher{}, index, size, leafHash, p, root)
}

// VerifyConsistency checks a consistency proof between two roots.
func VerifyConsistency(size1, size2 uint64, p [][]byte, root1, root2 []byte) error {
	return proof.VerifyConsistency(Hasher{}, size1, size2, p, root1, root2)
}

// Checkpoint is a signed statement of the tree: origin, size, root hash and
// the time it was made (an extension line of the C2SP tlog-checkpoint text).
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   []byte
	At     time.Time
	Note   []byte // the signed note, as served
}

// timeLine prefixes the extension line carrying the checkpoint time.
const timeLine = "time "

// Body is the checkpoint text that gets signed.
func (c Checkpoint) Body() []byte {
	b := log.Checkpoint{Origin: c.Origin, Size: c.Size, Hash: c.Root}.Marshal()
	return append(b, []byte(timeLine+c.At.UTC().Format(time.RFC3339Nano)+"\n")...)
}

// ParseBody reads a checkpoint text (already signature-checked by the caller).
func ParseBody(text string) (Checkpoint, error) {
	var lc log.Checkpoint
	rest, err := lc.Unmarshal([]byte(text))
	if err != nil {
		return Checkpoint{}, err
	}
	if len(lc.Hash) != HashSize {
		return Checkpoint{}, fmt.Errorf("checkpoint: root hash has %d bytes, want %d", len(lc.Hash), HashSize)
	}
	c := Checkpoint{Origin: lc.Origin, Size: lc.Size, Root: lc.Hash}
	for _, line := range strings.Split(strings.TrimSuffix(string(rest), "\n"), "\n") {
		if v, ok := strings.CutPrefix(line, timeLine); ok {
			if c.At, err = time.Parse(time.RFC3339Nano, v); err != nil {
				return Checkpoint{}, fmt.Errorf("checkpoint: bad time line: %w", err)
			}
		}
	}
	if c.At.IsZero() {
		return Checkpoint{}, errors.New("checkpoint: missing time line")
	}
	return c, nil
}

// B64 encodes hashes for JSON.
func B64(hs [][]byte) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h)
	}
	return out
}

// UnB64 decodes hashes from JSON.
func UnB64(ss []string) ([][]byte, error) {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		h, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(h) != HashSize {
			return nil, fmt.Errorf("proof hash %d is malformed", i)
		}
		out[i] = h
	}
	return out, nil
}

// Origin is the checkpoint origin of a platform's ledger.
func Origin(region string) string { return "ggzy/ledger/" + region }
