// The registration page: searchable pickers for the lead and the co-signers, and the number
// preview kept up to date. Without this script the page is a select, a text box of names and
// the number shown when the page was drawn; the server checks the same names either way.
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form || typeof TomSelect === "undefined") return;
  var session = form.querySelector("[name=session]");
  var serial = form.querySelector("[name=serial]");
  var text = form.dataset;

  // Tom Select points the <label> at its own control; the original field, kept for the form,
  // keeps its name for assistive technology through aria-label.
  function keepName(el) {
    var label = form.querySelector('label[for="' + el.id + '"]');
    if (label) el.setAttribute("aria-label", label.textContent.replace("*", "").trim());
  }

  var lead = form.querySelector("select[data-picker=select]");
  if (lead) {
    keepName(lead);
    new TomSelect(lead, { maxOptions: 50, openOnFocus: false, render: { no_results: noResults } });
  }

  function noResults() {
    var div = document.createElement("div");
    div.className = "no-results";
    div.textContent = text.noResults;
    return div;
  }

  var names = form.querySelector("input[data-picker=members]");
  if (names) {
    keepName(names);
    var picker = new TomSelect(names, {
      delimiter: "、",
      persist: false,
      create: false,
      valueField: "value",
      labelField: "value",
      searchField: ["name", "group", "work_unit"],
      maxOptions: 20,
      plugins: ["remove_button"],
      // The next name is a new search, not the rest of the last one.
      onItemAdd: function () {
        this.setTextboxValue("");
        this.close();
      },
      shouldLoad: function (query) { return query.trim().length > 0; },
      load: function (query, callback) {
        var url = names.dataset.searchUrl + "?q=" + encodeURIComponent(query) + "&session=" + encodeURIComponent(session ? session.value : "");
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { callback(data.results); })
          .catch(function () { callback(); });
      },
      render: {
        option: function (item, escape) {
          var details = [item.group, item.work_unit].filter(Boolean).map(escape).join(" · ");
          var tag = item.organisation ? ' <span class="tag">' + escape(text.organisation) + "</span>" : "";
          return "<div>" + escape(item.name) + tag + (details ? ' <small class="muted">' + details + "</small>" : "") + "</div>";
        },
        item: function (item, escape) { return "<div>" + escape(item.value) + "</div>"; },
        no_results: noResults,
      },
    });
    if (session) {
      // Another session may be another body: its members, not the ones already fetched.
      session.addEventListener("change", function () {
        picker.clearOptions();
        picker.loadedSearches = {};
      });
    }
  }

  var preview = document.getElementById("number-preview");
  if (preview && session) {
    var number = preview.querySelector("[data-number]");
    var taken = preview.querySelector("[data-taken]");
    var pending = 0;
    var refresh = function () {
      var ticket = ++pending;
      var url = preview.dataset.url + "?session=" + encodeURIComponent(session.value) + "&serial=" + encodeURIComponent(serial ? serial.value : "");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (ticket !== pending) return;
          number.textContent = data.number || "—";
          taken.hidden = !data.taken;
        })
        .catch(function () {});
    };
    session.addEventListener("change", refresh);
    if (serial) serial.addEventListener("input", refresh);
  }
})();
