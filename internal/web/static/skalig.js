// Skälig: progressive enhancement only. Every page works without this file:
// forms post to the server, errors come back as HTML, and the language switch
// is links. (The idle-timeout warning is the login package's script,
// /session/timeout.js; the page carries its text, see docs/login.md.)
(function () {
  'use strict';

  // Mark that the script runs, for styles that only apply with it.
  document.documentElement.classList.add('js');

  // The error summary: focus it, so that it is read first, and make its
  // links focus their field (with the label in view). A link followed
  // with Enter moves the focus on keydown; the same key's keypress then
  // lands in the field, where Enter would submit the form. That keypress
  // (and only it: the flag ends with the key's keyup) is swallowed.
  var summary = document.querySelector('[data-error-summary]');
  if (summary) {
    var enterFromLink = false;
    // The pages' guard against the same without JavaScript (the partial
    // implicit-submit-guard) is not needed: Enter in a field sends again.
    Array.prototype.forEach.call(document.querySelectorAll('.implicit-submit-guard'), function (b) { b.remove(); });
    summary.focus();
    summary.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && e.target.closest && e.target.closest('a[href^="#"]')) { enterFromLink = true; }
    });
    document.addEventListener('keypress', function (e) {
      if (enterFromLink && e.key === 'Enter') { e.preventDefault(); }
    }, true);
    document.addEventListener('keyup', function (e) {
      if (e.key === 'Enter') { enterFromLink = false; }
    }, true);
    summary.addEventListener('click', function (e) {
      var a = e.target.closest ? e.target.closest('a[href^="#"]') : null;
      if (!a) { return; }
      var field = document.getElementById(a.getAttribute('href').slice(1));
      if (!field) { return; }
      e.preventDefault();
      var fieldset = field.closest('fieldset');
      var label = fieldset ? fieldset.querySelector('legend') : document.querySelector('label[for="' + field.id + '"]');
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }
}());
