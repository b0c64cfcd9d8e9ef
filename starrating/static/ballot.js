// The ballot page, as progressive enhancement (the form works the same without JavaScript):
// a live count of the rows still untouched, a question before submitting with untouched rows,
// and one submission only (the button is disabled once the ballot is on its way).
(function () {
  "use strict";
  var form = document.getElementById("ballot-form");
  if (!form) return;
  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-row]"));
  var counters = Array.prototype.slice.call(form.querySelectorAll("[data-left]"));
  var button = form.querySelector("[data-submit]");
  var sent = false;
  var label = button ? button.innerHTML : "";

  function untouched() {
    return rows.filter(function (row) { return !row.querySelector("input:checked"); });
  }

  function show() {
    var left = untouched().length;
    rows.forEach(function (row) {
      row.classList.toggle("done", !!row.querySelector("input:checked"));
    });
    counters.forEach(function (counter) {
      counter.hidden = false;
      counter.classList.toggle("all-done", left === 0);
      counter.innerHTML = left === 0
        ? "✓ " + rows.length + " 行都已选择，可以提交"
        : "还有 <strong>" + left + "</strong> 行未选择（共 " + rows.length + " 行）";
    });
  }

  form.addEventListener("change", show);
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
