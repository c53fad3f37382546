// Behaviour shared by every page. No inline handlers: the Content-Security-Policy forbids them.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-submit-on-change]")) {
    event.target.form.submit();
  }
});
