// ggzy: a sale's live view and the bidder's auction room follow the sale
// live (server-sent events, one EventSource per tab). Each event carries the
// public state after a change — price, number of bids, leading number, next
// valid amount, the countdown's end — with the sale's commit sequence as its
// ID, so a reconnect resumes exactly after the last event seen. The page
// updates in place; a change of stage (listing closed, bidding started,
// paused, closed) reloads it, since its forms change. The countdown and the
// clock count from the server's time, never the browser's. The page works
// without this file: every state has its own URL and the server renders it.
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }
  function pad(n) { return n < 10 ? "0" + n : String(n); }

  // Beijing time of a Unix millisecond instant.
  function bj(ms) { return new Date(ms + 8 * 3600000); }
  function clockText(ms) { var d = bj(ms); return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()); }
  function fullText(ms) { var d = bj(ms); return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " + clockText(ms); }

  // The timed bidding's countdown: mm:ss (h:mm:ss from an hour), as the server writes it.
  function shortText(ms) {
    var s = Math.max(0, Math.ceil(ms / 1000));
    if (s >= 3600) return Math.floor(s / 3600) + ":" + pad(Math.floor(s % 3600 / 60)) + ":" + pad(s % 60);
    return pad(Math.floor(s / 60)) + ":" + pad(s % 60);
  }
  // Longer countdowns: same wording as the server's (funcs.go makeCountdown).
  function longText(ms) {
    if (ms <= 0) return { text: "已截止", cls: "past" };
    var days = Math.floor(ms / 86400000), hours = Math.floor(ms % 86400000 / 3600000), mins = Math.floor(ms % 3600000 / 60000);
    if (ms < 3600000) return { text: mins < 1 ? "剩不足 1 分钟" : "剩 " + mins + " 分钟", cls: "urgent" };
    if (ms < 86400000) return { text: "剩 " + hours + " 小时 " + mins + " 分", cls: "soon" };
    return { text: "剩 " + days + " 天 " + hours + " 小时", cls: "" };
  }
  function rankText(r) { return r === 1 ? "第 1 名（领先）" : r > 1 ? "第 " + r + " 名" : "尚未报价"; }

  // Announced once each per countdown (UI.md §2.7: countdowns only at set thresholds).
  var THRESHOLDS = [60, 30, 10];
  // Events after which the page's forms are not the same: reload.
  var STAGES = ["announced", "changed", "listing_closed", "timed_started", "paused", "resumed", "closed"];

  document.addEventListener("DOMContentLoaded", function () {
    var root = $("sale-live");
    if (!root) return;
    var base = { server: Number(root.dataset.nowMs), at: performance.now() };
    var status = root.dataset.status, me = root.dataset.me || "";
    var order = root.dataset.order ? root.dataset.order.split(",") : [];
    var last = Number(root.dataset.last) || 0;
    var cd = $("sale-countdown"), announce = $("sale-announce"), conn = $("sale-conn");
    var amount = document.querySelector("#bid-form input[name=amount]");
    var edited = false, told = {}, reloading = false;
    var passed = !cd || Number(cd.dataset.endsMs) <= base.server; // ran out before the page loaded

    function now() { return base.server + performance.now() - base.at; }
    function set(id, text) { var el = $(id); if (el && el.textContent !== String(text)) el.textContent = text; }
    function say(text) {
      announce.textContent = "";
      setTimeout(function () { announce.textContent = text; }, 50);
    }
    function left() {
      if (!cd) return 0;
      return cd.dataset.paused ? Number(cd.dataset.remainingMs) : Number(cd.dataset.endsMs) - now();
    }
    // Thresholds already passed are not announced.
    function arm() {
      told = {};
      var l = left();
      THRESHOLDS.forEach(function (t) { if (l <= t * 1000) told[t] = true; });
    }
    arm();

    function reload() {
      if (reloading) return;
      var a = document.activeElement;
      if (a && a !== amount && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName) && a.value) {
        // Someone is typing (a reason, a reference): do not throw it away.
        var stale = $("sale-stale");
        if (stale) stale.hidden = false;
        return;
      }
      reloading = true;
      setTimeout(function () { location.reload(); }, 300);
    }

    function tick() {
      set("sale-clock", clockText(now()));
      if (!cd) return;
      var l = left();
      if (cd.dataset.short) {
        set("sale-countdown", shortText(l));
        cd.classList.toggle("cd-urgent", l <= 60000 && l > 0);
        cd.classList.toggle("cd-past", l <= 0);
        if (!cd.dataset.paused) {
          THRESHOLDS.forEach(function (t) {
            if (l > 0 && l <= t * 1000 && !told[t]) {
              told[t] = true;
              say("距竞价结束还剩 " + t + " 秒。");
            }
          });
        }
        if (l <= 0 && !passed && !cd.dataset.paused) {
          passed = true;
          say("倒计时结束，等待平台确认竞价结果。");
        }
        return;
      }
      var c = longText(l);
      set("sale-countdown", c.text);
      cd.className = "cd cd-big" + (c.cls ? " cd-" + c.cls : "");
      if (l <= 0 && !passed) {
        // A stage began or ended on time: the server shows what follows.
        passed = true;
        setTimeout(reload, 1500);
      }
    }
    setInterval(tick, 250);
    tick();

    if (amount) amount.addEventListener("input", function (e) { if (e.isTrusted) edited = true; });

    function addRow(d) {
      var body = $("sale-offers-body");
      if (!body) return;
      var tr = document.createElement("tr");
      tr.className = "fresh" + (d.bidder_no === me ? " me" : "");
      [["顺序号", String(d.seq)], ["阶段", d.type === "quote" ? "挂牌报价" : "限时竞价"],
        ["竞买号牌", d.bidder_no + (d.bidder_no === me ? "（本单位）" : "")], ["报价", d.price_text], ["时间", fullText(d.at_ms)]].forEach(function (c, i) {
        var td = document.createElement("td");
        td.setAttribute("data-label", c[0]);
        td.className = i === 1 ? "" : i === 3 ? "r num money" : "num";
        td.textContent = c[1];
        tr.appendChild(td);
      });
      body.insertBefore(tr, body.firstChild);
      var empty = $("sale-offers-empty");
      if (empty) empty.hidden = true;
    }

    function apply(d) {
      if (d.seq <= last) return; // already shown
      last = d.seq;
      if (d.at_ms > now()) base = { server: d.at_ms, at: performance.now() };
      if (d.status !== status || STAGES.indexOf(d.type) >= 0) {
        say("交易状态已变化：" + d.status_text + "。");
        reload();
        return;
      }
      if (d.price_text) {
        set("sale-price", d.price_text);
        set("sale-price-cap", d.price_capital);
        if (d.bids > 0 || d.leader) set("sale-price-label", "当前最高价");
      }
      set("sale-bids", d.bids);
      set("sale-leader", d.leader || "—");
      if (d.next_text) set("sale-next", d.next_text);
      if (d.increment_text) { set("sale-inc", d.increment_text); set("bid-inc", d.increment_text); }
      var restarted = false;
      if (cd && cd.dataset.short && d.ends_ms && Number(cd.dataset.endsMs) !== d.ends_ms) {
        cd.dataset.endsMs = d.ends_ms;
        set("sale-ends", fullText(d.ends_ms));
        restarted = true;
        passed = false;
        arm();
        cd.classList.add("restarted");
        setTimeout(function () { cd.classList.remove("restarted"); }, 1200);
      }
      var rank = 0;
      if (d.bidder_no) {
        order = order.filter(function (x) { return x !== d.bidder_no; });
        order.unshift(d.bidder_no);
        addRow(d);
        rank = order.indexOf(me) + 1;
        if (me) set("sale-rank", rankText(rank));
      }
      if (amount && d.next_plain) {
        var cur = Math.round(parseFloat(String(amount.value).replace(/[,，¥元\s]/g, "")) * 100);
        if (!edited || !(cur >= d.next)) {
          amount.value = d.next_plain;
          edited = false;
          amount.dispatchEvent(new Event("input")); // the 大写 follows
        }
      }
      tick();
      if (d.bidder_no) {
        var msg = "新的最高价 " + d.price_text + "，号牌 " + d.bidder_no + (d.bidder_no === me ? "（本单位）" : "");
        if (restarted) msg += "，倒计时重新开始";
        if (me) msg += "。您的排名：" + rankText(rank);
        say(msg + "。");
      } else if (d.type === "increment_changed") {
        say("增价幅度已调整为 " + d.increment_text + "，下一个有效报价 " + d.next_text + "。");
      }
    }

    if (typeof EventSource !== "function") return;
    var es = new EventSource(root.dataset.events + "?lastEventId=" + encodeURIComponent(root.dataset.last));
    es.addEventListener("sale", function (e) {
      var d;
      try { d = JSON.parse(e.data); } catch (x) { return; }
      apply(d);
    });
    es.addEventListener("reset", function (e) {
      // The stream cannot replay what this page missed: load the current state.
      var d = {};
      try { d = JSON.parse(e.data); } catch (x) { /* reload anyway */ }
      if (d.last !== last) reload();
    });
    es.addEventListener("open", function () {
      root.setAttribute("data-stream", "connected");
      if (conn) { conn.textContent = "● 实时推送已连接"; conn.classList.add("on"); }
    });
    es.addEventListener("error", function () {
      root.setAttribute("data-stream", "reconnecting");
      if (conn) { conn.textContent = "○ 正在重新连接，断线期间的变化将在重连后补发"; conn.classList.remove("on"); }
    });
    var btn = $("sale-reload");
    if (btn) btn.addEventListener("click", function () { location.reload(); });
  });
})();
