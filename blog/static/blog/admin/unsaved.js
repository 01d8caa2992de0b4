/* A warning before leaving the essay form with changes that are not saved.

   The form's values are noted when the page is ready and compared when the page is about
   to unload; saving (submitting the form) never warns. After a save that failed
   validation, the page shows what was typed but nothing of it is saved: it counts as
   changed from the start. */
"use strict";

(function () {
  function values(form) {
    const pairs = [];
    for (const [name, value] of new FormData(form)) {
      if (typeof value === "string" && name !== "csrfmiddlewaretoken") pairs.push([name, value]);
    }
    return JSON.stringify(pairs);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("post_form");
    if (!form) return;
    const saved = document.querySelector(".errornote") ? null : values(form);
    let submitting = false;
    form.addEventListener("submit", () => {
      submitting = true;
    });
    window.addEventListener("beforeunload", (event) => {
      if (submitting || values(form) === saved) return;
      event.preventDefault();
      event.returnValue = ""; // older browsers need it set
    });
  });
})();
