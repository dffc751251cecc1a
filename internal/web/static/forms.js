// Input masks, as people type: the server accepts the masked forms and
// validates them itself, so without this file nothing breaks, the visitor
// just types the punctuation. Fields opt in with data-mask.
(function () {
  "use strict";
  function digits(v, max) { return v.replace(/\D/g, "").slice(0, max); }
  function apply(d, pattern) {
    // pattern: "#" takes the next digit; anything else is copied while
    // digits remain.
    var out = "", i = 0;
    for (var p = 0; p < pattern.length && i < d.length; p++) {
      out += pattern[p] === "#" ? d[i++] : pattern[p];
    }
    return out;
  }
  var masks = {
    cep: function (v) { return apply(digits(v, 8), "#####-###"); },
    date: function (v) { return apply(digits(v, 8), "##/##/####"); },
    phone: function (v) {
      var d = digits(v, 11);
      return apply(d, d.length > 10 ? "(##) #####-####" : "(##) ####-####");
    },
    "cpf-cnpj": function (v) {
      // Alphanumeric CNPJs (since July 2026) carry letters: left as typed.
      if (/[a-z]/i.test(v)) { return v.toUpperCase().slice(0, 18); }
      var d = digits(v, 14);
      return apply(d, d.length > 11 ? "##.###.###/####-##" : "###.###.###-##");
    }
  };
  function onInput(e) {
    var el = e.target, mask = masks[el.getAttribute("data-mask")];
    if (!mask) { return; }
    var atEnd = el.selectionStart === el.value.length;
    var next = mask(el.value);
    if (next !== el.value) {
      el.value = next;
      if (atEnd) { el.setSelectionRange(next.length, next.length); }
    }
  }
  document.addEventListener("input", onInput);
})();

// Upload progress: a form with data-progress="ID" sends its file with
// XMLHttpRequest, so <progress id="ID"> shows how much of it has gone (the
// service reads an upload as it arrives); the answer then replaces the
// page. Without JavaScript the form posts as usual.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target, id = form.getAttribute("data-progress"), bar = id && document.getElementById(id);
    if (!bar || !window.FormData) { return; }
    e.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.onprogress = function (ev) {
      if (ev.lengthComputable) { bar.max = ev.total; bar.value = ev.loaded; }
    };
    xhr.onload = function () { document.open(); document.write(xhr.responseText); document.close(); };
    xhr.onerror = function () { form.submit(); };
    var box = bar.closest("[hidden]");
    if (box) { box.hidden = false; }
    xhr.send(new FormData(form));
  });
})();
