// The reply body's paragraph editor, in the page (served as a file: the CSP allows no inline
// script). Without this file every button posts the form and the server edits the list; with it,
// moving, adding and removing happen here and only 保存草稿 posts. The inputs keep their names,
// so the posted lists follow the order on screen.
(function () {
  var list = document.getElementById("paragraphs");
  var blank = document.getElementById("paragraph-blank");
  if (!list || !blank) return;
  var max = parseInt(list.getAttribute("data-max"), 10) || 200;

  function row(element) {
    while (element && element.tagName !== "LI") element = element.parentElement;
    return element;
  }
  function showLevel(item) {
    var select = item.querySelector("[data-para-level]");
    item.className = item.className.replace(/\blevel-\w+/, "level-" + select.value);
  }
  function newRow() {
    var item = blank.content.firstElementChild.cloneNode(true);
    item.removeAttribute("id");
    return item;
  }
  function focus(item) {
    var input = item.querySelector(item.classList.contains("level-p") ? "textarea" : "input");
    if (input) input.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-para-op]") : null;
    if (!button) return;
    var op = button.getAttribute("data-para-op");
    var item = row(button);
    if ((op === "add" || op === "add-end") && list.children.length >= max) return;
    event.preventDefault();
    if (op === "add-end") {
      var added = newRow();
      list.appendChild(added);
      focus(added);
    } else if (op === "add") {
      var after = newRow();
      item.parentNode.insertBefore(after, item.nextSibling);
      focus(after);
    } else if (op === "remove") {
      var next = item.nextElementSibling || item.previousElementSibling;
      item.parentNode.removeChild(item);
      if (!list.children.length) list.appendChild(newRow());
      if (next) focus(next);
    } else if (op === "up" && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
      button.focus();
    } else if (op === "down" && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
      button.focus();
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-para-level")) showLevel(row(event.target));
  });
})();
