package ledger

import "encoding/json"

// ReceiptVersion marks the receipt format.
const ReceiptVersion = "ggzy-receipt-v1"

// Receipt is the document a bidder downloads when a bid is accepted (回执).
// It proves, to anyone holding the platform's verifier key and without
// asking the platform, that the bid with this content hash was recorded at
// this ledger index: the checkpoint is signed, the entry is in the signed
// tree, and the entry commits to the private part that names the content
// hash. The private part is the bidder's own data, so handing it to the
// bidder discloses nothing.
type Receipt struct {
	Version     string          `json:"version" doc:"回执格式版本，ggzy-receipt-v1"`
	Origin      string          `json:"origin" doc:"留痕检查点来源标识"`
	Statement   json.RawMessage `json:"statement" doc:"回执说明（投标编号、标段、版本、摘要、时间、留痕序号等）"`
	Entry       Published       `json:"entry" doc:"公开的留痕记录"`
	Private     string          `json:"private" doc:"留痕记录不公开部分的原样字节（投标人自己的数据）"`
	Salt        string          `json:"salt" doc:"承诺所用的盐"`
	ContentHash string          `json:"content_hash" doc:"所递交投标文件的 SM3（十六进制）"`
	Checkpoint  string          `json:"checkpoint" doc:"平台签名的检查点（C2SP signed-note）"`
	Inclusion   []string        `json:"inclusion" doc:"记录在检查点树中的包含性证明（Base64 SM3 哈希）"`
	VerifierKey string          `json:"verifier_key" doc:"签发时平台的检查点验证密钥"`
}

// NewReceipt assembles a receipt for entry e (with its private part and
// salt) from the signed checkpoint note covering it and the inclusion proof.
// verify.BuildReceipt also checks it; the API checks the proof itself.
func NewReceipt(e Entry, contentHash string, statement json.RawMessage, origin string, checkpoint []byte, proof [][]byte, verifierKey string) Receipt {
	return Receipt{
		Version: ReceiptVersion, Origin: origin, Statement: statement, Entry: e.Publish(),
		Private: string(e.Private), Salt: e.Salt, ContentHash: contentHash,
		Checkpoint: string(checkpoint), Inclusion: B64(proof), VerifierKey: verifierKey,
	}
}
