// Public sign form: show only the fields for the way the person signs (organisation or
// individual). Without JavaScript every field stays visible and the server ignores the
// ones that do not apply.
(function () {
  "use strict";
  function update(form) {
    var checked = form.querySelector('input[name="signing_as"]:checked');
    var kind = checked ? checked.value : "individual";
    form.querySelectorAll("[data-signing-as]").forEach(function (part) {
      part.hidden = part.getAttribute("data-signing-as") !== kind;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.sign-form").forEach(function (form) {
      update(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "signing_as") update(form);
      });
    });
  });
})();
