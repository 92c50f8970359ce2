// Staff workspace: header search keyboard moves, "select all" on lists, and a
// confirmation before removing a tag in bulk. Loaded by base.html (no inline scripts).
(function () {
  "use strict";

  function resultLinks() {
    return Array.from(document.querySelectorAll("#header-search-results a"));
  }

  document.addEventListener("keydown", function (event) {
    var input = document.getElementById("header-search");
    var popup = document.getElementById("header-search-results");
    if (!input || !popup) return;
    var inSearch = event.target === input || popup.contains(event.target);
    if (!inSearch) {
      // "/" jumps to the search box from anywhere but a text field.
      var tag = (event.target.tagName || "").toLowerCase();
      if (event.key === "/" && !["input", "textarea", "select"].includes(tag)) {
        event.preventDefault();
        input.focus();
      }
      return;
    }
    var links = resultLinks();
    var index = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && links.length) {
      event.preventDefault();
      if (index <= 0) input.focus(); else links[index - 1].focus();
    } else if (event.key === "Escape") {
      popup.innerHTML = "";
      input.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var popup = document.getElementById("header-search-results");
    if (popup && !event.target.closest(".header-search")) popup.innerHTML = "";
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches("[data-select-all]")) {
      var form = box.closest("form");
      form.querySelectorAll('input[name="selected"]').forEach(function (row) {
        row.checked = box.checked;
      });
    }
  });

  // On a phone the filters start folded so the results come first.
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.matchMedia("(max-width: 52rem)").matches) return;
    document.querySelectorAll("details[data-collapse-on-phone]").forEach(function (details) {
      details.open = false;
    });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm-remove");
    if (!question) return;
    var action = form.querySelector('[name="action"]');
    if (action && action.value === "remove_tag" && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
