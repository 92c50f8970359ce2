// The ask board: drag a card onto another column to move it. The move is the same POST
// the card's own "Move" button makes (through htmx), so the server decides and a refused
// move comes back with its reason. Events are delegated to the document because htmx
// replaces the board after every move.
(function () {
  "use strict";

  var dragged = null;
  var lastMoved = null;

  function columnOf(target) {
    return target && target.closest ? target.closest(".board-column") : null;
  }

  function clearHighlight() {
    document.querySelectorAll(".board-column.is-drop-target").forEach(function (column) {
      column.classList.remove("is-drop-target");
    });
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".board-card") : null;
    // Cards carry a move URL only for people who may move entries (see ask_board.html).
    if (!card || !card.dataset.moveUrl) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.entry);
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    clearHighlight();
  });

  document.addEventListener("dragover", function (event) {
    var column = columnOf(event.target);
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!column.classList.contains("is-drop-target")) {
      clearHighlight();
      column.classList.add("is-drop-target");
    }
  });

  document.addEventListener("drop", function (event) {
    var column = columnOf(event.target);
    if (!column || !dragged) return;
    event.preventDefault();
    clearHighlight();
    if (column.contains(dragged)) return;
    var token = document.querySelector("#board input[name=csrfmiddlewaretoken]");
    lastMoved = dragged.dataset.entry;
    window.htmx.ajax("POST", dragged.dataset.moveUrl, {
      target: "#board",
      swap: "outerHTML",
      values: { stage: column.dataset.stage },
      headers: token ? { "X-CSRFToken": token.value } : {},
    });
  });

  // Keyboard users keep their place: after a move, focus the moved card's link (or the
  // status line that announces the move).
  document.addEventListener("submit", function (event) {
    var card = event.target.closest ? event.target.closest(".board-card") : null;
    if (card) lastMoved = card.dataset.entry;
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!lastMoved) return;
    var link = document.querySelector("#card-" + lastMoved + " .card-title");
    var status = document.querySelector("#board .board-status");
    (link || status).focus();
    lastMoved = null;
  });
})();
