// Dispensing: put the cursor in the kit number box so a barcode scanner can type into it.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("kit_number");
  if (box && document.getElementById("proposed-kit")) { box.focus(); }
});
