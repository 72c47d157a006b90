// Package seal implements sealed bids (DESIGN §6.2): a bid encrypted so that
// nobody — the platform included — can read it before the opening, when k of
// the lot's n custodians together can.
//
// The same code runs in the server (Check, Open), the CLI (`ggzy seal`,
// `ggzy custody open`) and the browser (compiled to WebAssembly), so it uses
// only io streams: no files, no processes.
//
// # Format "sealed-v1"
//
// All integers are big-endian. SM2, SM3 and SM4-GCM are as in package gm
// (SM2 signatures per GB/T 32918.2 with user ID 1234567812345678, ASN.1 DER;
// SM2 encryption ASN.1 C1C3C2). "hex" means lowercase hexadecimal, "base64"
// standard padded base64 (RFC 4648 §4).
//
//	file    = magic || uint32 len(header) || header || chunks || uint32 len(trailer) || trailer
//	magic   = "GGZY-SEALED-v1\n" (15 bytes)
//
// Nothing may follow the trailer. len(header) is 1..MaxHeaderSize and
// len(trailer) 1..MaxTrailerSize.
//
// The header is JSON in its canonical form: one object, no white space, the
// members exactly these, in this order, integers in plain decimal, strings
// without escapes (identifiers are limited to ASCII letters, digits and
// "-_.:@", so none is needed):
//
//	{"version":"sealed-v1",
//	 "lot_id":ID, "entity_id":ID,
//	 "threshold":k,
//	 "custodians":[{"id":ID,"key":FINGERPRINT}, ...],   n entries, 2 ≤ n ≤ MaxCustodians
//	 "shares":[base64, ...],                            n entries, in custodian order
//	 "key_check":hex(SM3("ggzy-seal-keycheck" || K)),
//	 "nonce_prefix":hex(8 random bytes),
//	 "chunk_size":C, "plaintext_size":P, "ciphertext_size":S,
//	 "signer_key":FINGERPRINT,
//	 "created_at":RFC 3339 UTC time, e.g. "2026-03-01T01:00:00Z"}
//
// (shown wrapped; the bytes have no newlines or spaces). ID is 1..128 bytes
// of the characters above; FINGERPRINT is the 64-hex-digit SM3 of the PKIX
// DER public key (gm.PublicKey.Fingerprint). 2 ≤ k ≤ n; custodian IDs and
// keys are pairwise distinct; MinChunkSize ≤ C ≤ MaxChunkSize;
// 0 ≤ P ≤ MaxPlaintextSize. A reader re-encodes the parsed header and refuses
// it unless the bytes are identical, so every header has one encoding.
//
// Content encryption. K is a random 16-byte SM4 key. The plaintext is cut into
// N = floor(P/C) + 1 chunks: chunks 0..N-2 hold C bytes, the last chunk
// P mod C bytes (possibly none). Chunk i is encrypted with SM4-GCM under K:
//
//	nonce_i = nonce_prefix (8 bytes) || uint32 i
//	aad_i   = SM3(header bytes) || uint32 i || (0x01 if i = N-1 else 0x00)
//	chunk_i = SM4-GCM-Seal(K, nonce_i, plaintext_i, aad_i)   (ciphertext || 16-byte tag)
//
// so S = P + 16·N. The header hash binds each chunk to this format, lot,
// bidder, custodian set and everything else in the header; the counter and the
// last-chunk flag stop reordering, truncation and extension.
//
// Key custody. K is split with Shamir's scheme over GF(2^8) (the AES field,
// reduction polynomial x^8+x^4+x^3+x+1), byte by byte: for each key byte s a
// polynomial f(x) = s + a1·x + … + a(k-1)·x^(k-1) with random coefficients;
// custodian i (0-based, in header order) gets the share x = i+1,
// y = (f(x) for each of the 16 bytes). Its entry in "shares" is
//
//	SM2-Encrypt(custodian key, x || y || SM3(context))          (1 + 16 + 32 bytes)
//	context = "sealed-v1" || 0x00 || lot_id || 0x00 || entity_id || 0x00 || key_check
//
// The context lets a custodian's client check that a share it is asked to
// decrypt really belongs to the lot (and bid) it is told about, so nobody can
// slip it a share of a lot whose deadline has not passed.
//
// Any k shares give K by Lagrange interpolation at 0; key_check tells a right
// K from a wrong one without revealing it (K is 128 random bits).
//
// Trailer. Canonical JSON as above:
//
//	{"ciphertext_sm3":hex(SM3(all chunk bytes as they appear in the file)),
//	 "signature":base64(SM2-Sign(bidder key, header bytes || SM3 of the chunks, raw 32 bytes))}
//
// The signed message is the exact header bytes followed by the raw 32-byte
// ciphertext digest, so `openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt
// distid:1234567812345678` can check it too. The trailer comes last so that
// Seal and Check each need one pass over a stream, with bounded memory.
//
// # Checking and opening
//
// Check is the server's gate: in one pass it copies the exact bytes to the
// store while checking the structure, the binding to the lot, bidder and
// custody, the ciphertext length and digest, and the bidder's signature. It
// cannot see inside (nobody can, until k custodians act).
//
// After the deadline each custodian's client calls DecryptShare; RecoverKey
// combines k shares (and with more than k, finds and names bad ones); Open
// decrypts in one pass. Open writes plaintext as it authenticates each chunk:
// if it returns an error, whatever it wrote must be discarded by the caller
// (write to a temporary place and keep it only on success).
//
// # Bid package
//
// A bid's structured form and its attached files travel as one plaintext in
// the bid package format (WritePackage, ReadPackage):
//
//	package = "GGZY-BIDPKG-v1\n" || uint32 len(form) || form JSON
//	          || { uint16 len(name) || name || uint64 size || size bytes }*
//	          || uint16 0
//
// and nothing after. Names are 1..255 bytes of UTF-8 without control
// characters, path separators or characters Windows forbids; unique.
package seal
