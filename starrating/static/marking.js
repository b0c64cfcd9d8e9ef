// Marking shortcuts, as progressive enhancement: the form works the same without JavaScript.
// 1 or Y marks the current star 达标, 2 or N 不达标, 3 弃权, and moves on to the next star; Enter saves
// and opens the next member; "全部达标" fills every star; a line says which stars are left; after
// a refused save the first star to correct has the focus.
(function () {
  "use strict";
  var form = document.getElementById("mark-form");
  if (!form || form.hasAttribute("data-read-only")) return;
  var stars = Array.prototype.slice.call(form.querySelectorAll("[data-star]"));
  var saveNext = form.querySelector("button[name=save_next], input[name=save_next]");
  var remaining = form.querySelector("[data-remaining]");
  var majority = form.getAttribute("data-mode") === "majority";

  function radios(star) {
    return Array.prototype.slice.call(star.querySelectorAll("input[type=radio]"));
  }

  function chosen(star) {
    return radios(star).some(function (input) { return input.checked; });
  }

  function starName(star) {
    var legend = star.querySelector("legend");
    return legend ? legend.textContent.trim() : "";
  }

  function showRemaining() {
    if (!remaining || !majority) return;
    var left = stars.filter(function (star) { return !chosen(star); });
    remaining.classList.toggle("all-chosen", left.length === 0);
    remaining.textContent = left.length === 0
      ? "✓ " + stars.length + " 颗星都已选好，可以保存。"
      : "还有 " + left.length + " 颗星未选：" + left.map(starName).join("、");
  }

  function focusStar(star) {
    var inputs = radios(star);
    var target = inputs.filter(function (input) { return input.checked; })[0] || inputs[0];
    if (target) target.focus();
  }

  function currentStar() {
    var active = document.activeElement;
    var here = active && active.closest ? active.closest("[data-star]") : null;
    if (here && form.contains(here)) return here;
    return stars.filter(function (star) { return !chosen(star); })[0] || null;
  }

  function choose(star, value) {
    var input = star.querySelector("input[type=radio][value=" + value + "]");
    if (!input) return;
    input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    var next = stars[stars.indexOf(star) + 1];
    if (next) focusStar(next);
    else if (saveNext) saveNext.focus();
  }

  function typing(element) {
    if (!element || !element.tagName) return false;
    var tag = element.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || element.isContentEditable) return true;
    return tag === "input" && element.type !== "radio" && element.type !== "checkbox";
  }

  var keys = { "1": "pass", "y": "pass", "2": "fail", "n": "fail", "3": "abstain" };

  document.addEventListener("keydown", function (event) {
    if (!majority || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    var target = event.target;
    if (typing(target)) return;  // a note is being typed; Enter there submits natively
    var key = (event.key || "").toLowerCase();
    if (key === "enter") {
      if (!form.contains(target) || target.tagName === "BUTTON" || target.tagName === "SUMMARY") return;
      event.preventDefault();
      if (saveNext) form.requestSubmit(saveNext);
      return;
    }
    if (!keys[key]) return;
    var star = currentStar();
    if (!star) return;
    event.preventDefault();
    choose(star, keys[key]);
  });

  var quick = form.querySelector("[data-quick-fill]");
  var fill = form.querySelector("[data-fill-pass]");
  if (quick && fill && majority) {
    quick.hidden = false;
    // the keyboard line only where there is a keyboard and a mouse, not on a phone
    var hint = form.querySelector("[data-key-hint]");
    if (hint && window.matchMedia && window.matchMedia("(pointer: fine)").matches) hint.hidden = false;
    fill.addEventListener("click", function () {
      var failed = stars.filter(function (star) {
        var input = star.querySelector("input[value=fail]:checked, input[value=abstain]:checked");
        return Boolean(input);
      });
      if (failed.length && !window.confirm(
        "已有 " + failed.length + " 颗星选了“不达标”或“弃权”（" + failed.map(starName).join("、") +
        "），确定全部改为“达标”吗？"
      )) return;
      stars.forEach(function (star) {
        var input = star.querySelector("input[value=pass]");
        if (input) input.checked = true;
      });
      showRemaining();
      if (saveNext) saveNext.focus();
    });
  }

  form.addEventListener("change", showRemaining);
  showRemaining();

  // after a refused save, take the rater straight to the first star to correct
  var wrong = form.querySelector(".star.has-error input:not([type=hidden])");
  if (wrong) wrong.focus();
})();
