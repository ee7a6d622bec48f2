// The kiosk refreshes its check-in code without reloading the page (without JavaScript a
// <noscript> meta refresh reloads it when the code changes).
(function () {
  var box = document.querySelector(".kiosk[data-refresh-url]");
  if (!box) return;
  var url = box.getAttribute("data-refresh-url");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) { setTimeout(refresh, 10000); return; }
        var code = document.getElementById("kiosk-code");
        if (code.textContent !== state.code) {
          code.textContent = state.code;
          document.getElementById("kiosk-qr").innerHTML = state.svg;
        }
        setTimeout(refresh, Math.max(1, state.refresh) * 1000 + 200);
      })
      .catch(function () { setTimeout(refresh, 10000); });
  }
  setTimeout(refresh, 1000);
})();
