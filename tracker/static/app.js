// Small behaviours that need no framework: focus the first invalid field after a failed submit.
document.addEventListener("DOMContentLoaded", function () {
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) { invalid.focus(); }
});
document.addEventListener("htmx:afterSwap", function (event) {
  var invalid = event.target.querySelector && event.target.querySelector("[aria-invalid='true']");
  if (invalid) { invalid.focus(); }
});

// The top bar's navigation is a <details> "Menu" on phones. On wide screens CSS shows its
// content from the first paint (::details-content); opening it here as well tells screen
// readers (and browsers without that selector) that it is open.
document.addEventListener("DOMContentLoaded", function () {
  var menu = document.querySelector("details.navmenu");
  if (!menu || !window.matchMedia) { return; }
  var wide = window.matchMedia("(min-width: 48.01rem)");
  var sync = function () { menu.open = wide.matches; };
  sync();
  if (wide.addEventListener) { wide.addEventListener("change", sync); }
});

// "Show" beside each password field (ASVS 2.1.12). The server renders the button hidden, so
// without script the field stays a plain password field; the field is a password field again
// before its form is sent, so browsers do not keep the text as an ordinary entry.
function wireReveal(root) {
  var buttons = root.querySelectorAll ? root.querySelectorAll("button.reveal[aria-controls]") : [];
  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.getAttribute("aria-controls"));
    if (!field || button.getAttribute("data-wired")) { return; }
    button.setAttribute("data-wired", "1");
    button.hidden = false;
    var set = function (shown) {
      field.type = shown ? "text" : "password";
      button.setAttribute("aria-pressed", shown ? "true" : "false");
    };
    button.addEventListener("click", function () {
      set(field.type === "password");
      field.focus();
    });
    if (field.form) { field.form.addEventListener("submit", function () { set(false); }); }
  });
}
document.addEventListener("DOMContentLoaded", function () { wireReveal(document); });
document.addEventListener("htmx:afterSwap", function (event) { wireReveal(event.target); });

// An attachment larger than the limit is refused before it is sent (the server refuses it
// too, with the same message): the message shows beside the field at once.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches("input[type='file'][data-max-bytes]")) { return; }
  var error = document.getElementById(input.id + "-error");
  var file = input.files && input.files[0];
  var tooLarge = file && file.size > Number(input.getAttribute("data-max-bytes"));
  input.setCustomValidity(tooLarge ? input.getAttribute("data-too-large") : "");
  if (tooLarge) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
  if (error) {
    error.textContent = tooLarge ? input.getAttribute("data-too-large") : "";
    error.hidden = !tooLarge;
  }
});
// Live updates (tracker.live): the page's one server-sent-events stream (the htmx SSE
// extension, on <body data-live>) tells the bell and a review page to fetch their fragments.
// While the stream is down, a slow poll asks the same fragments every minute ("livepoll");
// whenever it opens again (after a drop, or the server ending it to check the session), they
// are fetched once, for what happened meanwhile.
(function () {
  var POLL_MS = 60000;
  var timer = null;
  var opened = false;
  function poll() {
    Array.prototype.forEach.call(document.querySelectorAll("[hx-trigger*='livepoll']"), function (el) {
      if (window.htmx) { window.htmx.trigger(el, "livepoll"); }
    });
  }
  function startPolling() {
    if (!timer) { timer = window.setInterval(poll, POLL_MS); }
  }
  function stopPolling() {
    if (timer) { window.clearInterval(timer); timer = null; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.hasAttribute("data-live")) { startPolling(); }
  });
  document.addEventListener("htmx:sseOpen", function () {
    stopPolling();
    document.body.setAttribute("data-live", "open");
    if (opened) { poll(); }
    opened = true;
  });
  document.addEventListener("htmx:sseError", function () {
    document.body.setAttribute("data-live", "down");
    startPolling();
  });
})();
