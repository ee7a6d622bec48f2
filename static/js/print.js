// Printed documents: show the print button only where it can work (with JavaScript), and print on press.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
