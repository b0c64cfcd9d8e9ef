// The print page's 打印 button, and its scan test: every few seconds it asks whether a phone has
// opened the cover page's test QR, and says so. Without JavaScript the button stays hidden and
// the page tells the user to press Ctrl+P; the round page (opened in a new window) shows the
// scan test's result.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-button");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  var test = document.getElementById("scan-test");
  var status = document.getElementById("scan-status");
  if (!test || !status || !window.fetch) return;
  var url = test.getAttribute("data-status-url");
  var tries = 0;
  function show(answer) {
    status.textContent = "";
    var strong = document.createElement("strong");
    strong.className = "ok";
    strong.textContent = "✓ 已收到手机扫码";
    status.appendChild(strong);
    var when = answer.count > 1 ? "（" + answer.first + " 首次，共 " + answer.count + " 次）" : "（" + answer.first + "）";
    status.appendChild(document.createTextNode(when + "：选票上的二维码手机能打开，可以分发。"));
  }
  function ask() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer && answer.scanned) { show(answer); return; }
        if (tries < 900) window.setTimeout(ask, 2000);  // half an hour
      })
      .catch(function () { if (tries < 900) window.setTimeout(ask, 5000); });
  }
  ask();
});
