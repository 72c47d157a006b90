package web

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"

	"ggzy/internal/fixture"
	"ggzy/internal/money"
)

// A room is polled only while someone watches it: the poller starts with
// the first stream and stops with the last; Close ends the streams.
func TestRoomPollerFollowsItsWatchers(t *testing.T) {
	w, s, ts := startLiveServer(t)
	l := w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 3; i++ {
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00+int64(i)*100_000_00))
	}
	w.PassDeadline(t, l.ID)
	w.Committee(t, l.ID)

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := azCSRF.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatal("no form token")
	}
	res, err = c.PostForm(ts.URL+"/login", url.Values{"csrf": {html.UnescapeString(m[1])}, "username": {"supervisor"}, "password": {fixture.Password}, "next": {"/console"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	checkPollerFollowsWatchers(t, s, c, ts.URL+"/console/lots/"+string(l.ID)+"/room/events", "room", s.live.watched)
}
