// Staff tables with a selection: the header checkbox selects or clears every row on the page.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    if (!event.target.matches("input.select-all")) return;
    var table = event.target.closest("table");
    table.querySelectorAll('tbody input[type="checkbox"][name="ids"]').forEach(function (box) {
      box.checked = event.target.checked;
    });
  });
})();
