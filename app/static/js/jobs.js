// The progress bar of a background job: polls its JSON endpoint every 1.5 s until it ends.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  var status = box.getAttribute("data-status");
  if (status !== "queued" && status !== "running") { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("[data-bar]");
  var done = box.querySelector("[data-rows-done]");
  var total = box.querySelector("[data-rows-total]");
  var label = box.querySelector("[data-status-label]");
  var ended = box.querySelector("[data-reload]");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 5000); return; }
        if (bar) { bar.max = data.rows_total || 1; bar.value = data.rows_done; }
        if (done) { done.textContent = data.rows_done; }
        if (total && data.rows_total) { total.textContent = data.rows_total; }
        if (label) { label.textContent = data.label; }
        if (data.done) {
          if (ended) { ended.classList.remove("d-none"); }
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
