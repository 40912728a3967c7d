// salesdeck's own script: loaded from the app (the Content-Security-Policy allows nothing inline).
// Its messages come translated from data- attributes on <body> (templates/base.html).
(function () {
  "use strict";

  function toast(message) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var item = document.createElement("p");
    item.className = "toast";
    item.setAttribute("role", "alert");
    item.textContent = message;
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 6000);
  }

  // A form with data-confirm asks before it is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // A button with data-print prints the page (the print stylesheet leaves out the shell).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // htmx does not swap error responses: show their (short, translated) text instead.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var text = (xhr.responseText || "").trim();
    var fallback = (document.body.dataset.requestFailed || "{status}").replace("{status}", xhr.status);
    toast(text && text.length < 300 && text.indexOf("<") === -1 ? text : fallback);
  });
  document.addEventListener("htmx:sendError", function () {
    toast(document.body.dataset.serverUnreachable || "");
  });

  // Drag and drop: any [data-sortable] container whose children are [data-sortable-item].
  // Sortable fires a DOM "end" event when a drag ends: a form listening with hx-trigger="end"
  // posts its hidden inputs in their new order. [data-position] inputs are renumbered too.
  function makeSortable(root) {
    if (typeof Sortable === "undefined") return;
    root.querySelectorAll("[data-sortable]").forEach(function (list) {
      if (list.sortable) return;
      list.sortable = new Sortable(list, {
        draggable: "[data-sortable-item]",
        handle: ".handle",
        animation: 150,
        forceFallback: true,
        onEnd: function () {
          list.querySelectorAll("[data-position]").forEach(function (input, index) { input.value = index; });
        }
      });
    });
  }
  // A kanban board: [data-board] holds columns ([data-board-column] with data-stage) of cards
  // ([data-card]). Dropping a card posts it, its column and its neighbours to data-move-url; the
  // answer (a form asking for fields, or a message) goes into #board-dialog.
  function makeBoard(root) {
    if (typeof Sortable === "undefined") return;
    root.querySelectorAll("[data-board]").forEach(function (board) {
      board.querySelectorAll("[data-board-column]").forEach(function (column) {
        if (column.sortable) return;
        column.sortable = new Sortable(column, {
          group: "board-" + board.getAttribute("data-board"),
          draggable: "[data-card]",
          animation: 150,
          forceFallback: true,
          onEnd: function (event) {
            var card = event.item;
            var previous = card.previousElementSibling, next = card.nextElementSibling;
            htmx.ajax("POST", board.getAttribute("data-move-url"), {
              source: card, target: "#board-dialog", swap: "innerHTML",
              values: {
                deal: card.getAttribute("data-card"), stage: event.to.getAttribute("data-stage"), then: "event",
                before: previous ? previous.getAttribute("data-card") : "", after: next ? next.getAttribute("data-card") : ""
              }
            });
          }
        });
      });
      // A drop the server refused (the deal was deleted meanwhile, say): the board shows what is true.
      if (!board.refreshesOnRefusal) {
        board.refreshesOnRefusal = true;
        board.addEventListener("htmx:responseError", function (event) {
          if (event.detail.elt && event.detail.elt.hasAttribute("data-card")) htmx.trigger(document.body, "board-refresh");
        });
      }
    });
  }

  // A file input with data-max-bytes says at once that the chosen file is over the server's limit,
  // and its form is not sent: the server would refuse it (413) before reading it, and the browser
  // might show no more than a broken connection. The message is the input's data-too-large.
  function fileTooLarge(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var over = Array.prototype.some.call(input.files || [], function (file) { return file.size > limit; });
    var box = input.form && input.form.querySelector("[data-upload-too-large]");
    if (box) {
      box.textContent = over ? input.getAttribute("data-too-large") : "";
      box.hidden = !over;
    }
    return over;
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][data-max-bytes]")) fileTooLarge(event.target);
  });
  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll("input[type=file][data-max-bytes]");
    for (var index = 0; index < inputs.length; index++) {
      if (fileTooLarge(inputs[index])) {
        event.preventDefault();
        event.stopImmediatePropagation();
        inputs[index].focus();
        return;
      }
    }
  }, true);

  // A select that applies itself ([data-submit-on-change]) and a print button ([data-print]).
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-submit-on-change]") && event.target.form) {
      event.target.form.requestSubmit();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // Closing a panel that a server answer opened (the board's dialog).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-close-dialog]");
    if (button) {
      var panel = button.closest("#board-dialog, #move-panel");
      if (panel) panel.innerHTML = "";
    }
  });

  if (typeof htmx !== "undefined") {
    htmx.onLoad(makeSortable);
    htmx.onLoad(makeBoard);
  }
})();
