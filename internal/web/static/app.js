// ggzy: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  var D = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];
  var U = ["", "拾", "佰", "仟"];
  var S = ["", "万", "亿", "万亿"];
  function section(n) {
    var out = "", zero = false, started = false;
    for (var p = 3; p >= 0; p--) {
      var d = Math.floor(n / Math.pow(10, p)) % 10;
      if (d === 0) { if (started) zero = true; continue; }
      if (zero) { out += "零"; zero = false; }
      started = true;
      out += D[d] + U[p];
    }
    return out;
  }
  function integer(n) {
    var secs = [];
    while (n > 0) { secs.push(n % 10000); n = Math.floor(n / 10000); }
    var out = "", zero = false;
    for (var i = secs.length - 1; i >= 0; i--) {
      var s = secs[i];
      if (s === 0) { zero = true; continue; }
      if (zero || (i < secs.length - 1 && s < 1000)) out += "零";
      zero = false;
      out += section(s) + S[i];
    }
    return out;
  }
  // Same rules as money.Fen.Capital on the server, which is authoritative.
  function capital(text) {
    var s = String(text).replace(/[,，¥元\s]/g, "");
    if (!/^\d+(\.\d{1,2})?$/.test(s)) return "";
    var parts = s.split(".");
    var y = parseInt(parts[0], 10);
    if (y > 9e13) return "";
    var frac = ((parts[1] || "") + "00").slice(0, 2);
    var jiao = parseInt(frac[0], 10), fen = parseInt(frac[1], 10);
    var out = y === 0 ? "零元" : integer(y) + "元";
    if (jiao === 0 && fen === 0) return out + "整";
    if (jiao === 0) return out + (y !== 0 ? "零" : "") + D[fen] + "分";
    if (fen === 0) return out + D[jiao] + "角整";
    return out + D[jiao] + "角" + D[fen] + "分";
  }
  function bind(input) {
    var out = document.getElementById(input.getAttribute("data-capital"));
    if (!out) return;
    var update = function () {
      var c = capital(input.value);
      out.textContent = c ? "大写：" + c : "";
    };
    input.addEventListener("input", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelectorAll("input[data-capital]");
    for (var i = 0; i < list.length; i++) bind(list[i]);
    var sum = document.getElementById("errsum");
    if (sum) sum.focus();
    // Warn two minutes before the session ends (UI.md §2.7). The time left
    // comes from the server's clock; the browser only counts it down.
    var warn = document.getElementById("session-warn");
    if (warn) {
      var left = parseInt(warn.getAttribute("data-left-ms"), 10) - 2 * 60 * 1000;
      setTimeout(function () { warn.hidden = false; }, Math.max(0, left));
    }
  });
})();
