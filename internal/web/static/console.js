// The partner console's lead form: the qualification (GD or free market)
// shown as the user types the bill value, asked of the server, which
// answers from the rule the API's qualification uses. Without this file
// the form still works: the answer comes with the page after a post.
(function () {
  "use strict";
  var form = document.querySelector("form[data-qualify]");
  var out = document.getElementById("qualificacao");
  if (!form || !out) { return; }
  var names = ["utilityBillingValue", "personType", "state", "city"];
  var timer = 0, seq = 0;
  function ask() {
    var q = new URLSearchParams();
    names.forEach(function (n) {
      var el = form.elements[n];
      if (el) { q.set(n, el.value); }
    });
    var mine = ++seq;
    fetch(form.getAttribute("data-qualify") + "?" + q.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { text: "" }; })
      .then(function (a) {
        if (mine !== seq) { return; }
        out.textContent = a.text;
        out.classList.toggle("ok", !!a.qualified);
      })
      .catch(function () {});
  }
  form.addEventListener("input", function (e) {
    if (names.indexOf(e.target.name) < 0) { return; }
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
  form.addEventListener("change", function (e) {
    if (e.target.name === "personType") { ask(); }
  });
})();
