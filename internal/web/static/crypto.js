// ggzy: the browser's side of sealed bids (DESIGN.md §6.2). Keys are made,
// bids sealed and custodians' shares opened by the platform's own Go code
// compiled to WebAssembly (ggzy.wasm, from cmd/ggzy-wasm): private keys,
// passphrases and bid content never leave the browser. Without this file the
// pages say what is needed (the elements marked data-wasm-missing) and offer
// the command-line tool; no form here ever posts a plain bid.
(function () {
  "use strict";

  var CHUNK = 4 * 1024 * 1024;        // bytes per upload request
  var MAX_SEALED = 512 * 1024 * 1024; // what a tab can hold: larger bids use `ggzy seal`
  var RETRIES = 6;                    // failed requests in a row before asking the user

  function $(id) { return document.getElementById(id); }
  function tick() { return new Promise(function (r) { setTimeout(r, 30); }); }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function mb(n) { return (n / 1048576).toFixed(n < 10485760 ? 2 : 1) + " MB"; }

  // ---- the WebAssembly module, loaded once, on the pages that need it

  var wasm = null;
  function loadWasm() {
    if (wasm) return wasm;
    wasm = new Promise(function (resolve, reject) {
      var tag = document.querySelector("script[data-wasm]");
      if (!tag || typeof WebAssembly !== "object" || typeof Go !== "function") {
        reject(new Error("此浏览器不支持 WebAssembly。"));
        return;
      }
      var go = new Go();
      window.ggzyReady = resolve; // called by the module once its functions exist
      var url = tag.getAttribute("data-wasm");
      var load = WebAssembly.instantiateStreaming
        ? WebAssembly.instantiateStreaming(fetch(url), go.importObject)
        : fetch(url).then(function (r) { return r.arrayBuffer(); })
          .then(function (b) { return WebAssembly.instantiate(b, go.importObject); });
      load.then(function (r) { go.run(r.instance); }, function () {
        reject(new Error("加密组件未能加载，请检查网络后刷新页面。"));
      });
    });
    return wasm;
  }

  // enable shows the forms that need the module and hides the notices that
  // explain its absence; on failure the notices stay, with the reason.
  function enable(forms) {
    loadWasm().then(function () {
      document.querySelectorAll("[data-wasm-missing]").forEach(function (el) { el.hidden = true; });
      forms.forEach(function (f) { f.hidden = false; });
    }, function (e) {
      document.querySelectorAll("[data-wasm-missing]").forEach(function (el) {
        var p = document.createElement("p");
        p.className = "field-err";
        p.textContent = e.message;
        el.appendChild(p);
      });
    });
  }

  // ---- messages

  function showError(box, form, e) {
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var msg = e && e.message ? e.message : String(e);
    if (e && e.basis) msg += "（依据：" + e.basis + "）";
    if (e && e.code) msg += " 错误代码 " + e.code;
    box.textContent = msg;
    box.hidden = false;
    var field = e && e.field ? form.querySelector('[data-field="' + e.field + '"]') : null;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", box.id);
      field.focus();
    } else {
      box.focus();
    }
  }

  function clearError(box, form) {
    box.hidden = true;
    box.textContent = "";
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  // apiError turns a JSON error of the web routes into an Error.
  function apiError(j, status) {
    var e = new Error(j && j.error ? j.error : "平台暂时无法处理（HTTP " + status + "），请稍后重试。");
    if (j) { e.basis = j.basis; e.code = j.code; }
    e.status = status;
    return e;
  }

  async function readKeyFile(input) {
    var f = input.files && input.files[0];
    if (!f) {
      var e = new Error("请选择本人的加密私钥文件（.key.pem）。");
      e.field = "key";
      throw e;
    }
    if (f.size > 16384) {
      var e2 = new Error("所选文件不是私钥文件（过大）。");
      e2.field = "key";
      throw e2;
    }
    return f.text();
  }

  // ---- 我的密钥: generate a key pair in the browser

  function keygen(box) {
    var form = $("keygen-form"), err = $("keygen-error"), status = $("keygen-status");
    var p1 = $("keygen-passphrase"), p2 = $("keygen-passphrase2"), btn = $("keygen-submit");
    p1.setAttribute("data-field", "passphrase");
    p2.setAttribute("data-field", "passphrase2");
    enable([form]);
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      clearError(err, form);
      if (p1.value !== p2.value) {
        var e = new Error("两次输入的口令不一致。");
        e.field = "passphrase2";
        showError(err, form, e);
        return;
      }
      btn.disabled = true;
      status.textContent = "正在本机生成密钥并用口令加密私钥，约需数秒……";
      try {
        await loadWasm();
        await tick();
        var k = await window.ggzyGenerateKey(p1.value);
        p1.value = p2.value = "";
        var name = (box.dataset.username || "user") + "-" + box.dataset.purpose + "-" + k.fingerprint.slice(0, 8) + ".key.pem";
        var link = $("keygen-download");
        link.href = URL.createObjectURL(new Blob([k.pem], { type: "application/x-pem-file" }));
        link.download = name;
        $("keygen-filename").textContent = name;
        $("keygen-fp").textContent = k.fingerprint;
        $("keygen-result").hidden = false;
        form.hidden = true;
        // Only the public key goes into the registration form; it can be
        // sent once the private key file has been saved.
        var pem = $("key-pem"), submit = $("key-submit");
        pem.value = k.publicPem;
        submit.disabled = true;
        submit.title = "请先下载私钥文件";
        link.addEventListener("click", function () {
          submit.disabled = false;
          submit.removeAttribute("title");
          status.textContent = "私钥文件已下载，请妥善保存。现在可以点击下方“登记公钥”。";
        });
        status.textContent = "请先下载私钥文件并妥善保存，然后登记公钥。";
        link.focus();
      } catch (e) {
        showError(err, form, e);
        status.textContent = "";
      } finally {
        btn.disabled = false;
      }
    });
  }

  // ---- bidder: seal the bid in the browser, then upload it resumably

  function sealPage(form) {
    var err = $("seal-error"), btn = $("seal-submit"), box = $("seal-progress-box");
    var bar = $("seal-progress"), status = $("seal-status"), resume = $("seal-resume");
    var complete = $("seal-complete");
    var csrf = complete.querySelector('input[name="csrf"]').value;
    var lot = form.dataset.lot;
    // The sealing time is the platform's, as the page knew it at load.
    var t0 = performance.now(), serverMS = Number(form.dataset.nowMs);
    var busy = false;
    enable([form]);
    window.addEventListener("beforeunload", function (ev) {
      if (busy) { ev.preventDefault(); ev.returnValue = ""; }
    });

    function field(name) { return form.querySelector('[data-field="' + name + '"]'); }

    function progress(off, size, note) {
      var pct = size ? Math.floor(off * 100 / size) : 0;
      bar.value = pct;
      status.textContent = (note ? note + " " : "") + "已上传 " + mb(off) + " / " + mb(size) + "（" + pct + "%）";
    }

    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      if (busy) return;
      clearError(err, form);
      busy = true;
      btn.disabled = true;
      try {
        var keys = JSON.parse(form.dataset.keys || "[]");
        if (!keys.length) throw new Error("贵单位尚未登记有效的投标签名公钥，平台将拒收。请先到“我的密钥”生成并登记。");
        var keyPem = await readKeyFile($("seal-key"));
        var chosen = Array.prototype.slice.call($("seal-files").files || []);
        var total = chosen.reduce(function (n, f) { return n + f.size; }, 0);
        if (total > MAX_SEALED) throw new Error("附件合计 " + mb(total) + "，超过浏览器内加密的上限（512 MB）。请使用命令行工具 ggzy seal。");
        box.hidden = false;
        bar.value = 0;
        status.textContent = "正在读取附件……";
        var files = [];
        for (var i = 0; i < chosen.length; i++) {
          files.push({ name: chosen[i].name, data: new Uint8Array(await chosen[i].arrayBuffer()) });
        }
        status.textContent = "正在本机加密并签名（报价和附件不离开本机）……";
        await loadWasm();
        await tick();
        // A land lot's form has no 质量标准/项目经理 (works terms): sent empty.
        var land = form.dataset.land === "1";
        var bid = JSON.stringify({
          price: field("price").value, duration_days: field("duration_days").value,
          quality: land ? "" : field("quality").value, project_manager: land ? "" : field("project_manager").value, land: land,
          start_price: Number(form.dataset.startPrice || 0)
        });
        var s = await window.ggzySeal(form.dataset.custody, form.dataset.entity, bid, files, keyPem,
          field("passphrase").value, serverMS + (performance.now() - t0));
        files = null;
        if (keys.indexOf(s.signer) < 0) {
          var ke = new Error("所选私钥对应的公钥（指纹 " + s.signer.slice(0, 16) + "…）不是本单位登记的有效投标签名公钥，平台将拒收。请选择登记时下载的私钥文件。");
          ke.field = "key";
          throw ke;
        }
        field("passphrase").value = "";
        try { sessionStorage.setItem("ggzy-sealed-" + lot, s.digest); } catch (e) { /* private mode */ }
        status.textContent = "加密完成：" + mb(s.size) + "，摘要（SM3）" + s.digest.slice(0, 16) + "…。正在上传……";
        var id = await upload(s.data);
        status.textContent = "上传完成，正在提交……";
        busy = false;
        complete.action = "/console/uploads/" + encodeURIComponent(id) + "/bid";
        complete.submit();
      } catch (e) {
        busy = false;
        btn.disabled = false;
        showError(err, form, e);
      }
    });

    async function send(method, url, body, headers) {
      var h = { "X-CSRF-Token": csrf, "Accept": "application/json" };
      for (var k in headers || {}) h[k] = headers[k];
      var res = await fetch(url, { method: method, body: body, headers: h, credentials: "same-origin" });
      var j = null;
      try { j = await res.json(); } catch (e) { /* not JSON */ }
      return { res: res, j: j };
    }

    // upload sends the sealed file in chunks. After a failed request it asks
    // the server how much it holds and resumes there; after several failures
    // in a row it waits for the user to press 继续上传.
    async function upload(data) {
      var r = await send("POST", "/console/lots/" + encodeURIComponent(lot) + "/uploads",
        new URLSearchParams({ csrf: csrf, size: String(data.length) }));
      if (!r.res.ok) throw apiError(r.j, r.res.status);
      var up = r.j, url = "/console/uploads/" + encodeURIComponent(up.upload_id), failures = 0;
      progress(up.offset, up.size);
      while (up.offset < up.size) {
        try {
          r = await send("PATCH", url, data.subarray(up.offset, Math.min(up.offset + CHUNK, up.size)),
            { "Upload-Offset": String(up.offset), "Content-Type": "application/offset+octet-stream" });
          if (r.res.ok) {
            up = r.j;
            failures = 0;
            progress(up.offset, up.size);
            continue;
          }
          if (r.res.status === 409 && r.j && typeof r.j.offset === "number") {
            up.offset = r.j.offset; // the server holds more or less: continue from there
            continue;
          }
          if (r.res.status < 500) throw Object.assign(apiError(r.j, r.res.status), { fatal: true });
          throw apiError(r.j, r.res.status);
        } catch (e) {
          if (e.fatal) throw e;
          failures++;
          if (failures > RETRIES) {
            progress(up.offset, up.size, "上传中断，已保存的部分不会丢失。请检查网络后点击“继续上传”。");
            await waitForResume();
            failures = 0;
          } else {
            progress(up.offset, up.size, "网络中断，" + Math.min(failures * 2, 10) + " 秒后自动续传（第 " + failures + " 次）……");
            await sleep(Math.min(failures * 2, 10) * 1000);
          }
          try {
            r = await send("GET", url);
            if (r.res.ok) up = r.j;
            else if (r.res.status < 500) throw Object.assign(apiError(r.j, r.res.status), { fatal: true });
          } catch (e2) {
            if (e2.fatal) throw e2; // still offline: the loop tries again
          }
        }
      }
      return up.upload_id;
    }

    function waitForResume() {
      return new Promise(function (resolve) {
        resume.hidden = false;
        resume.focus();
        resume.addEventListener("click", function once() {
          resume.removeEventListener("click", once);
          resume.hidden = true;
          resolve();
        });
      });
    }
  }

  // ---- bidder of a sale: seal the one quote (一次报价) in the browser
  //
  // The amount is typed into a form that is never posted: the module seals
  // it for the sale's custodians, bound to the bidder's number and signed
  // with the entity's key, and only the sealed file goes to the platform,
  // in the "sealed" field of a normal form post (a few hundred bytes).

  function quotePage(form) {
    var err = $("quote-seal-error"), btn = $("quote-seal-submit"), status = $("quote-seal-status");
    var d = form.dataset;
    // The sealing time is the platform's, as the page knew it at load.
    var t0 = performance.now(), serverMS = Number(d.nowMs);
    enable([form]);
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      clearError(err, form);
      btn.disabled = true;
      try {
        var keys = JSON.parse(d.keys || "[]");
        if (!keys.length) throw new Error("贵单位尚未登记有效的投标（竞买）签名公钥，平台将拒收。请先到“我的密钥”生成并登记。");
        var keyPem = await readKeyFile($("sealed-key"));
        var pass = form.querySelector('[data-field="passphrase"]');
        status.textContent = "正在本机加密并签名（报价金额不离开本机）……";
        await loadWasm();
        await tick();
        var s = await window.ggzySealQuote(d.custody, d.bidderNo, form.querySelector('[data-field="amount"]').value,
          Number(d.listed), keyPem, pass.value, serverMS + (performance.now() - t0));
        if (keys.indexOf(s.signer) < 0) {
          var ke = new Error("所选私钥对应的公钥（指纹 " + s.signer.slice(0, 16) + "…）不是本单位登记的有效签名公钥，平台将拒收。请选择登记时下载的私钥文件。");
          ke.field = "key";
          throw ke;
        }
        pass.value = "";
        try { sessionStorage.setItem("ggzy-sealed-" + d.sale, s.digest); } catch (e) { /* private mode */ }
        status.textContent = "加密完成，摘要（SM3）" + s.digest.slice(0, 16) + "…。正在提交……";
        $("sealed-field").value = s.base64;
        $("quote-sealed-post").submit();
      } catch (e) {
        status.textContent = "";
        btn.disabled = false;
        showError(err, form, e);
      }
    });
  }

  // ---- custodian: decrypt the own shares in the browser

  function decryptPage(form) {
    var err = $("decrypt-error"), btn = $("decrypt-submit"), status = $("decrypt-status");
    var d = form.dataset;
    enable([form]);
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      clearError(err, form);
      btn.disabled = true;
      try {
        var keyPem = await readKeyFile($("decrypt-key"));
        var pass = form.querySelector('[data-field="passphrase"]');
        status.textContent = "正在取得加密给您的密钥份额……";
        var res = await fetch(d.envelopes, { headers: { "Accept": "application/json" }, credentials: "same-origin" });
        var j = await res.json();
        if (!res.ok) throw apiError(j, res.status);
        status.textContent = "正在本机解密（私钥不离开本机）……";
        await loadWasm();
        await tick();
        // The lot and the custodian come from this page, not from the
        // server's answer: the module refuses envelopes of another lot.
        var r = await window.ggzyOpenShares(d.lot, d.custodian, JSON.stringify(j.envelopes || []), keyPem, pass.value);
        if (r.fingerprint !== d.fingerprint) {
          var ke = new Error("所选私钥与本标段公布的您的保管公钥（指纹 " + d.fingerprint.slice(0, 16) + "…）不符，请选择登记该公钥时下载的私钥文件。");
          ke.field = "key";
          throw ke;
        }
        if (!r.count) {
          var why = r.failures.map(function (f) { return f.reason; }).join("；");
          throw new Error("没有解密出任何份额" + (why ? "：" + why : "。") + " 请联系交易中心。");
        }
        pass.value = "";
        status.textContent = "已在本机解密 " + r.count + " 份，正在提交……" +
          (r.failures.length ? "（" + r.failures.length + " 份未能解密：" + r.failures.map(function (f) { return f.reason; }).join("；") + "）" : "");
        $("shares-field").value = r.sharesJSON;
        $("shares-form").submit();
      } catch (e) {
        status.textContent = "";
        btn.disabled = false;
        showError(err, form, e);
      }
    });
  }

  // ---- evaluation room: sign the score sheet in the browser
  //
  // The form posts the sheet as usual; before it goes, the page asks the
  // server for the digest of exactly these fields (the server parses them as
  // it will on submission), signs it with the member's encrypted SM2 key in
  // the module, and fills the two hidden fields. Errors of the form itself are
  // left to the server, which shows them inline; errors of the key file or
  // passphrase are shown next to those fields.

  function sheetPage(form) {
    var err = $("sheet-error"), btn = $("sheet-submit"), status = $("sheet-status");
    var signed = false;
    enable([$("sheet-keybox")]);

    function slot(name) { return $("sheet-" + name + "-err"); }

    function clearAll() {
      clearError(err, form);
      ["key", "passphrase"].forEach(function (n) {
        var p = slot(n);
        p.hidden = true;
        p.textContent = "";
      });
    }

    function fail(e) {
      var p = e && e.field ? slot(e.field) : null;
      var input = e && e.field ? form.querySelector('[data-field="' + e.field + '"]') : null;
      if (!p || !input) {
        showError(err, form, e);
        return;
      }
      p.textContent = "✕ " + (e.message || String(e));
      p.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }

    form.addEventListener("submit", async function (ev) {
      if (signed) return;
      ev.preventDefault();
      clearAll();
      btn.disabled = true;
      try {
        var keyPem = await readKeyFile($("sheet-key"));
        var pass = $("sheet-passphrase");
        status.textContent = "正在取得评审意见摘要……";
        var res = await fetch(form.dataset.digest, {
          method: "POST", body: new URLSearchParams(new FormData(form)),
          headers: { "Accept": "application/json" }, credentials: "same-origin"
        });
        var j = null;
        try { j = await res.json(); } catch (e) { /* not JSON */ }
        if (!res.ok) {
          if (res.status === 422 && j && j.fields) {
            // The sheet itself has errors: the server shows them inline.
            status.textContent = "评分表有误，正在显示需要修改之处……";
            signed = true;
            form.submit();
            return;
          }
          throw apiError(j, res.status);
        }
        status.textContent = "正在本机签名（私钥和口令不离开本机）……";
        await loadWasm();
        await tick();
        var s = await window.ggzySignDigest(j.digest, keyPem, pass.value);
        pass.value = "";
        form.querySelector('input[name="sig_fingerprint"]').value = s.fingerprint;
        form.querySelector('input[name="signature"]').value = s.signature;
        status.textContent = "已签名（公钥指纹 " + s.fingerprint.slice(0, 16) + "…），正在提交……";
        signed = true;
        form.submit();
      } catch (e) {
        status.textContent = "";
        btn.disabled = false;
        fail(e);
      }
    });
  }

  // ---- receipt: the digest the server computed against the one sealed here

  function receiptCheck(code) {
    var mine = null;
    try { mine = sessionStorage.getItem("ggzy-sealed-" + code.dataset.lot); } catch (e) { return; }
    if (!mine) return;
    var out = $("receipt-digest-check");
    if (mine === code.textContent.trim()) {
      out.textContent = "✓ 与本机加密时算出的摘要一致：平台收到的正是您加密并签名的文件。";
      out.className = "ok";
    } else {
      out.textContent = "✕ 与本机加密时算出的摘要（" + mine + "）不一致。若您之后没有在其他窗口重新递交，请联系交易中心。";
      out.className = "field-err";
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el;
    if ((el = $("keygen"))) keygen(el);
    if ((el = $("seal-form"))) sealPage(el);
    if ((el = $("decrypt-form"))) decryptPage(el);
    if ((el = $("quote-seal-form"))) quotePage(el);
    if ((el = $("receipt-digest"))) receiptCheck(el);
    if ((el = $("sheet-form"))) sheetPage(el);
  });
})();
