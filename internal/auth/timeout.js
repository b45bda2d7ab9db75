// Skälig: warn before the idle timeout ends the session (WCAG 2.2.1).
//
// The page carries the notice and the dialog (docs/login.md); this script
// only counts down, opens the dialog when the warning time is reached, and
// extends the session in the background when the person asks to. Without
// it, the notice and its form still work. It holds no text of its own.
(function () {
  "use strict";
  var box = document.getElementById("session-timeout");
  var dialog = document.getElementById("session-timeout-dialog");
  if (!box || !dialog || typeof dialog.showModal !== "function" || !window.fetch) {
    return;
  }
  var remaining = parseInt(box.getAttribute("data-remaining"), 10);
  var warn = parseInt(box.getAttribute("data-warn"), 10);
  if (!(remaining > 0) || !(warn > 0)) {
    return;
  }
  var expiredURL = box.getAttribute("data-expired-url") || window.location.href;
  var deadline = Date.now() + remaining * 1000;
  var countdown = dialog.querySelector("[data-countdown]");
  var ended = dialog.querySelector("[data-not-extendable]");
  var timer = null;

  function format(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var left = Math.round((deadline - Date.now()) / 1000);
    if (left <= 0) {
      window.location.assign(expiredURL);
      return;
    }
    if (left <= warn && !dialog.open) {
      dialog.showModal();
    }
    if (countdown) {
      countdown.textContent = format(left);
    }
    timer = window.setTimeout(tick, 1000);
  }

  function extend(form) {
    var body = new URLSearchParams(new FormData(form));
    return window.fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      body: body
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok || !data.logged_in) {
          window.location.assign(expiredURL);
          return;
        }
        deadline = Date.now() + data.expires_in * 1000;
        if (ended) {
          ended.hidden = data.extendable !== false;
        }
        if (data.expires_in > warn && dialog.open) {
          dialog.close();
        }
        window.clearTimeout(timer);
        tick();
      });
    }).catch(function () {
      form.submit(); // fall back to the plain form
    });
  }

  function isExtendForm(el) {
    return el && el.tagName === "FORM" && /\/session\/extend$/.test(new URL(el.action, window.location.href).pathname);
  }

  document.addEventListener("submit", function (ev) {
    if (isExtendForm(ev.target)) {
      ev.preventDefault();
      extend(ev.target);
    }
  });

  // Escape closes the dialog: the person is there, so extend as well.
  dialog.addEventListener("cancel", function () {
    var form = dialog.querySelector('form[action$="/session/extend"]');
    if (form) {
      extend(form);
    }
  });

  tick();
}());
