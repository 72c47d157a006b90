package seal

// Codes of CheckError, for programs; the Reason is for people.
const (
	CodeUnencrypted  = "unencrypted"   // not a sealed file at all (e.g. a plain JSON bid)
	CodeMalformed    = "malformed"     // a sealed file that breaks the format
	CodeLot          = "lot"           // bound to another lot
	CodeEntity       = "entity"        // bound to another bidder
	CodeCustody      = "custody"       // other custodians or threshold than the lot's
	CodeTooLarge     = "too_large"     // larger than the caller allows
	CodeUnknownKey   = "unknown_key"   // the signer key is not the bidder's registered key
	CodeUnsigned     = "unsigned"      // no signature
	CodeBadSignature = "bad_signature" // the signature does not verify
	CodeTruncated    = "truncated"     // the input ends early
	CodeDigest       = "digest"        // the chunks do not match the signed digest
	CodeWrongKey     = "wrong_key"     // Open: the key is not this file's key
	CodeDecrypt      = "decrypt"       // Open: a chunk fails authentication
)

// reason is the Chinese text shown for a code.
func reason(code string) string {
	switch code {
	case CodeUnencrypted:
		return "投标文件未加密（不是 sealed-v1 密封投标文件），平台不接收明文投标"
	case CodeMalformed:
		return "密封投标文件格式错误"
	case CodeLot:
		return "密封投标文件绑定的标段与本标段不符"
	case CodeEntity:
		return "密封投标文件绑定的投标人与提交人不符"
	case CodeCustody:
		return "密封投标文件的密钥保管人或门限与本标段的设置不符"
	case CodeTooLarge:
		return "密封投标文件超过允许的大小"
	case CodeUnknownKey:
		return "签名密钥不是该投标人登记的密钥"
	case CodeUnsigned:
		return "密封投标文件缺少签名"
	case CodeBadSignature:
		return "密封投标文件签名无效"
	case CodeTruncated:
		return "密封投标文件内容被截断"
	case CodeDigest:
		return "密封投标文件内容与签名的摘要不符（已被改动）"
	case CodeWrongKey:
		return "解密密钥与该密封投标文件不符"
	case CodeDecrypt:
		return "解密失败：密封投标文件内容已被改动或损坏"
	}
	return "密封投标文件无效"
}

// CheckError says why a sealed file was refused. Reason is Chinese, for the
// user; Code is stable, for programs; Err, if any, is the underlying cause.
type CheckError struct {
	Code   string
	Reason string
	Err    error
}

func (e *CheckError) Error() string { return e.Reason }
func (e *CheckError) Unwrap() error { return e.Err }

func newCheckError(code string, err error) *CheckError {
	return &CheckError{Code: code, Reason: reason(code), Err: err}
}

func malformed(detail string) *CheckError { return malformedErr(detail, nil) }

func malformedErr(detail string, err error) *CheckError {
	return &CheckError{Code: CodeMalformed, Reason: reason(CodeMalformed) + "：" + detail, Err: err}
}
