// @-mentions in comment boxes (textarea[data-mentions]): while a name is typed after "@",
// ask the server which members match (an HTML list of options, escaped there) and insert the
// chosen one as "@Name ". Keyboard: arrows move, Enter or Tab chooses, Escape closes.
(function () {
  var timer = null;
  var asked = 0;

  function listOf(area) { return document.getElementById(area.getAttribute("aria-controls")); }
  function options(list) { return list ? list.querySelectorAll("[role=option]") : []; }

  function typed(area) {
    var before = area.value.slice(0, area.selectionStart);
    var match = /(^|[^A-Za-z0-9_.+\-])@([^\s@]{0,40})$/.exec(before);
    return match ? { query: match[2], start: before.length - match[2].length - 1 } : null;
  }

  function close(area) {
    var list = listOf(area);
    if (list) { list.hidden = true; list.innerHTML = ""; }
    area.setAttribute("aria-expanded", "false");
    area.removeAttribute("aria-activedescendant");
  }

  function mark(area, index) {
    var all = options(listOf(area));
    Array.prototype.forEach.call(all, function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (all[index]) { area.setAttribute("aria-activedescendant", all[index].id); }
  }

  function marked(area) {
    var list = listOf(area);
    return list && !list.hidden ? list.querySelector("[aria-selected=true]") : null;
  }

  function ask(area) {
    var token = typed(area);
    if (!token) { close(area); return; }
    var mine = ++asked;
    var url = area.getAttribute("data-mentions") + "?q=" + encodeURIComponent(token.query);
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var list = listOf(area);
        if (mine !== asked || !list || !typed(area)) { return; }
        list.innerHTML = html;
        list.hidden = html.trim() === "";
        area.setAttribute("aria-expanded", list.hidden ? "false" : "true");
        mark(area, 0);
      });
  }

  function choose(area, option) {
    var token = typed(area);
    if (!token) { close(area); return; }
    var name = option.getAttribute("data-name");
    var caret = area.selectionStart;
    area.value = area.value.slice(0, token.start) + "@" + name + " " + area.value.slice(caret);
    var at = token.start + name.length + 2;
    area.setSelectionRange(at, at);
    area.focus();
    close(area);
  }

  function isBox(element) { return element && element.matches && element.matches("textarea[data-mentions]"); }

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (!isBox(area)) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () { ask(area); }, 120);
  });

  document.addEventListener("keydown", function (event) {
    var area = event.target;
    if (!isBox(area)) { return; }
    var current = marked(area);
    if (!current) { return; }
    var all = Array.prototype.slice.call(options(listOf(area)));
    var index = all.indexOf(current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      mark(area, (index + (event.key === "ArrowDown" ? 1 : all.length - 1)) % all.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      choose(area, current);
    } else if (event.key === "Escape") {
      close(area);
    }
  });

  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".mention-list [role=option]");
    if (!option) { return; }
    event.preventDefault();  // keep the focus (and the caret) in the text box
    var list = option.closest(".mention-list");
    var area = document.querySelector("[aria-controls='" + list.id + "']");
    if (area) { choose(area, option); }
  });

  document.addEventListener("focusout", function (event) {
    if (isBox(event.target)) { setTimeout(function () { close(event.target); }, 150); }
  });

  // A link to a comment (/o/…/problems/7#comment-12) opens the page before htmx has loaded
  // the thread: once it is in, bring the comment into view (once).
  var sought = /^#comment-\d+$/.test(location.hash) ? location.hash.slice(1) : null;
  document.addEventListener("htmx:afterSettle", function () {
    var target = sought && document.getElementById(sought);
    if (target) {
      sought = null;
      target.scrollIntoView({ block: "center" });
    }
  });
})();
