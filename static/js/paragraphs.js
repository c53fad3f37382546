// Insert a unit's paragraph template at the cursor in the reply body (served as a file: the CSP allows no inline script).
document.querySelectorAll("[data-insert]").forEach(function (button) {
  button.addEventListener("click", function () {
    var body = document.getElementById("id_body");
    var text = button.getAttribute("data-insert");
    var at = body.selectionStart || body.value.length;
    var before = body.value.slice(0, at), after = body.value.slice(at);
    var glue = before && !before.endsWith("\n") ? "\n" : "";
    body.value = before + glue + text + "\n" + after;
    body.focus();
  });
});
