// ggzy: the evaluation room follows its changes live (server-sent events,
// one EventSource per tab). The server only says that the room changed; the
// page fetches itself again and swaps the regions marked data-live="swap"
// (status, progress, submitted sheets). A region with forms
// (data-live="form") is never swapped under the user: when it changed, the
// page reloads if nothing is being typed, and otherwise offers a reload.
// The page works without this file (every state has its own URL); the
// countdown is counted from the server's clock, never the browser's.
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }

  // Same wording as the server's countdown (funcs.go makeCountdown).
  function countdownText(ms) {
    if (ms <= 0) return { text: "已截止", cls: "past" };
    var days = Math.floor(ms / 86400000), hours = Math.floor(ms % 86400000 / 3600000), mins = Math.floor(ms % 3600000 / 60000);
    if (ms < 3600000) return { text: mins < 1 ? "剩不足 1 分钟" : "剩 " + mins + " 分钟", cls: "urgent" };
    if (ms < 86400000) return { text: "剩 " + hours + " 小时 " + mins + " 分", cls: "soon" };
    return { text: "剩 " + days + " 天 " + hours + " 小时", cls: "" };
  }

  // Announced once each (UI.md §2.7: countdowns only at set thresholds).
  var THRESHOLDS = [60, 30, 10, 5];

  document.addEventListener("DOMContentLoaded", function () {
    var root = $("room");
    if (!root) return;
    var announce = $("room-announce"), stale = $("room-stale");
    var dirty = false, busy = false, again = false;
    var base = { server: Number(root.dataset.nowMs), at: performance.now() };
    var told = {};

    function say(text) {
      announce.textContent = "";
      setTimeout(function () { announce.textContent = text; }, 50);
    }

    // ---- the countdown to the planned end

    function tickCountdown() {
      var el = $("room-countdown");
      if (!el) return;
      var left = Number(el.dataset.endsMs) - (base.server + performance.now() - base.at);
      var c = countdownText(left);
      if (el.textContent !== c.text) el.textContent = c.text;
      el.className = "cd cd-" + c.cls;
      THRESHOLDS.forEach(function (t) {
        if (left > 0 && left < t * 60000 && !told[t]) {
          told[t] = true;
          say("距计划结束时间还剩 " + t + " 分钟。");
        }
      });
    }
    // Thresholds already passed when the page loaded are not announced.
    (function () {
      var el = $("room-countdown");
      if (!el) return;
      var left = Number(el.dataset.endsMs) - base.server;
      THRESHOLDS.forEach(function (t) { if (left < t * 60000) told[t] = true; });
    })();
    setInterval(tickCountdown, 15000);

    // ---- what the user is doing

    root.addEventListener("input", function (e) { if (e.target.form) dirty = true; });
    root.addEventListener("change", function (e) { if (e.target.form) dirty = true; });
    $("room-reload").addEventListener("click", function () { location.reload(); });

    function editing() {
      var a = document.activeElement;
      return dirty || !!(a && a.form && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName));
    }

    function sigs(scope) {
      var out = {};
      scope.querySelectorAll('[data-live="form"]').forEach(function (el) { out[el.id] = el.getAttribute("data-sig") || ""; });
      return out;
    }

    function sameSigs(a, b) {
      var ka = Object.keys(a), kb = Object.keys(b);
      if (ka.length !== kb.length) return false;
      return ka.every(function (k) { return b[k] === a[k]; });
    }

    function summary() {
      var head = $("room-head"), done = $("room-done");
      var badge = head ? head.querySelector(".badge") : null;
      return (badge ? badge.textContent.trim() : "") + (done ? "，" + done.textContent.trim() : "");
    }

    // ---- refresh from the server

    async function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      try {
        var res = await fetch(location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } });
        if (!res.ok) { stale.hidden = false; return; }
        var doc = new DOMParser().parseFromString(await res.text(), "text/html");
        var next = doc.getElementById("room");
        if (!next) { stale.hidden = false; return; }
        var before = summary();
        var swaps = doc.querySelectorAll('[data-live="swap"]');
        var structural = !sameSigs(sigs(root), sigs(next));
        swaps.forEach(function (n) { if (!$(n.id)) structural = true; });
        root.querySelectorAll('[data-live="swap"]').forEach(function (o) { if (!doc.getElementById(o.id)) structural = true; });
        if (structural && !editing()) {
          location.reload();
          return;
        }
        swaps.forEach(function (n) {
          var o = $(n.id);
          if (o) o.replaceWith(document.importNode(n, true));
        });
        root.dataset.version = next.dataset.version;
        base = { server: Number(next.dataset.nowMs), at: performance.now() };
        if (structural) stale.hidden = false;
        var after = summary();
        if (after !== before) say("评标室已更新：" + after + "。");
      } catch (e) {
        // Offline for a moment: the next event (or the reconnect) retries.
      } finally {
        busy = false;
        if (again) { again = false; refresh(); }
      }
    }

    if (typeof EventSource === "function") {
      var es = new EventSource(root.dataset.events + "?lastEventId=" + encodeURIComponent(root.dataset.version));
      es.addEventListener("room", refresh);
      es.addEventListener("reset", refresh);
      es.addEventListener("open", function () { root.setAttribute("data-stream", "connected"); });
      es.addEventListener("error", function () { root.setAttribute("data-stream", "reconnecting"); });
    }
  });
})();
