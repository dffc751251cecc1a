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
