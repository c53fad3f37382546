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
