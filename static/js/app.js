// Small progressive enhancements; the pages work without any of this.
// (CSP forbids inline scripts: everything client-side lives here.)
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Filter a list by the text in an <input data-filter="#list">: rows carry data-filter-text.
  function applyFilter(input) {
    var list = document.querySelector(input.dataset.filter);
    if (!list) return;
    var needle = input.value.trim().toLowerCase();
    list.querySelectorAll("[data-filter-text]").forEach(function (row) {
      row.hidden = needle !== "" && row.dataset.filterText.toLowerCase().indexOf(needle) === -1;
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("input[data-filter]")) applyFilter(event.target);
  });

  // Enter on a checkbox submits its form (implicit submission). A box that saves itself
  // (hx-post) must not also send the no-JS form around it, drawn maybe long ago: Enter
  // does nothing there, Space toggles the box as ever.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("input[type=checkbox][hx-post]")) {
      event.preventDefault();
    }
  });

  // htmx 4 swaps error responses into the target. Fragments meant for it (a refused
  // row) are fine, but a whole error page (e.g. an expired CSRF token, 400) must not land
  // inside a checklist row: show its <main> in place of ours instead.
  document.addEventListener("htmx:response:error", function (event) {
    var ctx = event.detail.ctx;
    var main = document.getElementById("main");
    if (main && /<html[\s>]/i.test(ctx.text || "")) {
      ctx.target = main;
      ctx.select = "#main";
      ctx.swap = "outerHTML";
    }
  });

  // A Print button (class lists): the browser's print dialog; print.css does the rest.
  document.addEventListener("click", function (event) {
    if (event.target.closest("button[data-print]")) window.print();
  });

  // A page opened on a checklist row (#course-row-7, as Undo answers) puts focus on that
  // row's checkbox, so keyboard and screen-reader users continue where the change was.
  function focusRowOf(hash) {
    var row = hash && hash.indexOf("#course-row-") === 0 && document.getElementById(hash.slice(1));
    var box = row && row.querySelector("input[type=checkbox]");
    if (box) box.focus();
  }
  // After load: the browser's own move to the fragment (which blurs) comes first.
  window.addEventListener("load", function () {
    setTimeout(function () { focusRowOf(location.hash); }, 0);
  });

  // A row swapped in by htmx must respect the filter still typed in the box.
  document.addEventListener("htmx:after:swap", function () {
    document.querySelectorAll("input[data-filter]").forEach(applyFilter);
  });
})();
