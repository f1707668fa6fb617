// Small behaviours that need no framework: focus the first invalid field after a failed submit.
document.addEventListener("DOMContentLoaded", function () {
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) { invalid.focus(); }
});
document.addEventListener("htmx:afterSwap", function (event) {
  var invalid = event.target.querySelector && event.target.querySelector("[aria-invalid='true']");
  if (invalid) { invalid.focus(); }
});
