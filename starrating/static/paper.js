// Keying paper ballots, as progressive enhancement: the form works the same without JavaScript.
// A complete code (10 characters) moves the focus to the digits; Enter in the code field does
// the same instead of submitting half a sheet; each digit typed is echoed under the subject's
// name (1 满意, 2 基本满意, 3 不满意, 4 不了解, 0 空白), with a count of the digits so far and
// who comes next (that cell is marked in the grid).
(function () {
  "use strict";
  var form = document.getElementById("paper-form");
  if (!form) return;
  var code = form.querySelector("[data-code]");
  var digits = form.querySelector("[data-digits]");
  var typed = document.getElementById("paper-typed");
  var echoes = Array.prototype.slice.call(document.querySelectorAll("[data-echo]"));
  var count = parseInt(form.getAttribute("data-count"), 10);
  var ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  var MEANING = { "1": "满意", "2": "基本满意", "3": "不满意", "4": "不了解", "0": "空白" };

  function plainCode() {
    return code.value.toUpperCase().replace(/[\s\-\u3000－—]/g, "");
  }

  function codeComplete() {
    var plain = plainCode();
    if (plain.length !== 10) return false;
    for (var i = 0; i < plain.length; i++) {
      if (ALPHABET.indexOf(plain.charAt(i)) < 0) return false;
    }
    return true;
  }

  code.addEventListener("input", function () {
    if (codeComplete()) digits.focus();
  });
  code.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      digits.focus();
    }
  });

  // The subject's name as the grid cell shows it: the cell without its number and its echo.
  function nameIn(cell) {
    var parts = [];
    Array.prototype.forEach.call(cell.childNodes, function (node) {
      if (node.nodeType === 1 && (node.tagName === "SMALL" || node.tagName === "BR" ||
          node.hasAttribute("data-echo"))) return;
      parts.push(node.textContent);
    });
    return parts.join("").trim();
  }

  function echo() {
    var value = digits.value.replace(/\s/g, "");
    var wrong = -1;
    echoes.forEach(function (cell, i) {
      cell.parentNode.classList.toggle("current", i === value.length);
      var digit = value.charAt(i);
      var meaning = digit ? MEANING[digit] : "";
      if (digit && !meaning && wrong < 0) wrong = i;
      cell.textContent = digit ? (meaning || "“" + digit + "”不对") : "—";
    });
    if (!typed) return;
    if (wrong >= 0) {
      typed.textContent = "第 " + (wrong + 1) + " 位不对：只能是 0–4";
    } else if (value.length > count) {
      typed.textContent = "已输入 " + value.length + " 位，多了 " + (value.length - count) + " 位";
    } else if (value.length < count) {
      var next = echoes[value.length].parentNode;
      typed.textContent = "已输入 " + value.length + " / " + count + " 位 · 下一位：第 " +
        next.getAttribute("data-position") + " 位 " +
        nameIn(next);
    } else {
      typed.textContent = "已输入 " + value.length + " / " + count + " 位，可以按回车录入";
    }
  }

  digits.addEventListener("input", echo);
  if (digits.value) echo();
})();
