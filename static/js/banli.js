// Behaviour shared by every page. No inline handlers: the Content-Security-Policy forbids them.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-submit-on-change]")) {
    event.target.form.submit();
  }
});
// "返回" and "打印" links: the CSP blocks javascript: URLs, so the href is a plain fallback.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-history-back], [data-print]");
  if (!link) return;
  if (link.hasAttribute("data-print")) {
    event.preventDefault();
    window.print();
  } else if (window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
// A link to a confirmation page ("签发", "撤回", …) opens the same form in a <dialog> when
// the page carries it; without JavaScript the link opens the confirmation page itself.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-confirm]");
  if (!link) return;
  var dialog = document.getElementById(link.getAttribute("data-confirm"));
  if (!dialog || typeof dialog.showModal !== "function") return;
  event.preventDefault();
  dialog.showModal();
});
document.addEventListener("click", function (event) {
  var button = event.target.closest("dialog [data-close]");
  if (!button) return;
  event.preventDefault();
  button.closest("dialog").close();
});
