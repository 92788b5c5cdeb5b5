// Big photos (input[type=file][data-max-bytes]) are checked in the browser before upload and,
// when the browser can decode them, downscaled to data-downscale pixels on the long side as a
// JPEG, so a 14 MB phone photo becomes a readable receipt instead of a refusal after upload.
(function () {
  "use strict";

  function say(input, message) {
    var id = input.id + "-size";
    var box = document.getElementById(id);
    if (!message) { if (box) { box.remove(); } input.removeAttribute("aria-invalid"); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.className = "invalid-feedback d-block";
      box.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", box);
    }
    box.textContent = message;
    input.setAttribute("aria-invalid", "true");
  }

  function shrink(file, longSide) {
    return window.createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, longSide / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches("input[type=file][data-max-bytes]") || !input.files.length) { return; }
    var file = input.files[0], max = parseInt(input.dataset.maxBytes, 10);
    say(input, "");
    if (file.size <= max) { return; }
    var canShrink = /^image\/(jpeg|png|webp)$/.test(file.type) && window.createImageBitmap &&
      window.DataTransfer && input.dataset.downscale;
    if (!canShrink) { input.value = ""; say(input, input.dataset.tooBig); return; }
    shrink(file, parseInt(input.dataset.downscale, 10)).then(function (blob) {
      if (!blob || blob.size > max) { throw new Error("still too big"); }
      var name = file.name.replace(/\.[^.]+$/, "") + ".jpg";
      var list = new DataTransfer();
      list.items.add(new File([blob], name, {type: "image/jpeg", lastModified: file.lastModified}));
      input.files = list.files;
      input.dataset.downscaled = String(blob.size);
    }).catch(function () { input.value = ""; say(input, input.dataset.tooBig); });
  });
})();
