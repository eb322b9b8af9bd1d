/* Line numbers that follow the templates editor. Progressive: without it the editor still works. */
(function () {
  var area = document.getElementById("yaml");
  if (!area) { return; }
  var gutter = document.querySelector(".editor .gutter");
  var marked = {};
  Array.prototype.forEach.call(gutter.querySelectorAll("span.err"), function (s) { marked[s.textContent] = true; });
  function renumber() {
    var count = area.value.split("\n").length;
    area.rows = count + 2;
    if (gutter.children.length === count) { return; }
    var html = [];
    for (var n = 1; n <= count; n++) {
      html.push(marked[n] ? '<span id="L' + n + '" class="err">' + n + "</span>" : "<span>" + n + "</span>");
    }
    gutter.innerHTML = html.join("");
  }
  function goTo(line) {
    var lines = area.value.split("\n");
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { start += lines[i].length + 1; }
    var end = start + (lines[line - 1] || "").length;
    area.focus();
    area.setSelectionRange(start, end);
    var mark = document.getElementById("L" + line);
    if (mark) { mark.scrollIntoView({block: "center"}); }
  }
  area.addEventListener("input", renumber);
  Array.prototype.forEach.call(document.querySelectorAll("a[data-line]"), function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      goTo(parseInt(link.getAttribute("data-line"), 10));
    });
  });
  renumber();
})();
