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
