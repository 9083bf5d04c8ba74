// The board's drag and drop and keyboard moves. Without this file the board still works: every
// card has its own status form. A move is saved with the same form post; the card moves when the
// server has accepted it.
(function () {
  "use strict";
  const board = document.getElementById("board");
  if (!board || board.dataset.writable !== "true") return;
  const csrf = document.getElementById("board-csrf").value;
  const live = document.getElementById("board-live");
  const columns = Array.from(board.querySelectorAll(".board-col"));
  for (const form of board.querySelectorAll(".card-move")) form.hidden = true;

  function recount() {
    for (const col of columns) {
      col.querySelector(".count").textContent = col.querySelectorAll(".board-card").length;
    }
  }

  async function move(card, col) {
    const from = card.closest(".board-col");
    if (!col || col === from) return;
    const body = new URLSearchParams({ csrf: csrf, status: col.dataset.status, return_to: "board" });
    card.classList.add("saving");
    try {
      const res = await fetch("/items/" + card.dataset.id + "/status", { method: "POST", body: body, credentials: "same-origin" });
      if (!res.ok) throw new Error(res.status);
      col.querySelector(".board-cards").prepend(card);
      const select = card.querySelector("select[name=status]");
      if (select) select.value = col.dataset.status;
      recount();
      live.textContent = "Moved “" + card.dataset.title + "” to " + col.getAttribute("aria-label") + ".";
      card.focus();
    } catch (e) {
      live.textContent = "The move was not saved. Try again.";
    } finally {
      card.classList.remove("saving");
    }
  }

  board.addEventListener("dragstart", function (e) {
    const card = e.target.closest(".board-card");
    if (!card) return;
    e.dataTransfer.setData("text/plain", card.id);
    e.dataTransfer.effectAllowed = "move";
  });
  for (const col of columns) {
    col.addEventListener("dragover", function (e) {
      e.preventDefault();
      col.classList.add("drop-target");
    });
    col.addEventListener("dragleave", function () {
      col.classList.remove("drop-target");
    });
    col.addEventListener("drop", function (e) {
      e.preventDefault();
      col.classList.remove("drop-target");
      const card = document.getElementById(e.dataTransfer.getData("text/plain"));
      if (card) move(card, col);
    });
  }
  board.addEventListener("keydown", function (e) {
    const card = e.target.closest(".board-card");
    if (!card || e.target !== card) return;
    const at = columns.indexOf(card.closest(".board-col"));
    if (e.key === "ArrowRight" && at < columns.length - 1) {
      e.preventDefault();
      move(card, columns[at + 1]);
    } else if (e.key === "ArrowLeft" && at > 0) {
      e.preventDefault();
      move(card, columns[at - 1]);
    }
  });
})();
