// The feedback form's signature box: signature_pad on a canvas sized to the screen,
// copied into the hidden signature_data field as a PNG data URL when the form is sent.
(function () {
  "use strict";
  var form = document.getElementById("feedback-form");
  var canvas = document.getElementById("signature-canvas");
  if (!form || !canvas || typeof SignaturePad === "undefined") return;
  var field = form.querySelector("input[name=signature_data]");
  var pad = new SignaturePad(canvas, { penColor: "#111", minWidth: 1, maxWidth: 3 });

  function resize() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var data = pad.isEmpty() ? null : pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    if (data) pad.fromData(data);
  }
  window.addEventListener("resize", resize);
  resize();

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
