// The print page's 打印 button. Without JavaScript the button stays hidden and the page
// tells the user to press Ctrl+P.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-button");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
