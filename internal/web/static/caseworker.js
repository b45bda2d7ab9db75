// Skälig, the caseworker's pages: keyboard shortcuts for the commonest
// actions, as progressive enhancement. Every action is a link or a button
// that works without this file; the shortcuts only find it.
//
// Keys (single characters, as in mail programs): g the queue, j/k the next
// and previous case in a queue, a focus "approve", b decide, d ask for
// documents, m write a message, t take the case, ? the list of shortcuts.
// A shortcut that would change a case (approve, take) only moves the focus
// to its button; Enter or Space then presses it. Shortcuts never fire while
// typing in a field or with a modifier key, and can be turned off (WCAG
// 2.1.4 Character Key Shortcuts): the choice is kept in localStorage.
(function () {
  'use strict';
  var KEY = 'skalig.shortcuts';
  function enabled() {
    try { return window.localStorage.getItem(KEY) !== 'off'; } catch (e) { return true; }
  }
  function setEnabled(on) {
    try { window.localStorage.setItem(KEY, on ? 'on' : 'off'); } catch (e) { /* private mode: this page only */ }
    state = on;
    label();
  }
  var state = enabled();
  var help = document.querySelector('[data-shortcut-help]');
  var toggle = document.querySelector('[data-shortcut-toggle]');
  function label() {
    if (toggle) {
      toggle.textContent = state ? toggle.getAttribute('data-label-on') : toggle.getAttribute('data-label-off');
      toggle.setAttribute('aria-pressed', state ? 'false' : 'true');
    }
  }
  if (toggle) {
    toggle.hidden = false;
    label();
    toggle.addEventListener('click', function () { setEnabled(!state); });
  }

  function typing(t) {
    if (!t || !t.tagName) { return false; }
    var n = t.tagName.toLowerCase();
    return n === 'input' || n === 'textarea' || n === 'select' || t.isContentEditable;
  }
  function mark(el) {
    var old = document.querySelector('.cw-shortcut-target');
    if (old) { old.classList.remove('cw-shortcut-target'); }
    el.classList.add('cw-shortcut-target');
    el.focus();
    if (el.scrollIntoView) { el.scrollIntoView({ block: 'center' }); }
  }
  function move(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll('[data-queue-link]'));
    if (!links.length) { return false; }
    var i = links.indexOf(document.activeElement);
    i = i < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, i + step));
    mark(links[i]);
    return true;
  }

  document.addEventListener('keydown', function (e) {
    if (!state || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) { return; }
    var k = e.key;
    if (k === '?') {
      if (help) { help.open = !help.open; if (help.open) { help.querySelector('summary').focus(); } }
      e.preventDefault();
      return;
    }
    if (k === 'j' || k === 'k') {
      if (move(k === 'j' ? 1 : -1)) { e.preventDefault(); }
      return;
    }
    var el = document.querySelector('[data-shortcut="' + k + '"]');
    if (!el) { return; }
    e.preventDefault();
    var target = el.getAttribute('data-shortcut-focus-target');
    if (target && document.getElementById(target)) {
      mark(document.getElementById(target));
      return;
    }
    if (el.tagName.toLowerCase() === 'button' || el.hasAttribute('data-shortcut-focus')) {
      mark(el); // a button that changes the case: focus only
      return;
    }
    el.click();
  });
}());
