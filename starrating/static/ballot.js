// The ballot page, as progressive enhancement (the form works the same without JavaScript):
// a live count of the rows still untouched, a "next untouched row" link that follows the reading
// position, the list of untouched rows kept current, a question before submitting with untouched
// rows, and one submission only (the button is disabled once the ballot is on its way).
// Without JavaScript the same link and list are rendered by the server (right after a refusal).
(function () {
  "use strict";
  var form = document.getElementById("ballot-form");
  if (!form) return;
  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-row]"));
  var counters = Array.prototype.slice.call(form.querySelectorAll("[data-count]"));
  var nexts = Array.prototype.slice.call(form.querySelectorAll("[data-next]"));
  var lists = Array.prototype.slice.call(form.querySelectorAll("[data-unmarked]"));
  var button = form.querySelector("[data-submit]");
  var sent = false;
  var label = button ? button.innerHTML : "";

  function chosen(row) {
    return !!row.querySelector(".choice input:checked");
  }

  function untouched() {
    return rows.filter(function (row) { return !chosen(row); });
  }

  // The first untouched row below the one being read (wrapping round to the top).
  function nextUntouched() {
    var left = untouched();
    var reading = window.innerHeight / 3;
    for (var i = 0; i < left.length; i++) {
      if (left[i].getBoundingClientRect().top > reading) return left[i];
    }
    return left[0];
  }

  function pointNext() {
    var row = nextUntouched();
    nexts.forEach(function (link) {
      link.hidden = !row;
      link.setAttribute("href", "#" + (row ? row.id : "row-finish"));
    });
  }

  function show() {
    var left = untouched().length;
    rows.forEach(function (row) {
      row.classList.toggle("done", chosen(row));
    });
    counters.forEach(function (counter) {
      counter.parentNode.classList.toggle("all-done", left === 0);
      counter.innerHTML = left === 0
        ? "✓ " + rows.length + " 行都已选择，可以提交"
        : "还有 <strong>" + left + "</strong> 行未选择（共 " + rows.length + " 行）";
    });
    lists.forEach(function (list) {
      var jump = list.querySelector(".jump");
      var missing = untouched();
      list.hidden = missing.length === 0 || missing.length === rows.length;
      if (!jump || list.hidden) return;
      jump.textContent = "";
      missing.forEach(function (row) {
        var link = document.createElement("a");
        link.href = "#" + row.id;
        link.textContent = row.querySelector(".no").textContent + " " +
          row.querySelector(".name").textContent;
        jump.appendChild(link);
      });
    });
    pointNext();
  }

  form.addEventListener("change", show);
  window.addEventListener("scroll", pointNext, { passive: true });
  form.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }
    var left = untouched().length;
    if (left > 0 && !window.confirm(
      "还有 " + left + " 行没有选择，这些行按空白计。\n确定现在提交吗？提交后不能修改。"
    )) {
      event.preventDefault();
      return;
    }
    sent = true;
    if (button) {
      button.disabled = true;
      button.textContent = "正在提交，请稍候…";
    }
  });
  // Coming back to the page (back button) must allow a new try; the server refuses repeats.
  window.addEventListener("pageshow", function () {
    sent = false;
    if (button) {
      button.disabled = false;
      button.innerHTML = label;
    }
  });
  show();
})();
