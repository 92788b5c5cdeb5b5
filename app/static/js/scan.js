// Scan forms (form[data-scan]) post without reloading the page: the cursor stays in the scan
// field, the marked parts of the page ([data-scan-region] with an id) are refreshed, and each
// scan is answered on screen and, where the browser allows, with a short tone.
// Without this script the forms post normally and the server redirects back.
(function () {
  "use strict";
  var audio = null;

  function tone(ok) {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) { return; }
      audio = audio || new Context();
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = ok ? 880 : 220;
      osc.type = ok ? "sine" : "square";
      gain.gain.value = 0.08;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + (ok ? 0.12 : 0.35));
    } catch (e) { /* no sound available: the visual answer is enough */ }
  }

  function statusBox(form) {
    var box = form.querySelector("[data-scan-status]");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("data-scan-status", "");
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "assertive");
      form.appendChild(box);
    }
    return box;
  }

  function show(form, ok, message) {
    var box = statusBox(form);
    box.className = "scan-status col-12 alert mb-0 py-2 " + (ok ? "alert-success" : "alert-danger");
    box.textContent = message;
    var field = form.querySelector("[data-scan-field]");
    if (field) {
      field.classList.toggle("is-invalid", !ok);
      field.setAttribute("aria-invalid", ok ? "false" : "true");
      field.classList.remove("scan-flash-ok", "scan-flash-bad");
      void field.offsetWidth;  // restart the flash animation
      field.classList.add(ok ? "scan-flash-ok" : "scan-flash-bad");
    }
    form.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
    tone(ok);
  }

  var refreshes = 0;

  function refreshRegions() {
    var regions = document.querySelectorAll("[data-scan-region][id]");
    if (!regions.length) { return Promise.resolve(); }
    var mine = ++refreshes;  // fast scans overlap: only the newest page is shown
    return fetch(window.location.href, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        if (!html || mine !== refreshes) { return; }
        regions = document.querySelectorAll("[data-scan-region][id]");
        var page = new DOMParser().parseFromString(html, "text/html");
        regions.forEach(function (region) {
          var fresh = page.getElementById(region.id);
          if (fresh) { region.replaceWith(document.importNode(fresh, true)); }
        });
      });
  }

  function samePage(next) {
    if (!next) { return true; }
    var url = new URL(next, window.location.href);
    return url.pathname === window.location.pathname && url.search === window.location.search;
  }

  function focusField(form, select) {
    var field = form.querySelector("[data-scan-field]");
    if (!field) { return; }
    field.focus();
    if (select) { field.select(); }
  }

  // A handheld scanner sends the next code while the answer to the last one (and the refresh of
  // the page's lists) is still on its way: each scan is queued and sent in order, never dropped.
  function pending(form) {
    form._scanQueue = form._scanQueue || [];
    return form._scanQueue;
  }

  function post(form, data, value) {
    form.dataset.busy = "1";
    var field = form.querySelector("[data-scan-field]");
    return fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                               headers: {"X-Requested-With": "fetch", "Accept": "application/json"}})
      .then(function (r) {
        return r.json().catch(function () { return {ok: false, message: form.dataset.scanError || "Error"}; });
      })
      .then(function (answer) {
        if (answer.ok && !samePage(answer.next)) {
          pending(form).length = 0;
          window.location.assign(answer.next);
          return;
        }
        show(form, answer.ok, answer.message);
        if (answer.ok) {
          refreshRegions().then(function () {
            if (document.activeElement === document.body) { focusField(form, false); }
          });
          return;
        }
        // Refused: put the refused code back (unless the next scan is already being typed)
        // and select it, so that the next scan replaces it.
        if (field && !field.value && !pending(form).length) {
          field.value = value;
          focusField(form, true);
        }
      })
      .catch(function () {
        // The connection dropped. One code alone: post the form the ordinary way (the browser
        // says what went wrong). Several: none is silently lost; they are named for a re-scan.
        var unsent = [value].concat(pending(form).map(function (p) { return p.value; }));
        pending(form).length = 0;
        if (unsent.length === 1 && field && !field.value) {
          field.value = value; form.dataset.busy = ""; form.submit();
          return;
        }
        var words = (field && field.dataset.scanOffline) || "Not sent: {codes}";
        show(form, false, words.replace("{codes}", unsent.join(", ")));
        if (field && !field.value) { field.value = value; focusField(form, true); }
      })
      .finally(function () {
        form.dataset.busy = "";
        var next = pending(form).shift();
        if (next) { post(form, next.data, next.value); }
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-scan]") || !window.fetch) { return; }
    event.preventDefault();
    var field = form.querySelector("[data-scan-field]");
    var value = field ? field.value : "";
    var data = new FormData(form);
    if (field) { field.value = ""; field.focus(); }
    if (form.dataset.busy === "1") {
      pending(form).push({data: data, value: value});
      return;
    }
    post(form, data, value);
  });

  // On arrival, put the cursor in the page's scan field (unless the user is already elsewhere).
  // Scrolling to a #fragment moves focus to the page after load, so try once more after it.
  function focusOnArrival() {
    var form = document.querySelector("form[data-scan]");
    var active = document.activeElement;
    if (form && (!active || active === document.body)) { focusField(form, false); }
  }
  document.addEventListener("DOMContentLoaded", focusOnArrival);
  window.addEventListener("load", function () { window.setTimeout(focusOnArrival, 50); });
})();
