// The 优秀 quota form, as progressive enhancement (without JavaScript the page counts the ticks
// it was rendered with, and "按排序勾选前 M 名" asks the server): the count follows every tick,
// and the button ticks the first M of the ranking at once, without a round trip.
(function () {
  "use strict";
  var form = document.getElementById("excellence-form");
  if (!form) return;
  var quota = parseInt(form.getAttribute("data-quota"), 10) || 0;
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox][name=members]"));
  var count = form.querySelector("#quota-count");
  var ticked = count && count.querySelector("[data-ticked]");
  var over = count && count.querySelector("[data-over]");

  function showCount() {
    var n = boxes.filter(function (box) { return box.checked; }).length;
    if (ticked) ticked.textContent = String(n);
    if (over) over.textContent = n > quota ? "，超出 " + (n - quota) + " 人" : "";
    if (count) count.classList.toggle("over", n > quota);
  }

  var pick = form.querySelector("[data-pick-top]");
  if (pick) {
    pick.addEventListener("click", function (event) {
      event.preventDefault();
      boxes.forEach(function (box, index) { box.checked = index < quota; });
      showCount();
    });
  }
  form.addEventListener("change", showCount);
  showCount();
})();
