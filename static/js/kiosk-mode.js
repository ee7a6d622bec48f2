// Kiosk mode (consult/kiosk): the idle countdown, the on-screen number pad and "read aloud".
// Everything here is an enhancement: without JavaScript the server still logs a person out after
// the idle time, the PIN field takes digits from the screen's number keyboard, and read aloud is hidden.
(function () {
  var bar = document.querySelector(".kiosk-bar");
  if (!bar) return;

  // --- idle countdown: any touch, click or key starts it again; at zero, log out (or go home) ---
  var idle = parseInt(bar.getAttribute("data-idle"), 10) || 60;
  var left = idle;
  var countdown = bar.querySelector(".kiosk-countdown");
  var seconds = bar.querySelector(".kiosk-seconds");
  var logout = bar.querySelector("form.kiosk-logout");
  var home = bar.getAttribute("data-home");
  var onHome = window.location.pathname === home;
  if (countdown) countdown.hidden = false;
  function reset() { left = idle; if (seconds) seconds.textContent = String(left); }
  ["pointerdown", "keydown", "input", "scroll"].forEach(function (name) {
    document.addEventListener(name, reset, { passive: true });
  });
  var timer = setInterval(function () {
    left -= 1;
    if (seconds) seconds.textContent = String(Math.max(left, 0));
    if (left > 0) return;
    clearInterval(timer);
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
    if (logout) logout.submit();
    else if (!onHome) window.location.replace(home);
  }, 1000);

  // --- number pad: each key adds a digit to the PIN field ---
  var pad = document.querySelector(".kiosk-pad");
  var pin = document.querySelector('.kiosk-login input[name="pin"]');
  if (pad && pin) {
    pad.hidden = false;
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("button");
      if (!key) return;
      var digit = key.getAttribute("data-digit");
      var action = key.getAttribute("data-pad");
      if (digit !== null && pin.value.length < 6) pin.value += digit;
      else if (action === "back") pin.value = pin.value.slice(0, -1);
      else if (action === "clear") pin.value = "";
    });
  }

  // --- read aloud: the page's main text, in the page's language ---
  var speak = bar.querySelector(".kiosk-read-aloud");
  if (speak && "speechSynthesis" in window && "SpeechSynthesisUtterance" in window) {
    speak.hidden = false;
    speak.addEventListener("click", function () {
      var synth = window.speechSynthesis;
      if (synth.speaking) { synth.cancel(); return; }
      var main = document.getElementById("main");
      var utterance = new SpeechSynthesisUtterance(main ? main.innerText : document.body.innerText);
      utterance.lang = document.documentElement.lang === "en" ? "en-US" : "zh-CN";
      utterance.rate = 0.9;
      synth.speak(utterance);
    });
    window.addEventListener("pagehide", function () { window.speechSynthesis.cancel(); });
  }
})();
