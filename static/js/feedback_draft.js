// The feedback form keeps what the member typed: in this browser (localStorage) at every
// change, and on the server (the draft endpoint) a moment later. When the link session runs
// out the answers stay in both places; the next visit restores them (the server's copy is put
// into the form by the page itself, the browser's copy here when it is newer). A banner warns
// before the link session ends. The signature is never kept: it is drawn again.
(function () {
  "use strict";
  var form = document.getElementById("feedback-form");
  if (!form || !form.dataset.draftKey) return;
  var FIELDS = ["methods", "other_method", "handling_effect", "satisfaction", "publish_consent", "opinion"];
  var key = form.dataset.draftKey;
  var status = document.getElementById("draft-status");
  var banner = document.getElementById("session-warning");
  var expired = false;

  function clock(date) {
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(date.getHours()) + ":" + pad(date.getMinutes());
  }
  function say(message, date) {
    if (status) status.textContent = message.replace("{time}", clock(date || new Date()));
  }
  function warn(message, date) {
    if (!banner) return;
    banner.textContent = message.replace("{time}", clock(date || new Date()));
    banner.hidden = false;
  }

  function collect() {
    var data = {};
    FIELDS.forEach(function (name) {
      var inputs = form.querySelectorAll("[name='" + name + "']");
      if (!inputs.length) return;
      if (inputs[0].type === "checkbox") {
        data[name] = Array.prototype.filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
      } else if (inputs[0].type === "radio") {
        var chosen = Array.prototype.filter.call(inputs, function (i) { return i.checked; })[0];
        data[name] = chosen ? chosen.value : "";
      } else {
        data[name] = inputs[0].value;
      }
    });
    return data;
  }
  function apply(data) {
    FIELDS.forEach(function (name) {
      if (!(name in data)) return;
      var inputs = form.querySelectorAll("[name='" + name + "']");
      Array.prototype.forEach.call(inputs, function (input) {
        if (input.type === "checkbox") input.checked = data[name].indexOf(input.value) !== -1;
        else if (input.type === "radio") input.checked = input.value === data[name];
        else input.value = data[name];
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  }
  function readLocal() {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function writeLocal(data) {
    try { window.localStorage.setItem(key, JSON.stringify({ savedAt: new Date().toISOString(), data: data })); } catch (e) { /* private mode, full */ }
  }

  var timer = null;
  function saveToServer() {
    timer = null;
    if (expired) return;
    var body = new FormData();
    var data = collect();
    FIELDS.forEach(function (name) {
      if (Array.isArray(data[name])) data[name].forEach(function (v) { body.append(name, v); });
      else if (name in data) body.append(name, data[name]);
    });
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    fetch(form.dataset.draftUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    }).then(function (response) {
      if (response.ok) {
        say(form.dataset.msgSaved);
      } else if (response.status === 404 && form.dataset.expiresAt) {
        sessionOver();
      } else {
        say(form.dataset.msgSavedHere);
      }
    }).catch(function () { say(form.dataset.msgSavedHere); });
  }
  function changed(event) {
    if (!event.target.name || FIELDS.indexOf(event.target.name) === -1) return;
    writeLocal(collect());
    if (expired) { say(form.dataset.msgSavedHere); return; }
    if (timer) clearTimeout(timer);
    timer = setTimeout(saveToServer, 1200);
  }
  function sessionOver() {
    expired = true;
    warn(form.dataset.msgExpired);
  }

  // Restore: the page already holds the server's draft; the browser's copy wins when it is newer
  // (typed after the last save reached the server). A form sent back with errors keeps what was sent.
  if (!form.hasAttribute("data-bound")) {
    var local = readLocal();
    var serverAt = form.dataset.draftSavedAt ? Date.parse(form.dataset.draftSavedAt) : 0;
    if (local && local.data && Date.parse(local.savedAt) > serverAt) {
      apply(local.data);
      var fromServer = document.querySelector(".draft-restored");
      if (fromServer) fromServer.hidden = true;  // the browser's copy replaces what the server kept
      warn(form.dataset.msgRestoredHere);
      timer = setTimeout(saveToServer, 300);
    }
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    // The form itself goes to the server now: no autosave racing it.
    if (timer) clearTimeout(timer);
    timer = null;
    expired = true;
    writeLocal(collect());
  });

  // The warning before a link session ends, and the notice when it has.
  if (form.dataset.expiresAt) {
    var ends = Date.parse(form.dataset.expiresAt);
    var warnMs = (parseInt(form.dataset.warnSeconds, 10) || 300) * 1000;
    var now = Date.now();
    var showWarning = function () { if (!expired) warn(form.dataset.msgWarning, new Date(ends)); };
    if (ends - now <= warnMs) showWarning();
    else setTimeout(showWarning, ends - now - warnMs);
    // At the end, one more save: the server's refusal (404) is what says the session is over.
    setTimeout(saveToServer, Math.max(ends - now, 0) + 1000);
  }
})();

// After the form is in, the browser's copy of the draft goes (the page names it).
(function () {
  "use strict";
  var done = document.querySelector("[data-clear-draft]");
  if (!done) return;
  try { window.localStorage.removeItem(done.getAttribute("data-clear-draft")); } catch (e) { /* nothing kept */ }
})();
