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

  function refreshRegions() {
    var regions = document.querySelectorAll("[data-scan-region][id]");
    if (!regions.length) { return Promise.resolve(); }
    return fetch(window.location.href, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        if (!html) { return; }
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

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-scan]") || !window.fetch) { return; }
    event.preventDefault();
    if (form.dataset.busy === "1") { return; }
    form.dataset.busy = "1";
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: {"X-Requested-With": "fetch", "Accept": "application/json"}})
      .then(function (r) {
        return r.json().catch(function () { return {ok: false, message: form.dataset.scanError || "Error"}; });
      })
      .then(function (answer) {
        if (answer.ok && !samePage(answer.next)) {
          window.location.assign(answer.next);
          return null;
        }
        show(form, answer.ok, answer.message);
        if (answer.ok) {
          var field = form.querySelector("[data-scan-field]");
          if (field) { field.value = ""; }
          return refreshRegions().then(function () { focusField(form, false); });
        }
        focusField(form, true);
        return null;
      })
      .catch(function () { form.dataset.busy = ""; form.submit(); })
      .finally(function () { form.dataset.busy = ""; });
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
