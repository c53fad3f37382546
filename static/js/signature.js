// The feedback form's signature box: signature_pad on a canvas sized to the screen,
// copied into the hidden signature_data field as a PNG data URL when the form is sent.
(function () {
  "use strict";
  var form = document.getElementById("feedback-form");
  var canvas = document.getElementById("signature-canvas");
  if (!form || !canvas || typeof SignaturePad === "undefined") return;
  var field = form.querySelector("input[name=signature_data]");
  var pad = new SignaturePad(canvas, { penColor: "#111", minWidth: 1, maxWidth: 3 });

  var lastWidth = 0;
  function resize() {
    // Only a change of width matters (rotating the phone); the address bar sliding away or
    // a full-page screenshot change the height of the window, not of the 200 px box.
    if (canvas.offsetWidth === lastWidth) return;
    lastWidth = canvas.offsetWidth;
    var strokes = pad.toData();
    var picture = pad.isEmpty() ? null : pad.toDataURL("image/png");
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    if (strokes.length) pad.fromData(strokes);
    else if (picture) pad.fromDataURL(picture, { width: canvas.offsetWidth, height: canvas.offsetHeight });
  }
  window.addEventListener("resize", resize);
  resize();
  // A form sent back with errors keeps the signature already drawn.
  if (field.value && field.value.indexOf("data:image/png;base64,") === 0) {
    pad.fromDataURL(field.value, { width: canvas.offsetWidth, height: canvas.offsetHeight });
  }

  document.getElementById("signature-clear").addEventListener("click", function () {
    pad.clear();
    field.value = "";
  });

  var sending = false;
  form.addEventListener("submit", function (event) {
    if (sending) { event.preventDefault(); return; }  // a double click sends once
    field.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
    sending = true;
    document.getElementById("submit-feedback").disabled = true;
  });
})();
