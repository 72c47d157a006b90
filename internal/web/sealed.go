package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/httpx"
	"ggzy/internal/ids"
	"ggzy/internal/party"
	"ggzy/internal/upload"
)

// The sealed bid's resumable upload (UI.md §2.8.2): the page seals the bid in
// the browser, then sends the sealed file in chunks; after a network error it
// asks where the server stands and resumes from there. Only the last step, a
// normal form post, submits the bid; the receipt page follows.

const (
	// csrfHeader carries the form token of a script's request without a form body.
	csrfHeader = "X-CSRF-Token"
	// maxChunk bounds one PATCH body (the page sends 4 MiB).
	maxChunk = 16 << 20
)

// jsonErr is an error as the scripts read it: the message, the legal basis
// and the code a help line asks for, like the error page (UI.md §2.8.4).
type jsonErr struct {
	Error  string            `json:"error"`
	Basis  string            `json:"basis,omitempty"`
	Code   string            `json:"code"`
	Fields map[string]string `json:"fields,omitempty"`
	Offset *int64            `json:"offset,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func failJSON(w http.ResponseWriter, r *http.Request, s *server, err error) {
	e := apperr.As(err)
	s.d.LogError(r, err)
	status := httpx.Status(e.Code)
	writeJSON(w, status, jsonErr{Error: e.Message, Basis: e.Basis, Code: strconv.Itoa(status) + "-" + string(e.Code), Fields: e.Fields})
}

// requireLoginJSON answers a script's request from a visitor without a session.
func (s *server) requireLoginJSON(w http.ResponseWriter, r *http.Request) bool {
	if state(r).sess != nil {
		return true
	}
	failJSON(w, r, s, apperr.New(apperr.Unauthorized, "请先登录（登录可能已失效）。请在新窗口登录后回到本页继续。"))
	return false
}

func (s *server) uploadStore() (*upload.Store, error) {
	if s.d.Uploads == nil {
		return nil, apperr.New(apperr.Internal, "断点续传服务未启用，请联系交易中心。")
	}
	return s.d.Uploads, nil
}

// uploadJSON is a resumable upload's state for the page.
type uploadJSON struct {
	ID     string `json:"upload_id"`
	Offset int64  `json:"offset"`
	Size   int64  `json:"size"`
}

func uploadOf(u upload.Session) uploadJSON {
	return uploadJSON{ID: u.ID, Offset: u.Offset, Size: u.Size}
}

// createUpload starts the upload of a sealed bid of the declared size on a
// lot with custody; what the bid would be refused for is refused now.
func (s *server) createUpload(w http.ResponseWriter, r *http.Request) {
	if !s.requireLoginJSON(w, r) {
		return
	}
	ctx, a := r.Context(), s.actor(r)
	up, err := s.uploadStore()
	if err != nil {
		failJSON(w, r, s, err)
		return
	}
	if a.Role != party.RoleBidder {
		failJSON(w, r, s, apperr.Forbiddenf("只有投标单位可以上传投标文件。"))
		return
	}
	id := r.PathValue("id")
	if err := s.d.Tender.CheckBidUpload(ctx, a, id); err != nil {
		failJSON(w, r, s, err)
		return
	}
	v, err := s.d.Tender.ViewLot(ctx, a, id)
	if err != nil {
		failJSON(w, r, s, err)
		return
	}
	if v.Lot.Custody == nil {
		failJSON(w, r, s, apperr.New(apperr.Invalid, "本标段未设置密钥保管人，请在标段页面直接填写并递交投标文件。"))
		return
	}
	size, err := strconv.ParseInt(r.PostFormValue("size"), 10, 64)
	if err != nil {
		failJSON(w, r, s, apperr.Fields("上传文件大小有误。", map[string]string{"size": "应为文件的字节数。"}))
		return
	}
	u, err := up.Create(string(a.UserID), string(id), size)
	if err != nil {
		failJSON(w, r, s, err)
		return
	}
	writeJSON(w, http.StatusCreated, uploadOf(u))
}

// uploadStatus says how many bytes the server holds: where to resume.
func (s *server) uploadStatus(w http.ResponseWriter, r *http.Request) {
	if !s.requireLoginJSON(w, r) {
		return
	}
	up, err := s.uploadStore()
	if err != nil {
		failJSON(w, r, s, err)
		return
	}
	u, err := up.Get(r.PathValue("upload"), string(s.actor(r).UserID))
	if err != nil {
		failJSON(w, r, s, err)
		return
	}
	w.Header().Set("Upload-Offset", strconv.FormatInt(u.Offset, 10))
	writeJSON(w, http.StatusOK, uploadOf(u))
}

// appendUpload writes one chunk at Upload-Offset. A broken request keeps what
// arrived; a wrong offset is answered with the right one.
func (s *server) appendUpload(w http.ResponseWriter, r *http.Request) {
	if !s.requireLoginJSON(w, r) {
		return
	}
	up, err := s.uploadStore()
	if err != nil {
		failJSON(w, r, s, err)
		return
	}
	off, err := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || off < 0 {
		failJSON(w, r, s, apperr.Fields("请求头 Upload-Offset 应为续传位置（已接收字节数）。", map[string]string{"Upload-Offset": "应为非负整数。"}))
		return
	}
	u, err := up.Append(r.PathValue("upload"), string(s.actor(r).UserID), off, r.Body)
	var oe *upload.OffsetError
	switch {
	case errors.As(err, &oe):
		w.Header().Set("Upload-Offset", strconv.FormatInt(oe.Have, 10))
		writeJSON(w, http.StatusConflict, jsonErr{Error: oe.Error(), Code: "409-conflict", Offset: &oe.Have})
		return
	case err != nil && apperr.CodeOf(err) == apperr.Internal && u.ID != "":
		// The connection broke or the chunk was too large: what arrived is
		// kept; the page asks for the offset and resumes.
		w.Header().Set("Upload-Offset", strconv.FormatInt(u.Offset, 10))
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeJSON(w, http.StatusRequestEntityTooLarge, jsonErr{Error: "单次上传的数据块过大，请刷新页面后重试。", Code: "413-invalid", Offset: &u.Offset})
			return
		}
		failJSON(w, r, s, err)
		return
	case err != nil:
		failJSON(w, r, s, err)
		return
	}
	w.Header().Set("Upload-Offset", strconv.FormatInt(u.Offset, 10))
	writeJSON(w, http.StatusOK, uploadOf(u))
}

// completeUpload submits the uploaded sealed file as the bid (a form post,
// so the page ends on the receipt like every other submission). The server
// checks the seal, the binding to this lot and bidder and the signature while
// storing it; it never sees the content key.
func (s *server) completeUpload(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), s.actor(r)
	up, err := s.uploadStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("upload")
	f, u, err := up.Reader(id, string(a.UserID))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	lot := ids.ID(u.Subject)
	rc, err := s.d.Tender.SubmitSealedBid(ctx, a, lot, f, up.Max())
	if err != nil {
		s.lotPage(w, r, lot, &formErr{Form: "sealed", Err: apperr.As(err)})
		return
	}
	up.Remove(id)
	s.redirect(w, r, "/console/lots/"+string(lot)+"/receipt", "加密投标文件第"+strconv.Itoa(rc.Version)+"版已完整接收（"+clock.Format(rc.SubmittedAt)+" 北京时间）。")
}
