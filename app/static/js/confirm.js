// Confirm before an irreversible step: any form with data-confirm="question" asks first in an
// accessible modal dialog (focus moves into it, Escape cancels, focus returns afterwards).
// Optional: data-confirm-button="label of the confirming button", data-confirm-danger, and
// data-confirm-if="name=value" to ask only when that field of the form holds that value.
// The dialog's markup and its default labels come from <template id="confirm-dialog">.
(function () {
  "use strict";
  var template = document.getElementById("confirm-dialog");

  function ask(form, submitter) {
    var dialog = template.content.firstElementChild.cloneNode(true);
    dialog.querySelector("[data-confirm-text]").textContent = form.dataset.confirm;
    var yes = dialog.querySelector("[data-confirm-yes]");
    if (form.dataset.confirmButton) { yes.textContent = form.dataset.confirmButton; }
    if (form.hasAttribute("data-confirm-danger")) { yes.classList.replace("btn-primary", "btn-danger"); }
    document.body.appendChild(dialog);
    var back = document.activeElement;
    dialog.addEventListener("close", function () {
      var confirmed = dialog.returnValue === "yes";
      dialog.remove();
      if (confirmed) {
        form.dataset.confirmed = "1";
        if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
      } else if (back && back.focus) {
        back.focus();
      }
    });
    dialog.showModal();
    dialog.querySelector("[data-confirm-no]").focus();
  }

  // Capture phase: runs before the data-once and scan handlers, which then see only confirmed posts.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!template || !form.matches("form[data-confirm]") || typeof HTMLDialogElement === "undefined") { return; }
    if (form.dataset.confirmed === "1") { form.dataset.confirmed = ""; return; }
    var only = form.dataset.confirmIf;
    if (only) {
      var pair = only.split("="), data = new FormData(form);
      if (data.getAll(pair[0]).indexOf(pair[1]) < 0) { return; }
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(form, event.submitter);
  }, true);
})();
