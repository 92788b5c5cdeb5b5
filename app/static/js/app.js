// Small progressive enhancements; the pages work without them.
(function () {
  "use strict";
  // Forms marked data-once disable their submit buttons after the first submit (no double posts).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-once]")) { return; }
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
  });
  // Selects marked data-autosubmit submit their (GET) form when changed.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
  });
})();
